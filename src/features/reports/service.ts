import type { Sequelize } from 'sequelize';
import { BadRequestError, NotFoundError } from '../../lib/errors';
import { jalaliParts, todayIso } from '../../lib/jalali';
import { activeCounties } from '../counties/queries';
import { courseCategories } from '../courses/queries';
import { County, User } from '../../models';
import type { ReportFilters } from './filters';
import {
  countsAsAttended,
  dialectOf,
  enrollmentAttendanceSql,
  meetsMinimumSql,
  num,
  percent,
  select,
  sessionMinutes,
  tehranNowMinute,
  wasPresent,
} from './sql';

/**
 * The reports of DESIGN.md flow 7, each one aggregate query (GROUP BY in the database): nothing
 * here loads rows per enrollment or per mark into Node. Attendance is read from the totals of
 * features/attendance/totals.ts (kept by triggers), not from the millions of marks, so that every
 * page answers well under 500 ms at national scale (3,000,000 marks) on SQLite and PostgreSQL.
 */

/** An enrollment that still stands (counted as a sign-up in reports). */
const STANDING = `('pending', 'approved', 'waitlisted')`;
/** The county an enrollment was made from (set from the liaison's county when enrolling; quotas count it too). */
const ENROLLMENT_COUNTY = 'e.county_id';

export function isoDate(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) {
    const y = value.getFullYear();
    return `${y}-${String(value.getMonth() + 1).padStart(2, '0')}-${String(value.getDate()).padStart(2, '0')}`;
  }
  return String(value).slice(0, 10);
}

interface Context {
  sql: Sequelize;
  filters: ReportFilters;
  now?: Date;
}

async function countyIdOf(slug: string | null): Promise<number | null> {
  if (!slug) return null;
  const county = await County.findOne({ where: { slug }, attributes: ['id'] });
  if (!county) throw new BadRequestError('شهرستان انتخاب‌شده پیدا نشد.');
  return county.id;
}

function baseReplacements(f: ReportFilters, now: Date) {
  return {
    today: todayIso(now),
    nowMinute: tehranNowMinute(now),
    from: f.from,
    to: f.to,
    fromInstant: f.fromInstant,
    toInstant: f.toInstant,
    category: f.category,
  };
}

// ---------------------------------------------------------------- per course

export interface CourseRow {
  id: number;
  code: string;
  title: string;
  category: string;
  status: string;
  capacity: number;
  hours: number;
  firstDate: string | null;
  lastDate: string | null;
  sessions: number;
  enrolled: number;
  waitlisted: number;
  pending: number;
  attended: number;
  eligible: number;
  certified: number;
}

/**
 * Per course: enrolled (approved), waitlisted, attended (approved with a present or late mark on a
 * held session),
 * eligible (attendance over the sessions held since enrolling meets the course minimum, and the
 * pass mark if the course has one), certified (valid certificates). A course is in the period when
 * one of its sessions falls in it; `county` narrows every count to the liaisons from that county.
 * Enrollments and their attendance are read from attendance_totals (one row per enrollment).
 */
