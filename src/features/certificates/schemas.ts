import { z } from 'zod';
import { integer, optionalText, text } from '../../lib/forms';

/** POST /admin/courses/:id/certificates: nothing (all eligible), or one enrollment, optionally overriding. */
export const issueSchema = z.object({
  enrollment: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === '' ? undefined : v))
    .pipe(integer({ label: 'ثبت‌نام', min: 1 }).optional()),
  override: optionalText({ label: 'دلیل صدور خارج از ضابطه', max: 500 }),
});

export const revokeSchema = z.object({
  reason: text({ label: 'دلیل ابطال', max: 500 }),
});

export const signatoriesSchema = z.object({
  headOfPr: optionalText({ label: 'نام مدیر روابط عمومی', max: 120 }),
  directorGeneral: optionalText({ label: 'نام مدیرکل', max: 120 }),
});
