import crypto from 'node:crypto';
import { type Sequelize, UniqueConstraintError } from 'sequelize';
import { statements } from '../../db/prepared';
import { User } from '../../models';
import type { CurrentUser } from '../../middleware/auth';
import { dummyPasswordHash, hashPassword, verifyPassword } from '../../lib/password';
import { normalizeCode } from '../../lib/persian';
import { LIMITS, loginDelayMs, type RateLimiter } from '../../services/rate-limiter';
import type { Services } from '../../services';
import { UNREAD_COUNT_SQL } from '../notifications/queries';

export type LoginOutcome = { ok: true; user: CurrentUser } | { ok: false; reason: 'invalid' | 'pending' | 'disabled' | 'throttled' };

export const LOGIN_MESSAGES: Record<Exclude<LoginOutcome, { ok: true }>['reason'], string> = {
  invalid: 'نام کاربری یا گذرواژه نادرست است.',
  pending: 'حساب شما هنوز به تأیید مدیر سامانه نرسیده است.',
  disabled: 'حساب شما غیرفعال شده است. با روابط عمومی اداره کل تماس بگیرید.',
  throttled: 'تلاش‌های ناموفق زیادی انجام شده است. چند دقیقه بعد دوباره تلاش کنید.',
};

export function presentCurrentUser(
  user: Pick<User, 'id' | 'role' | 'username' | 'fullName' | 'countyId' | 'status'>,
  unreadNotifications = 0,
): CurrentUser {
  return {
    id: user.id,
    role: user.role,
    username: user.username,
    fullName: user.fullName,
    countyId: user.countyId ?? null,
    status: user.status,
    unreadNotifications: Number(unreadNotifications) || 0,
  };
}

/** Usernames compare without case and with digits in ASCII, however they were typed. */
export function normalizeUsername(value: string): string {
  return normalizeCode(value).toLowerCase();
}

/**
 * A person logs in. Failed logins are limited per account and address and per address, each
 * counted before the password is checked (requests arriving together are all counted) and given
 * back when the login succeeds; so the right password from an address that has not failed is
 * never refused. Failures on the account from anywhere only slow the next check down.
 */
export async function logIn(
  rateLimiter: RateLimiter,
  input: { username: string; password: string; ip: string },
  wait: (ms: number) => Promise<unknown> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<LoginOutcome> {
  const username = normalizeUsername(input.username);
  const accountKey = `login:user:${username}`;
  const pairKey = `login:user:${username}:ip:${input.ip}`;
  const ipKey = `login:ip:${input.ip}`;
  const pairAllowed = await rateLimiter.take(pairKey, LIMITS.failedLoginsPerAccountAndIp);
  const ipAllowed = await rateLimiter.take(ipKey, LIMITS.failedLoginsPerIp);
  if (!pairAllowed || !ipAllowed) return { ok: false, reason: 'throttled' };
  const delay = loginDelayMs(await rateLimiter.count(accountKey));
  if (delay) await wait(delay);
  const user = await User.findOne({ where: { username } });
  const matches = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
  if (!user || !matches) {
    await rateLimiter.take(accountKey, LIMITS.failedLoginsPerAccount);
    return { ok: false, reason: 'invalid' };
  }
  await rateLimiter.giveBack(ipKey);
  await rateLimiter.reset(pairKey);
  if (user.status === 'pending') return { ok: false, reason: 'pending' };
  if (user.status === 'disabled') return { ok: false, reason: 'disabled' };
  await rateLimiter.reset(accountKey);
  await user.update({ lastLoginAt: new Date() });
  return { ok: true, user: presentCurrentUser(user) };
}

/**
 * What a logged-in request knows of its user, as columns of `users`: one plain row, no model
 * instance, with the unread count the navigation shows. Read with the session itself
 * (src/middleware/session.ts) or, where that did not happen, by `findSessionUser`.
 */
export const SESSION_USER_COLUMNS = `users.id AS "userId", users.role AS "userRole", users.username AS "userName", users.full_name AS "userFullName", users.county_id AS "userCountyId", users.status AS "userStatus", ${UNREAD_COUNT_SQL} AS "userUnread"`;

/** The user of a SESSION_USER_COLUMNS row, or null when there is none or the account is not active. */
export function sessionUserOf(row: Record<string, unknown>): CurrentUser | null {
  if (row.userId === null || row.userId === undefined || row.userStatus !== 'active') return null;
  return presentCurrentUser(
    {
      id: Number(row.userId),
      role: row.userRole as CurrentUser['role'],
      username: String(row.userName),
      fullName: String(row.userFullName),
      countyId: row.userCountyId === null ? null : Number(row.userCountyId),
      status: 'active',
    },
    Number(row.userUnread),
  );
}

/** The user behind a session, or null when the account is gone or no longer active. */
export async function findSessionUser(sequelize: Sequelize, id: number): Promise<CurrentUser | null> {
  const row = await statements(sequelize).get<Record<string, unknown>>(`SELECT ${SESSION_USER_COLUMNS} FROM users WHERE users.id = :id`, {
    id,
  });
  return row ? sessionUserOf(row) : null;
}

/**
 * On first start with no admin, creates one from ADMIN_USERNAME / ADMIN_PASSWORD, or with a random
 * password printed once. There is no default password.
 */
export async function ensureFirstAdmin(config: Services['config'], log: (line: string) => void = console.log): Promise<void> {
  const admins = await User.count({ where: { role: 'admin' } });
  if (admins > 0) return;
  const username = normalizeUsername(config.adminUsername);
  const password = config.adminPassword ?? crypto.randomBytes(12).toString('base64url');
  try {
    await createAdmin(username, password);
  } catch (err) {
    // Another instance started on the same empty database at the same moment and created it first.
    if (err instanceof UniqueConstraintError) return;
    throw err;
  }
  if (config.adminPassword) {
    log(`First admin "${username}" created with the password from ADMIN_PASSWORD.`);
  } else {
    log(`First admin created. Username: ${username}  Password: ${password}  (shown once; change it after logging in)`);
  }
}

async function createAdmin(username: string, password: string): Promise<void> {
  await User.create({
    role: 'admin',
    username,
    passwordHash: await hashPassword(password),
    fullName: 'مدیر سامانه',
    fatherName: null,
    nationalCode: null,
    mobile: null,
    email: null,
    countyId: null,
    position: 'روابط عمومی اداره کل',
    status: 'active',
    searchKey: username,
    lastLoginAt: null,
  });
}
