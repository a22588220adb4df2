import type { NextFunction, Request, Response } from 'express';
import type { Role } from '../models/user';
import { ForbiddenError } from '../lib/errors';

/** The logged-in user as the rest of the app sees it: plain data, no model instance. */
export interface CurrentUser {
  id: number;
  role: Role;
  username: string;
  fullName: string;
  countyId: number | null;
  status: string;
  /** Notifications not yet marked read: the count in the navigation. */
  unreadNotifications: number;
}

declare global {
  namespace Express {
    interface User extends CurrentUser {}
  }
}

function sendToLogin(req: Request, res: Response): void {
  const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.originalUrl)}` : '';
  res.redirect(303, `/login${next}`);
}

/** Logged-in users only; anyone else is sent to the login page. */
export function requireLogin(req: Request, res: Response, next: NextFunction): void {
  if (!req.user) return sendToLogin(req, res);
  next();
}

/** Logged-in users with one of these roles; another role gets a Persian 403 page. */
export function requireRole(...roles: Role[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!req.user) return sendToLogin(req, res);
    if (!roles.includes(req.user.role)) return next(new ForbiddenError());
    next();
  };
}

/** Pages with personal data are never kept by browsers or proxies. */
export function noStoreWhenLoggedIn(req: Request, res: Response, next: NextFunction): void {
  if (req.user) res.set('Cache-Control', 'no-store');
  next();
}
