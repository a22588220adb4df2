import crypto from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import { csrfSync } from 'csrf-sync';
import { HttpError } from '../lib/errors';
import type { Config } from '../config';

const CSRF_MESSAGE = 'نشانهٔ امنیتی فرم (CSRF) نامعتبر است یا منقضی شده. صفحه را دوباره باز کنید و دوباره بفرستید.';
const ANONYMOUS_COOKIE = 'rabet.csrf';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function tokenFromRequest(req: Request): string | undefined {
  const fromBody = req.body && typeof req.body._csrf === 'string' ? req.body._csrf : undefined;
  const fromHeader = req.get('x-csrf-token');
  // A multipart form (a file upload) is parsed by its route, after this check: its token rides in the URL.
  const fromQuery = req.is('multipart/form-data') && typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
  return fromBody ?? fromHeader ?? fromQuery;
}

const { generateToken, isRequestValid } = csrfSync({ getTokenFromRequest: tokenFromRequest });

class CsrfError extends HttpError {
  readonly code = 'EBADCSRFTOKEN';
  constructor() {
    super(403, CSRF_MESSAGE);
  }
}

/**
 * A visitor who is not logged in gets a signed double-submit token: a random value in a cookie and,
 * in the form, its HMAC under the session secret. Nothing is stored, so the login, sign-up and
 * verification pages write no session row however often they are opened.
 */
function anonymousTokens(config: Config) {
  const sign = (value: string) => crypto.createHmac('sha256', config.sessionSecret).update(`csrf|${value}`).digest('base64url');
  return {
    issue(req: Request, res: Response): string {
      let value = typeof req.cookies?.[ANONYMOUS_COOKIE] === 'string' ? (req.cookies[ANONYMOUS_COOKIE] as string) : '';
      if (!/^[\w-]{32}$/.test(value)) {
        value = crypto.randomBytes(24).toString('base64url');
        req.cookies[ANONYMOUS_COOKIE] = value;
        res.cookie(ANONYMOUS_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: config.https, path: '/' });
      }
      return sign(value);
    },
    isValid(req: Request): boolean {
      const value = req.cookies?.[ANONYMOUS_COOKIE];
      const sent = tokenFromRequest(req);
      if (typeof value !== 'string' || typeof sent !== 'string' || !/^[\w-]{32}$/.test(value)) return false;
      const expected = Buffer.from(sign(value));
      const given = Buffer.from(sent);
      return expected.length === given.length && crypto.timingSafeEqual(expected, given);
    },
  };
}

/**
 * CSRF protection on every state-changing request. A logged-in user's forms carry the synchronizer
 * token kept in their session (csrf-sync); a visitor's carry a signed double-submit token (above).
 * Views ask for the token with `csrfToken()`, so one is made only for pages that hold a form.
 */
export function setUpCsrf(app: Express, config: Config): void {
  const anonymous = anonymousTokens(config);
  app.use((req, res, next) => {
    res.locals.csrfToken = () => (req.user ? generateToken(req) : anonymous.issue(req, res));
    next();
  });
  app.use((req: Request, _res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const valid = req.user ? isRequestValid(req) : anonymous.isValid(req);
    next(valid ? undefined : new CsrfError());
  });
}
