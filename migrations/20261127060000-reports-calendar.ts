import { DataTypes, type QueryInterface } from 'sequelize';

/**
 * Reports and the calendar: each liaison's secret iCalendar token, and the indexes the aggregate
 * report queries lean on at national scale (hundreds of thousands of enrollments, millions of marks).
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn('users', 'calendar_token', { type: DataTypes.STRING(64), allowNull: true });
  await qi.addIndex('users', ['calendar_token'], { unique: true, name: 'users_calendar_token' });
  // Liaisons per county (county report, dashboard).
  await qi.addIndex('users', ['county_id', 'role', 'status'], { name: 'users_county_role_status' });
  // Enrollments per county, filtered by status and enrollment time (county report, dashboard chart).
  await qi.addIndex('enrollments', ['county_id', 'status', 'created_at'], { name: 'enrollments_county_status_created' });
  // Marks read session by session with their status, without touching the table (every report).
  await qi.addIndex('attendance_marks', ['session_id', 'enrollment_id', 'status'], { name: 'attendance_marks_session_enrollment_status' });
  // Certificates issued in a period (dashboard, county report).
  await qi.addIndex('certificates', ['issued_at'], { name: 'certificates_issued_at' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex('certificates', 'certificates_issued_at');
  await qi.removeIndex('attendance_marks', 'attendance_marks_session_enrollment_status');
  await qi.removeIndex('enrollments', 'enrollments_county_status_created');
  await qi.removeIndex('users', 'users_county_role_status');
  await qi.removeIndex('users', 'users_calendar_token');
  await qi.removeColumn('users', 'calendar_token');
}
