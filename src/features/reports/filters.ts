import { z } from 'zod';
import { BadRequestError } from '../../lib/errors';
import { jalaliMonthRange, jalaliYear, jalaliYearRange, monthName, tehranInstant, addDaysIso, todayIso } from '../../lib/jalali';
import { normalizeCode, normalizeText, toPersianDigits } from '../../lib/persian';
import type { CountyFinder } from '../counties/names';

/**
 * The filters every report takes in its query string: Jalali `year` (or `all`) and `month`, course
 * `category`, `county` (its slug, or its name as typed: resolveCounty), and `format` (page, csv or
 * xlsx). A missing year means this Jalali year.
 */
const optional = (inner: z.ZodType<unknown>) => z.preprocess((v) => (v === '' || v === undefined ? undefined : v), inner.optional());

export const reportQuerySchema = z.object({
  year: optional(
    z
      .string()
      .transform(normalizeCode)
      .pipe(
        z.union([
          z.literal('all'),
          z
            .string()
            .regex(/^1[34]\d\d$/)
            .transform(Number),
        ]),
      ),
  ),
  month: optional(
    z
      .string()
      .transform(normalizeCode)
      .pipe(
        z
          .string()
          .regex(/^(0?[1-9]|1[0-2])$/)
          .transform(Number),
      ),
  ),
  category: optional(z.string().transform(normalizeText).pipe(z.string().max(100))),
  county: optional(z.string().transform(normalizeText).pipe(z.string().min(1).max(100))),
  format: optional(z.enum(['html', 'csv', 'xlsx'])),
});

export interface ReportFilters {
  /** Jalali year, or null for every year. */
  year: number | null;
  month: number | null;
  category: string | null;
  county: string | null;
  format: 'html' | 'csv' | 'xlsx';
  /** ISO date range of the period (inclusive), or null for all time. */
  from: string | null;
  to: string | null;
  /** The same period as UTC instants [fromInstant, toInstant) for timestamp columns. */
  fromInstant: Date | null;
  toInstant: Date | null;
  /** «آذر ۱۴۰۵», «سال ۱۴۰۵» or «همهٔ سال‌ها». */
  periodLabel: string;
}

export function parseReportFilters(query: unknown, now: Date = new Date()): ReportFilters {
  const parsed = reportQuerySchema.safeParse(query ?? {});
  if (!parsed.success) throw new BadRequestError('پارامترهای گزارش نامعتبر است (سال، ماه، دسته یا شهرستان).');
  const q = parsed.data as { year?: number | 'all'; month?: number; category?: string; county?: string; format?: ReportFilters['format'] };
  const year = q.year === 'all' ? null : (q.year ?? jalaliYear(todayIso(now)));
  const month = year === null ? null : (q.month ?? null);
  const range = year === null ? null : month ? jalaliMonthRange(year, month) : jalaliYearRange(year);
  const periodLabel = year === null ? 'همهٔ سال‌ها' : toPersianDigits(month ? `${monthName(month)} ${year}` : `سال ${year}`);
  return {
    year,
    month,
    category: q.category || null,
    county: q.county ?? null,
    format: q.format ?? 'html',
    from: range?.from ?? null,
    to: range?.to ?? null,
    fromInstant: range ? tehranInstant(range.from, '00:00') : null,
    toInstant: range ? tehranInstant(addDaysIso(range.to, 1), '00:00') : null,
    periodLabel,
  };
}

/**
 * Up to this many counties, the filter offers them in a list; past it (a country's 445 made a list of
 * 22,000 characters on every report page, more than the rest of the county report's page) the county
 * is typed, by name.
 */
export const COUNTIES_IN_A_LIST = 40;

const SLUG = /^[a-z0-9-]{1,64}$/;

/**
 * The county a report filter names: a slug stays as it is (the report refuses one it does not know);
 * otherwise the county the finder finds by name (countyFinder: its slug in any case, its name in any
 * digits, spacing or letter forms), or the one whose name holds what was typed. `error` says in
 * Persian why none is taken.
 */
export function resolveCounty(
  value: string | null,
  counties: CountyFinder<{ slug: string; name: string }>,
): { slug: string | null; error: string | null } {
  if (!value || SLUG.test(value)) return { slug: value, error: null };
  const named = counties.named(value);
  if (named) return { slug: named.slug, error: null };
  const near = counties.containing(value);
  if (near.length === 1) return { slug: near[0].slug, error: null };
  if (!near.length) return { slug: null, error: `شهرستانی با نام «${value}» پیدا نشد.` };
  const shown = near.slice(0, 5).map((c) => c.name);
  return {
    slug: null,
    error: `«${value}» در نام چند شهرستان هست (${shown.join('، ')}${near.length > shown.length ? '، …' : ''})؛ نام کامل را بنویسید.`,
  };
}

/** The query string of these filters (for export links and prev/next), without format. */
export function filterQuery(f: ReportFilters, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  params.set('year', f.year === null ? 'all' : String(f.year));
  if (f.month) params.set('month', String(f.month));
  if (f.category) params.set('category', f.category);
  if (f.county) params.set('county', f.county);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params.toString();
}
