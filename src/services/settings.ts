import type { Sequelize, Transaction } from 'sequelize';
import { statements } from '../db/prepared';
import { Setting } from '../models';

export interface Signatory {
  title: string;
  name: string;
}

/** The two signature blocks of certificates; their names are the settings row `certificateSignatories` (JSON). */
export const DEFAULT_SIGNATORIES: Signatory[] = [
  { title: 'مدیر روابط عمومی', name: '' },
  { title: 'مدیرکل بهزیستی استان کرمان', name: '' },
];
const SIGNATORIES_KEY = 'certificateSignatories';
const REMINDER_HOUR_KEY = 'smsReminderHour';

/** Settings an admin changes at run time; each falls back to its configured default. */
export class Settings {
  constructor(private readonly defaults: { autoActivate: boolean; reminderHour: number }) {}

  /** The Tehran hour (0–23) from which reminders for the next day's sessions are sent. */
  async reminderHour(): Promise<number> {
    const row = await Setting.findByPk(REMINDER_HOUR_KEY);
    const hour = row ? Number(row.value) : Number.NaN;
    return Number.isInteger(hour) && hour >= 0 && hour <= 23 ? hour : this.defaults.reminderHour;
  }

  async setReminderHour(hour: number, transaction?: Transaction): Promise<void> {
    await Setting.upsert({ key: REMINDER_HOUR_KEY, value: String(hour) }, { transaction });
  }

  /** Whether a liaison who signs up is active at once (otherwise an admin activates them). */
  async autoActivate(): Promise<boolean> {
    const row = await Setting.findByPk('autoActivate');
    return row ? row.value === 'true' : this.defaults.autoActivate;
  }

  async setAutoActivate(value: boolean, transaction?: Transaction): Promise<void> {
    await Setting.upsert({ key: 'autoActivate', value: String(value) }, { transaction });
  }

  /** Who signs the certificates issued from now on: the fixed titles with the names an admin set. */
  async signatories(): Promise<Signatory[]> {
    const row = await Setting.findByPk(SIGNATORIES_KEY);
    if (!row) return DEFAULT_SIGNATORIES;
    try {
      const stored = JSON.parse(row.value) as Partial<Signatory>[];
      return DEFAULT_SIGNATORIES.map((fallback, i) => ({
        title: stored[i]?.title || fallback.title,
        name: stored[i]?.name ?? '',
      }));
    } catch {
      return DEFAULT_SIGNATORIES;
    }
  }

  /** Stores the names under the two signature blocks; returns the signatories as stored. */
  async setSignatories(names: string[], transaction?: Transaction): Promise<Signatory[]> {
    const value = DEFAULT_SIGNATORIES.map((s, i) => ({ title: s.title, name: names[i] ?? '' }));
    await Setting.upsert({ key: SIGNATORIES_KEY, value: JSON.stringify(value) }, { transaction });
    return value;
  }
}

/** One 1–5 question of the evaluation survey: a stable Latin key (results across courses group by it) and its Persian text. */
export interface EvaluationItem {
  key: string;
  label: string;
}

/** The evaluation survey every course asks once its last session starts (ارزشیابی دوره). */
export interface EvaluationTemplate {
  items: EvaluationItem[];
  commentPrompt: string;
  topicsPrompt: string;
}

export const DEFAULT_EVALUATION_TEMPLATE: EvaluationTemplate = {
  items: [
    { key: 'content', label: 'محتوای دوره' },
    { key: 'usefulness', label: 'سودمندی دوره برای کار شما' },
    { key: 'instructor', label: 'مدرس' },
    { key: 'organisation', label: 'برگزاری و محل دوره' },
    { key: 'overall', label: 'ارزیابی کلی شما از دوره' },
  ],
  commentPrompt: 'نظر، پیشنهاد یا انتقاد شما دربارهٔ این دوره',
  topicsPrompt: 'دوست دارید در دوره‌های بعدی چه موضوعاتی آموزش داده شود؟',
};
const EVALUATION_TEMPLATE_KEY = 'evaluationTemplate';
const EVALUATION_REQUIRED_KEY = 'evaluationRequiredForCertificate';

/** A stored template as read back; anything unreadable falls back to the default. */
export function readEvaluationTemplate(value: string | null | undefined): EvaluationTemplate {
  if (!value) return DEFAULT_EVALUATION_TEMPLATE;
  try {
    const stored = JSON.parse(value) as Partial<EvaluationTemplate>;
    const items = Array.isArray(stored.items)
      ? stored.items.filter((i): i is EvaluationItem => typeof i?.key === 'string' && typeof i?.label === 'string' && i.label !== '')
      : [];
    if (!items.length) return DEFAULT_EVALUATION_TEMPLATE;
    return {
      items,
      commentPrompt: typeof stored.commentPrompt === 'string' ? stored.commentPrompt : DEFAULT_EVALUATION_TEMPLATE.commentPrompt,
      topicsPrompt: typeof stored.topicsPrompt === 'string' ? stored.topicsPrompt : DEFAULT_EVALUATION_TEMPLATE.topicsPrompt,
    };
  } catch {
    return DEFAULT_EVALUATION_TEMPLATE;
  }
}

/** The evaluation survey's template and whether answering it comes before downloading a certificate. */
export class EvaluationSettings {
  constructor(private readonly sequelize: Sequelize) {}

  async template(transaction?: Transaction): Promise<EvaluationTemplate> {
    return readEvaluationTemplate((await Setting.findByPk(EVALUATION_TEMPLATE_KEY, { transaction }))?.value);
  }

  async setTemplate(template: EvaluationTemplate, transaction?: Transaction): Promise<void> {
    await Setting.upsert({ key: EVALUATION_TEMPLATE_KEY, value: JSON.stringify(template) }, { transaction });
  }

  /** Off by default: a liaison downloads their certificate whether or not they answered. */
  async requiredForCertificate(): Promise<boolean> {
    // Asked on every /me and certificate download: a prepared statement (src/db/prepared.ts).
    const row = await statements(this.sequelize).get<{ value: string }>('SELECT value FROM settings WHERE "key" = :key', {
      key: EVALUATION_REQUIRED_KEY,
    });
    return row?.value === 'true';
  }

  async setRequiredForCertificate(value: boolean, transaction?: Transaction): Promise<void> {
    await Setting.upsert({ key: EVALUATION_REQUIRED_KEY, value: String(value) }, { transaction });
  }
}
