import { Router, type Response } from 'express';
import { z } from 'zod';
import type { Services } from '../../services';
import { flash } from '../../middleware/views';
import { SESSION_COOKIE } from '../../middleware/session';
import { FormError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { LOGIN_MESSAGES, logIn } from './service';
import { RECOVERY_MESSAGES, forgotSchema, requestRecoveryCode, resetPasswordWithCode, resetSchema } from './recovery';

const loginSchema = z.object({
  username: z.string().max(200).default(''),
  password: z.string().max(1000).default(''),
});

/** Where to go after login: a local path only, never another site. */
function safeNext(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?!\/|\\)/.test(value) ? value : fallback;
}

export function authRoutes(services: Services): Router {
  const { rateLimiter } = services;
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, req.user.role === 'admin' ? '/admin' : '/me');
    res.render('auth/login', { title: 'ورود', values: { next: safeNext(req.query.next, '') }, error: null });
  });

  router.post('/login', async (req, res, next) => {
    const parsed = loginSchema.safeParse(req.body ?? {});
    const input = parsed.success ? parsed.data : { username: '', password: '' };
    const outcome = await logIn(rateLimiter, { ...input, ip: req.ip ?? '' });
    const values = { username: input.username, next: safeNext(req.body?.next, '') };
    if (!outcome.ok) {
      const status = outcome.reason === 'throttled' ? 429 : 400;
      return res.status(status).render('auth/login', { title: 'ورود', values, error: LOGIN_MESSAGES[outcome.reason] });
    }
    req.login(outcome.user, (err) => {
      if (err) return next(err);
      req.session.startedAt = Date.now();
      const home = outcome.user.role === 'admin' ? '/admin' : '/me';
      res.redirect(303, safeNext(values.next, home));
    });
  });

  router.post('/logout', (req, res, next) => {
    req.logout((err) => {
      if (err) return next(err);
      req.session.destroy(() => {
        res.clearCookie(SESSION_COOKIE);
        res.redirect(303, '/login');
      });
    });
  });

  router.use(recoveryRoutes(services));
  return router;
}

/** Password recovery: a code by SMS (/password/forgot), then a new password with it (/password/reset). */
function recoveryRoutes(services: Services): Router {
  const router = Router();
  const forgotPage = (
    res: Response,
    status: number,
    values: Record<string, string>,
    errors: Record<string, string>,
    error: string | null = null,
  ) => res.status(status).render('auth/forgot', { title: 'بازیابی گذرواژه', values, errors, error });
  const resetPage = (
    res: Response,
    status: number,
    values: Record<string, string>,
    errors: Record<string, string>,
    error: string | null = null,
  ) => res.status(status).render('auth/reset', { title: 'گذرواژهٔ تازه', values, errors, error });

  router.get('/password/forgot', (_req, res) => forgotPage(res, 200, {}, {}));

  router.post('/password/forgot', async (req, res) => {
    const values = typedValues(req.body);
    try {
      const { username } = parseForm(forgotSchema, req.body);
      if ((await requestRecoveryCode(services, { username, ip: req.ip ?? '' })) === 'throttled') {
        return forgotPage(res, 429, values, {}, RECOVERY_MESSAGES.throttled);
      }
      // The same answer whether or not the account exists.
      flash(req, 'info', RECOVERY_MESSAGES.sent);
      res.redirect(303, `/password/reset?username=${encodeURIComponent(username)}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      forgotPage(res, err.status, values, err.fields);
    }
  });

  router.get('/password/reset', (req, res) => {
    const username = typeof req.query.username === 'string' ? req.query.username.slice(0, 200) : '';
    resetPage(res, 200, { username }, {});
  });

  router.post('/password/reset', async (req, res) => {
    const values = typedValues(req.body);
    try {
      const input = parseForm(resetSchema, req.body);
      const outcome = await resetPasswordWithCode(services, { ...input, ip: req.ip ?? '' });
      if (!outcome.ok) {
        if (outcome.reason === 'throttled') return resetPage(res, 429, values, {}, RECOVERY_MESSAGES.throttled);
        return resetPage(res, 400, { ...values, code: '' }, { code: RECOVERY_MESSAGES[outcome.reason] });
      }
      flash(req, 'success', RECOVERY_MESSAGES.done);
      res.redirect(303, '/login');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      resetPage(res, err.status, values, err.fields);
    }
  });

  return router;
}
