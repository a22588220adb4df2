import crypto from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import { User } from '../../models';
import { hashPassword } from '../../lib/password';
import { normalizeCode } from '../../lib/persian';
import type { Services } from '../../services';
import { recordAudit } from '../../services/audit';
import { LIMITS } from '../../services/rate-limiter';
import { endSessionsOf } from '../../services/sessions';
import { password } from '../liaisons/schemas';
import { normalizeUsername } from './service';

/**
 * Password recovery by SMS: a 6-digit code to the account's mobile, good for ten minutes and five
 * wrong tries, kept only as a keyed hash (one code per account: asking again replaces it).
 */
export const CODE_TTL_MS = 10 * 60_000;
export const MAX_WRONG_CODES = 5;

export const RECOVERY_MESSAGES = {
  sent: 'اگر این نام کاربری در سامانه باشد و شمارهٔ همراهی برایش ثبت شده باشد، کد بازیابی شش‌رقمی به آن شماره پیامک شد؛ کد تا ۱۰ دقیقه معتبر است.',
  throttled: 'درخواست‌های بازیابی زیادی انجام شده است. یک ساعت بعد دوباره تلاش کنید یا با روابط عمومی اداره کل تماس بگیرید.',
  wrongCode: 'کد نادرست است یا زمانش گذشته است. کد را دوباره بررسی کنید یا کد تازه‌ای بخواهید.',
  usedUp: 'کد پنج بار نادرست وارد شد و باطل شد؛ کد تازه‌ای بخواهید.',
  done: 'گذرواژهٔ شما تغییر کرد. اکنون با گذرواژهٔ تازه وارد شوید.',
};

const usernameField = z.string({ error: 'نام کاربری را وارد کنید.' }).max(200).transform(normalizeUsername);

export const forgotSchema = z.object({ username: usernameField.pipe(z.string().min(1, 'نام کاربری را وارد کنید.')) });

export const resetSchema = z.object({
  username: usernameField.pipe(z.string().min(1, 'نام کاربری را وارد کنید.')),
  code: z
    .string({ error: 'کد بازیابی را وارد کنید.' })
    .max(40)
    .transform(normalizeCode)
    .pipe(z.string().regex(/^\d{6}$/, 'کد بازیابی شش رقم است.')),
  password,
});

/** The recovery code's SMS: one page, the code in ASCII digits (phones offer to copy it). */
export function recoveryCodeText(code: string): string {
  return `سامانهٔ رابط: کد بازیابی گذرواژه ${code}؛ تا ۱۰ دقیقه. به کسی ندهید.`;
}

type Deps = Pick<Services, 'sequelize' | 'outbox' | 'rateLimiter' | 'config'>;

function codeHash(secret: string, userId: number, code: string): string {
  return crypto.createHmac('sha256', secret).update(`password-reset:${userId}:${code}`).digest('hex');
}

/**
 * Someone asks for a recovery code for a username. The answer is the same whether the account
 * exists or not (the caller shows RECOVERY_MESSAGES.sent either way); the limits count the
 * username as typed, known or not, and the address.
 */
