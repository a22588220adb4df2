import type { Sequelize } from 'sequelize';
import type { Column, Table } from '../../lib/export';
import { jalaliAscii } from '../../lib/jalali';
import { comparePersian } from '../../lib/persian';
import type { EvaluationItem } from '../../services/settings';
import { countTopics } from '../evaluations/presenter';
import { MIN_ANSWERS_SHOWN } from '../evaluations/rules';
import type { ReportFilters } from './filters';
import { num, select } from './sql';
import { isoDate } from './service';

/**
 * The evaluation report across courses, instructors and categories for a Jalali period: a course
 * is in the period when its last session (when its evaluation opened) is. Means are shown for a
 * row only from MIN_ANSWERS_SHOWN answers (the rule of features/evaluations/rules.ts). Answers
 * carry no county, so the county filter does not apply here.
 */

export interface EvaluationGroupRow {
  key: string;
  label: string;
  courses: number;
  answers: number;
  eligible: number;
  responseRate: number | null;
  /** Mean per question key (null when too few answers to show). */
  means: Record<string, number | null>;
  overall: number | null;
  shown: boolean;
}

export interface EvaluationCourseRow extends EvaluationGroupRow {
  id: number;
  code: string;
  category: string;
  instructorName: string | null;
  lastDate: string | null;
}

interface Sums {
  answers: number;
  eligible: number;
  courses: number;
  items: Map<string, { total: number; n: number }>;
}

function finish(key: string, label: string, sums: Sums): EvaluationGroupRow {
  const shown = sums.answers >= MIN_ANSWERS_SHOWN;
  const means: Record<string, number | null> = {};
  let total = 0;
  let n = 0;
  for (const [item, s] of sums.items) {
    means[item] = shown && s.n ? Math.round((s.total / s.n) * 100) / 100 : null;
    total += s.total;
    n += s.n;
  }
  return {
    key,
    label,
    courses: sums.courses,
    answers: sums.answers,
    eligible: sums.eligible,
    responseRate: sums.eligible ? Math.round((sums.answers / sums.eligible) * 1000) / 10 : null,
    means,
    overall: shown && n ? Math.round((total / n) * 100) / 100 : null,
    shown,
  };
}

function add(into: Sums, from: Sums): void {
  into.answers += from.answers;
  into.eligible += from.eligible;
  into.courses += from.courses;
  for (const [item, s] of from.items) {
    const t = into.items.get(item) ?? { total: 0, n: 0 };
    t.total += s.total;
    t.n += s.n;
    into.items.set(item, t);
  }
}

const empty = (): Sums => ({ answers: 0, eligible: 0, courses: 0, items: new Map() });

