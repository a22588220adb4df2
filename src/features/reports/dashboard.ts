import type { CourseStatus } from '../../models/course';
import { COURSE_STATUS_LABELS } from '../../lib/statuses';
import { freeSeats, HOLDING_SQL } from '../enrollments/seats';
import { ENROLLMENT_STATE_LABELS, enrollmentState } from '../enrollments/state';
import type { Sequelize } from 'sequelize';
import { addDaysIso, jalaliYear, jalaliYearRange, tehranInstant, todayIso, weekdayFromSaturday } from '../../lib/jalali';
import { num, select } from './sql';
import { isoDate } from './service';

export interface DashboardCourse {
  id: number;
  code: string;
  title: string;
  status: string;
  capacity: number;
  taken: number;
  waitlisted: number;
  pending: number;
  firstDate: string | null;
  /** What the course's status and enrollment state are called (state.ts), e.g. «مهلت ثبت‌نام گذشته». */
  stateLabel: string;
}

export interface DashboardSession {
  id: number;
  courseId: number;
  title: string;
  date: string;
  start: string;
  end: string;
  topic: string | null;
  place: string | null;
}

export interface CountyBar {
  name: string;
  count: number;
}

export interface Dashboard {
  today: string;
  weekFrom: string;
  weekTo: string;
  year: number;
  courses: DashboardCourse[];
  todaySessions: DashboardSession[];
  weekSessions: DashboardSession[];
  pendingSignups: number;
  pendingEnrollments: number;
  certificatesThisYear: number;
  participation: CountyBar[];
}

/**
 * What the admin sees first: the courses that are open or running with their seats, this week's
 * sessions (the week starts on Saturday), what waits for a decision, and this Jalali year's figures.
 */
export async function loadDashboard(sequelize: Sequelize, now: Date = new Date()): Promise<Dashboard> {
  const today = todayIso(now);
  const weekFrom = addDaysIso(today, -weekdayFromSaturday(today));
  const weekTo = addDaysIso(weekFrom, 6);
  const year = jalaliYear(today);
  const range = jalaliYearRange(year);
  const yearFrom = tehranInstant(range.from, '00:00');
  const yearTo = tehranInstant(addDaysIso(range.to, 1), '00:00');

  const courses = await select<Record<string, unknown>>(
    sequelize,
    `SELECT c.id, c.code, c.title, c.status, c.capacity, c.enroll_opens, c.enroll_closes,
      (SELECT MIN(CAST(s.date AS VARCHAR(10)) || ' ' || s.start_time) FROM course_sessions s WHERE s.course_id = c.id) AS first_start,
      (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status IN ${HOLDING_SQL}) AS taken,
      (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status = 'waitlisted') AS waitlisted,
      (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status = 'pending') AS pending,
      (SELECT MIN(s.date) FROM course_sessions s WHERE s.course_id = c.id) AS first_date
    FROM courses c WHERE c.status IN ('open', 'running')
    ORDER BY (CASE WHEN c.status = 'running' THEN 0 ELSE 1 END), first_date, c.id
    LIMIT 50`,
    {},
  );
  const sessions = await select<Record<string, unknown>>(
    sequelize,
    `SELECT s.id, s.course_id, c.title, s.date, s.start_time, s.end_time, s.topic, c.place
    FROM course_sessions s JOIN courses c ON c.id = s.course_id
    WHERE s.date BETWEEN :weekFrom AND :weekTo AND c.status <> 'cancelled'
    ORDER BY s.date, s.start_time, s.id
    LIMIT 200`,
    { weekFrom, weekTo },
  );
  const [counts] = await select<Record<string, unknown>>(
    sequelize,
    `SELECT
      (SELECT COUNT(*) FROM users WHERE role = 'liaison' AND status = 'pending') AS signups,
      (SELECT COUNT(*) FROM enrollments WHERE status = 'pending') AS enrollments,
      (SELECT COUNT(*) FROM certificates WHERE status = 'valid' AND issued_at >= :yearFrom AND issued_at < :yearTo) AS certificates`,
    { yearFrom, yearTo },
  );
  // Participation: standing enrollments made this Jalali year, by the county they came from.
  const participation = await select<Record<string, unknown>>(
    sequelize,
    `SELECT k.name, COALESCE(x.n, 0) AS n
    FROM counties k LEFT JOIN (
      SELECT e.county_id, COUNT(*) AS n
      FROM enrollments e JOIN courses c ON c.id = e.course_id
      WHERE e.status IN ('pending', 'approved', 'waitlisted') AND c.status <> 'cancelled'
        AND e.created_at >= :yearFrom AND e.created_at < :yearTo
      GROUP BY e.county_id
    ) x ON x.county_id = k.id
    WHERE k.active = TRUE
    ORDER BY n DESC`,
    { yearFrom, yearTo },
  );

  const presentSession = (r: Record<string, unknown>): DashboardSession => ({
    id: num(r.id),
    courseId: num(r.course_id),
    title: String(r.title),
    date: isoDate(r.date)!,
    start: String(r.start_time),
    end: String(r.end_time),
    topic: (r.topic as string | null) ?? null,
    place: (r.place as string | null) ?? null,
  });
  const weekSessions = sessions.map(presentSession);
  return {
    today,
    weekFrom,
    weekTo,
    year,
    courses: courses.map((r) => ({
      id: num(r.id),
      code: String(r.code),
      title: String(r.title),
      status: String(r.status),
      capacity: num(r.capacity),
      taken: num(r.taken),
      waitlisted: num(r.waitlisted),
      pending: num(r.pending),
      firstDate: isoDate(r.first_date),
      stateLabel: courseStateLabel(r, now),
    })),
    todaySessions: weekSessions.filter((s) => s.date === today),
    weekSessions,
    pendingSignups: num(counts.signups),
    pendingEnrollments: num(counts.enrollments),
    certificatesThisYear: num(counts.certificates),
    participation: participation
      .map((r) => ({ name: String(r.name), count: num(r.n) }))
      .sort((a, b) => b.count - a.count || persianOrder.compare(a.name, b.name)),
  };
}

