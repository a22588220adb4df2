import type { Transaction } from 'sequelize';
import { Setting } from '../models';

/** Settings an admin changes at run time; each falls back to its configured default. */
export class Settings {
  constructor(private readonly defaults: { autoActivate: boolean }) {}

  /** Whether a liaison who signs up is active at once (otherwise an admin activates them). */
  async autoActivate(): Promise<boolean> {
    const row = await Setting.findByPk('autoActivate');
    return row ? row.value === 'true' : this.defaults.autoActivate;
  }

  async setAutoActivate(value: boolean, transaction?: Transaction): Promise<void> {
    await Setting.upsert({ key: 'autoActivate', value: String(value) }, { transaction });
  }
}
