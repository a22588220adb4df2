import crypto from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { tehranInstant } from '../../lib/jalali';

/**
 * Self check-in codes: six digits derived (HMAC-SHA256, truncated as in TOTP) from a random secret
 * kept per session and the number of the current 45-second window. A code is accepted in its own
 * window and the one before, so a code read just before it rotates still works. Nothing but the
 * secret is stored, so every app instance computes the same code.
 */
export const CODE_WINDOW_MS = 45_000;

function windowOf(now: Date): number {
  return Math.floor(now.getTime() / CODE_WINDOW_MS);
}

function codeFor(secret: string, window: number): string {
  const digest = crypto.createHmac('sha256', secret).update(String(window)).digest();
  const offset = digest[digest.length - 1] & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

export interface CheckInWindow {
  /** Minutes before the session's start from which a code is taken. */
  opensMinutesBefore: number;
  /** Minutes after the session's end until which a code is taken. */
  closesMinutesAfter: number;
}

/** When a session takes self check-in: from shortly before its start (Tehran) to a while after its end. */
export function checkInWindow(
  session: { date: string; startTime: string; endTime: string },
  window: CheckInWindow,
): { from: Date; to: Date } {
  const from = new Date(tehranInstant(session.date, session.startTime).getTime() - window.opensMinutesBefore * 60_000);
  const to = new Date(tehranInstant(session.date, session.endTime).getTime() + window.closesMinutesAfter * 60_000);
  return { from, to };
}

export function checkInIsOpen(
  session: { date: string; startTime: string; endTime: string },
  window: CheckInWindow,
  now: Date = new Date(),
): boolean {
  const { from, to } = checkInWindow(session, window);
  return from <= now && now <= to;
}

/** The session's secret, or null when no check-in code was ever shown for it. */
export async function findCheckInSecret(sequelize: Sequelize, sessionId: number): Promise<string | null> {
  const rows = await sequelize.query<{ secret: string }>('SELECT secret FROM attendance_check_in_secrets WHERE session_id = :sessionId', {
    replacements: { sessionId },
    type: QueryTypes.SELECT,
  });
  return rows[0]?.secret ?? null;
}

/** The session's secret, made on first use (two instances racing keep the first one stored). */
export async function checkInSecret(sequelize: Sequelize, sessionId: number): Promise<string> {
  const existing = await findCheckInSecret(sequelize, sessionId);
  if (existing) return existing;
  await sequelize.query(
    'INSERT INTO attendance_check_in_secrets (session_id, secret, created_at) VALUES (:sessionId, :secret, :now) ON CONFLICT (session_id) DO NOTHING',
    { replacements: { sessionId, secret: crypto.randomBytes(32).toString('hex'), now: new Date() } },
  );
  return (await findCheckInSecret(sequelize, sessionId))!;
}

export function currentCode(secret: string, now: Date = new Date()): { code: string; expiresInMs: number } {
  const window = windowOf(now);
  return { code: codeFor(secret, window), expiresInMs: (window + 1) * CODE_WINDOW_MS - now.getTime() };
}

/** Whether code is the code of the current window or of the one before. */
export function codeIsValid(secret: string, code: string, now: Date = new Date()): boolean {
  if (!/^\d{6}$/.test(code)) return false;
  const window = windowOf(now);
  return [window, window - 1].some((w) => crypto.timingSafeEqual(Buffer.from(codeFor(secret, w)), Buffer.from(code)));
}
