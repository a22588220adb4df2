import { DataTypes, type QueryInterface, type Sequelize } from 'sequelize';

/**
 * Attendance totals, so that the reports read hundreds of thousands of rows instead of millions of
 * marks (DESIGN.md flow 7, national scale):
 * - attendance_totals: one row per enrollment, its marks by status and the minutes of the sessions it
 *   was present (or late) at, next to a copy of what the reports read of the enrollment (course,
 *   county, liaison, status, mark, time enrolled), so that a report reads this one narrow table.
 * - attendance_session_totals: per session, its marks by status.
 * Database triggers keep them equal to the marks in the same transaction as every write, whoever
 * writes (the attendance sheet, self check-in, scripts, tests): a new mark adds to its status, a
 * correction moves a count from the old status to the new, a deleted mark takes it away; a session
 * whose times change moves the minutes of its present marks; a new enrollment gets its row, and a
 * change to one (approved, cancelled, moved, marked) is copied to it. What depends on the time of
 * asking (which sessions have been held) is not stored: the reports derive it from course_sessions
 * when they run. Existing databases are filled from their marks here (some seconds at national scale).
 */

const minutes = (s: string) =>
  `((CAST(substr(${s}.end_time, 1, 2) AS INTEGER) * 60 + CAST(substr(${s}.end_time, 4, 2) AS INTEGER)) - (CAST(substr(${s}.start_time, 1, 2) AS INTEGER) * 60 + CAST(substr(${s}.start_time, 4, 2) AS INTEGER)))`;
const is = (row: string, status: string) => `(CASE WHEN ${row}.status = '${status}' THEN 1 ELSE 0 END)`;
const presentMinutes = (row: string) =>
  `(CASE WHEN ${row}.status IN ('present', 'late') THEN (SELECT ${minutes('s')} FROM course_sessions s WHERE s.id = ${row}.session_id) ELSE 0 END)`;
const STATUSES = ['present', 'late', 'excused', 'absent'];
/** The enrollment's columns copied into its totals row, and where they come from. */
const PROJECTION = ['enrollment_id', 'course_id', 'county_id', 'user_id', 'status', 'mark', 'enrolled_at'];
const PROJECTED = ['e.id', 'e.course_id', 'e.county_id', 'e.user_id', 'e.status', 'e.mark', 'e.created_at'];
const projectedFrom = (row: string) => PROJECTED.map((c) => c.replace('e.', `${row}.`));

/** SQLite (row-level triggers, one statement at a time): adds the mark `row` (NEW) to both totals. */
function addMark(row: string): string[] {
  const add = (t: string) => [...STATUSES, 'present_minutes'].map((c) => `${c} = ${t}.${c} + excluded.${c}`).join(', ');
  return [
    `INSERT INTO attendance_totals (${PROJECTION.join(', ')}, present, late, excused, absent, present_minutes)
     SELECT ${PROJECTED.join(', ')}, ${STATUSES.map((st) => is(row, st)).join(', ')}, ${presentMinutes(row)}
     FROM enrollments e WHERE e.id = ${row}.enrollment_id
     ON CONFLICT (enrollment_id) DO UPDATE SET ${add('attendance_totals')}`,
    `INSERT INTO attendance_session_totals (session_id, present, late, excused, absent)
     VALUES (${row}.session_id, ${STATUSES.map((st) => is(row, st)).join(', ')})
     ON CONFLICT (session_id) DO UPDATE SET ${STATUSES.map((c) => `${c} = attendance_session_totals.${c} + excluded.${c}`).join(', ')}`,
  ];
}

/** Takes the mark `row` (OLD) away from both totals. */
function removeMark(row: string): string[] {
  return [
    `UPDATE attendance_totals SET ${STATUSES.map((st) => `${st} = ${st} - ${is(row, st)}`).join(', ')}, present_minutes = present_minutes - ${presentMinutes(row)}
     WHERE enrollment_id = ${row}.enrollment_id`,
    `UPDATE attendance_session_totals SET ${STATUSES.map((st) => `${st} = ${st} - ${is(row, st)}`).join(', ')}
     WHERE session_id = ${row}.session_id`,
  ];
}

const SESSION_TIMES = `UPDATE attendance_totals SET present_minutes = present_minutes + (${minutes('NEW')}) - (${minutes('OLD')})
  WHERE enrollment_id IN (SELECT m.enrollment_id FROM attendance_marks m WHERE m.session_id = NEW.id AND m.status IN ('present', 'late'))`;
