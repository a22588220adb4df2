import type { Express } from 'express';
import session from 'express-session';
import connectSessionSequelize from 'connect-session-sequelize';
import type { Services } from '../services';

/**
 * Sessions live in the database so that any app instance can serve any request. No session is
 * written for an anonymous visitor until something needs one (a form's CSRF token, a login).
 */
export function setUpSession(app: Express, { config, sequelize }: Services): void {
  const SequelizeStore = connectSessionSequelize(session.Store);
  const idleMs = config.sessionIdleMinutes * 60_000;
  const store = new SequelizeStore({
    db: sequelize,
    tableName: 'http_sessions',
    expiration: idleMs,
    checkExpirationInterval: config.env === 'test' ? 0 : 15 * 60_000,
  });
  // A session's idle expiry is written at most once a minute: express-session touches the store on
  // every request, and otherwise each page a logged-in user opens is a database write (on SQLite a
  // synced commit, one at a time) that, not the page, sets the pace. Measured: npm run bench.
  const touchEveryMs = Math.min(60_000, idleMs / 10);
  const touchedAt = new Map<string, number>();
  const touch = store.touch.bind(store) as (sid: string, data: unknown, callback?: (err?: unknown) => void) => unknown;
  (store as unknown as { touch: typeof touch }).touch = (sid, data, callback) => {
    const now = Date.now();
    if (now - (touchedAt.get(sid) ?? 0) < touchEveryMs) return callback?.();
    if (touchedAt.size > 100_000) touchedAt.clear();
    touchedAt.set(sid, now);
    return touch(sid, data, callback);
  };
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);
  app.use(
    session({
      name: 'rabet.sid',
      secret: config.sessionSecret,
      store,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.https, maxAge: idleMs },
    }),
  );
}
