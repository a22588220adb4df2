import type { Sequelize } from 'sequelize';
import { sessionMinutes } from '../reports/sql';

/**
 * Attendance totals (tables of migrations/20261127080000-attendance-totals.ts): one row per
 * enrollment with its marks by status and the minutes of the sessions it was present or late at, next
 * to a copy of the enrollment's course, county, liaison, status, mark and time enrolled (enrolled_at);
 * per session its marks by status. Triggers keep them equal to attendance_marks and enrollments in
 * the same transaction as every write, whoever writes; the reports read them instead of the millions
 * of marks. Whether a session has been held depends on when one asks, so it is not stored: the
 * reports take the few marks of sessions not yet over away at query time (reports/sql.ts).
 */

const count = (status: string) => `SUM(CASE WHEN m.status = '${status}' THEN 1 ELSE 0 END)`;

/**
 * Recomputes both totals from the marks, in one transaction: after the migration that creates them,
 * and after a bulk load (the triggers keep them right row by row, but a rebuild is cheaper to trust).
 * Takes some seconds at national scale (3,000,000 marks).
 */
export async function rebuildAttendanceTotals(sequelize: Sequelize): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('DELETE FROM attendance_totals', { transaction });
    await sequelize.query('DELETE FROM attendance_session_totals', { transaction });
    await sequelize.query(
      `INSERT INTO attendance_totals (enrollment_id, course_id, county_id, user_id, status, mark, enrolled_at, present, late, excused, absent, present_minutes)
      SELECT e.id, e.course_id, e.county_id, e.user_id, e.status, e.mark, e.created_at,
        COALESCE(x.present, 0), COALESCE(x.late, 0), COALESCE(x.excused, 0), COALESCE(x.absent, 0), COALESCE(x.present_minutes, 0)
      FROM enrollments e LEFT JOIN (
        SELECT m.enrollment_id, ${count('present')} AS present, ${count('late')} AS late, ${count('excused')} AS excused, ${count('absent')} AS absent,
          SUM(CASE WHEN m.status IN ('present', 'late') THEN ${sessionMinutes('s')} ELSE 0 END) AS present_minutes
        FROM attendance_marks m JOIN course_sessions s ON s.id = m.session_id
        GROUP BY m.enrollment_id
      ) x ON x.enrollment_id = e.id`,
      { transaction },
    );
    await sequelize.query(
      `INSERT INTO attendance_session_totals (session_id, present, late, excused, absent)
      SELECT m.session_id, ${count('present')}, ${count('late')}, ${count('excused')}, ${count('absent')}
      FROM attendance_marks m GROUP BY m.session_id`,
      { transaction },
    );
  });
  if (sequelize.getDialect() === 'postgres') await sequelize.query('ANALYZE attendance_totals, attendance_session_totals');
}
