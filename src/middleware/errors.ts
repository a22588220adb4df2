import type { NextFunction, Request, Response } from 'express';
import { HttpError, NotFoundError, ServiceUnavailableError } from '../lib/errors';

export function notFound(_req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError());
}

const TITLES: Record<number, string> = {
  400: 'درخواست نامعتبر',
  403: 'دسترسی مجاز نیست',
  404: 'پیدا نشد',
  409: 'امکان انجام نیست',
  413: 'حجم درخواست زیاد است',
  429: 'درخواست‌های زیاد',
  500: 'خطای سامانه',
  503: 'سامانه موقتاً پاسخ نمی‌دهد',
};

/**
 * The one error handler: a Persian page with the status of the error. Outside development no
 * stack trace or internal message ever reaches the page.
 */
export function errorHandler(production: boolean) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string; code?: string };
    let status = err instanceof HttpError ? err.status : (e.status ?? e.statusCode ?? 500);
    if (status < 400 || status > 599) status = 500;
    let message: string;
    if (err instanceof HttpError) message = err.message;
    else if (e.code === 'EBADCSRFTOKEN') message = e.message ?? '';
    else if (e.type === 'entity.too.large') message = 'حجم فرم فرستاده‌شده بیش از حد مجاز است.';
    else if (status < 500) message = 'درخواست نامعتبر است.';
    else message = 'خطایی در سامانه رخ داد. دوباره تلاش کنید و اگر تکرار شد به روابط عمومی خبر دهید.';
    if (status >= 500 && status !== 503) console.error(`[${new Date().toISOString()}] ${req.method} ${req.originalUrl}`, err);
    if (res.headersSent) return;
    res.status(status);
    if (err instanceof ServiceUnavailableError) res.set('Retry-After', String(err.retryAfterSeconds));
    // An error before the page locals were set (a body too large, say) still renders the layout.
    res.locals.user ??= req.user ?? null;
    res.locals.flash ??= [];
    res.locals.csrfToken ??= () => '';
    const stack = !production && status >= 500 && err instanceof Error ? err.stack : null;
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ error: message });
      return;
    }
    res.render('errors/error', { title: TITLES[status] ?? 'خطا', status, message, stack }, (renderErr, html) => {
      if (renderErr) {
        console.error(renderErr);
        res.type('text/plain; charset=utf-8').send(message);
      } else {
        res.type('html').send(html);
      }
    });
  };
}