export async function courseReport({ sql, filters: f, now = new Date() }: Context): Promise<CourseRow[]> {
  const countyId = await countyIdOf(f.county);
  const courseWhere = ['1 = 1'];
  if (f.category) courseWhere.push('c.category = :category');
  if (f.from) courseWhere.push('EXISTS (SELECT 1 FROM course_sessions ps WHERE ps.course_id = c.id AND ps.date BETWEEN :from AND :to)');
  const inCounty = countyId ? `AND ${ENROLLMENT_COUNTY} = :countyId` : '';
  const rows = await select<Record<string, unknown>>(
    sql,
    `WITH picked AS (SELECT c.id FROM courses c WHERE ${courseWhere.join(' AND ')}),
    att AS (${enrollmentAttendanceSql(dialectOf(sql), 'SELECT id FROM picked', countyId ? `${ENROLLMENT_COUNTY} = :countyId` : '1 = 1', '1 = 1', STANDING)}),
    enr AS (
      SELECT att.course_id,
        SUM(CASE WHEN att.status = 'approved' THEN 1 ELSE 0 END) AS enrolled,
        SUM(CASE WHEN att.status = 'waitlisted' THEN 1 ELSE 0 END) AS waitlisted,
        SUM(CASE WHEN att.status = 'pending' THEN 1 ELSE 0 END) AS pending,
        SUM(CASE WHEN att.status = 'approved' AND att.present > 0 THEN 1 ELSE 0 END) AS attended,
        SUM(CASE WHEN att.status = 'approved' AND ${meetsMinimumSql('att', 'att')} AND (att.pass_mark IS NULL OR att.mark >= att.pass_mark) THEN 1 ELSE 0 END) AS eligible
      FROM att
      GROUP BY att.course_id),
    cert AS (
      SELECT e.course_id, COUNT(*) AS certified
      FROM certificates ct JOIN enrollments e ON e.id = ct.enrollment_id
      WHERE ct.status = 'valid' AND e.course_id IN (SELECT id FROM picked) ${inCounty}
      GROUP BY e.course_id),
    span AS (
      SELECT s.course_id, MIN(s.date) AS first_date, MAX(s.date) AS last_date, COUNT(*) AS sessions
      FROM course_sessions s WHERE s.course_id IN (SELECT id FROM picked)
      GROUP BY s.course_id)
    SELECT c.id, c.code, c.title, c.category, c.status, c.capacity, c.hours,
      span.first_date, span.last_date, span.sessions,
      enr.enrolled, enr.waitlisted, enr.pending, enr.attended, enr.eligible, cert.certified
    FROM courses c
    LEFT JOIN span ON span.course_id = c.id
    LEFT JOIN enr ON enr.course_id = c.id
    LEFT JOIN cert ON cert.course_id = c.id
    WHERE c.id IN (SELECT id FROM picked)
    ORDER BY (CASE WHEN span.first_date IS NULL THEN 1 ELSE 0 END), span.first_date, c.id`,
    { ...baseReplacements(f, now), countyId },
  );
  return rows.map((r) => ({
    id: num(r.id),
    code: String(r.code),
    title: String(r.title),
    category: String(r.category),
    status: String(r.status),
    capacity: num(r.capacity),
    hours: num(r.hours),
    firstDate: isoDate(r.first_date),
    lastDate: isoDate(r.last_date),
    sessions: num(r.sessions),
    enrolled: num(r.enrolled),
    waitlisted: num(r.waitlisted),
    pending: num(r.pending),
    attended: num(r.attended),
    eligible: num(r.eligible),
    certified: num(r.certified),
  }));
}

// ---------------------------------------------------------------- per county

export interface CountyRow {
  id: number;
  slug: string;
  name: string;
  liaisons: number;
  enrollments: number;
  people: number;
  marks: number;
  attendedMarks: number;
  attendancePercent: number | null;
  hours: number;
  certificates: number;
  sentNobody: boolean;
}

/**
 * Per active county: active liaisons; standing enrollments (pending, approved, waitlisted; courses
 * not cancelled) made in the period; attendance marks of the county's liaisons on sessions dated in the period and the
 * percent of them attended; training hours = the length of the sessions they were present at;
 * valid certificates issued in the period. A county with no enrollment in the period "sent nobody".
 * The marks of a course whose sessions all fall in the period are its enrollments' attendance_totals;
 * only the few courses that straddle an edge of the period are counted from their marks.
 */
