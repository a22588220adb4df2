import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { RateLimit } from '../models';

export interface Limit {
  /** How many hits a window allows. */
  max: number;
  windowMs: number;
}

/** Every rate limit of the app, in one place (sized here; RATE_LIMITS=off turns them all off). */
export const LIMITS = {
  /** Failed logins to one account from one address: the attacker's address is refused past this. */
  failedLoginsPerAccountAndIp: { max: 10, windowMs: 15 * 60_000 },
  /** Failed logins from one address, whatever the accounts. */
  failedLoginsPerIp: { max: 100, windowMs: 15 * 60_000 },
  /** Failed logins to one account from anywhere: never refused, only slowed (loginDelayMs). */
  failedLoginsPerAccount: { max: Number.MAX_SAFE_INTEGER, windowMs: 15 * 60_000 },
  signUpsPerIp: { max: 20, windowMs: 60 * 60_000 },
  verificationsPerIp: { max: 120, windowMs: 60_000 },
  selfCheckInsPerUser: { max: 10, windowMs: 10 * 60_000 },
  /** Recovery codes asked for one username (known or not, so that the limit tells nothing), each an SMS. */
  recoveryCodesPerAccount: { max: 3, windowMs: 60 * 60_000 },
  recoveryCodesPerIp: { max: 10, windowMs: 60 * 60_000 },
  /** Codes typed into /password/reset from one address (each code also dies after 5 wrong ones). */
  recoveryTriesPerIp: { max: 30, windowMs: 60 * 60_000 },
} satisfies Record<string, Limit>;

/**
 * How long a login to an account waits before its password is checked, after `failures` failed
 * logins to it from anywhere in the window: nothing for the first five, then a quarter of a second
 * more for each, at most three seconds. Someone else's failures slow the owner down, never lock
 * them out.
 */
export function loginDelayMs(failures: number): number {
  return failures <= 5 ? 0 : Math.min(3000, 250 * (failures - 5));
}

/**
 * Fixed-window counters kept in the database, so that every app instance counts the same hits.
 * A hit is counted before the work it limits is done (`take`), in one statement, so that requests
 * arriving together cannot all pass a check made before any of them was counted; work that turns
 * out fine gives its hit back (`giveBack`).
 * With `enabled` false every check passes (RATE_LIMITS=off, for load tests and acceptance checks).
 */
export class RateLimiter {
  constructor(
    private readonly sequelize: Sequelize,
    readonly enabled: boolean,
  ) {}

  /** Counts one hit on key and tells whether it is still within the limit. */
  async take(key: string, limit: Limit): Promise<boolean> {
    if (!this.enabled) return true;
    const now = new Date();
    // The leading comment keeps Sequelize's SQLite dialect from taking this for a plain INSERT
    // (which it runs without reading rows back): RETURNING needs its rows.
    const [row] = await this.sequelize.query<{ hits: number }>(
      `/* count a hit */ INSERT INTO rate_limits ("key", hits, reset_at) VALUES (:key, 1, :resetAt)
       ON CONFLICT ("key") DO UPDATE SET
         hits = CASE WHEN rate_limits.reset_at <= :now THEN 1 ELSE rate_limits.hits + 1 END,
         reset_at = CASE WHEN rate_limits.reset_at <= :now THEN excluded.reset_at ELSE rate_limits.reset_at END
       RETURNING hits`,
      { type: QueryTypes.SELECT, replacements: { key, now, resetAt: new Date(now.getTime() + limit.windowMs) } },
    );
    return Number(row?.hits ?? 1) <= limit.max;
  }

  /** Takes back one hit counted by `take`, for work that turned out fine. */
  async giveBack(key: string): Promise<void> {
    if (!this.enabled) return;
    await this.sequelize.query('UPDATE rate_limits SET hits = hits - 1 WHERE "key" = :key AND hits > 0', { replacements: { key } });
  }

  /** The hits on key in its current window. */
  async count(key: string): Promise<number> {
    if (!this.enabled) return 0;
    const row = await RateLimit.findByPk(key);
    return row && row.resetAt > new Date() ? row.hits : 0;
  }

  async reset(key: string): Promise<void> {
    if (!this.enabled) return;
    await RateLimit.destroy({ where: { key } });
  }

  /** Drops windows that have ended. */
  async prune(): Promise<void> {
    await RateLimit.destroy({ where: { resetAt: { [Op.lte]: new Date() } } });
  }
}
