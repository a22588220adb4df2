import { Router } from 'express';
import type { Services } from '../../services';
import { requireLogin } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { parseForm } from '../../lib/forms';
import { toPersianDigits } from '../../lib/persian';
import { markReadSchema, notificationListQuery } from './schemas';
import { loadNotificationList, markNotificationsRead } from './service';

/** A user's notifications: the list (reading it changes nothing) and the «خواندم» action. */
export function notificationRoutes({ sequelize }: Services): Router {
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

  return router;
}
