import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { meSections } from './sections';

export function meRoutes(_services: Services): Router {
  const router = Router();
  router.get('/me', requireRole('liaison', 'instructor'), async (req, res) => {
    const user = req.user!;
    const sections = [];
    for (const section of meSections) sections.push({ view: section.view, data: await section.load(user) });
    res.render('me/index', { title: 'کارتابل من', sections });
  });
  return router;
}
