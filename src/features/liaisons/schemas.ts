import { z } from 'zod';
import { checkbox, choice, optionalText, text } from '../../lib/forms';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../lib/password';
import { nationalCodeProblem, parseNationalCode } from '../../lib/national-code';
import { parseMobile } from '../../lib/mobile';
import { normalizeCode, toPersianDigits } from '../../lib/persian';
import { pageParam } from '../../lib/params';
import { normalizeUsername } from '../auth/service';

const NOT_TEXT = 'مقدار این فیلد نامعتبر است.';

export const nationalCode = z.string({ error: NOT_TEXT }).transform((v, ctx) => {
  const problem = nationalCodeProblem(v);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  }
  return parseNationalCode(v)!;
});

export const MOBILE_MESSAGE = 'شمارهٔ همراه باید ۱۱ رقم و به شکل ۰۹xxxxxxxxx باشد.';
export const mobile = z.string({ error: NOT_TEXT }).transform((v, ctx) => {
  const parsed = parseMobile(v);
  if (!parsed) {
    ctx.addIssue({ code: 'custom', message: MOBILE_MESSAGE });
    return z.NEVER;
  }
  return parsed;
});

export const USERNAME_MESSAGE = 'نام کاربری ۳ تا ۶۴ نویسه از حروف انگلیسی، رقم، نقطه، خط تیره یا زیرخط باشد.';
export const username = z
  .string({ error: NOT_TEXT })
  .transform(normalizeUsername)
  .pipe(z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, USERNAME_MESSAGE));

export const password = z
  .string({ error: NOT_TEXT })
  .min(MIN_PASSWORD_LENGTH, `گذرواژه دست‌کم ${toPersianDigits(MIN_PASSWORD_LENGTH)} نویسه باشد.`)
  .max(MAX_PASSWORD_LENGTH, 'گذرواژه بیش از اندازه بلند است.');

export const countySlug = z
  .string({ error: 'شهرستان را انتخاب کنید.' })
  .transform((v) => normalizeCode(v).toLowerCase())
  .pipe(z.string().min(1, 'شهرستان را انتخاب کنید.').max(64, 'شهرستان را انتخاب کنید.'));

const email = optionalText({ label: 'رایانامه', max: 254 })
  .transform((v) => (v === null ? null : v.toLowerCase()))
  .refine((v) => v === null || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), 'رایانامه معتبر نیست (مانند name@example.com).');

const personal = {
  fullName: text({ label: 'نام و نام خانوادگی', max: 120, min: 3 }),
  fatherName: text({ label: 'نام پدر', max: 120 }),
  mobile,
  county: countySlug,
  position: text({ label: 'واحد / سمت', max: 160 }),
};

export const registerSchema = z.object({ ...personal, nationalCode, username, password });
export type RegisterInput = z.output<typeof registerSchema>;

/** A liaison's own details, and whether they want session reminders by SMS. */
export const profileSchema = z.object({ ...personal, email, smsReminders: checkbox });
export type ProfileInput = z.output<typeof profileSchema>;

export const changePasswordSchema = z
  .object({
    currentPassword: z.string({ error: 'گذرواژهٔ فعلی را وارد کنید.' }).min(1, 'گذرواژهٔ فعلی را وارد کنید.').max(MAX_PASSWORD_LENGTH),
    newPassword: password,
    confirmPassword: z.string({ error: 'تکرار گذرواژه را وارد کنید.' }),
  })
  .refine((v) => v.newPassword === v.confirmPassword, { message: 'تکرار گذرواژه با گذرواژهٔ تازه یکی نیست.', path: ['confirmPassword'] });

export const ROLES = ['liaison', 'instructor'] as const;
export const STATUSES = ['pending', 'active', 'disabled'] as const;

/** An account an admin creates or edits. An empty password on creation means "make one up". */
export const adminAccountSchema = z.object({
  ...personal,
  nationalCode,
  username,
  email,
  role: choice(ROLES, 'نقش'),
});
export type AdminAccountInput = z.output<typeof adminAccountSchema>;

/** A password an admin types, or nothing to have one made up and shown once. */
export const optionalPasswordSchema = z.object({
  password: z
    .string({ error: NOT_TEXT })
    .optional()
    .transform((v, ctx) => {
      if (!v) return null;
      const checked = password.safeParse(v);
      if (!checked.success) {
        ctx.addIssue({ code: 'custom', message: checked.error.issues[0].message });
        return z.NEVER;
      }
      return checked.data;
    }),
});

export const settingsSchema = z.object({ autoActivate: checkbox });

export const listQuerySchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  county: z.string().max(64).optional().catch(undefined),
  status: z.enum(STATUSES).optional().catch(undefined),
  role: z.enum(ROLES).optional().catch(undefined),
  page: z.preprocess(pageParam, z.number()),
});
