import { Router } from 'express';
import type { Services } from '../../services';

// The routes of this feature are being built; see the open issue.
export function reportRoutes(_services: Services): Router {
  const router = Router();
  return router;
}