const ENROLLMENT_ADDED = `INSERT INTO attendance_totals (${PROJECTION.join(', ')}) VALUES (${projectedFrom('NEW').join(', ')}) ON CONFLICT (enrollment_id) DO NOTHING`;
const ENROLLMENT_CHANGED_SQL = `UPDATE attendance_totals SET ${PROJECTION.slice(1)
  .map((c, i) => `${c} = ${projectedFrom('NEW')[i + 1]}`)
  .join(', ')} WHERE enrollment_id = NEW.id`;

const MARK_CHANGED = 'OLD.status <> NEW.status OR OLD.session_id <> NEW.session_id OR OLD.enrollment_id <> NEW.enrollment_id';
const TIMES_CHANGED = 'OLD.start_time <> NEW.start_time OR OLD.end_time <> NEW.end_time';
const ENROLLMENT_COLUMNS = 'course_id, county_id, user_id, status, mark, created_at';
const ENROLLMENT_CHANGED = ENROLLMENT_COLUMNS.split(', ')
  .map((c) => `OLD.${c} IS DISTINCT FROM NEW.${c}`)
  .join(' OR ');

const body = (statements: string[]) => statements.map((s) => `${s};`).join('\n');

function sqliteTriggers(): string[] {
  return [
    `CREATE TRIGGER attendance_totals_mark_insert AFTER INSERT ON attendance_marks BEGIN ${body(addMark('NEW'))} END`,
    `CREATE TRIGGER attendance_totals_mark_delete AFTER DELETE ON attendance_marks BEGIN ${body(removeMark('OLD'))} END`,
    `CREATE TRIGGER attendance_totals_mark_update AFTER UPDATE OF status, session_id, enrollment_id ON attendance_marks
     WHEN ${MARK_CHANGED} BEGIN ${body([...removeMark('OLD'), ...addMark('NEW')])} END`,
    `CREATE TRIGGER attendance_totals_session_times AFTER UPDATE OF start_time, end_time ON course_sessions
     WHEN ${TIMES_CHANGED} BEGIN ${SESSION_TIMES}; END`,
    `CREATE TRIGGER attendance_totals_enrollment_insert AFTER INSERT ON enrollments BEGIN ${ENROLLMENT_ADDED}; END`,
    `CREATE TRIGGER attendance_totals_enrollment_update AFTER UPDATE OF ${ENROLLMENT_COLUMNS} ON enrollments
     WHEN ${ENROLLMENT_CHANGED.replaceAll('IS DISTINCT FROM', 'IS NOT')} BEGIN ${ENROLLMENT_CHANGED_SQL}; END`,
    // The foreign key cascades too, but only on connections that turned foreign keys on.
    'CREATE TRIGGER attendance_totals_enrollment_delete AFTER DELETE ON enrollments BEGIN DELETE FROM attendance_totals WHERE enrollment_id = OLD.id; END',
  ];
}

/**
 * PostgreSQL: statement-level triggers over the transition tables, so that a bulk INSERT of many
 * marks (a seed, an import) updates each total once per statement instead of once per row — the
 * row-by-row version made inserting 300,000 marks 3.3 times slower (4.1 s → 13.7 s).
 */
const sum = (source: string, st: string) => `SUM(${is(source, st)})`;
const summed = (source: string) => `${STATUSES.map((st) => `${sum(source, st)} AS ${st}`).join(', ')}`;
const minutesSummed = (source: string) =>
  `SUM(CASE WHEN ${source}.status IN ('present', 'late') THEN ${minutes('s')} ELSE 0 END) AS present_minutes`;

/** Adds the marks of the relation `rows` to both totals. */
function addMarks(rows: string): string[] {
  const add = (t: string) => [...STATUSES, 'present_minutes'].map((c) => `${c} = ${t}.${c} + excluded.${c}`).join(', ');
  return [
    `INSERT INTO attendance_totals (${PROJECTION.join(', ')}, present, late, excused, absent, present_minutes)
     SELECT ${PROJECTED.join(', ')}, ${STATUSES.map((st) => `x.${st}`).join(', ')}, x.present_minutes
     FROM (SELECT r.enrollment_id, ${summed('r')}, ${minutesSummed('r')}
           FROM ${rows} r JOIN course_sessions s ON s.id = r.session_id GROUP BY r.enrollment_id) x
     JOIN enrollments e ON e.id = x.enrollment_id
     ON CONFLICT (enrollment_id) DO UPDATE SET ${add('attendance_totals')}`,
    `INSERT INTO attendance_session_totals (session_id, present, late, excused, absent)
     SELECT r.session_id, ${summed('r')} FROM ${rows} r GROUP BY r.session_id
     ON CONFLICT (session_id) DO UPDATE SET ${STATUSES.map((c) => `${c} = attendance_session_totals.${c} + excluded.${c}`).join(', ')}`,
  ];
}

