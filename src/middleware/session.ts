import type { Express } from 'express';
import session from 'express-session';
import connectSessionSequelize from 'connect-session-sequelize';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Services } from '../services';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** The user Passport keeps on a session, if one is logged in on it. */
function userOf(data: session.SessionData): number | null {
  const id = (data as { passport?: { user?: unknown } }).passport?.user;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

/**
 * connect-session-sequelize (table http_sessions), with
 * the three methods every request calls done in plain SQL. Through the session model each built
 * model instances and a write ran find-or-create (two to four statements); here a read is one
 * SELECT, which also refuses a session past its expiry (the library returned it until the sweep
 * deleted the row), a write is one upsert and a touch one UPDATE. Measured: npm run bench.
 *
 * A session's idle expiry is touched at most once a minute: express-session touches the store on
 * every request, and otherwise each page a logged-in user opens is a database write.
 */
function sqlSessionStore(sequelize: Sequelize, idleMs: number, sweepMs: number): session.Store {
  const SequelizeStore = connectSessionSequelize(session.Store);
  const store = new SequelizeStore({ db: sequelize, tableName: 'http_sessions', expiration: idleMs, checkExpirationInterval: sweepMs });
  const expiry = (data: session.SessionData) => (data?.cookie?.expires ? new Date(data.cookie.expires) : new Date(Date.now() + idleMs));
  const touchEveryMs = Math.min(60_000, idleMs / 10);
  const touchedAt = new Map<string, number>();
  const methods = {
    get(sid: string, callback: Callback<session.SessionData | null>): void {
      sequelize
        .query<{ data: string | null }>('SELECT data FROM http_sessions WHERE sid = :sid AND (expires IS NULL OR expires > :now)', {
          type: QueryTypes.SELECT,
          replacements: { sid, now: new Date() },
        })
        .then(([row]) => callback(null, row?.data ? (JSON.parse(row.data) as session.SessionData) : null), callback);
    },
    set(sid: string, data: session.SessionData, callback?: Callback): void {
      const now = new Date();
      touchedAt.set(sid, now.getTime());
      sequelize
        .query(
          `INSERT INTO http_sessions (sid, user_id, expires, data, created_at, updated_at) VALUES (:sid, :userId, :expires, :data, :now, :now)
           ON CONFLICT (sid) DO UPDATE SET user_id = excluded.user_id, expires = excluded.expires, data = excluded.data, updated_at = excluded.updated_at`,
          { replacements: { sid, userId: userOf(data), expires: expiry(data), data: JSON.stringify(data), now } },
        )
        .then(
          () => callback?.(),
          (err) => callback?.(err),
        );
    },
    touch(sid: string, data: session.SessionData, callback?: Callback): void {
      const now = Date.now();
      if (now - (touchedAt.get(sid) ?? 0) < touchEveryMs) return callback?.();
      if (touchedAt.size > 100_000) touchedAt.clear();
      touchedAt.set(sid, now);
      sequelize
        .query('UPDATE http_sessions SET expires = :expires WHERE sid = :sid', { replacements: { sid, expires: expiry(data) } })
        .then(
          () => callback?.(),
          (err) => callback?.(err),
        );
    },
  };
  return Object.assign(store, methods);
}

/**
 * Sessions live in the database so that any app instance can serve any request. No session is
 * written for an anonymous visitor until something needs one (a form's CSRF token, a login).
 */
export function setUpSession(app: Express, { config, sequelize }: Services): void {
  const idleMs = config.sessionIdleMinutes * 60_000;
  const maxMs = config.sessionMaxHours * 3_600_000;
  // Expired rows are deleted by the app's cleanup schedule (scheduleCleanup in src/services), not by the library's sweep.
  const store = sqlSessionStore(sequelize, idleMs, 0);
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
  // The absolute lifetime: however active, a login lasts SESSION_MAX_HOURS, then the session is replaced by an empty one.
  app.use((req, _res, next) => {
    const data = req.session;
    if (!data.startedAt) {
      if (userOf(data) !== null) data.startedAt = Date.now();
      return next();
    }
    if (Date.now() - data.startedAt <= maxMs) return next();
    data.regenerate(next);
  });
}

declare module 'express-session' {
  interface SessionData {
    /** When the user logged in on this session (ms since the epoch), for the absolute lifetime. */
    startedAt?: number;
  }
}
