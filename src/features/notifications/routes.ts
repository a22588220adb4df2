import { Router } from 'express';
import type { Services } from '../../services';
import { requireLogin, requireRole } from '../../middleware/auth';
import { actorOf } from '../../services/audit';
import { FormError } from '../../lib/errors';
import { flash } from '../../middleware/views';
import { parseForm, typedValues } from '../../lib/forms';
import { changeReminderHour } from './reminders';
import { toPersianDigits } from '../../lib/persian';
import { markReadSchema, notificationListQuery, reminderHourSchema } from './schemas';
import { loadNotificationList, markNotificationsRead } from './service';

/** A user's notifications: the list (reading it changes nothing) and the «خواندم» action. */
export function notificationRoutes(services: Services): Router {
  const { sequelize } = services;
  const router = Router();

  router.get('/me/notifications', requireLogin, async (req, res) => {
    const { page } = notificationListQuery.parse(req.query);
    const list = await loadNotificationList(sequelize, req.user!.id, page);
    res.render('notifications/index', { title: 'اعلان‌ها', ...list });
  });

  router.post('/me/notifications/read', requireLogin, async (req, res) => {
    const { ids, back } = parseForm(markReadSchema, req.body);
    const marked = await markNotificationsRead(req.user!.id, ids);
    if (marked) flash(req, 'success', `${toPersianDigits(marked)} اعلان خوانده شد.`);
    res.redirect(303, back);
  });

  router.post('/admin/settings/reminders', requireRole('admin'), async (req, res) => {
    try {
      const { reminderHour } = parseForm(reminderHourSchema, req.body);
      await changeReminderHour(services, actorOf(req), reminderHour);
      flash(req, 'success', `یادآوری جلسه‌های هر روز از ساعت ${toPersianDigits(reminderHour)} روز پیش از آن پیامک می‌شود.`);
      res.redirect(303, '/admin/settings');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      res.status(err.status).render('liaisons/settings', {
        title: 'تنظیمات',
        autoActivate: await services.settings.autoActivate(),
        reminderHour: typedValues(req.body).reminderHour ?? '',
        errors: err.fields,
      });
    }
  });

  return router;
}
