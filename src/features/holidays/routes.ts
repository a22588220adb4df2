import { type Response, Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { formatDate, jalaliParts, jalaliYear, todayIso } from '../../lib/jalali';
import { idParam } from '../../lib/params';
import { toPersianDigits } from '../../lib/persian';
import { actorOf } from '../../services/audit';
import { holidaysOfYear } from './queries';
import { addHolidaySchema, holidayYearSchema } from './schemas';
import { addHoliday, removeHoliday } from './service';

/** The yearly list of official holidays that calendars mark: an admin adds and removes days. */
export function holidayRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.use('/admin/holidays', requireRole('admin'));

  async function renderYear(
    res: Response,
    year: number,
    status = 200,
    form: { errors: Record<string, string>; values: Record<string, string> } = { errors: {}, values: {} },
  ) {
    res.status(status).render('holidays/index', {
      title: `تعطیلات رسمی ${toPersianDigits(year)}`,
      year,
      holidays: await holidaysOfYear(year),
      ...form,
    });
  }

  router.get('/admin/holidays', async (req, res) => {
    const { year } = holidayYearSchema.parse(req.query);
    await renderYear(res, year ?? jalaliParts(todayIso()).year);
  });

  router.post('/admin/holidays', async (req, res) => {
    try {
      const input = parseForm(addHolidaySchema, req.body);
      await addHoliday(sequelize, actorOf(req), input);
      flash(req, 'success', `${formatDate(input.date)} («${input.title}») به فهرست تعطیلات افزوده شد.`);
      res.redirect(303, `/admin/holidays?year=${jalaliYear(input.date)}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      const { year } = holidayYearSchema.parse(req.query);
      await renderYear(res, year ?? jalaliParts(todayIso()).year, err.status, { errors: err.fields, values: typedValues(req.body) });
    }
  });

  router.post('/admin/holidays/:id/delete', async (req, res) => {
    const removed = await removeHoliday(sequelize, actorOf(req), idParam(req.params.id, 'این روز در فهرست تعطیلات نیست.'));
    flash(req, 'success', `${formatDate(removed.date)} («${removed.title}») از فهرست تعطیلات برداشته شد.`);
    res.redirect(303, `/admin/holidays?year=${jalaliYear(removed.date)}`);
  });

  return router;
}