export async function evaluationReport(sql: Sequelize, f: ReportFilters, template: { items: EvaluationItem[] }) {
  const where = ['1 = 1'];
  if (f.category) where.push('c.category = :category');
  if (f.from) where.push('span.last_date BETWEEN :from AND :to');
  const picked = `SELECT c.id FROM courses c JOIN (SELECT course_id, MAX(date) AS last_date FROM course_sessions GROUP BY course_id) span
                   ON span.course_id = c.id WHERE c.status NOT IN ('draft', 'cancelled') AND ${where.join(' AND ')}`;
  const replacements = { from: f.from, to: f.to, category: f.category };
  const [courses, scores, topics] = await Promise.all([
    select<Record<string, unknown>>(
      sql,
      `SELECT c.id, c.code, c.title, c.category, c.instructor_name,
              (SELECT MAX(s.date) FROM course_sessions s WHERE s.course_id = c.id) AS last_date,
              (SELECT COUNT(*) FROM evaluation_answers a WHERE a.course_id = c.id) AS answers,
              (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status = 'approved') AS approved
         FROM courses c WHERE c.id IN (${picked})`,
      replacements,
    ),
    select<{ course_id: unknown; item: string; total: unknown; n: unknown }>(
      sql,
      `SELECT course_id, item, SUM(score) AS total, COUNT(*) AS n FROM evaluation_scores
        WHERE course_id IN (${picked}) GROUP BY course_id, item`,
      replacements,
    ),
    select<{ course_id: unknown; topics: string }>(
      sql,
      `SELECT course_id, topics FROM evaluation_answers WHERE topics IS NOT NULL AND course_id IN (${picked})`,
      replacements,
    ),
  ]);
  const sums = new Map<number, Sums>();
  for (const c of courses) {
    const answers = num(c.answers);
    sums.set(num(c.id), { answers, eligible: Math.max(num(c.approved), answers), courses: 1, items: new Map() });
  }
  const keys = new Set(template.items.map((i) => i.key));
  for (const s of scores) {
    keys.add(s.item);
    sums.get(num(s.course_id))?.items.set(s.item, { total: num(s.total), n: num(s.n) });
  }
  const labels = new Map(template.items.map((i) => [i.key, i.label]));
  const items = [...keys].map((key) => ({ key, label: labels.get(key) ?? key }));

  const courseRows: EvaluationCourseRow[] = courses
    .map((c) => ({
      ...finish(String(c.id), String(c.title), sums.get(num(c.id))!),
      id: num(c.id),
      code: String(c.code),
      category: String(c.category),
      instructorName: (c.instructor_name as string | null) || null,
      lastDate: isoDate(c.last_date),
    }))
    .sort((a, b) => (a.lastDate ?? '').localeCompare(b.lastDate ?? '') || a.id - b.id);

  const group = (keyOf: (c: EvaluationCourseRow) => string) => {
    const groups = new Map<string, Sums>();
    for (const c of courseRows) {
      const key = keyOf(c);
      const g = groups.get(key) ?? empty();
      add(g, sums.get(c.id)!);
      groups.set(key, g);
    }
    return [...groups.entries()].map(([key, s]) => finish(key, key, s)).sort((a, b) => comparePersian(a.label, b.label));
  };
  const total = empty();
  for (const s of sums.values()) add(total, s);
  return {
    items,
    courses: courseRows,
    instructors: group((c) => c.instructorName ?? 'بدون نام مدرس'),
    categories: group((c) => c.category),
    total: finish('all', 'همهٔ دوره‌ها', total),
    // Topics only from courses with enough answers, so a single answer's wish is not traced to its course.
    topics: countTopics(topics.filter((t) => (sums.get(num(t.course_id))?.answers ?? 0) >= MIN_ANSWERS_SHOWN).map((t) => t.topics)),
  };
}

export type EvaluationReport = Awaited<ReturnType<typeof evaluationReport>>;

/** The export: one row per course (or per instructor or category), the means per question. */
export function evaluationTable(
  report: EvaluationReport,
  by: 'course' | 'instructor' | 'category',
  f: ReportFilters,
): Table<EvaluationGroupRow | EvaluationCourseRow> {
  type Row = EvaluationGroupRow | EvaluationCourseRow;
  const isCourse = (r: Row): r is EvaluationCourseRow => 'code' in r;
  const head: Column<Row>[] =
    by === 'course'
      ? [
          { header: 'کد دوره', value: (r) => (isCourse(r) ? r.code : null), width: 12 },
          { header: 'عنوان دوره', value: (r) => r.label, width: 36 },
          { header: 'دسته', value: (r) => (isCourse(r) ? r.category : null), width: 18 },
          { header: 'مدرس', value: (r) => (isCourse(r) ? r.instructorName : null), width: 20 },
          { header: 'تاریخ آخرین جلسه', value: (r) => (isCourse(r) && r.lastDate ? jalaliAscii(r.lastDate) : null), width: 14 },
        ]
      : [
          { header: by === 'instructor' ? 'مدرس' : 'دسته', value: (r) => r.label, width: 24 },
          { header: 'دوره‌ها', value: (r) => r.courses, width: 8 },
        ];
  const columns: Column<Row>[] = [
    ...head,
    { header: 'پاسخ‌ها', value: (r) => r.answers, width: 8 },
    { header: 'پذیرفته‌شدگان', value: (r) => r.eligible, width: 10 },
    { header: 'نرخ پاسخ (درصد)', value: (r) => r.responseRate, width: 10 },
    ...report.items.map((i) => ({ header: i.label, value: (r: Row) => r.means[i.key] ?? null, width: 12 })),
    { header: 'میانگین کل', value: (r) => r.overall, width: 10 },
  ];
  const rows = by === 'course' ? report.courses : by === 'instructor' ? report.instructors : report.categories;
  const period = f.year === null ? 'all' : f.month ? `${f.year}-${String(f.month).padStart(2, '0')}` : String(f.year);
  return {
    fileName: `rabet-evaluations-${by}-${period}`,
    sheetName: 'ارزشیابی دوره‌ها',
    caption: `ارزشیابی دوره‌ها · ${f.periodLabel}`,
    columns,
    rows,
  };
}
