import { Router } from 'express';
import type { Services } from '../../services';
import { databaseAnswers } from '../../db';

export function healthRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    const db = await databaseAnswers(sequelize);
    res.set('Cache-Control', 'no-store');
    res.status(db ? 200 : 503).json({ status: db ? 'ok' : 'error', db: db ? 'ok' : 'error' });
  });
  return router;
}