/** Takes the marks of the relation `rows` away from both totals. */
function removeMarks(rows: string): string[] {
  return [
    `UPDATE attendance_totals t SET ${[...STATUSES, 'present_minutes'].map((c) => `${c} = t.${c} - x.${c}`).join(', ')}
     FROM (SELECT r.enrollment_id, ${summed('r')}, ${minutesSummed('r')}
           FROM ${rows} r JOIN course_sessions s ON s.id = r.session_id GROUP BY r.enrollment_id) x
     WHERE t.enrollment_id = x.enrollment_id`,
    `UPDATE attendance_session_totals t SET ${STATUSES.map((c) => `${c} = t.${c} - x.${c}`).join(', ')}
     FROM (SELECT r.session_id, ${summed('r')} FROM ${rows} r GROUP BY r.session_id) x
     WHERE t.session_id = x.session_id`,
  ];
}

const changedMarks = (side: 'o' | 'n') =>
  `(SELECT ${side}.* FROM old_marks o JOIN new_marks n ON n.id = o.id WHERE ${MARK_CHANGED.replaceAll('OLD.', 'o.').replaceAll('NEW.', 'n.')})`;

function postgresFunction(name: string, statements: string[]): string {
  return `CREATE OR REPLACE FUNCTION ${name}() RETURNS trigger AS $$
    BEGIN
      ${body(statements)}
      RETURN NULL;
    END
    $$ LANGUAGE plpgsql`;
}

function postgresTriggers(): string[] {
  const changedEnrollments = ENROLLMENT_CHANGED.replaceAll('OLD.', 'o.').replaceAll('NEW.', 'n.');
  return [
    postgresFunction('attendance_totals_marks_inserted', addMarks('new_marks')),
    postgresFunction('attendance_totals_marks_deleted', removeMarks('old_marks')),
    postgresFunction('attendance_totals_marks_updated', [...removeMarks(changedMarks('o')), ...addMarks(changedMarks('n'))]),
    postgresFunction('attendance_totals_session_times', [SESSION_TIMES]),
    postgresFunction('attendance_totals_enrollments_inserted', [
      `INSERT INTO attendance_totals (${PROJECTION.join(', ')}) SELECT ${projectedFrom('n').join(', ')} FROM new_enrollments n ON CONFLICT (enrollment_id) DO NOTHING`,
    ]),
    postgresFunction('attendance_totals_enrollments_updated', [
      `UPDATE attendance_totals t SET ${PROJECTION.slice(1)
        .map((c, i) => `${c} = ${projectedFrom('n')[i + 1]}`)
        .join(', ')}
       FROM new_enrollments n JOIN old_enrollments o ON o.id = n.id
       WHERE t.enrollment_id = n.id AND (${changedEnrollments})`,
    ]),
    `CREATE TRIGGER attendance_totals_mark_insert AFTER INSERT ON attendance_marks REFERENCING NEW TABLE AS new_marks
     FOR EACH STATEMENT EXECUTE FUNCTION attendance_totals_marks_inserted()`,
    `CREATE TRIGGER attendance_totals_mark_delete AFTER DELETE ON attendance_marks REFERENCING OLD TABLE AS old_marks
     FOR EACH STATEMENT EXECUTE FUNCTION attendance_totals_marks_deleted()`,
    `CREATE TRIGGER attendance_totals_mark_update AFTER UPDATE ON attendance_marks REFERENCING OLD TABLE AS old_marks NEW TABLE AS new_marks
     FOR EACH STATEMENT EXECUTE FUNCTION attendance_totals_marks_updated()`,
    `CREATE TRIGGER attendance_totals_session_times AFTER UPDATE OF start_time, end_time ON course_sessions
     FOR EACH ROW WHEN (${TIMES_CHANGED}) EXECUTE FUNCTION attendance_totals_session_times()`,
    `CREATE TRIGGER attendance_totals_enrollment_insert AFTER INSERT ON enrollments REFERENCING NEW TABLE AS new_enrollments
     FOR EACH STATEMENT EXECUTE FUNCTION attendance_totals_enrollments_inserted()`,
    `CREATE TRIGGER attendance_totals_enrollment_update AFTER UPDATE ON enrollments REFERENCING OLD TABLE AS old_enrollments NEW TABLE AS new_enrollments
     FOR EACH STATEMENT EXECUTE FUNCTION attendance_totals_enrollments_updated()`,
  ];
}

