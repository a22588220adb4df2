import type { Express } from 'express';
import passport from 'passport';
import type { Sequelize } from 'sequelize';
import type { SessionUserRead } from '../../middleware/session';
import type { CurrentUser } from '../../middleware/auth';
import { findSessionUser, SESSION_USER_COLUMNS, sessionUserOf } from './service';

/**
 * The user each session's read brought along (src/middleware/session.ts), handed to the deserializer
 * of the same request: keyed by that request's freshly parsed `passport` object of the session, so
 * nothing outlives the request and nothing is shared between requests. Not a cache.
 */
const readWithSession = new WeakMap<object, { id: number; user: CurrentUser | null }>();

export const sessionUserRead: SessionUserRead = {
  columns: SESSION_USER_COLUMNS,
  keep(passportData, row) {
    if (row.userId !== null && row.userId !== undefined)
      readWithSession.set(passportData, { id: Number(row.userId), user: sessionUserOf(row) });
  },
};

/**
 * Passport keeps only the user's id in the session; each request reloads the user (with the
 * session, in one query), so a disabled account or a changed password (which deletes the sessions)
 * ends its sessions at once. The password check lives in the login route (rate limits first).
 * Each app has its own authenticator, so that it reloads users from its own database.
 *
 * Passport itself runs only where a user logs in or out (POST /login, /logout): its `initialize()` and session
 * strategy cost every request a dozen closures and a strategy object built afresh, a tenth of the
 * logged-in floor (CPU profile, npm run bench). Every other request gets its user from the step
 * below, which does what Passport's session strategy does: the user the session read brought, or
 * none (and the session forgets the id) when the account is gone or not active.
 */
export function setUpPassport(app: Express, sequelize: Sequelize): void {
  const authenticator = new passport.Passport();
  authenticator.serializeUser((user, done) => done(null, user.id));
  const initialize = authenticator.initialize();
  // Only logging in and out use Passport's own request methods (req.login, req.logout).
  const ownPaths = new Set(['/login', '/logout']);
  app.use((req, res, next) => (req.method === 'POST' && ownPaths.has(req.path) ? initialize(req, res, next) : next()));
  app.use((req, _res, next) => {
    const data = (req.session as { passport?: { user?: unknown } } | undefined)?.passport;
    const id = data?.user;
    if (id === undefined || id === null) return next();
    const settle = (user: CurrentUser | null) => {
      if (user) req.user = user;
      else delete data!.user;
      next();
    };
    const read = readWithSession.get(data!);
    if (read && read.id === id) return settle(read.user);
    if (typeof id !== 'number') return settle(null);
    findSessionUser(sequelize, id).then(settle, next);
  });
}
