import type { Express } from 'express';
import helmet from 'helmet';
import type { Config } from '../config';

/**
 * Security headers with a strict CSP: scripts and styles only from this app, no inline script.
 * HSTS and upgrade-insecure-requests only behind https: on a plain-http intranet host they would
 * send browsers to an address that does not answer.
 */
export function setUpSecurityHeaders(app: Express, config: Config): void {
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(config.https ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.https ? { maxAge: 31_536_000 } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
}
