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
  sessionSecret: string;
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
  /** Where stored certificate templates live (an admin can edit the file). */
  certificateTemplate: string;
  provinceCode: string;
  logSql: boolean;
  /** Compile each view once (on unless VIEW_CACHE=off, which `npm run dev` sets to see edits at once). */
  viewCache: boolean;
  /** How long anonymous visitors may be served the same catalogue or course page (0: never cached). */
  publicPageCacheMs: number;
  /** How long a computed report (page or export, per filter) may be reused (0: never). */
  reportCacheMs: number;
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const mode = env.NODE_ENV === 'production' ? 'production' : env.NODE_ENV === 'test' ? 'test' : 'development';
  const port = Number(env.PORT ?? 3000);
  const sessionSecret = env.SESSION_SECRET ?? '';
  if (mode === 'production' && sessionSecret.length < 32) {
    throw new Error('SESSION_SECRET must be set to at least 32 characters when NODE_ENV=production');
  }
  const baseUrl = (env.BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  return {
    env: mode,
    port,
    databaseUrl: env.DATABASE_URL || `sqlite:${path.join(root, 'data', 'rabet.db')}`,
    baseUrl,
    sessionSecret: sessionSecret || 'rabet-development-secret-not-for-production',
    sessionIdleMinutes: Number(env.SESSION_IDLE_MINUTES ?? 60),
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    autoActivateDefault: bool(env.AUTO_ACTIVATE, false),
    rateLimits: env.RATE_LIMITS !== 'off',
    https: bool(env.HTTPS, baseUrl.startsWith('https://')),
    trustProxy: Number(env.TRUST_PROXY ?? 0),
    smtpUrl: env.SMTP_URL || undefined,
    mailFrom: env.MAIL_FROM || 'Rabet <no-reply@localhost>',
    certificateTemplate: env.CERTIFICATE_TEMPLATE || path.join(root, 'templates', 'certificate.typ'),
    provinceCode: env.PROVINCE_CODE || 'KRM',
    logSql: bool(env.LOG_SQL, false),
    viewCache: env.VIEW_CACHE !== 'off',
    publicPageCacheMs: Number(env.PUBLIC_PAGE_CACHE_MS ?? 1000),
    reportCacheMs: Number(env.REPORT_CACHE_MS ?? 30_000),
    issuerKeySeed: issuerKeySeed(env.ISSUER_KEY_SEED),
  };
}

export const projectRoot = root;
