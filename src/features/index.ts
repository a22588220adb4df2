import { type NextFunction, type Request, type Response, Router } from 'express';
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

type Layer = { slash?: boolean; route?: unknown; rawPath?: unknown; handle: { stack?: Layer[] } };

/** The first segment of a route's path when it is plain text ('/admin/…' → 'admin'), else null (it may match any). */
function literalFirstSegment(path: unknown): string | null {
  if (typeof path !== 'string') return null;
  const m = /^\/([^/]+)(?:\/|$)/.exec(path);
  return m && !/[:*?+(){}[\]!\\]/.test(m[1]) ? m[1].toLowerCase() : null;
}

/**
 * The layers of feature routers joined into one dispatch, in their order; a router mounted without
 * a path inside one (liaisons) is opened up the same way. Mounted one by one, each feature router a
 * request passed through without a route for it cost its own dispatch and a turn of the event loop
 * on the way out (Express's router leaves through setImmediate), and every route before the right
 * one ran its path's regular expression: /check-in, in the attendance feature, answered at 0.39×
 * the bare layout, and at 0.57× with its feature moved first (npm run bench, CPU per request).
 *
 * So the layers are sorted by the first segment of their path ('admin', 'courses', 'me', …): a
 * request is dispatched by one router holding, in their order, the layers whose path starts with
 * its first segment and those whose path could match anything (no path, a parameter first). A
 * layer left out could not have matched (paths match case-insensitively, as Express compares them),
 * so which handler answers is what Express would choose; the handlers and their order are its own.
 */
function joined(routers: Router[]): Router {
  const layers: Layer[] = [];
  const add = (from: Layer[]) => {
    for (const layer of from) {
      if (layer.slash && !layer.route && Array.isArray(layer.handle.stack)) add(layer.handle.stack);
      else layers.push(layer);
    }
  };
  add(routers.flatMap((r) => (r as unknown as { stack: Layer[] }).stack));
  const firstSegments = (layer: Layer): (string | null)[] =>
    layer.slash ? [null] : (Array.isArray(layer.rawPath) ? layer.rawPath : [layer.rawPath]).map(literalFirstSegment);
  const routerOf = (keep: (layer: Layer) => boolean) => {
    const router = Router();
    (router as unknown as { stack: Layer[] }).stack.push(...layers.filter(keep));
    return router;
  };
  const segments = new Set(layers.flatMap(firstSegments).filter((s): s is string => s !== null));
  const anywhere = (layer: Layer) => firstSegments(layer).includes(null);
  const bySegment = new Map([...segments].map((segment) => [segment, routerOf((l) => anywhere(l) || firstSegments(l).includes(segment))]));
  const rest = routerOf(anywhere);
  const dispatch = (req: Request, res: Response, next: NextFunction) => {
    const path = req.path;
    const slash = path.indexOf('/', 1);
    const segment = (slash < 0 ? path.slice(1) : path.slice(1, slash)).toLowerCase();
    return (bySegment.get(segment) ?? rest)(req, res, next);
  };
  // Every layer, in order, where a router keeps them: what lists the app's routes (the access matrix, the fuzz suite) reads it.
  return Object.assign(dispatch, { stack: layers }) as unknown as Router;
}

/**
 * Every feature's routes. `public` ones answer before sessions are read (no cookie, no database
 * session lookup); `sessioned` ones see the logged-in user and are CSRF-protected.
 */
export const featureRoutes = {
  public(services: Services): Router {
    return joined([healthRoutes(services), credentialRoutes(services)]);
  },
  sessioned(services: Services): Router {
    return joined([
      authRoutes(services),
      homeRoutes(services),
      meRoutes(services),
      notificationRoutes(services),
      countyRoutes(services),
      holidayRoutes(services),
      liaisonRoutes(services),
      courseRoutes(services),
      enrollmentRoutes(services),
      attendanceRoutes(services),
      certificateRoutes(services),
      reportRoutes(services),
      materialRoutes(services),
      evaluationRoutes(services),
    ]);
  },
};
