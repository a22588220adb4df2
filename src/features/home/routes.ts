import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { barChart, loadDashboard } from '../reports/dashboard';

export function homeRoutes({ sequelize }: Services): Router {
  const router = Router();
  router.get('/', (req, res) => {
    if (!req.user) return res.redirect(303, '/courses');
    res.redirect(303, req.user.role === 'admin' ? '/admin' : '/me');
  });
  router.get('/admin', requireRole('admin'), async (_req, res) => {
    const dashboard = await loadDashboard(sequelize);
    res.render('admin/home', { title: 'پیشخوان مدیر', dashboard, chart: barChart(dashboard.participation) });
  });
  return router;
}
