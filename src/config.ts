import path from 'node:path';

/**
 * Every environment variable Rabet reads, typed, with development defaults.
 * README.md documents each one.
 */
export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  /** `sqlite:path/to/file.db` or `postgres://...`; default: data/rabet.db */
  databaseUrl: string;
  /** Public address printed in QR codes and verification links. */
  baseUrl: string;
  /** Signs session and flash cookies; empty when SESSION_SECRET is not given (server.ts then uses a stored random one). */
  sessionSecret: string;
  /** Absolute lifetime of a login, however active. */
  sessionMaxHours: number;
  /** The address to listen on; empty: every interface. */
  host: string;
  /** Idle time after which a logged-in session ends. */
  sessionIdleMinutes: number;
  adminUsername: string;
  adminPassword: string | undefined;
  autoActivateDefault: boolean;
  rateLimits: boolean;
  /** Send `Secure` cookies and HSTS / upgrade-insecure-requests: only behind https. */
  https: boolean;
  /** Trust X-Forwarded-* from a reverse proxy (number of hops), for the client IP. */
  trustProxy: number;
  smtpUrl: string | undefined;
  mailFrom: string;
  /**
   * Who sends SMS: `outbox` (messages wait in the admin's outbox, as emails do without SMTP) or
   * `kavenegar` (Kavenegar's REST API with kavenegarApiKey and kavenegarSender, at smsApiUrl).
   */
  smsProvider: 'outbox' | 'kavenegar';
  kavenegarApiKey: string;
  kavenegarSender: string;
  /** The provider's base address (SMS_API_URL), e.g. a stand-in for tests. */
  smsApiUrl: string;
  /** The Tehran hour (0–23) at which reminders for the next day's sessions go out, until an admin sets another. */
  reminderHourDefault: number;
  /** Where stored certificate templates live (an admin can edit the file). */
  certificateTemplate: string;
  /** The training record's template (Typst). */
  recordTemplate: string;
  provinceCode: string;
  logSql: boolean;
  /** Compile each view once (on unless VIEW_CACHE=off, which `npm run dev` sets to see edits at once). */
  viewCache: boolean;
  /** How long anonymous visitors may be served the same catalogue or course page (0: never cached). */
  publicPageCacheMs: number;
  /** How long a computed report (page or export, per filter) may be reused (0: never). */
  reportCacheMs: number;
  /** At most how long a logged-in page's reads are reused while the database is unchanged (DataCache; 0: never). */
  dataCacheMs: number;
  /** Self check-in is taken from this many minutes before a session starts… */
  checkInOpensMinutesBefore: number;
  /** …until this many minutes after it ends. */
  checkInClosesMinutesAfter: number;
  /**
   * The Open Badges issuer's Ed25519 key as a 32-byte seed in hex (ISSUER_KEY_SEED), kept like the
   * session secret; unset: a key generated on first start and kept in the database (issuer_keys).
   */
  issuerKeySeed: string | undefined;
}

const root = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

function bool(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

function issuerKeySeed(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new Error('ISSUER_KEY_SEED must be 64 hexadecimal characters (32 bytes)');
  return value.toLowerCase();
}

function smsProvider(value: string | undefined): Config['smsProvider'] {
  const provider = (value || 'outbox').toLowerCase();
  if (provider !== 'outbox' && provider !== 'kavenegar') throw new Error(`SMS_PROVIDER must be outbox or kavenegar (got ${value})`);
  return provider;
}

function hourOfDay(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const hour = Number(value);
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new Error(`SMS_REMINDER_HOUR must be an hour 0–23 (got ${value})`);
  return hour;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = Number(env.PORT ?? 3000);
  const sessionSecret = env.SESSION_SECRET ?? '';
  if (mode === 'production' && sessionSecret !== '' && sessionSecret.length < 32) {
    throw new Error('SESSION_SECRET must be at least 32 characters (or left unset: a random one is made and kept)');
  }
  const baseUrl = (env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    env: mode,
    port,
    databaseUrl: env.DATABASE_URL || `sqlite:${path.join(root, 'data', 'rabet.db')}`,
    baseUrl,
    sessionSecret,
    sessionIdleMinutes: Number(env.SESSION_IDLE_MINUTES ?? 60),
    sessionMaxHours: Number(env.SESSION_MAX_HOURS ?? 12),
    host: env.HOST ?? '',
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    autoActivateDefault: bool(env.AUTO_ACTIVATE, false),
    rateLimits: env.RATE_LIMITS !== 'off',
    https: bool(env.HTTPS, baseUrl.startsWith('https://')),
    trustProxy: Number(env.TRUST_PROXY ?? 0),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Rabet <no-reply@localhost>',
    smsProvider: smsProvider(env.SMS_PROVIDER),
    kavenegarApiKey: env.KAVENEGAR_API_KEY ?? '',
    kavenegarSender: env.KAVENEGAR_SENDER ?? '',
    smsApiUrl: (env.SMS_API_URL || 'https://api.kavenegar.com').replace(/\/+$/, ''),
    reminderHourDefault: hourOfDay(env.SMS_REMINDER_HOUR, 18),
    certificateTemplate: env.CERTIFICATE_TEMPLATE || path.join(root, 'templates', 'certificate.typ'),
    recordTemplate: path.join(root, 'templates', 'record.typ'),
    provinceCode: env.PROVINCE_CODE || 'KRM',
    logSql: bool(env.LOG_SQL, false),
    viewCache: env.VIEW_CACHE !== 'off',
    publicPageCacheMs: Number(env.PUBLIC_PAGE_CACHE_MS ?? 1000),
    reportCacheMs: Number(env.REPORT_CACHE_MS ?? 30_000),
    dataCacheMs: Number(env.DATA_CACHE_MS ?? 1000),
    checkInOpensMinutesBefore: Number(env.CHECK_IN_OPENS_MINUTES_BEFORE ?? 15),
    checkInClosesMinutesAfter: Number(env.CHECK_IN_CLOSES_MINUTES_AFTER ?? 30),
    issuerKeySeed: issuerKeySeed(env.ISSUER_KEY_SEED),
  };
}

/** What the log should warn about at start: settings that are allowed but probably wrong. */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.smsProvider === 'kavenegar' && (!config.kavenegarApiKey || !config.kavenegarSender)) {
    warnings.push('SMS_PROVIDER=kavenegar without KAVENEGAR_API_KEY and KAVENEGAR_SENDER — SMS wait in the outbox until both are set.');
  }
  if (!config.rateLimits) warnings.push('RATE_LIMITS=off — logins, sign-ups and verifications are not rate-limited.');
  if (config.https && config.trustProxy === 0) {
    warnings.push(
      'BASE_URL is https:// but TRUST_PROXY=0: behind a TLS-terminating proxy the app sees plain http and sends no Secure session cookie, so nobody can log in. Set TRUST_PROXY=1 (one proxy hop), or HTTPS=0 if the app is reached over plain http.',
    );
  }
  return warnings;
}

export const projectRoot = root;
