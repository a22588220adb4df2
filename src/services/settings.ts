import { Setting } from '../models';

/** Settings an admin changes at run time; each falls back to its configured default. */
export class Settings {
  constructor(private readonly defaults: { autoActivate: boolean }) {}

  async autoActivate(): Promise<boolean> {
    const row = await Setting.findByPk('autoActivate');
    return row ? row.value === 'true' : this.defaults.autoActivate;
  }

  async setAutoActivate(value: boolean): Promise<void> {
    await Setting.upsert({ key: 'autoActivate', value: String(value) });
  }
}
