import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { loadMyPage } from './service';

export function meRoutes({ sequelize, evaluationSettings }: Services): Router {
  const router = Router();
  router.get('/me', requireRole('liaison', 'instructor'), async (req, res) => {
    res.render('me/index', { title: 'کارتابل من', ...(await loadMyPage(sequelize, req.user!, evaluationSettings)) });
  });
  return router;
}
