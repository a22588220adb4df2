import type { IncomingMessage } from 'node:http';
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
 */
export function setUpPassport(app: Express, sequelize: Sequelize): void {
  const authenticator = new passport.Passport();
  authenticator.serializeUser((user, done) => done(null, user.id));
  authenticator.deserializeUser((req: IncomingMessage, id: number, done: (err: unknown, user?: CurrentUser | false) => void) => {
    const passportData = ((req as Partial<Express.Request>).session as { passport?: object } | undefined)?.passport;
    const read = passportData ? readWithSession.get(passportData) : undefined;
    if (read?.id === id) return done(null, read.user ?? false);
    findSessionUser(sequelize, id).then((found) => done(null, found ?? false), done);
  });
  app.use(authenticator.initialize());
  app.use(authenticator.session());
}
