import { statements, type Params } from '../../db/prepared';
import { QueryTypes, type Sequelize } from 'sequelize';
import { nowTime, todayIso } from '../../lib/jalali';

/**
 * SQL pieces the report queries share, written once for SQLite and PostgreSQL. Tehran has kept
 * UTC+03:30 all year since 2023 (tehranInstant reads the tz database for older dates), and every
 * instant Rabet stores is later than that, so a stored UTC instant becomes Tehran wall-clock time
 * by adding 210 minutes; compared as 'YYYY-MM-DD HH:MM' text, wall-clock times order correctly.
 */
export interface Dialect {
  /** The Tehran wall-clock minute of a stored instant column, as 'YYYY-MM-DD HH:MM'. */
  tehranMinute(column: string): string;
  /** The Tehran calendar day of a stored instant column, comparable with a DATEONLY column. */
  tehranDay(column: string): string;
  /** The day before a DATE value, as an instant: at or before the start of that day in Tehran. */
  dayBefore(column: string): string;
}

export function dialectOf(sequelize: Sequelize): Dialect {
  if (sequelize.getDialect() === 'postgres') {
    return {
      tehranMinute: (c) => `to_char((${c} AT TIME ZONE 'UTC') + INTERVAL '210 minutes', 'YYYY-MM-DD HH24:MI')`,
      tehranDay: (c) => `CAST((${c} AT TIME ZONE 'UTC') + INTERVAL '210 minutes' AS DATE)`,
      dayBefore: (c) => `CAST(${c} - 1 AS TIMESTAMP WITH TIME ZONE)`,
    };
  }
  return {
    tehranMinute: (c) => `strftime('%Y-%m-%d %H:%M', ${c}, '+210 minutes')`,
    tehranDay: (c) => `strftime('%Y-%m-%d', ${c}, '+210 minutes')`,
    // Instants are stored as 'YYYY-MM-DD HH:MM:SS.SSS +00:00' (UTC): compared as text with a day.
    dayBefore: (c) => `date(${c}, '-1 day')`,
  };
}

/** When a session ends, Tehran wall clock, as 'YYYY-MM-DD HH:MM'. */
export const sessionEnds = (s: string) => `(CAST(${s}.date AS VARCHAR(10)) || ' ' || ${s}.end_time)`;

/** A session's length in minutes, from its 'HH:MM' start and end. */
export const sessionMinutes = (s: string) =>
  `((CAST(substr(${s}.end_time, 1, 2) AS INTEGER) * 60 + CAST(substr(${s}.end_time, 4, 2) AS INTEGER)) - (CAST(substr(${s}.start_time, 1, 2) AS INTEGER) * 60 + CAST(substr(${s}.start_time, 4, 2) AS INTEGER)))`;

/** A mark that counts as attending: present or late, and excused where the course counts it. */
export const countsAsAttended = (m: string, c: string) =>
  `(${m}.status IN ('present', 'late') OR (${m}.status = 'excused' AND ${c}.count_excused = TRUE))`;

/** Present or late: the liaison was in the room. */
export const wasPresent = (m: string) => `${m}.status IN ('present', 'late')`;

/** 'YYYY-MM-DD HH:MM' now in Tehran: a session whose end is at or before it has been held. */
export function tehranNowMinute(now: Date = new Date()): string {
  return `${todayIso(now)} ${nowTime(now)}`;
}

/**
 * Per approved enrollment: the sessions counted for it and the ones it attended, by the rule of
 * features/attendance/summary.ts — held sessions (over by `now`) that ended after the liaison
 * enrolled, plus any held session they have a mark for anyway. It reads attendance_totals
 * (features/attendance/totals.ts: one row per enrollment with a copy of its course, county, liaison,
 * status, mark and time enrolled, and its marks by status, kept by triggers), less the marks of
 * sessions not held yet (today's before their end: a short index range on the date);
 *   counted = held sessions of the course − those that ended before enrolling + marks on those,
 * where the last two are looked up only for an enrollment made after its course's first day began
 * (the rare "enrolled late" case, a short index range).
 * `courses` is SQL yielding the course ids in play; `where` narrows the enrollments (alias e, with
 * the columns course_id, county_id, user_id, status), `marksWhere` the marks of sessions not held yet
 * (alias m) when only a few enrollments are wanted, `statuses` the enrollment statuses listed (only an
 * approved enrollment's figures mean anything).
 * The rows carry enrollment_id, course_id, status, mark, counted, attended, present, present_minutes,
 * and the course's min_attendance and pass_mark.
 */
