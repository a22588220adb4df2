import { z } from 'zod';
import { FormError } from '../../lib/errors';
import { indexedFields } from '../../lib/params';
import { normalizeCode, normalizeText } from '../../lib/persian';
import type { AttendanceStatus } from '../../models/attendance-mark';
import { STATUSES, type MarkEntry } from './service';

/** `none` takes a stored mark away: the row is «ثبت‌نشده» again. */
export const CLEAR = 'none';
const status = z.enum([...STATUSES, CLEAR]);
const note = z.string().max(500, 'توضیح حداکثر ۵۰۰ نویسه باشد.');
/** Why a mark of a finished course is corrected (the only way to change one then). */
const correctionReason = z.string().max(500, 'دلیل اصلاح حداکثر ۵۰۰ نویسه باشد.');

/**
 * The marks posted to a sheet (the form, or the JSON of its script): `mark[<id>]` one of the four
 * statuses or `none` to clear the mark (an empty value leaves the row as it is), `note[<id>]` free text, `allPresent` marks every
 * approved liaison present (only then is `approvedIds` asked: a one-mark save needs no list). Throws
 * FormError with the offending field on a bad value.
 */
export async function parseMarks(
  body: unknown,
  approvedIds: () => Promise<number[]>,
): Promise<{ entries: MarkEntry[]; source: 'sheet' | 'paper'; reason: string | null }> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const marks = indexedFields(b, 'mark');
  const notes = indexedFields(b, 'note');
  const allPresent = b.allPresent !== undefined && b.allPresent !== false && b.allPresent !== '';
  const entries = new Map<number, MarkEntry>();
  const errors: Record<string, string> = {};
  for (const [id, value] of marks) {
    if (value === '' || value === undefined || value === null) continue;
    const parsed = status.safeParse(typeof value === 'string' ? value.trim() : value);
    if (!parsed.success) errors[`mark[${id}]`] = 'وضعیت حضور را از گزینه‌ها انتخاب کنید.';
    else entries.set(id, { enrollmentId: id, status: parsed.data === CLEAR ? null : (parsed.data as AttendanceStatus) });
  }
  for (const [id, value] of notes) {
    const parsed = note.safeParse(typeof value === 'string' ? normalizeText(value) : value);
    if (!parsed.success) {
      errors[`note[${id}]`] = parsed.error.issues[0]?.message ?? 'توضیح نامعتبر است.';
      continue;
    }
    const entry = entries.get(id) ?? { enrollmentId: id };
    entry.note = parsed.data === '' ? null : parsed.data;
    entries.set(id, entry);
  }
  const reason = correctionReason.safeParse(typeof b.reason === 'string' ? normalizeText(b.reason) : '');
  if (!reason.success) errors.reason = reason.error.issues[0]?.message ?? 'دلیل نامعتبر است.';
  if (Object.keys(errors).length) throw new FormError(errors);
  if (allPresent) {
    for (const id of await approvedIds()) entries.set(id, { ...(entries.get(id) ?? { enrollmentId: id }), status: 'present' });
  }
  return {
    entries: [...entries.values()],
    source: b.source === 'paper' ? 'paper' : 'sheet',
    reason: reason.success && reason.data ? reason.data : null,
  };
}

export const checkInSchema = z.object({
  code: z
    .string({ error: 'کد حضور را وارد کنید.' })
    .transform(normalizeCode)
    .pipe(z.string().regex(/^\d{6}$/, 'کد حضور شش رقم است.')),
});
