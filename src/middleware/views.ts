import path from 'node:path';
import type { Express, NextFunction, Request, Response } from 'express';
import { projectRoot } from '../config';
import * as jalali from '../lib/jalali';
import { toPersianDigits } from '../lib/persian';

/** Helpers every view can call: Persian digits and Jalali dates. */
export const viewHelpers = {
  fa: toPersianDigits,
  date: jalali.formatDate,
  longDate: jalali.formatLongDate,
  dateTime: jalali.formatDateTime,
  jalaliInput: jalali.jalaliAscii,
  weekday: jalali.weekdayName,
};

declare module 'express-session' {
  interface SessionData {
    flash?: { type: 'success' | 'info' | 'warning' | 'danger'; message: string }[];
  }
}

/** A message shown once, on the next page the user sees (after a redirect). */
export function flash(req: Request, type: 'success' | 'info' | 'warning' | 'danger', message: string): void {
  req.session.flash = [...(req.session.flash ?? []), { type, message }];
}

export function setUpViews(app: Express, viewCache: boolean): void {
  app.set('views', path.join(projectRoot, 'views'));
  app.set('view engine', 'ejs');
  app.set('view cache', viewCache);
  Object.assign(app.locals, viewHelpers);
}

/** What the layout needs on every page: the user, the flash messages, the current path. */
export function setUpPageLocals(req: Request, res: Response, next: NextFunction): void {
  res.locals.user = req.user ?? null;
  res.locals.path = req.path;
  res.locals.flash = req.session?.flash ?? [];
  if (req.session?.flash) delete req.session.flash;
  next();
}