export async function countyReport({ sql, filters: f, now = new Date() }: Context): Promise<CountyRow[]> {
  const withCategory = f.category ? 'AND c.category = :category' : '';
  const enrolledIn = f.fromInstant ? 'AND e.created_at >= :fromInstant AND e.created_at < :toInstant' : '';
  const issuedIn = f.fromInstant ? 'AND ct.issued_at >= :fromInstant AND ct.issued_at < :toInstant' : '';
  const rows = await select<Record<string, unknown>>(
    sql,
    `${f.from ? 'WITH span AS (SELECT course_id, MIN(date) AS first_date, MAX(date) AS last_date FROM course_sessions GROUP BY course_id)' : ''}
    SELECT k.id, k.slug, k.name,
      l.liaisons, en.enrollments, en.people, at.marks, at.attended, at.minutes, ce.certificates
    FROM counties k
    LEFT JOIN (
      SELECT u.county_id, COUNT(*) AS liaisons FROM users u
      WHERE u.role = 'liaison' AND u.status = 'active' GROUP BY u.county_id
    ) l ON l.county_id = k.id
    LEFT JOIN (
      SELECT ${ENROLLMENT_COUNTY} AS county_id, COUNT(*) AS enrollments, COUNT(DISTINCT e.user_id) AS people
      FROM enrollments e JOIN courses c ON c.id = e.course_id
      WHERE e.status IN ${STANDING} AND c.status <> 'cancelled' ${enrolledIn} ${withCategory}
      GROUP BY ${ENROLLMENT_COUNTY}
    ) en ON en.county_id = k.id
    LEFT JOIN (
      SELECT x.county_id, SUM(x.marks) AS marks, SUM(x.attended) AS attended, SUM(x.minutes) AS minutes
      FROM (
        SELECT a.county_id, SUM(a.present + a.late + a.excused + a.absent) AS marks,
          SUM(a.present + a.late + (CASE WHEN c.count_excused = TRUE THEN a.excused ELSE 0 END)) AS attended,
          SUM(a.present_minutes) AS minutes
        FROM attendance_totals a JOIN courses c ON c.id = a.course_id
        WHERE 1 = 1 ${f.from ? 'AND a.course_id IN (SELECT course_id FROM span WHERE first_date >= :from AND last_date <= :to)' : ''} ${withCategory}
        GROUP BY a.county_id
        ${
          f.from
            ? `UNION ALL
        SELECT ${ENROLLMENT_COUNTY}, COUNT(*),
          SUM(CASE WHEN ${countsAsAttended('m', 'c')} THEN 1 ELSE 0 END),
          SUM(CASE WHEN ${wasPresent('m')} THEN ${sessionMinutes('s')} ELSE 0 END)
        FROM course_sessions s
        JOIN courses c ON c.id = s.course_id
        JOIN attendance_marks m ON m.session_id = s.id
        JOIN enrollments e ON e.id = m.enrollment_id
        WHERE s.date BETWEEN :from AND :to ${withCategory}
          AND s.course_id IN (SELECT course_id FROM span WHERE first_date <= :to AND last_date >= :from AND (first_date < :from OR last_date > :to))
        GROUP BY ${ENROLLMENT_COUNTY}`
            : ''
        }
      ) x
      GROUP BY x.county_id
    ) at ON at.county_id = k.id
    LEFT JOIN (
      SELECT ${ENROLLMENT_COUNTY} AS county_id, COUNT(*) AS certificates
      FROM certificates ct JOIN enrollments e ON e.id = ct.enrollment_id JOIN courses c ON c.id = e.course_id
      WHERE ct.status = 'valid' ${issuedIn} ${withCategory}
      GROUP BY ${ENROLLMENT_COUNTY}
    ) ce ON ce.county_id = k.id
    WHERE k.active = TRUE ${f.county ? 'AND k.slug = :county' : ''}`,
    { ...baseReplacements(f, now), county: f.county },
  );
  if (f.county && rows.length === 0) throw new BadRequestError('شهرستان انتخاب‌شده پیدا نشد.');
  const persianOrder = new Intl.Collator('fa');
  rows.sort((a, b) => persianOrder.compare(String(a.name), String(b.name)));
  return rows.map((r) => ({
    id: num(r.id),
    slug: String(r.slug),
    name: String(r.name),
    liaisons: num(r.liaisons),
    enrollments: num(r.enrollments),
    people: num(r.people),
    marks: num(r.marks),
    attendedMarks: num(r.attended),
    attendancePercent: percent(r.attended, r.marks),
    hours: Math.round(num(r.minutes) / 6) / 10,
    certificates: num(r.certificates),
    sentNobody: num(r.enrollments) === 0,
  }));
}

// ---------------------------------------------------------------- by Jalali month

export interface MonthRow {
  month: number;
  from: string;
  to: string;
  sessions: number;
  hours: number;
  marks: number;
  attendedMarks: number;
  attendancePercent: number | null;
  personHours: number;
}

/**
 * By Jalali month of the chosen year (or the one month chosen): sessions held (over by now, of
 * courses not cancelled), training hours delivered (their total length), attendance marks recorded
 * on them and the percent attended, person-hours (length × present or late). The county filter
 * narrows the marks to that county's liaisons and the sessions to those with a mark from it.
 */
