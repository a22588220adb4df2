import type { Express } from 'express';
import passport from 'passport';
import type { Sequelize } from 'sequelize';
import { findSessionUser } from './service';

/**
 * Passport keeps only the user's id in the session; each request reloads the user, so a disabled
 * account loses its sessions at once. The password check lives in the login route (rate limits first).
 * Each app has its own authenticator, so that it reloads users from its own database.
 */
export function setUpPassport(app: Express, sequelize: Sequelize): void {
  const authenticator = new passport.Passport();
  authenticator.serializeUser((user, done) => done(null, user.id));
  authenticator.deserializeUser((id: number, done) => {
    findSessionUser(sequelize, id).then((user) => done(null, user ?? false), done);
  });
  app.use(authenticator.initialize());
  app.use(authenticator.session());
}
