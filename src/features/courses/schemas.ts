import { z } from 'zod';
import { checkbox, choice, decimal, integer, jalaliDate, optionalText, text, time } from '../../lib/forms';
import { pageParam } from '../../lib/params';
import { normalizeCode, normalizeText } from '../../lib/persian';

/** The forms of the courses feature, field names as DESIGN.md promises them. */

const COURSE_STATUSES = ['open', 'running', 'finished', 'cancelled'] as const;

/** An optional field: empty or missing is undefined, anything typed goes through `schema`. */
function optional<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => (v === undefined || (typeof v === 'string' && normalizeText(v) === '') ? undefined : v), schema.optional());
}

const courseCode = z
  .string({ error: 'کد دوره را وارد کنید.' })
  .transform((v) => normalizeCode(v).toUpperCase())
  .pipe(
    z
      .string()
      .min(1, 'کد دوره را وارد کنید.')
      .max(32, 'کد دوره حداکثر ۳۲ نویسه باشد.')
      .regex(/^[\p{L}\p{N}][\p{L}\p{N}\-_./]*$/u, 'کد دوره فقط از حرف، رقم و - _ . / ساخته شود.'),
  );

/** `quota[<countySlug>]` fields: a whole number of seats, or empty for no quota. */
function readQuotas(raw: Record<string, unknown> | undefined): { quotas: Record<string, number>; errors: Record<string, string> } {
  const quotas: Record<string, number> = {};
  const errors: Record<string, string> = {};
  for (const [slug, value] of Object.entries(raw ?? {})) {
    const typed = typeof value === 'string' ? normalizeCode(value) : null;
    if (typed === '') continue;
    if (typed === null || !/^\d{1,6}$/.test(typed)) errors[`quota[${slug}]`] = 'سهمیه باید عدد صحیح صفر یا بیشتر باشد.';
    else quotas[slug] = Number(typed);
  }
  return { quotas, errors };
}

export const courseSchema = z
  .object({
    code: courseCode,
    title: text({ label: 'عنوان دوره', max: 200 }),
    category: text({ label: 'دسته', max: 100 }),
    description: optionalText({ label: 'شرح دوره', max: 5000, multiline: true }),
    instructorName: optionalText({ label: 'نام مدرس', max: 120 }),
    instructor: optionalText({ label: 'نام کاربری مدرس', max: 64 }),
    capacity: integer({ label: 'ظرفیت', min: 1, max: 100_000 }),
    hours: decimal({ label: 'ساعت آموزشی', max: 9999 }).refine((v) => v > 0, 'ساعت آموزشی باید بیشتر از صفر باشد.'),
    enrollOpens: jalaliDate('تاریخ آغاز ثبت‌نام'),
    enrollCloses: jalaliDate('تاریخ پایان ثبت‌نام'),
    minAttendance: integer({ label: 'حداقل درصد حضور', min: 0, max: 100 }),
    passMark: optional(decimal({ label: 'نمرهٔ قبولی', min: 0, max: 100 })).transform((v) => v ?? null),
    countExcused: checkbox,
    approval: choice(['auto', 'manual'], 'شیوهٔ پذیرش'),
    delivery: choice(['in-person', 'online'], 'نوع برگزاری'),
    place: optionalText({ label: 'محل برگزاری', max: 200 }),
    link: optionalText({ label: 'پیوند کلاس برخط', max: 500 }),
    quota: z.record(z.string(), z.unknown(), { error: 'سهمیه‌ها نامعتبر است.' }).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.enrollCloses < v.enrollOpens) {
      ctx.addIssue({ code: 'custom', path: ['enrollCloses'], message: 'پایان ثبت‌نام نمی‌تواند پیش از آغاز آن باشد.' });
    }
    if (v.delivery === 'in-person' && !v.place) {
      ctx.addIssue({ code: 'custom', path: ['place'], message: 'محل برگزاری دورهٔ حضوری را وارد کنید.' });
    }
    if (v.delivery === 'online') {
      if (!v.link) ctx.addIssue({ code: 'custom', path: ['link'], message: 'پیوند کلاس برخط را وارد کنید.' });
      else if (!/^https?:\/\/[^\s/]+\.[^\s]*$/i.test(v.link)) {
        ctx.addIssue({ code: 'custom', path: ['link'], message: 'پیوند باید نشانی وب کامل باشد (مانند https://…).' });
      }
    }
    for (const [path, message] of Object.entries(readQuotas(v.quota).errors)) ctx.addIssue({ code: 'custom', path: [path], message });
  })
  .transform(({ quota, ...rest }) => ({ ...rest, quotas: readQuotas(quota).quotas }));
