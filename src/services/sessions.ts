import crypto from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/** The stored sessions (table http_sessions) and the secret that signs their cookies. */

/**
 * Logs a user out everywhere, or everywhere but the session they are using (`except`): after a
 * password change the old password must not keep anyone logged in.
 */
export async function endSessionsOf(
  sequelize: Sequelize,
  userId: number,
  options: { except?: string; transaction?: Transaction } = {},
): Promise<void> {
  await sequelize.query('DELETE FROM http_sessions WHERE user_id = :userId AND sid <> :except', {
    replacements: { userId, except: options.except ?? '' },
    transaction: options.transaction,
  });
}

/** Deletes sessions past their expiry (a read already refuses them). */
export async function pruneSessions(sequelize: Sequelize): Promise<void> {
  await sequelize.query('DELETE FROM http_sessions WHERE expires < :now', { replacements: { now: new Date() } });
}

const SECRET_KEY = 'sessionSecret';

/**
 * The secret that signs session and flash cookies when SESSION_SECRET is not given: made at random
 * on the first start and kept in the settings table, so that sessions survive a restart and every
 * instance on the same database signs alike. Two instances starting together keep the first one's.
 */
export async function storedSessionSecret(sequelize: Sequelize): Promise<string> {
  const now = new Date();
  await sequelize.query(
    `INSERT INTO settings ("key", value, created_at, updated_at) VALUES (:key, :value, :now, :now) ON CONFLICT ("key") DO NOTHING`,
    { replacements: { key: SECRET_KEY, value: crypto.randomBytes(48).toString('base64url'), now } },
  );
  const [row] = await sequelize.query<{ value: string }>(`SELECT value FROM settings WHERE "key" = :key`, {
    type: QueryTypes.SELECT,
    replacements: { key: SECRET_KEY },
  });
  return row.value;
}
