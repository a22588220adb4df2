import { z } from 'zod';
import { FormError, type FieldErrors } from './errors';
import { formatNumber, normalizeCode, normalizeMultilineText, normalizeText } from './persian';
import { parseJalaliDate, parseTime } from './jalali';

/**
 * Zod building blocks for form fields. Every text is normalised (Persian letters, no bidi controls)
 * before it is checked; numbers and dates accept Persian, Arabic-Indic or ASCII digits.
 * A field that arrives as an array or an object (`a[]=1`, `a[$gt]=0`) is refused as not a string.
 */
const NOT_TEXT = 'مقدار این فیلد نامعتبر است.';

export function text(opts: { label: string; max: number; min?: number }) {
  const min = opts.min ?? 1;
  return z
    .string({ error: NOT_TEXT })
    .transform(normalizeText)
    .pipe(
      z
        .string()
        .min(min, min <= 1 ? `${opts.label} را وارد کنید.` : `${opts.label} دست‌کم ${formatNumber(min)} نویسه باشد.`)
        .max(opts.max, `${opts.label} حداکثر ${formatNumber(opts.max)} نویسه باشد.`),
    );
}

/** An optional text; single-line unless `multiline` (a textarea), whose line breaks are kept. */
export function optionalText(opts: { label: string; max: number; multiline?: boolean }) {
  const normalize = opts.multiline ? normalizeMultilineText : normalizeText;
  return z
    .string({ error: NOT_TEXT })
    .optional()
    .transform((v) => (v === undefined ? '' : normalize(v)))
    .pipe(z.string().max(opts.max, `${opts.label} حداکثر ${formatNumber(opts.max)} نویسه باشد.`))
    .transform((v) => (v === '' ? null : v));
}

export function integer(opts: { label: string; min?: number; max?: number }) {
  return z
    .string({ error: NOT_TEXT })
    .transform(normalizeCode)
    .pipe(z.string().regex(/^-?\d{1,9}$/, `${opts.label} باید عدد صحیح باشد.`))
    .transform(Number)
    .pipe(
      z
        .number()
        .min(opts.min ?? Number.MIN_SAFE_INTEGER, `${opts.label} باید دست‌کم ${formatNumber(opts.min ?? 0)} باشد.`)
        .max(opts.max ?? Number.MAX_SAFE_INTEGER, `${opts.label} حداکثر ${formatNumber(opts.max ?? 0)} است.`),
    );
}

export function decimal(opts: { label: string; min?: number; max?: number }) {
  return z
    .string({ error: NOT_TEXT })
    .transform((v) => normalizeCode(v).replace('٫', '.').replace('/', '.'))
    .pipe(z.string().regex(/^-?\d{1,6}(\.\d{1,2})?$/, `${opts.label} باید عدد باشد.`))
    .transform(Number)
    .pipe(
      z
        .number()
        .min(opts.min ?? -1e9, `${opts.label} باید دست‌کم ${formatNumber(opts.min ?? 0)} باشد.`)
        .max(opts.max ?? 1e9, `${opts.label} حداکثر ${formatNumber(opts.max ?? 0)} است.`),
    );
}

export function jalaliDate(label: string) {
  return z.string({ error: NOT_TEXT }).transform((v, ctx) => {
    const iso = parseJalaliDate(v);
    if (!iso) {
      ctx.addIssue({ code: 'custom', message: `${label} یک تاریخ شمسی معتبر نیست (مانند ۱۴۰۵/۰۹/۰۶).` });
      return z.NEVER;
    }
    return iso;
  });
}

export function time(label: string) {
  return z.string({ error: NOT_TEXT }).transform((v, ctx) => {
    const t = parseTime(v);
    if (!t) {
      ctx.addIssue({ code: 'custom', message: `${label} باید ساعت یا ساعت:دقیقه باشد (مانند ۱۶ یا ۱۶:۳۰).` });
      return z.NEVER;
    }
    return t;
  });
}

export function choice<T extends string>(values: readonly [T, ...T[]], label: string) {
  return z.enum(values, { error: `${label} را از گزینه‌ها انتخاب کنید.` });
}

/** A checkbox: present means true. */
export const checkbox = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => v !== undefined);

/** Parses a form body with a schema; throws FormError with one Persian message per field. */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const fields: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = String(issue.path[0] ?? '_form');
    if (!fields[key]) fields[key] = issue.code === 'invalid_type' ? NOT_TEXT_OR_MISSING(issue) : issue.message;
  }
  throw new FormError(fields);
}

function NOT_TEXT_OR_MISSING(issue: z.core.$ZodIssue): string {
  return 'input' in issue && issue.input === undefined ? 'این فیلد لازم است.' : issue.message;
}

/** The values a user typed, as strings, to put back into a re-rendered form. */
export function typedValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string' && k !== '_csrf' && k !== 'password') values[k] = v;
    }
  }
  return values;
}
