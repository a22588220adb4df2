import { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../services';
import { LOGIN_MESSAGES, logIn } from './service';

const loginSchema = z.object({
  username: z.string().max(200).default(''),
  password: z.string().max(1000).default(''),
});

/** Where to go after login: a local path only, never another site. */
function safeNext(value: unknown, fallback: string): string {
  return typeof value === 'string' && /^\/(?!\/|\\)/.test(value) ? value : fallback;
}

export function authRoutes({ rateLimiter }: Services): Router {
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
        res.clearCookie('rabet.sid');
        res.redirect(303, '/login');
      });
    });
  });

  return router;
}
