import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';

export function homeRoutes(_services: Services): Router {
  const router = Router();
  router.get('/', (req, res) => {
    if (!req.user) return res.redirect(303, '/courses');
    res.redirect(303, req.user.role === 'admin' ? '/admin' : '/me');
  });
  router.get('/admin', requireRole('admin'), (_req, res) => {
    res.render('admin/home', { title: 'پیشخوان مدیر' });
  });
  return router;
}
