import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { loadMyPageParts } from './service';
import { presentMyPage } from './presenter';
import { Fragments } from '../../middleware/view-engine';

export function meRoutes({ sequelize, evaluationSettings, pageReads }: Services): Router {
  const router = Router();
  router.get('/me', requireRole('liaison', 'instructor'), async (req, res) => {
    const user = req.user!;
    // The page as presented from its rows, both as of the moment they were read, kept while they are;
    // its sections rendered once beside them (`kept`; views/me/index.ejs).
    const { page, kept } = await pageReads.remember(`me:${user.id}`, async () => ({
      page: presentMyPage(await loadMyPageParts(sequelize, user, evaluationSettings)),
      kept: new Fragments(10),
    }));
    res.render('me/index', { title: 'کارتابل من', ...page, kept });
  });
  return router;
}