export type CourseInput = z.output<typeof courseSchema>;

const sessionFields = {
  start: time('ساعت آغاز'),
  end: time('ساعت پایان'),
  topic: optionalText({ label: 'موضوع', max: 200 }),
};
const endAfterStart = (v: { start: string; end: string }, ctx: z.RefinementCtx) => {
  if (v.end <= v.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'ساعت پایان باید پس از ساعت آغاز باشد.' });
};

export const sessionSchema = z.object({ date: jalaliDate('تاریخ جلسه'), ...sessionFields }).superRefine(endAfterStart);
export type SessionInput = z.output<typeof sessionSchema>;

export const seriesSchema = z
  .object({
    from: jalaliDate('تاریخ آغاز'),
    until: jalaliDate('تاریخ پایان'),
    weekdays: z
      .union([z.string(), z.array(z.string())], { error: 'دست‌کم یک روز هفته را برگزینید.' })
      .transform((v) => (Array.isArray(v) ? v : [v]))
      .pipe(z.array(z.enum(['0', '1', '2', '3', '4', '5', '6'], { error: 'روز هفتهٔ نامعتبر.' })).min(1, 'دست‌کم یک روز هفته را برگزینید.'))
      .transform((days) => [...new Set(days.map(Number))]),
    ...sessionFields,
  })
  .superRefine((v, ctx) => {
    if (v.until < v.from) ctx.addIssue({ code: 'custom', path: ['until'], message: 'تاریخ پایان نمی‌تواند پیش از تاریخ آغاز باشد.' });
    endAfterStart(v, ctx);
  });
export type SeriesInput = z.output<typeof seriesSchema>;

export const statusSchema = z.object({ status: choice(COURSE_STATUSES, 'وضعیت') });

/** Dropping a session not yet held; with a reason it is a cancellation the liaisons are told of. */
export const deleteSessionSchema = z.object({ reason: optionalText({ label: 'دلیل لغو جلسه', max: 300 }) });

export const duplicateSchema = z.object({ code: courseCode, sessions: checkbox });

const queryText = z.preprocess((v) => (typeof v === 'string' ? normalizeText(v).slice(0, 100) : ''), z.string());
/** `page` in a long list's query string (lib/params.ts: any digits, clamped). */
export const page = z.preprocess(pageParam, z.number());

export const adminListQuery = z.object({
  q: queryText,
  status: z.preprocess((v) => (typeof v === 'string' && ['draft', ...COURSE_STATUSES].includes(v) ? v : ''), z.string()),
  year: z.preprocess((v) => {
    const n = typeof v === 'string' ? Number(normalizeCode(v)) : Number.NaN;
    return Number.isInteger(n) && n >= 1300 && n <= 1500 ? n : null;
  }, z.number().nullable()),
  category: queryText,
  page,
});
export type AdminListQuery = z.output<typeof adminListQuery>;

export const catalogueQuery = z.object({ q: queryText, category: queryText, page });
export type CatalogueQuery = z.output<typeof catalogueQuery>;

/** An announcement to a course's liaisons: short enough for one or two SMS. */
export const ANNOUNCEMENT_MAX = 300;
export const announcementSchema = z.object({ message: text({ label: 'متن پیام', max: ANNOUNCEMENT_MAX }) });