export async function monthReport(
  { sql, filters: f, now = new Date() }: Context,
  months: { month: number; from: string; to: string }[],
): Promise<MonthRow[]> {
  const countyId = await countyIdOf(f.county);
  const monthCase = `CASE ${months.map((_, i) => `WHEN s.date BETWEEN :from${i} AND :to${i} THEN ${months[i].month}`).join(' ')} END`;
  const replacements: Record<string, unknown> = {
    ...baseReplacements(f, now),
    countyId,
    first: months[0].from,
    last: months[months.length - 1].to,
  };
  months.forEach((m, i) => {
    replacements[`from${i}`] = m.from;
    replacements[`to${i}`] = m.to;
  });
  const held = `s.date BETWEEN :first AND :last AND s.date <= :today AND (CAST(s.date AS VARCHAR(10)) || ' ' || s.end_time) <= :nowMinute AND c.status <> 'cancelled' ${f.category ? 'AND c.category = :category' : ''}`;
  const inCounty = countyId ? `AND ${ENROLLMENT_COUNTY} = :countyId` : '';
  const sessionRows = await select<Record<string, unknown>>(
    sql,
    `SELECT ${monthCase} AS month, COUNT(*) AS sessions, SUM(${sessionMinutes('s')}) AS minutes
    FROM course_sessions s JOIN courses c ON c.id = s.course_id
    WHERE ${held} ${countyId ? `AND s.id IN (SELECT m.session_id FROM enrollments e JOIN attendance_marks m ON m.enrollment_id = e.id WHERE 1 = 1 ${inCounty})` : ''}
    GROUP BY ${monthCase}`,
    replacements,
  );
  // Without a county the per-session totals (features/attendance/totals.ts) replace the marks.
  const markRows = await select<Record<string, unknown>>(
    sql,
    countyId
      ? `SELECT ${monthCase} AS month, COUNT(*) AS marks,
      SUM(CASE WHEN ${countsAsAttended('m', 'c')} THEN 1 ELSE 0 END) AS attended,
      SUM(CASE WHEN ${wasPresent('m')} THEN ${sessionMinutes('s')} ELSE 0 END) AS minutes
    FROM attendance_marks m
    JOIN course_sessions s ON s.id = m.session_id
    JOIN courses c ON c.id = s.course_id
    JOIN enrollments e ON e.id = m.enrollment_id
    WHERE ${held} ${inCounty}
    GROUP BY ${monthCase}`
      : `SELECT ${monthCase} AS month, SUM(t.present + t.late + t.excused + t.absent) AS marks,
      SUM(t.present + t.late + (CASE WHEN c.count_excused = TRUE THEN t.excused ELSE 0 END)) AS attended,
      SUM((t.present + t.late) * ${sessionMinutes('s')}) AS minutes
    FROM attendance_session_totals t
    JOIN course_sessions s ON s.id = t.session_id
    JOIN courses c ON c.id = s.course_id
    WHERE ${held}
    GROUP BY ${monthCase}`,
    replacements,
  );
  const byMonth = (rows: Record<string, unknown>[]) => new Map(rows.map((r) => [num(r.month), r]));
  const sessions = byMonth(sessionRows);
  const marks = byMonth(markRows);
  return months.map((m) => {
    const s = sessions.get(m.month);
    const k = marks.get(m.month);
    return {
      ...m,
      sessions: num(s?.sessions),
      hours: Math.round(num(s?.minutes) / 6) / 10,
      marks: num(k?.marks),
      attendedMarks: num(k?.attended),
      attendancePercent: percent(k?.attended, k?.marks),
      personHours: Math.round(num(k?.minutes) / 6) / 10,
    };
  });
}

// ---------------------------------------------------------------- a liaison's training record

export interface RecordRow {
  courseId: number;
  code: string;
  title: string;
  category: string;
  courseHours: number;
  courseStatus: string;
  enrollmentStatus: string;
  firstDate: string | null;
  lastDate: string | null;
  counted: number;
  attended: number;
  attendancePercent: number | null;
  attendedHours: number;
  certificateSerial: string | null;
  certificateId: number | null;
  /** Tehran calendar date of issue. */
  certificateIssuedOn: string | null;
}

export interface TrainingRecord {
  liaison: {
    id: number;
    fullName: string;
    fatherName: string | null;
    nationalCode: string | null;
    username: string;
    county: string | null;
    position: string | null;
  };
  rows: RecordRow[];
  totals: { courses: number; certified: number; certifiedHours: number; attendedHours: number };
}

/**
 * The training record (شناسنامهٔ آموزشی) of one liaison: every course they were approved in (or
 * hold a certificate of), with the attendance rule of summary.ts, the hours they sat and their
 * valid certificate. Period and category narrow the courses as in the course report.
 */
export async function trainingRecord(context: Context, userId: number): Promise<TrainingRecord> {
  const user = await User.findByPk(userId, { include: [{ association: 'county', attributes: ['name'] }] });
  if (!user || user.role === 'admin') throw new NotFoundError('رابط پیدا نشد.');
  return {
    liaison: {
      id: user.id,
      fullName: user.fullName,
      fatherName: user.fatherName,
      nationalCode: user.nationalCode,
      username: user.username,
      county: user.county?.name ?? null,
      position: user.position,
    },
    ...(await recordRows(context, userId)),
  };
}

