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
