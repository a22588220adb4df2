import { z } from 'zod';
import { integer } from '../../lib/forms';
import { normalizeCode } from '../../lib/persian';
import { page } from '../courses/schemas';

/** At most this many notifications are marked read by one form (a page never shows more). */
export const MAX_MARKED = 50;

/** `ids=12,13,14`: the notifications the page showed, as it rendered them. */
export const markReadSchema = z.object({
  ids: z
    .string({ error: 'اعلانی برگزیده نشده است.' })
    .transform(normalizeCode)
    .pipe(z.string().regex(/^\d{1,9}(,\d{1,9}){0,49}$/, 'اعلانی برگزیده نشده است.'))
    .transform((v) => [...new Set(v.split(',').map(Number))].slice(0, MAX_MARKED)),
  back: z.preprocess((v) => (v === '/me/notifications' ? v : '/me'), z.string()),
});

export const notificationListQuery = z.object({ page });

/** The hour (Tehran time) reminders go out: 0–23 in any digits. */
export const reminderHourSchema = z.object({ reminderHour: integer({ label: 'ساعت یادآوری', min: 0, max: 23 }) });
