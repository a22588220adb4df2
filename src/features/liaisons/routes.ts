import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { LIMITS } from '../../services/rate-limiter';
import { User } from '../../models';
import { activeCounties } from '../counties/queries';
import { actorOf } from '../../services/audit';
import { countyChoices } from './helpers';
import { adminLiaisonRoutes } from './admin-routes';
import { importRoutes } from './import-routes';
import { formValues, presentAccount } from './presenter';
import { changePasswordSchema, profileSchema, registerSchema } from './schemas';
import { changeOwnPassword, signUpLiaison, updateOwnProfile } from './service';

export function liaisonRoutes(services: Services): Router {
  const router = Router();
  router.use(signUpRoutes(services));
  router.use(profileRoutes(services));
  router.use(importRoutes(services));
  router.use(adminLiaisonRoutes(services));
  return router;
}

const SIGN_UP_THROTTLED =
  'از این نشانی ثبت‌نام‌های زیادی انجام شده است. یک ساعت بعد دوباره تلاش کنید یا با روابط عمومی اداره کل تماس بگیرید.';

function signUpRoutes({ sequelize, settings, rateLimiter }: Services): Router {
  const router = Router();
  const render = async (
    res: Response,
    status: number,
    values: Record<string, string>,
    errors: Record<string, string>,
    error: string | null = null,
  ) => res.status(status).render('liaisons/register', { title: 'ثبت‌نام رابط', counties: await activeCounties(), values, errors, error });

  router.get('/register', async (req, res) => {
    if (req.user) return res.redirect(303, '/');
    await render(res, 200, {}, {});
  });

  router.post('/register', async (req, res) => {
    const values = typedValues(req.body);
    try {
      const input = parseForm(registerSchema, req.body);
      if (!(await rateLimiter.take(`signup:ip:${req.ip}`, LIMITS.signUpsPerIp))) return render(res, 429, values, {}, SIGN_UP_THROTTLED);
      const user = await signUpLiaison(sequelize, settings, input, req.ip ?? '');
      res.redirect(303, `/register/done?status=${user.status === 'active' ? 'active' : 'pending'}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await render(res, err.status, values, err.fields, err.fields._form ?? null);
    }
  });

  router.get('/register/done', (req, res) => {
    res.render('liaisons/registered', { title: 'ثبت‌نام انجام شد', active: req.query.status === 'active' });
  });
  return router;
}

function profileRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.use(['/me/profile', '/me/password'], requireRole('liaison', 'instructor'));

  const render = async (
    req: Request,
    res: Response,
    status: number,
    extra: { values?: Record<string, string>; errors?: Record<string, string>; passwordErrors?: Record<string, string> } = {},
  ) => {
    const user = await User.findByPk(req.user!.id, { include: ['county'] });
    const account = presentAccount(user!);
    const current = user!.county
      ? { id: user!.county.id, slug: user!.county.slug, name: user!.county.name, active: user!.county.active }
      : null;
    res.status(status).render('liaisons/profile', {
      title: 'مشخصات من',
      account,
      counties: await countyChoices(current),
      values: extra.values ?? formValues(account),
      errors: extra.errors ?? {},
      passwordErrors: extra.passwordErrors ?? {},
    });
  };

  router.get('/me/profile', async (req, res) => {
    await render(req, res, 200);
  });

  router.post('/me/profile', async (req, res) => {
    try {
      const input = parseForm(profileSchema, req.body);
      await updateOwnProfile(sequelize, actorOf(req), input);
      flash(req, 'success', 'مشخصات شما ذخیره شد.');
      res.redirect(303, '/me/profile');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await render(req, res, err.status, { values: typedValues(req.body), errors: err.fields });
    }
  });

  router.post('/me/password', async (req, res) => {
    try {
      const input = parseForm(changePasswordSchema, req.body);
      await changeOwnPassword(sequelize, actorOf(req), input.currentPassword, input.newPassword, req.sessionID);
      flash(req, 'success', 'گذرواژهٔ شما تغییر کرد.');
      res.redirect(303, '/me/profile');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await render(req, res, err.status, { passwordErrors: err.fields });
    }
  });
  return router;
}
