import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { createSequelize } from '../db';
import { setUpModels } from '../models';
import { emailChannel } from './mailer';
import { Outbox } from './outbox';
import { smsChannel } from './sms';
import { AnonymousPageCache, DataCache, LruCache, ResultCache } from './caches';
import { statements } from '../db/prepared';
import { RateLimiter } from './rate-limiter';
import { EvaluationSettings, Settings } from './settings';
import { PdfRenderer } from './pdf/renderer';
import { pruneSessions } from './sessions';
import { every } from '../lib/schedule';
import { IssuerKeys } from './issuer-keys';

/** Everything the app needs from outside itself, built once and passed to createApp. */
export function createServices(config: Config, sequelize: Sequelize = createSequelize(config)) {
  setUpModels(sequelize);
  return {
    config,
    sequelize,
    rateLimiter: new RateLimiter(sequelize, config.rateLimits),
    settings: new Settings({ autoActivate: config.autoActivateDefault, reminderHour: config.reminderHourDefault }),
    evaluationSettings: new EvaluationSettings(sequelize),
    /** Email and SMS on their way out; server.ts starts its worker, tests drive it with drain(). */
    outbox: new Outbox(sequelize, { email: emailChannel(config), sms: smsChannel(config) }, config.baseUrl),
    publicPages: new AnonymousPageCache(config.publicPageCacheMs),
    reports: new ResultCache(config.reportCacheMs),
    /** Logged-in pages' reads, kept while the database is unchanged (Statements.epoch). */
    pageReads: new DataCache(() => statements(sequelize).epoch(), config.dataCacheMs),
    /**
     * The verify page's credential checks (JSON text), by the digest of the credential and of every
     * document the check loaded: a pure function of its key, so a revocation anywhere is a new key.
     */
    credentialChecks: new LruCache<string>(1000),
    /** The one PDF renderer (a child process), with its per-user queue; close() it at shutdown. */
    pdf: new PdfRenderer(),
    /** The issuer's signing keys, loaded once per instance. */
    issuerKeys: new IssuerKeys(sequelize, config.issuerKeySeed),
  };
}

export type Services = ReturnType<typeof createServices>;

const CLEANUP_EVERY_MS = 15 * 60_000;

/** Deletes expired sessions and ended rate-limit windows. */
export async function cleanUp({ sequelize, rateLimiter }: Pick<Services, 'sequelize' | 'rateLimiter'>): Promise<void> {
  await Promise.all([pruneSessions(sequelize), rateLimiter.prune()]);
}

/**
 * Cleans up now and every quarter of an hour (each instance does it; the deletes are idempotent).
 * Returns the function that stops the schedule.
 */
export function scheduleCleanup(services: Services, log: (err: unknown) => void = console.error): () => void {
  return every(CLEANUP_EVERY_MS, () => cleanUp(services), log);
}

/** Ends what the services hold open: the outbox worker, the PDF process and the database connections. */
export async function closeServices(services: Services): Promise<void> {
  await services.outbox.stop();
  await services.pdf.close();
  await services.sequelize.close();
}
