import { Op, type Sequelize } from 'sequelize';
import { RateLimit } from '../models';

export interface Limit {
  /** How many hits a window allows. */
  max: number;
  windowMs: number;
}

/**
 * Fixed-window counters kept in the database, so that every app instance counts the same hits.
 * With `enabled` false every check passes (RATE_LIMITS=off, for load tests and acceptance checks).
 */
export class RateLimiter {
  constructor(
    private readonly sequelize: Sequelize,
    readonly enabled: boolean,
  ) {}

  /** Counts one hit on key and tells whether it is still within the limit. */
  async hit(key: string, limit: Limit): Promise<boolean> {
    if (!this.enabled) return true;
    const now = new Date();
    const hits = await this.sequelize.transaction(async (transaction) => {
      const row = await RateLimit.findByPk(key, { transaction, lock: transaction.LOCK.UPDATE });
      if (!row || row.resetAt <= now) {
        await RateLimit.upsert({ key, hits: 1, resetAt: new Date(now.getTime() + limit.windowMs) }, { transaction });
        return 1;
      }
      // increment() updates the instance on some dialects and not on others: read the stored count.
      await row.increment('hits', { transaction });
      await row.reload({ transaction });
      return row.hits;
    });
    return hits <= limit.max;
  }

  /** Whether key is over its limit now, without counting a hit. */
  async isBlocked(key: string, limit: Limit): Promise<boolean> {
    if (!this.enabled) return false;
    const row = await RateLimit.findByPk(key);
    return Boolean(row && row.resetAt > new Date() && row.hits >= limit.max);
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

export const LIMITS = {
  failedLoginsPerAccount: { max: 10, windowMs: 15 * 60_000 },
  failedLoginsPerIp: { max: 50, windowMs: 15 * 60_000 },
  signUpsPerIp: { max: 20, windowMs: 60 * 60_000 },
  verificationsPerIp: { max: 120, windowMs: 60_000 },
} satisfies Record<string, Limit>;
