import path from 'node:path';
import type { Express, NextFunction, Request, Response } from 'express';
import { projectRoot } from '../config';
import * as jalali from '../lib/jalali';
import { formatNumber, formatPercent, toPersianDigits } from '../lib/persian';
import { statusBadges, statusNames } from '../lib/statuses';
import { createViewEngine } from './view-engine';

/** Helpers every view can call: Persian digits, Jalali dates, the names of statuses. */
export const viewHelpers = {
  fa: toPersianDigits,
  num: formatNumber,
  percent: formatPercent,
  date: jalali.formatDate,
  longDate: jalali.formatLongDate,
  dateTime: jalali.formatDateTime,
  jalaliInput: jalali.jalaliAscii,
  weekday: jalali.weekdayName,
  monthName: jalali.monthName,
  weekdaysFromSaturday: jalali.WEEKDAYS_FROM_SATURDAY,
  statusNames,
  statusBadges,
};

type FlashType = 'success' | 'info' | 'warning' | 'danger';
interface FlashMessage {
  type: FlashType;
  message: string;
}
const FLASH_COOKIE = 'rabet.flash';
const FLASH_TYPES: readonly string[] = ['success', 'info', 'warning', 'danger'];

/**
 * A message shown once, on the next page the user sees (after a redirect). It travels in a short-lived
 * cookie signed with the session secret, not in the session row: kept there, every form post and
 * the page after it each wrote the session to the database (on SQLite a commit that queues behind
 * every other write) just to carry one line of text. Measured: npm run bench.
 */
export function flash(req: Request, type: FlashType, message: string): void {
  const res = req.res!;
  const pending = [...((res.locals.flashNext as FlashMessage[] | undefined) ?? []), { type, message }];
  res.locals.flashNext = pending;
  res.cookie(FLASH_COOKIE, pending, { signed: true, httpOnly: true, sameSite: 'lax', secure: req.secure, maxAge: 5 * 60_000, path: '/' });
}

/** The messages a signed flash cookie carries; anything else (unsigned, tampered, malformed) is none. */
function flashFrom(req: Request): FlashMessage[] {
  const value: unknown = req.signedCookies?.[FLASH_COOKIE];
  if (!Array.isArray(value)) return [];
  return value.filter((m): m is FlashMessage => typeof m?.message === 'string' && FLASH_TYPES.includes(m?.type)).slice(0, 10);
}

/**
 * EJS views through src/middleware/view-engine.ts, which answers with the page as a Buffer: a
 * rendered page is sent as HTML (res.send would call a Buffer binary). A callback given to
 * res.render receives the Buffer.
 */
export function setUpViews(app: Express, viewCache: boolean): void {
  app.set('views', path.join(projectRoot, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', viewCache);
  // No ETag on pages: Express hashed every page it sent (SHA-1 of the whole body, a hundred
  // kilobytes for a big report) for a validator no logged-in page can use (they are no-store and
  // carry a fresh CSRF token). Files under public/ keep theirs (express.static).
  app.set('etag', false);
  // Express types a rendered view as a string; this engine's is a Buffer, which res.send takes alike.
  app.engine('ejs', createViewEngine(viewCache) as unknown as Parameters<Express['engine']>[1]);
  Object.assign(app.locals, viewHelpers);
  const render = app.response.render as (this: Response, view: string, options: object | undefined, callback: RenderCallback) => void;
  app.response.render = function renderPage(this: Response, view: string, options?: object | RenderCallback, callback?: RenderCallback) {
    const done = typeof options === 'function' ? options : callback;
    const locals = typeof options === 'function' ? {} : options;
    render.call(this, view, locals, (err: Error, page: string) => {
      if (done) return done(err, page);
      if (err) return this.req.next?.(err);
      if (!this.get('Content-Type')) this.type('html');
      this.send(page);
    });
  } as Response['render'];
}

type RenderCallback = (err: Error, page: string) => void;

/** What the layout needs on every page: the user, the flash messages, the current path. */
export function setUpPageLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.user = req.user ?? null;
  res.locals.path = req.path;
  res.locals.flash = flashFrom(req);
  if (req.cookies?.[FLASH_COOKIE] !== undefined || req.signedCookies?.[FLASH_COOKIE] !== undefined) {
    res.clearCookie(FLASH_COOKIE, { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' });
  }
  next();
}
