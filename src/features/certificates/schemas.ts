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

const queryText = z
  .unknown()
  .optional()
  .transform((v) => (typeof v === 'string' ? v.slice(0, 300).trim() : ''));

/**
 * GET /verify: `code` (any case, grouped or not, or the whole URL), or `serial` with `nationalCode`,
 * or `sha256` (where an uploaded PDF's check lands), or nothing (the form).
 */
export const verifyLookupSchema = z
  .object({ code: queryText, serial: queryText, nationalCode: queryText, sha256: queryText })
  .transform((q) => {
    if (/^[0-9a-f]{64}$/.test(q.sha256)) return { kind: 'file' as const, sha256: q.sha256 };
    if (q.code) return { kind: 'code' as const, code: q.code };
    if (q.serial || q.nationalCode) return { kind: 'serial' as const, serial: q.serial, nationalCode: q.nationalCode };
    return { kind: 'none' as const };
  });
