import { QueryTypes, type Sequelize } from 'sequelize';
import { statements } from '../../db/prepared';
import type { AttendanceStatus } from '../../models/attendance-mark';

/** What the attendance pages read: plain rows, no model instances. */

/** Courses still under way: a liaison's /me shows these, a finished one lives in the training record. */
export const CURRENT_COURSE_SQL = "c.status NOT IN ('finished', 'cancelled')";

export interface MySessionMarkRow {
  enrollment_id: number;
  created_at: Date | string;
  course_id: number;
  min_attendance: number;
  count_excused: boolean | number;
  id: number;
  date: string;
  start_time: string;
  end_time: string;
  status: AttendanceStatus | null;
}

/**
 * Every session of the courses under way the liaison is approved in, with their mark for each: one
 * query whatever the number of courses. Finished courses are left out (their totals are the
 * training record's), so the rows are bounded by the courses running now.
 */
export function mySessionMarks(sql: Sequelize, userId: number): Promise<MySessionMarkRow[]> {
  return statements(sql).all<MySessionMarkRow>(
    `SELECT e.id AS enrollment_id, e.created_at, c.id AS course_id, c.min_attendance, c.count_excused,
            s.id, CAST(s.date AS VARCHAR(10)) AS date, s.start_time, s.end_time, m.status
       FROM enrollments e
       JOIN courses c ON c.id = e.course_id
       JOIN course_sessions s ON s.course_id = e.course_id
       LEFT JOIN attendance_marks m ON m.enrollment_id = e.id AND m.session_id = s.id
      WHERE e.user_id = :userId AND e.status = 'approved' AND ${CURRENT_COURSE_SQL}
      ORDER BY e.id DESC, s.date, s.start_time, s.id`,
    { userId },
  );
}

export interface TaughtSessionRow {
  course_id: number;
  code: string;
  title: string;
  id: number | null;
  date: string | null;
  start_time: string | null;
  end_time: string | null;
}

/** The sessions of the courses under way an instructor teaches (a course with none gives one row of nulls). */
export function taughtSessions(sql: Sequelize, userId: number): Promise<TaughtSessionRow[]> {
  return sql.query<TaughtSessionRow>(
    `SELECT c.id AS course_id, c.code, c.title, s.id, CAST(s.date AS VARCHAR(10)) AS date, s.start_time, s.end_time
       FROM courses c LEFT JOIN course_sessions s ON s.course_id = c.id
      WHERE c.instructor_id = :userId AND ${CURRENT_COURSE_SQL}
      ORDER BY c.id DESC, s.date, s.start_time, s.id`,
    { type: QueryTypes.SELECT, replacements: { userId } },
  );
}
