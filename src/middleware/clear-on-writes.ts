import type { NextFunction, Request, Response } from 'express';

/** Any request that may change data (not GET or HEAD) empties these caches of this instance at once. */
export function clearOnWrites(...caches: { clear(): void }[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') for (const cache of caches) cache.clear();
    next();
  };
}
