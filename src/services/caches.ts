import type { NextFunction, Request, Response } from 'express';

/**
 * A micro-cache for public pages as anonymous visitors see them (the catalogue and course pages):
 * the same HTML is served for up to `ttlMs` instead of being queried and rendered again for every
 * visitor. Logged-in users (their own status, a CSRF token) and pages carrying a flash message are
 * never cached. Any state-changing request handled by this instance empties the cache at once;
 * another instance's change shows here within `ttlMs`.
 */
export class AnonymousPageCache {
  private readonly pages = new Map<string, { html: string | Buffer; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 500,
  ) {}

  clear(): void {
    this.pages.clear();
  }

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
      // A rendered page arrives as a Buffer (src/middleware/view-engine.ts).
      if (res.statusCode === 200 && (typeof body === 'string' || Buffer.isBuffer(body))) {
        if (this.pages.size >= this.maxEntries) this.pages.clear();
        this.pages.set(key, { html: body, expires: Date.now() + this.ttlMs });
      }
      return send(body);
    };
    next();
  };
}

/**
 * Computed results (a report over millions of attendance marks) kept for `ttlMs` by key: twenty
 * admins opening the same report at once compute it once. Emptied like the page cache.
 */
export class ResultCache {
  private readonly results = new Map<string, { value: Promise<unknown>; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 200,
  ) {}

  remember<T>(key: string, compute: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return compute();
    const hit = this.results.get(key);
    if (hit && hit.expires > Date.now()) return hit.value as Promise<T>;
    if (this.results.size >= this.maxEntries) this.results.clear();
    const value = compute();
    this.results.set(key, { value, expires: Date.now() + this.ttlMs });
    value.catch(() => this.results.delete(key));
    return value;
  }

  clear(): void {
    this.results.clear();
  }
}

/**
 * The last `maxEntries` values by key, least recently used dropped first. Nothing expires by time:
 * put here only what is a pure function of its key (a key that names every input, so a change of
 * input is a new key and nothing needs emptying, on this instance or any other).
 */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly maxEntries = 1000) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    // A Map keeps insertion order: moved to the end, it is the most recently used.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * Reads kept while the database has not changed: the session of each request with its user, the
 * pages opened again and again (a liaison's /me, the catalogue as a logged-in user sees it, a
 * session's attendance sheet) and a certificate's verification. An entry is served only while the database's epoch
 * (Statements.epoch: it moves after any commit by any connection of any instance) is the one it was
 * read under, so it is what a read made now would give; and for at most `ttlMs`, for what its reads
 * took from the clock ("today", "now"). A database whose epoch is not known (PostgreSQL, `:memory:`)
 * reads afresh each time. A disabled account or a changed password is a commit, so no entry
 * outlives it on any instance.
 */
export class DataCache {
  private readonly entries = new Map<string, { value: Promise<unknown>; epoch: number; expires: number }>();

  constructor(
    private readonly epoch: () => number | null,
    private readonly ttlMs: number,
    private readonly maxEntries = 2000,
  ) {}

  /** Entries held (live or not yet swept). */
  get size(): number {
    return this.entries.size;
  }

  /**
   * The value for `key`: kept, or computed now (and kept, unless it fails or `keep` says no: a key
   * anyone may make up, such as a verification code, keeps only what was found, so that made-up keys
   * cannot crowd out the rest).
   */
  remember<T>(key: string, compute: () => Promise<T>, keep?: (value: T) => boolean): Promise<T> {
    // Taken before compute() reads anything: a commit after this look moves the epoch at the next one.
    const epoch = this.epoch();
    if (epoch === null || this.ttlMs <= 0) return compute();
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.epoch === epoch && hit.expires > now) return hit.value as Promise<T>;
    // Entries are kept in the order they were made (a renewed key moves to the end), so the ones past
    // their time are at the front: dropped here, nothing outlives ttlMs by more than one request.
    for (const [old, entry] of this.entries) {
      if (entry.expires > now && entry.epoch === epoch) break;
      this.entries.delete(old);
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const value = compute();
    const entry = { value, epoch, expires: now + this.ttlMs };
    this.entries.delete(key);
    this.entries.set(key, entry);
    const drop = () => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    };
    value.then((v) => keep && !keep(v) && drop(), drop);
    return value;
  }
}
