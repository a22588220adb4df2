import crypto from 'node:crypto';
import { z } from 'zod';
import { FormError, type FieldErrors } from '../../lib/errors';
import { checkbox, optionalText, parseForm } from '../../lib/forms';
import { indexedFields } from '../../lib/params';
import { normalizeText } from '../../lib/persian';
import type { EvaluationTemplate } from '../../services/settings';

/** How many questions the template form offers (the filled ones are asked). */
export const TEMPLATE_ROWS = 10;
const KEY = /^[a-z][a-z0-9_-]{0,39}$/;

const promptsSchema = z.object({
  commentPrompt: optionalText({ label: 'پرسش نظر آزاد', max: 200 }),
  topicsPrompt: optionalText({ label: 'پرسش موضوعات پیشنهادی', max: 200 }),
});

/**
 * The template form: `label[1..10]` (an empty one drops the question), `key[1..10]` (hidden: the
 * stable key of a question already there; a new question gets a fresh one), and the two prompts.
 */
export function parseTemplateForm(body: unknown): EvaluationTemplate {
  const prompts = parseForm(promptsSchema, body);
  const labels = indexedFields(body, 'label');
  const keys = indexedFields(body, 'key');
  const errors: FieldErrors = {};
  const items: EvaluationTemplate['items'] = [];
  const used = new Set<string>();
  for (const [row, raw] of [...labels.entries()].sort((a, b) => a[0] - b[0])) {
    if (row > TEMPLATE_ROWS) continue;
    if (typeof raw !== 'string') {
      errors[`label[${row}]`] = 'مقدار این فیلد نامعتبر است.';
      continue;
    }
    const label = normalizeText(raw);
    if (!label) continue;
    if (label.length > 200) {
      errors[`label[${row}]`] = 'متن پرسش حداکثر ۲۰۰ نویسه باشد.';
      continue;
    }
    const given = keys.get(row);
    let key = typeof given === 'string' && KEY.test(given) && !used.has(given) ? given : '';
    if (!key) key = `q${crypto.randomBytes(4).toString('hex')}`;
    used.add(key);
    items.push({ key, label });
  }
  if (!items.length && !Object.keys(errors).length) errors['label[1]'] = 'دست‌کم یک پرسش بنویسید.';
  if (Object.keys(errors).length) throw new FormError(errors);
  return { items, commentPrompt: prompts.commentPrompt ?? '', topicsPrompt: prompts.topicsPrompt ?? '' };
}

export const evaluationSettingsSchema = z.object({ requiredForCertificate: checkbox });
