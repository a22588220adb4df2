import path from 'node:path';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import qs from 'qs';
import { projectRoot } from './config';
import type { Services } from './services';
import { setUpSecurityHeaders } from './middleware/security';
import { appCookies, setUpSession } from './middleware/session';
import { setUpCsrf } from './middleware/csrf';
import { noStoreWhenLoggedIn } from './middleware/auth';
import { setUpPageLocals, setUpViews } from './middleware/views';
import { errorHandler, notFound } from './middleware/errors';
import { clearOnWrites } from './middleware/clear-on-writes';
import { sessionUserRead, setUpPassport } from './features/auth/passport';
import { featureRoutes } from './features';

function setUpStaticFiles(app: Express): void {
  const files = express.static(path.join(projectRoot, 'public'), {
    index: false,
    maxAge: '7d',
    setHeaders: (res) => res.set('X-Content-Type-Options', 'nosniff'),
  });
  // Every file under public/ has an extension; pages do not. Looking pages up on disk first cost a
  // failed stat() and an error object on every request (npm run bench, CPU profile).
  app.use((req, res, next) => (path.extname(req.path) ? files(req, res, next) : next()));
}

/**
 * Forms are parsed with qs, but never into arrays by index: `mark[12]=present` must stay keyed by
 * the enrollment id 12 (qs would compact small indexes into a list). Repeated fields still arrive
 * as arrays, which the zod schemas refuse where one value is expected.
 */
function setUpBodyParsers(app: Express): void {
  const text = express.text({ type: 'application/x-www-form-urlencoded', limit: '200kb' });
  const json = express.json({ limit: '100kb' });
  const form = (req: Request, res: Response, next: NextFunction) =>
    text(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (req.is('application/x-www-form-urlencoded') && typeof req.body === 'string') {
        req.body = qs.parse(req.body, { parseArrays: false, depth: 2, parameterLimit: 2000, allowPrototypes: false });
      }
      json(req, res, next);
    });
  // A GET or HEAD carries no body to read: the parsers looked at each page's headers for nothing.
  app.use((req, res, next) => (req.method === 'GET' || req.method === 'HEAD' ? next() : form(req, res, next)));
}

function setUpAuthentication(app: Express, services: Services): void {
  setUpPassport(app, services.sequelize);
}

/** The whole web app, built from its services: middleware in order, the features, then 404 and errors. */
export function createApp(services: Services): Express {
  const app = express();
  setUpViews(app, services.config.viewCache);
  setUpSecurityHeaders(app, services.config);
  setUpStaticFiles(app);
  app.use(featureRoutes.public(services));
  setUpBodyParsers(app);
  app.use(appCookies(services.config.sessionSecret));
  setUpSession(app, services, sessionUserRead);
  setUpAuthentication(app, services);
  app.use(noStoreWhenLoggedIn);
  setUpCsrf(app, services.config);
  app.use(setUpPageLocals);
  app.use(clearOnWrites(services.publicPages, services.reports));
  app.use(featureRoutes.sessioned(services));
  app.use(notFound);
  app.use(errorHandler(services.config.env === 'production'));
  return app;
}