export async function requestRecoveryCode(
  { sequelize, outbox, rateLimiter, config }: Deps,
  input: { username: string; ip: string },
): Promise<'asked' | 'throttled'> {
  const ipAllowed = await rateLimiter.take(`recovery:ip:${input.ip}`, LIMITS.recoveryCodesPerIp);
  const accountAllowed = await rateLimiter.take(`recovery:user:${input.username}`, LIMITS.recoveryCodesPerAccount);
  if (!ipAllowed || !accountAllowed) return 'throttled';
  const user = await User.findOne({ where: { username: input.username }, attributes: ['id', 'mobile', 'status'] });
  if (!user?.mobile || user.status === 'disabled') return 'asked';
  const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
  const now = new Date();
  await sequelize.transaction(async (transaction) => {
    await sequelize.query(
      `INSERT INTO password_reset_codes (user_id, code_hash, expires_at, failed_attempts, created_at)
       VALUES (:userId, :hash, :expires, 0, :now)
       ON CONFLICT (user_id) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
         failed_attempts = 0, created_at = excluded.created_at`,
      {
        replacements: {
          userId: user.id,
          hash: codeHash(config.sessionSecret, user.id, code),
          expires: new Date(now.getTime() + CODE_TTL_MS),
          now,
        },
        transaction,
      },
    );
    await outbox.queueSms(
      [
        {
          to: user.mobile!,
          kind: 'کد بازیابی گذرواژه',
          secret: true,
          text: recoveryCodeText(code),
        },
      ],
      transaction,
    );
    await recordAudit(
      sequelize,
      { id: null, ip: input.ip },
      'user.password.recovery-code',
      { type: 'user', id: user.id },
      null,
      transaction,
    );
  });
  return 'asked';
}

export type ResetOutcome = { ok: true } | { ok: false; reason: 'throttled' | 'wrongCode' | 'usedUp' };

/**
 * A new password with the code: within ten minutes of asking, before five wrong tries. Success
 * voids the code and ends every session of the account (whoever else was logged in is logged out).
 * A wrong code does the same work for a known account as for an unknown one (no password hash),
 * so the time of the answer does not tell whether the username exists.
 */
export async function resetPasswordWithCode(
  { sequelize, rateLimiter, config }: Deps,
  input: { username: string; code: string; password: string; ip: string },
): Promise<ResetOutcome> {
  if (!(await rateLimiter.take(`recovery:try:ip:${input.ip}`, LIMITS.recoveryTriesPerIp))) return { ok: false, reason: 'throttled' };
  const user = await User.findOne({ where: { username: input.username }, attributes: ['id'] });
  if (!user) return { ok: false, reason: 'wrongCode' };
  return sequelize.transaction(async (transaction): Promise<ResetOutcome> => {
    const lock = sequelize.getDialect() === 'postgres' ? ' FOR UPDATE' : '';
    const [row] = await sequelize.query<{ code_hash: string; expires_at: Date | string; failed_attempts: number }>(
      `SELECT code_hash, expires_at, failed_attempts FROM password_reset_codes WHERE user_id = :userId${lock}`,
      { type: QueryTypes.SELECT, replacements: { userId: user.id }, transaction },
    );
    if (!row || new Date(row.expires_at).getTime() <= Date.now() || Number(row.failed_attempts) >= MAX_WRONG_CODES) {
      return { ok: false, reason: 'wrongCode' };
    }
    const typed = Buffer.from(codeHash(config.sessionSecret, user.id, input.code));
    if (!crypto.timingSafeEqual(typed, Buffer.from(row.code_hash))) {
      const wrong = Number(row.failed_attempts) + 1;
      if (wrong >= MAX_WRONG_CODES) {
        await sequelize.query('DELETE FROM password_reset_codes WHERE user_id = :userId', {
          replacements: { userId: user.id },
          transaction,
        });
        return { ok: false, reason: 'usedUp' };
      }
      await sequelize.query('UPDATE password_reset_codes SET failed_attempts = :wrong WHERE user_id = :userId', {
        replacements: { userId: user.id, wrong },
        transaction,
      });
      return { ok: false, reason: 'wrongCode' };
    }
    // Hashed only once the code is right: a wrong code costs a known account no more time than an unknown one.
    const passwordHash = await hashPassword(input.password);
    await sequelize.query('DELETE FROM password_reset_codes WHERE user_id = :userId', { replacements: { userId: user.id }, transaction });
    await User.update({ passwordHash }, { where: { id: user.id }, transaction });
    await endSessionsOf(sequelize, user.id, { transaction });
    await recordAudit(sequelize, { id: user.id, ip: input.ip }, 'user.password.recover', { type: 'user', id: user.id }, null, transaction);
    return { ok: true };
  });
}
