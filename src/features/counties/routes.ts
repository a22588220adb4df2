import { actorOf } from '../../services/audit';
import { idParam } from '../../lib/params';
import { Router, type Request } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { addCountySchema, renameCountySchema } from './schemas';
import { addCounty, renameCounty, setCountyActive } from './service';
import { listCounties } from './queries';

function countyId(req: Request): number {
  return idParam(req.params.id, 'شهرستان پیدا نشد.');
}

export function countyRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.use('/admin/counties', requireRole('admin'));

  const renderList = async (res: import('express').Response, status: number, extra: Record<string, unknown> = {}) =>
    res.status(status).render('counties/index', {
      title: 'شهرستان‌ها',
      counties: await listCounties(),
      errors: {},
      values: {},
      renameErrors: {},
      ...extra,
    });

  router.get('/admin/counties', async (_req, res) => {
    await renderList(res, 200);
  });

  router.post('/admin/counties', async (req, res) => {
    try {
      const input = parseForm(addCountySchema, req.body);
      const county = await addCounty(sequelize, actorOf(req), input);
      flash(req, 'success', `شهرستان «${county.name}» افزوده شد.`);
      res.redirect(303, '/admin/counties');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderList(res, err.status, { errors: err.fields, values: typedValues(req.body) });
    }
  });

  router.post('/admin/counties/:id', async (req, res) => {
    const id = countyId(req);
    try {
      const { name } = parseForm(renameCountySchema, req.body);
      await renameCounty(sequelize, actorOf(req), id, name);
      flash(req, 'success', `نام شهرستان به «${name}» تغییر کرد.`);
      res.redirect(303, '/admin/counties');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderList(res, err.status, { renameErrors: { [id]: err.fields.name ?? err.message } });
    }
  });

  for (const [action, active] of [
    ['activate', true],
    ['deactivate', false],
  ] as const) {
    router.post(`/admin/counties/:id/${action}`, async (req, res) => {
      const county = await setCountyActive(sequelize, actorOf(req), countyId(req), active);
      flash(
        req,
        'success',
        active
          ? `شهرستان «${county.name}» فعال شد.`
          : `شهرستان «${county.name}» غیرفعال شد؛ حساب‌ها و سوابقش می‌ماند ولی در ثبت‌نام نمایش داده نمی‌شود.`,
      );
      res.redirect(303, '/admin/counties');
    });
  }

  return router;
}
