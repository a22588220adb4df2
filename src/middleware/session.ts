import type { Express, NextFunction, Request, Response } from 'express';
import cookie from 'cookie';
import { JSONCookies, signedCookies } from 'cookie-parser';
import session from 'express-session';
import connectSessionSequelize from 'connect-session-sequelize';
import type { Sequelize } from 'sequelize';
import type { Services } from '../services';
import { instantOf, statements } from '../db/prepared';
import { DataCache } from '../services/caches';

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** The user Passport keeps on a session, if one is logged in on it. */
function userOf(data: session.SessionData): number | null {
  const id = (data as { passport?: { user?: unknown } }).passport?.user;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : null;
}

/**
 * The user of a session, read in the same statement as the session itself (the auth feature says
 * which columns, from `users`, and keeps what it gets for Passport's deserializer): a logged-in
 * request makes one query before its own work, not two.
 */
export interface SessionUserRead {
  columns: string;
  keep(passport: object, row: Record<string, unknown>): void;
}

/**
 * connect-session-sequelize (table http_sessions), with
 * the three methods every request calls done in plain SQL, as prepared statements (src/db/prepared.ts).
 * Through the session model each built
 * model instances and a write ran find-or-create (two to four statements); here a read is one
 * SELECT by primary key that also brings the session's user, and refuses a session past its expiry (the library returned it until the sweep
 * deleted the row), a write is one upsert and a touch one UPDATE. Measured: npm run bench.
 *
 * A session's idle expiry is touched at most once a minute: express-session touches the store on
 * every request, and otherwise each page a logged-in user opens is a database write.
 *
 * The row read is kept while nothing has been committed (`kept`, a DataCache: any write, a login, a
 * logout, a disabled account, on any instance, moves the epoch), so a user who opens page after
 * page is not read again for each; its expiry is checked at each use, and its data parsed afresh for
 * each request (express-session changes it in place).
 */
function sqlSessionStore(sequelize: Sequelize, idleMs: number, sweepMs: number, kept: DataCache, user?: SessionUserRead): session.Store {
  const SequelizeStore = connectSessionSequelize(session.Store);
  const store = new SequelizeStore({ db: sequelize, tableName: 'http_sessions', expiration: idleMs, checkExpirationInterval: sweepMs });
  const expiry = (data: session.SessionData) => (data?.cookie?.expires ? new Date(data.cookie.expires) : new Date(Date.now() + idleMs));
  const touchDue = onceEvery(renewEveryMs(idleMs));
  const db = statements(sequelize);
  const withUser = user ? `, ${user.columns}` : '';
  const userJoin = user ? ' LEFT JOIN users ON users.id = s.user_id' : '';
  const read = `SELECT s.data, s.expires${withUser} FROM http_sessions s${userJoin} WHERE s.sid = :sid`;
  const methods = {
    get(sid: string, callback: Callback<session.SessionData | null>): void {
      kept
        .remember(`session:${sid}`, () =>
          db.get<{ data: string | null; expires: string | Date | null } & Record<string, unknown>>(read, { sid }),
        )
        .then((row) => {
          // A session past its expiry is none (the library returned it until the sweep deleted the row).
          if (!row?.data || (row.expires !== null && instantOf(row.expires).getTime() <= Date.now())) return callback(null, null);
          const data = JSON.parse(row.data) as session.SessionData & { passport?: object };
          if (user && data.passport) user.keep(data.passport, row);
          callback(null, data);
        }, callback);
    },
    set(sid: string, data: session.SessionData, callback?: Callback): void {
      const now = new Date();
      touchDue.mark(sid);
      db.run(
        `INSERT INTO http_sessions (sid, user_id, expires, data, created_at, updated_at) VALUES (:sid, :userId, :expires, :data, :now, :now)
           ON CONFLICT (sid) DO UPDATE SET user_id = excluded.user_id, expires = excluded.expires, data = excluded.data, updated_at = excluded.updated_at`,
        { sid, userId: userOf(data), expires: expiry(data), data: JSON.stringify(data), now },
      ).then(
        () => callback?.(),
        (err) => callback?.(err),
      );
    },
    touch(sid: string, data: session.SessionData, callback?: Callback): void {
      if (!touchDue.due(sid)) return callback?.();
      db.run('UPDATE http_sessions SET expires = :expires WHERE sid = :sid', { sid, expires: expiry(data) }).then(
        () => callback?.(),
        (err) => callback?.(err),
      );
    },
  };
  return Object.assign(store, methods);
}

