import { Router } from 'express';
import type { Services } from '../services';
import { attendanceRoutes } from './attendance/routes';
import { authRoutes } from './auth/routes';
import { certificateRoutes } from './certificates/routes';
import { countyRoutes } from './counties/routes';
import { credentialRoutes } from './credentials/routes';
import { courseRoutes } from './courses/routes';
import { enrollmentRoutes } from './enrollments/routes';
import { evaluationRoutes } from './evaluations/routes';
import { healthRoutes } from './health/routes';
import { holidayRoutes } from './holidays/routes';
import { homeRoutes } from './home/routes';
import { liaisonRoutes } from './liaisons/routes';
import { materialRoutes } from './materials/routes';
import { meRoutes } from './me/routes';
import { notificationRoutes } from './notifications/routes';
import { reportRoutes } from './reports/routes';

/**
 * Every feature's routes. `public` ones answer before sessions are read (no cookie, no database
 * session lookup); `sessioned` ones see the logged-in user and are CSRF-protected.
 */
export const featureRoutes = {
  public(services: Services): Router {
    const router = Router();
    router.use(healthRoutes(services));
    router.use(credentialRoutes(services));
    return router;
  },
  sessioned(services: Services): Router {
    const router = Router();
    router.use(authRoutes(services));
    router.use(homeRoutes(services));
    router.use(meRoutes(services));
    router.use(notificationRoutes(services));
    router.use(countyRoutes(services));
    router.use(holidayRoutes(services));
    router.use(liaisonRoutes(services));
    router.use(courseRoutes(services));
    router.use(enrollmentRoutes(services));
    router.use(attendanceRoutes(services));
    router.use(certificateRoutes(services));
    router.use(reportRoutes(services));
    router.use(materialRoutes(services));
    router.use(evaluationRoutes(services));
    return router;
  },
};
