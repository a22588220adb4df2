import type { NextFunction, Request, Response } from 'express';

/**
 * A micro-cache for public pages as anonymous visitors see them (the catalogue and course pages):
 * the same HTML is served for up to `ttlMs` instead of being queried and rendered again for every
 * visitor. Logged-in users (their own status, a CSRF token) and pages carrying a flash message are
 * never cached. Any state-changing request handled by this instance empties the cache at once;
 * another instance's change shows here within `ttlMs`.
 */
export class AnonymousPageCache {
  private readonly pages = new Map<string, { html: string; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  /** Empties the cache when this instance handles a request that may change data. */
  readonly invalidateOnWrites = (req: Request, _res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') this.pages.clear();
    next();
  };

  /** Serves or stores the page; put it on routes after the session and user are known. */
  readonly serve = (req: Request, res: Response, next: NextFunction): void => {
    if (this.ttlMs <= 0 || req.method !== 'GET' || req.user || (res.locals.flash as unknown[] | undefined)?.length) return next();
    const key = req.originalUrl;
    const hit = this.pages.get(key);
    if (hit && hit.expires > Date.now()) {
      res.type('html').send(hit.html);
      return;
    }
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (res.statusCode === 200 && typeof body === 'string') {
        if (this.pages.size >= this.maxEntries) this.pages.clear();
        this.pages.set(key, { html: body, expires: Date.now() + this.ttlMs });
      }
      return send(body);
    };
    next();
  };
}
