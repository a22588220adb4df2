import type { Express } from 'express';
import type { Sequelize } from 'sequelize';
import passport from 'passport';
import { findSessionUser } from './service';

/**
 * Passport keeps only the user's id in the session; each request reloads the user, so a disabled
 * account loses its sessions at once. The password check lives in the login route (rate limits first).
 */
export function setUpPassport(app: Express, sequelize: Sequelize): void {
  passport.serializeUser((user, done) => done(null, user.id));
  passport.deserializeUser((id: number, done) => {
    findSessionUser(sequelize, id).then((user) => done(null, user ?? false), done);
  });
  app.use(passport.session());
}