/** How often a session's idle expiry moves with use, in the store (touch) and in the cookie: at most once a minute. */
const renewEveryMs = (idleMs: number) => Math.min(60_000, idleMs / 10);

/** Per key (a session id), whether `ms` have passed since it was last marked; `due` answers and marks. */
function onceEvery(ms: number) {
  const markedAt = new Map<string, number>();
  const mark = (key: string, now = Date.now()) => {
    if (markedAt.size > 100_000) markedAt.clear();
    markedAt.set(key, now);
  };
  return {
    mark,
    due(key: string): boolean {
      const now = Date.now();
      if (now - (markedAt.get(key) ?? 0) < ms) return false;
      mark(key, now);
      return true;
    },
  };
}

/** The session's cookie (signed, read and checked by express-session). */
export const SESSION_COOKIE = 'rabet.sid';

/**
 * The request's cookies as cookie-parser gives them (`req.cookies`, `req.signedCookies` checked
 * against `secret`, JSON values parsed, `req.secret` for `res.cookie(…, { signed: true })`): the
 * one-time flash messages and a visitor's CSRF cookie. The session's cookie is left out: express-session
 * checks its signature itself, and cookie-parser checked it a second time on every request.
 */
export function appCookies(secret: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    req.secret = secret;
    const header = req.headers.cookie;
    const all = header ? cookie.parse(header) : {};
    delete all[SESSION_COOKIE];
    req.signedCookies = JSONCookies(signedCookies(all, secret) as Record<string, string>);
    req.cookies = JSONCookies(all as Record<string, string>);
    next();
  };
}

/**
 * Sessions live in the database so that any app instance can serve any request. No session is
 * written for an anonymous visitor until something needs one (a form's CSRF token, a login).
 */
export function setUpSession(app: Express, { config, sequelize }: Services, user?: SessionUserRead): void {
  const idleMs = config.sessionIdleMinutes * 60_000;
  const maxMs = config.sessionMaxHours * 3_600_000;
  // Expired rows are deleted by the app's cleanup schedule (scheduleCleanup in src/services), not by the library's sweep.
  const kept = new DataCache(() => statements(sequelize).epoch(), config.dataCacheMs, 10_000);
  const store = sqlSessionStore(sequelize, idleMs, 0, kept, user);
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);
  const cookie = { httpOnly: true, sameSite: 'lax' as const, secure: config.https, maxAge: idleMs, path: '/' };
  const sessions = session({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store,
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie,
  });
  // A GET or HEAD without a session cookie (a visitor on the catalogue, a course page, a certificate's
  // verification) has no session to read and would store none: express-session still made one for
  // each (random bytes for its id, its hash taken twice) only to drop it. Such a request has no
  // req.session; everything it may do (a visitor's CSRF token, a flash message) lives in cookies.
  const cookieMark = `${SESSION_COOKIE}=`;
  app.use((req, res, next) =>
    (req.method === 'GET' || req.method === 'HEAD') && !req.headers.cookie?.includes(cookieMark) ? next() : sessions(req, res, next),
  );
  // The cookie's idle expiry moves with use, as the stored session's does (touch, above): at most once
  // a minute. express-session's `rolling` signed and wrote the cookie into every response. The value
  // is the one express-session writes (`s:` and the id signed with the secret; req.secret is set by appCookies,
  // which runs first).
  const renewDue = onceEvery(renewEveryMs(idleMs));
  app.use((req, res, next) => {
    const data = req.session;
    // Only a logged-in session read from the store: a session made for this request has no cookie yet (express-session sends one if it is stored).
    if (data && userOf(data) !== null && renewDue.due(req.sessionID))
      res.cookie(SESSION_COOKIE, req.sessionID, { ...cookie, signed: true });
    next();
  });
  // The absolute lifetime: however active, a login lasts SESSION_MAX_HOURS, then the session is replaced by an empty one.
  app.use((req, _res, next) => {
    const data = req.session;
    if (!data) return next();
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
