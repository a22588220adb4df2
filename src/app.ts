import path from 'node:path';
import express, { type Express } from 'express';
import passport from 'passport';
import { projectRoot } from './config';
import type { Services } from './services';
import { setUpSecurityHeaders } from './middleware/security';
import { setUpSession } from './middleware/session';
import { setUpCsrf } from './middleware/csrf';
import { noStoreWhenLoggedIn } from './middleware/auth';
import { setUpPageLocals, setUpViews } from './middleware/views';
import { errorHandler, notFound } from './middleware/errors';
import { setUpPassport } from './features/auth/passport';
import { featureRoutes } from './features';

function setUpStaticFiles(app: Express): void {
  app.use(
    express.static(path.join(projectRoot, 'public'), {
      index: false,
      maxAge: '7d',
      setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff'),
    }),
  );
}

function setUpBodyParsers(app: Express): void {
  app.use(express.urlencoded({ extended: true, limit: '200kb', parameterLimit: 2000 }));
  app.use(express.json({ limit: '100kb' }));
}

function setUpAuthentication(app: Express): void {
  app.use(passport.initialize());
  setUpPassport(app);
}

/** The whole web app, built from its services: middleware in order, the features, then 404 and errors. */
export function createApp(services: Services): Express {
  const app = express();
  setUpViews(app);
  setUpSecurityHeaders(app, services.config);
  setUpStaticFiles(app);
  app.use(featureRoutes.public(services));
  setUpBodyParsers(app);
  setUpSession(app, services);
  setUpAuthentication(app);
  app.use(noStoreWhenLoggedIn);
  setUpCsrf(app);
  app.use(setUpPageLocals);
  app.use(featureRoutes.sessioned(services));
  app.use(notFound);
  app.use(errorHandler(services.config.env === 'production'));
  return app;
}
