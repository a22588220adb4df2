import type { Transaction } from 'sequelize';
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