export function enrollmentAttendanceSql(
  dialect: Dialect,
  courses: string,
  where = '1 = 1',
  marksWhere = '1 = 1',
  statuses = "('approved')",
): string {
  const held = (s: string) => `${s}.date <= :today AND ${sessionEnds(s)} <= :nowMinute`;
  const endedBeforeEnrolling = (s: string) =>
    `${s}.course_id = e.course_id AND ${s}.date <= ${dialect.tehranDay('e.enrolled_at')} AND ${held(s)} AND ${sessionEnds(s)} <= ${dialect.tehranMinute('e.enrolled_at')}`;
  return `
    WITH cs AS (
      SELECT c.id AS course_id, c.count_excused, c.min_attendance, c.pass_mark,
        SUM(CASE WHEN ${held('s')} THEN 1 ELSE 0 END) AS held, ${dialect.dayBefore('MIN(s.date)')} AS late_from
      FROM courses c LEFT JOIN course_sessions s ON s.course_id = c.id
      WHERE c.id IN (${courses})
      GROUP BY c.id, c.count_excused, c.min_attendance, c.pass_mark
    ),
    um AS (
      SELECT m.enrollment_id,
        SUM(CASE WHEN ${wasPresent('m')} THEN 1 ELSE 0 END) AS present,
        SUM(CASE WHEN m.status = 'excused' THEN 1 ELSE 0 END) AS excused,
        SUM(CASE WHEN ${wasPresent('m')} THEN ${sessionMinutes('s')} ELSE 0 END) AS present_minutes
      FROM course_sessions s JOIN attendance_marks m ON m.session_id = s.id
      WHERE s.date >= :today AND ${sessionEnds('s')} > :nowMinute AND s.course_id IN (${courses}) AND ${marksWhere}
      GROUP BY m.enrollment_id
    )
    SELECT e.enrollment_id AS enrollment_id, e.course_id AS course_id, e.status AS status, e.mark AS mark,
      cs.min_attendance AS min_attendance, cs.pass_mark AS pass_mark,
      cs.held - (CASE WHEN e.enrolled_at >= cs.late_from THEN
          (SELECT COUNT(*) FROM course_sessions bs WHERE ${endedBeforeEnrolling('bs')})
        - (SELECT COUNT(*) FROM course_sessions bs JOIN attendance_marks bm ON bm.session_id = bs.id AND bm.enrollment_id = e.enrollment_id
           WHERE ${endedBeforeEnrolling('bs')}) ELSE 0 END) AS counted,
      e.present + e.late - COALESCE(um.present, 0)
        + (CASE WHEN cs.count_excused = TRUE THEN e.excused - COALESCE(um.excused, 0) ELSE 0 END) AS attended,
      e.present + e.late - COALESCE(um.present, 0) AS present,
      e.present_minutes - COALESCE(um.present_minutes, 0) AS present_minutes
    FROM attendance_totals e
    JOIN cs ON cs.course_id = e.course_id
    LEFT JOIN um ON um.enrollment_id = e.enrollment_id
    WHERE e.status IN ${statuses} AND (${where})`;
}

/** A percent rounded to one decimal, as summary.ts rounds it, meeting the course's minimum. */
export const meetsMinimumSql = (p: string, c: string) =>
  `(${p}.counted > 0 AND ROUND(${p}.attended * 1000.0 / ${p}.counted) >= ${c}.min_attendance * 10)`;

/**
 * Runs a report SELECT with named replacements and returns plain rows. On PostgreSQL the planner's
 * cost estimate for these aggregates (correlated sub-selects over many enrollments) passes the JIT
 * threshold, and compiling the plan took longer than running it (1.3 s of 2.2 s at national
 * scale): JIT is turned off for the query, and hash aggregates get enough memory not to spill.
 */
export async function select<T extends object>(sequelize: Sequelize, sql: string, replacements: Record<string, unknown>): Promise<T[]> {
  if (sequelize.getDialect() !== 'postgres') {
    // A prepared statement (src/db/prepared.ts) unless a list is spliced in (`IN (:list)`), which only Sequelize expands.
    if (Object.values(replacements).some(Array.isArray)) return sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
    return statements(sequelize).all<T>(sql, replacements as Params);
  }
  return sequelize.transaction({ readOnly: true }, async (transaction) => {
    await sequelize.query("SET LOCAL jit = off; SET LOCAL work_mem = '32MB'", { transaction });
    return sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements, transaction });
  });
}

/** Numbers come back as strings from PostgreSQL (COUNT is bigint, SUM of numeric is numeric). */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

/** A percent with one decimal, or null when nothing counts. */
export function percent(part: unknown, whole: unknown): number | null {
  const w = num(whole);
  if (w <= 0) return null;
  return Math.round((num(part) / w) * 1000) / 10;
}
