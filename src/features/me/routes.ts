import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { loadMyPageParts } from './service';
import { presentMyPage } from './presenter';

export function meRoutes({ sequelize, evaluationSettings, pageReads }: Services): Router {
  const router = Router();
  router.get('/me', requireRole('liaison', 'instructor'), async (req, res) => {
    const user = req.user!;
    const parts = await pageReads.remember(`me:${user.id}`, () => loadMyPageParts(sequelize, user, evaluationSettings));
    res.render('me/index', { title: 'کارتابل من', ...presentMyPage(parts) });
  });
  return router;
}
