import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { meSections } from './sections';

export function meRoutes(_services: Services): Router {
  const router = Router();
  router.get('/me', requireRole('liaison', 'instructor'), async (req, res) => {
    const user = req.user!;
    // The sections load side by side: one's queries run while another's rows are being shaped.
    const sections = await Promise.all(meSections.map(async (section) => ({ view: section.view, data: await section.load(user) })));
    res.render('me/index', { title: 'کارتابل من', sections });
  });
  return router;
}