/** A running course is «در حال برگزاری»; an open one shows its enrollment state (state.ts). */
function courseStateLabel(r: Record<string, unknown>, now: Date): string {
  const status = String(r.status) as CourseStatus;
  if (status !== 'open') return COURSE_STATUS_LABELS[status];
  const first = r.first_start ? String(r.first_start) : null;
  const free = freeSeats(num(r.capacity), num(r.taken));
  return ENROLLMENT_STATE_LABELS[
    enrollmentState(
      {
        status,
        enrollOpens: isoDate(r.enroll_opens) ?? '',
        enrollCloses: isoDate(r.enroll_closes) ?? '',
        firstSession: first ? { date: first.slice(0, 10), startTime: first.slice(11) } : null,
        freeSeats: free,
      },
      now,
    )
  ];
}

const persianOrder = new Intl.Collator('fa');

export interface BarChart {
  width: number;
  height: number;
  labelWidth: number;
  barMax: number;
  rowHeight: number;
  ticks: { x: number; value: number }[];
  bars: { name: string; count: number; y: number; width: number; x: number }[];
}

/**
 * Geometry of a horizontal bar chart drawn right to left: county names at the right edge, bars
 * growing leftwards, counts at the bars' ends. The view draws it as SVG (no script needed).
 */
export function barChart(bars: CountyBar[], width = 540): BarChart {
  const labelWidth = 110;
  const rowHeight = 26;
  const barMax = width - labelWidth - 40;
  const max = Math.max(1, ...bars.map((b) => b.count));
  const step = niceStep(max);
  const top = Math.ceil(max / step) * step;
  const scale = barMax / top;
  const right = width - labelWidth - 8;
  const ticks = [];
  for (let v = 0; v <= top; v += step) ticks.push({ value: v, x: right - v * scale });
  return {
    width,
    height: bars.length * rowHeight + 30,
    labelWidth,
    barMax,
    rowHeight,
    ticks,
    bars: bars.map((b, i) => ({ ...b, y: 24 + i * rowHeight, width: b.count * scale, x: right - b.count * scale })),
  };
}

function niceStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough || 1));
  for (const m of [1, 2, 5, 10]) if (m * power >= rough) return Math.max(1, m * power);
  return Math.max(1, 10 * power);
}