/** The rows and totals of a training record, for a user already known to be a liaison or instructor. */
async function recordRows({ sql, filters: f, now = new Date() }: Context, userId: number): Promise<Omit<TrainingRecord, 'liaison'>> {
  const courseWhere = ['1 = 1'];
  if (f.category) courseWhere.push('c.category = :category');
  if (f.from) courseWhere.push('EXISTS (SELECT 1 FROM course_sessions ps WHERE ps.course_id = c.id AND ps.date BETWEEN :from AND :to)');
  const rows = await select<Record<string, unknown>>(
    sql,
    `WITH att AS MATERIALIZED (${enrollmentAttendanceSql(dialectOf(sql), 'SELECT course_id FROM enrollments WHERE user_id = :userId', 'e.user_id = :userId', 'm.enrollment_id IN (SELECT id FROM enrollments WHERE user_id = :userId)')}),
    span AS (
      SELECT s.course_id, MIN(s.date) AS first_date, MAX(s.date) AS last_date
      FROM course_sessions s WHERE s.course_id IN (SELECT course_id FROM enrollments WHERE user_id = :userId)
      GROUP BY s.course_id)
    SELECT c.id, c.code, c.title, c.category, c.hours, c.status AS course_status, e.status,
      span.first_date, span.last_date, att.counted, att.attended, att.present_minutes,
      ct.id AS certificate_id, ct.serial, ct.issued_at
    FROM enrollments e
    JOIN courses c ON c.id = e.course_id
    LEFT JOIN att ON att.enrollment_id = e.id
    LEFT JOIN span ON span.course_id = c.id
    LEFT JOIN certificates ct ON ct.enrollment_id = e.id AND ct.status = 'valid'
    WHERE e.user_id = :userId AND (e.status = 'approved' OR ct.id IS NOT NULL) AND ${courseWhere.join(' AND ')}
    ORDER BY (CASE WHEN span.first_date IS NULL THEN 1 ELSE 0 END), span.first_date, c.id`,
    { ...baseReplacements(f, now), userId },
  );
  const records: RecordRow[] = rows.map((r) => ({
    courseId: num(r.id),
    code: String(r.code),
    title: String(r.title),
    category: String(r.category),
    courseHours: num(r.hours),
    courseStatus: String(r.course_status),
    enrollmentStatus: String(r.status),
    firstDate: isoDate(r.first_date),
    lastDate: isoDate(r.last_date),
    counted: num(r.counted),
    attended: num(r.attended),
    attendancePercent: percent(r.attended, r.counted),
    attendedHours: Math.round(num(r.present_minutes) / 6) / 10,
    certificateSerial: r.serial ? String(r.serial) : null,
    certificateId: r.certificate_id ? num(r.certificate_id) : null,
    certificateIssuedOn: r.issued_at ? todayIso(new Date(r.issued_at as string)) : null,
  }));
  const certified = records.filter((r) => r.certificateSerial);
  return {
    rows: records,
    totals: {
      courses: records.length,
      certified: certified.length,
      certifiedHours: certified.reduce((sum, r) => sum + r.courseHours, 0),
      attendedHours: Math.round(records.reduce((sum, r) => sum + r.attendedHours, 0) * 10) / 10,
    },
  };
}

// ---------------------------------------------------------------- filter choices

export interface FilterOptions {
  years: number[];
  categories: string[];
  counties: { slug: string; name: string }[];
}

/** What the filter form offers: Jalali years from 1400 to next year, the course categories in use, active counties. */
export async function filterOptions(sql: Sequelize, now: Date = new Date()): Promise<FilterOptions> {
  const thisYear = jalaliParts(todayIso(now)).year;
  const years = [];
  for (let y = thisYear + 1; y >= Math.min(1400, thisYear); y--) years.push(y);
  const [categories, counties] = await Promise.all([courseCategories(sql), activeCounties()]);
  return { years, categories, counties: counties.map((c) => ({ slug: c.slug, name: c.name })) };
}

/** The /me section: the liaison's own training record (every year, every category). */
export async function loadMyRecord(sql: Sequelize, user: { id: number }): Promise<{ record: Omit<TrainingRecord, 'liaison'> }> {
  const filters: ReportFilters = {
    year: null,
    month: null,
    category: null,
    county: null,
    format: 'html',
    from: null,
    to: null,
    fromInstant: null,
    toInstant: null,
    periodLabel: '',
  };
  return { record: await recordRows({ sql, filters }, user.id) };
}
