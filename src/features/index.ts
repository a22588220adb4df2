import { Router } from 'express';
import type { Services } from '../services';
import { authRoutes } from './auth/routes';
import { healthRoutes } from './health/routes';
import { homeRoutes } from './home/routes';

/**
 * Every feature's routes. `public` ones answer before sessions are read (no cookie, no database
 * session lookup); `sessioned` ones see the logged-in user and are CSRF-protected.
 */
export const featureRoutes = {
  public(services: Services): Router {
    const router = Router();
    router.use(healthRoutes(services));
    return router;
  },
  sessioned(services: Services): Router {
    const router = Router();
    router.use(authRoutes(services));
    router.use(homeRoutes(services));
    return router;
  },
};
