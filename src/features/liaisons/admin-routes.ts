import { idParam } from '../../lib/params';
import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { allCounties } from '../counties/queries';
import { actorOf } from '../../services/audit';
import { countyChoices } from './helpers';
import { formValues, presentAccount, ROLE_LABELS, STATUS_LABELS } from './presenter';
import { adminAccountSchema, listQuerySchema, optionalPasswordSchema, settingsSchema } from './schemas';
import { changeAutoActivate, createAccount, resetPassword, setAccountStatus, updateAccount } from './service';
import { findAccount, searchAccounts } from './queries';
import { pagerLinks } from '../../lib/pager';

const ROLE_OPTIONS = [
  { value: 'liaison', label: ROLE_LABELS.liaison },
  { value: 'instructor', label: ROLE_LABELS.instructor },
];

function idOf(req: Request): number {
  return idParam(req.params.id);
}

/** The admin's side of accounts: the searchable list, one account, create, edit, status, password, settings. */
export function adminLiaisonRoutes({ sequelize, outbox, settings }: Services): Router {
  const router = Router();
  router.use(['/admin/liaisons', '/admin/settings'], requireRole('admin'));

  router.get('/admin/liaisons', async (req, res) => {
    const filter = listQuerySchema.parse(req.query);
    const result = await searchAccounts(sequelize, filter);
    res.render('liaisons/index', {
      title: 'رابطین و مدرسان',
      accounts: result.rows.map(presentAccount),
      total: result.total,
      page: result.page,
      pages: result.pages,
      ...pagerLinks('/admin/liaisons', { q: filter.q, county: filter.county, status: filter.status, role: filter.role }, result),
      filter: { q: filter.q ?? '', county: filter.county ?? '', status: filter.status ?? '', role: filter.role ?? '' },
      counties: await allCounties(),
      statuses: Object.entries(STATUS_LABELS).map(([value, label]) => ({ value, label })),
      roles: ROLE_OPTIONS,
    });
  });

  const renderForm = async (
    res: Response,
    status: number,
    opts: { id: number | null; values: Record<string, string>; errors: Record<string, string>; countySlug?: string },
  ) => {
    const current = opts.countySlug ? ((await allCounties()).find((c) => c.slug === opts.countySlug) ?? null) : null;
    res.status(status).render('liaisons/form', {
      title: opts.id ? 'ویرایش حساب' : 'حساب تازه',
      id: opts.id,
      values: opts.values,
      errors: opts.errors,
      roles: ROLE_OPTIONS,
      counties: await countyChoices(current),
    });
  };

  router.get('/admin/liaisons/new', async (_req, res) => {
    await renderForm(res, 200, { id: null, values: { role: 'liaison' }, errors: {} });
  });

  router.post('/admin/liaisons/new', async (req, res) => {
    try {
      const input = parseForm(adminAccountSchema, req.body);
      const { password } = parseForm(optionalPasswordSchema, req.body);
      const { user, generatedPassword } = await createAccount(sequelize, actorOf(req), input, password);
      if (!generatedPassword) {
        flash(req, 'success', `حساب «${user.fullName}» ساخته شد.`);
        return res.redirect(303, `/admin/liaisons/${user.id}`);
      }
      res.status(201).render('liaisons/credentials', {
        title: 'حساب ساخته شد',
        account: presentAccount(await findAccount(user.id)),
        password: generatedPassword,
        created: true,
      });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderForm(res, err.status, { id: null, values: typedValues(req.body), errors: err.fields });
    }
  });

  router.get('/admin/liaisons/:id', async (req, res) => {
    const account = presentAccount(await findAccount(idOf(req)));
    res.render('liaisons/show', { title: account.fullName, account, errors: {} });
  });

  router.get('/admin/liaisons/:id/edit', async (req, res) => {
    const account = presentAccount(await findAccount(idOf(req)));
    await renderForm(res, 200, { id: account.id, values: formValues(account), errors: {}, countySlug: account.countySlug });
  });

  router.post('/admin/liaisons/:id/edit', async (req, res) => {
    const account = presentAccount(await findAccount(idOf(req)));
    try {
      const input = parseForm(adminAccountSchema, req.body);
      await updateAccount(sequelize, actorOf(req), account.id, input);
      flash(req, 'success', 'تغییرات حساب ذخیره شد.');
      res.redirect(303, `/admin/liaisons/${account.id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderForm(res, err.status, {
        id: account.id,
        values: typedValues(req.body),
        errors: err.fields,
        countySlug: account.countySlug,
      });
    }
  });

  for (const [action, status, message] of [
    ['activate', 'active', 'حساب فعال شد؛ اکنون می‌تواند وارد شود.'],
    ['disable', 'disabled', 'حساب غیرفعال شد و دیگر نمی‌تواند وارد شود.'],
  ] as const) {
    router.post(`/admin/liaisons/:id/${action}`, async (req, res) => {
      const user = await setAccountStatus(sequelize, outbox, actorOf(req), idOf(req), status);
      flash(req, 'success', message);
      res.redirect(303, `/admin/liaisons/${user.id}`);
    });
  }

  router.post('/admin/liaisons/:id/password', async (req, res) => {
    const account = presentAccount(await findAccount(idOf(req)));
    try {
      const { password } = parseForm(optionalPasswordSchema, req.body);
      const generated = await resetPassword(sequelize, actorOf(req), account.id, password);
      if (!generated) {
        flash(req, 'success', 'گذرواژهٔ تازه ثبت شد.');
        return res.redirect(303, `/admin/liaisons/${account.id}`);
      }
      res.render('liaisons/credentials', { title: 'گذرواژهٔ تازه', account, password: generated, created: false });
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      res.status(err.status).render('liaisons/show', { title: account.fullName, account, errors: err.fields });
    }
  });

  router.get('/admin/settings', async (_req, res) => {
    res.render('liaisons/settings', {
      title: 'تنظیمات',
      autoActivate: await settings.autoActivate(),
      reminderHour: String(await settings.reminderHour()),
      errors: {},
    });
  });

  router.post('/admin/settings', async (req, res) => {
    const { autoActivate } = parseForm(settingsSchema, req.body);
    await changeAutoActivate(sequelize, settings, actorOf(req), autoActivate);
    flash(
      req,
      'success',
      autoActivate
        ? 'از این پس رابطینی که ثبت‌نام می‌کنند بی‌درنگ فعال می‌شوند.'
        : 'از این پس حساب رابطین تازه تا تأیید مدیر در انتظار می‌ماند.',
    );
    res.redirect(303, '/admin/settings');
  });

  return router;
}