const count = { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 };

/**
 * Fills both totals from the marks, as they stood when this migration was written. A frozen copy of
 * what src/features/attendance/totals.ts did then: a migration imports no application code, so a
 * later change to the app's rebuild cannot change what this migration does.
 */
async function fillTotals(sequelize: Sequelize): Promise<void> {
  const count = (status: string) => `SUM(CASE WHEN m.status = '${status}' THEN 1 ELSE 0 END)`;
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('DELETE FROM attendance_totals', { transaction });
    await sequelize.query('DELETE FROM attendance_session_totals', { transaction });
    await sequelize.query(
      `INSERT INTO attendance_totals (enrollment_id, course_id, county_id, user_id, status, mark, enrolled_at, present, late, excused, absent, present_minutes)
      SELECT e.id, e.course_id, e.county_id, e.user_id, e.status, e.mark, e.created_at,
        COALESCE(x.present, 0), COALESCE(x.late, 0), COALESCE(x.excused, 0), COALESCE(x.absent, 0), COALESCE(x.present_minutes, 0)
      FROM enrollments e LEFT JOIN (
        SELECT m.enrollment_id, ${count('present')} AS present, ${count('late')} AS late, ${count('excused')} AS excused, ${count('absent')} AS absent,
          SUM(CASE WHEN m.status IN ('present', 'late') THEN ${minutes('s')} ELSE 0 END) AS present_minutes
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

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize: Sequelize = qi.sequelize;
  await qi.createTable('attendance_totals', {
    enrollment_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      allowNull: false,
      references: { model: 'enrollments', key: 'id' },
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    },
    course_id: { type: DataTypes.INTEGER, allowNull: false },
    county_id: { type: DataTypes.INTEGER, allowNull: true },
    user_id: { type: DataTypes.INTEGER, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    mark: { type: DataTypes.DECIMAL(5, 2), allowNull: true },
    enrolled_at: { type: DataTypes.DATE, allowNull: false },
    present: count,
    late: count,
    excused: count,
    absent: count,
    present_minutes: count,
  });
  await qi.addIndex('attendance_totals', ['course_id'], { name: 'attendance_totals_course' });
  await qi.createTable('attendance_session_totals', {
    session_id: {
      type: DataTypes.INTEGER,
      primaryKey: true,
      allowNull: false,
      references: { model: 'course_sessions', key: 'id' },
      onDelete: 'CASCADE',
      onUpdate: 'CASCADE',
    },
    present: count,
    late: count,
    excused: count,
    absent: count,
  });
  for (const sql of sequelize.getDialect() === 'postgres' ? postgresTriggers() : sqliteTriggers()) await sequelize.query(sql);
  await fillTotals(sequelize);
  // The county report's enrollments by county, status and time, read from the index alone
  // (SQLite at national scale, every year: 0.5 s → 0.14 s).
  await qi.addIndex('enrollments', ['county_id', 'status', 'created_at', 'course_id', 'user_id'], { name: 'enrollments_county_report' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize: Sequelize = qi.sequelize;
  const triggers: [string, string][] = [
    ['attendance_totals_mark_insert', 'attendance_marks'],
    ['attendance_totals_mark_delete', 'attendance_marks'],
    ['attendance_totals_mark_update', 'attendance_marks'],
    ['attendance_totals_session_times', 'course_sessions'],
    ['attendance_totals_enrollment_insert', 'enrollments'],
    ['attendance_totals_enrollment_update', 'enrollments'],
    ['attendance_totals_enrollment_delete', 'enrollments'],
  ];
  const postgres = sequelize.getDialect() === 'postgres';
  for (const [name, table] of triggers) await sequelize.query(`DROP TRIGGER IF EXISTS ${name}${postgres ? ` ON ${table}` : ''}`);
  if (postgres) {
    for (const fn of [
      'attendance_totals_marks_inserted',
      'attendance_totals_marks_deleted',
      'attendance_totals_marks_updated',
      'attendance_totals_session_times',
      'attendance_totals_enrollments_inserted',
      'attendance_totals_enrollments_updated',
    ]) {
      await sequelize.query(`DROP FUNCTION IF EXISTS ${fn}()`);
    }
  }
  await qi.removeIndex('enrollments', 'enrollments_county_report');
  await qi.dropTable('attendance_session_totals');
  await qi.dropTable('attendance_totals');
}
