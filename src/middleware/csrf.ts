import type { Express, Request } from 'express';
import { csrfSync } from 'csrf-sync';

const { csrfSynchronisedProtection, generateToken } = csrfSync({
  getTokenFromRequest: (req: Request) => {
    const fromBody = req.body && typeof req.body._csrf === 'string' ? req.body._csrf : undefined;
    const fromHeader = req.get('x-csrf-token');
    // A multipart form (a file upload) is parsed by its route, after this check: its token rides in the URL.
    const fromQuery = req.is('multipart/form-data') && typeof req.query._csrf === 'string' ? req.query._csrf : undefined;
    return fromBody ?? fromHeader ?? fromQuery;
  },
  errorConfig: { statusCode: 403, message: 'نشانهٔ امنیتی فرم (CSRF) نامعتبر است یا منقضی شده. صفحه را دوباره باز کنید و دوباره بفرستید.', code: 'EBADCSRFTOKEN' },
});

/**
 * Synchronizer-token CSRF protection on every state-changing request. Views ask for the token with
 * `csrfToken()`, so a token (and so a session) is made only for pages that hold a form.
 */
export function setUpCsrf(app: Express): void {
  app.use((req, res, next) => {
    res.locals.csrfToken = () => generateToken(req);
    next();
  });
  app.use(csrfSynchronisedProtection);
}
