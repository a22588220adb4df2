import { DataTypes, type QueryInterface } from 'sequelize';
// The counties as they were when Rabet was first installed (a frozen copy: later edits to the app's
// list do not change what this migration inserts).
import counties from './data/kerman-counties-1405.json';

/** The whole domain of DESIGN.md: counties, users, courses and sessions, enrollments, attendance,
 * certificates, audit, and what several app instances must share (sessions, rate-limit counters). */

const id = { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};
const ref = (table: string, allowNull = false, onDelete = 'RESTRICT') => ({
  type: DataTypes.INTEGER,
  allowNull,
  references: { model: table, key: 'id' },
  onDelete,
  onUpdate: 'CASCADE',
});

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable('counties', {
    id,
    slug: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    name: { type: DataTypes.STRING(100), allowNull: false },
    name_en: { type: DataTypes.STRING(100), allowNull: true },
    active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    ...timestamps,
  });

  await qi.createTable('users', {
    id,
    role: { type: DataTypes.STRING(16), allowNull: false },
    username: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    password_hash: { type: DataTypes.STRING(255), allowNull: false },
    full_name: { type: DataTypes.STRING(120), allowNull: false },
    father_name: { type: DataTypes.STRING(120), allowNull: true },
    national_code: { type: DataTypes.STRING(10), allowNull: true, unique: true },
    mobile: { type: DataTypes.STRING(11), allowNull: true },
    email: { type: DataTypes.STRING(254), allowNull: true },
    county_id: ref('counties', true),
    position: { type: DataTypes.STRING(160), allowNull: true },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
    search_key: { type: DataTypes.STRING(600), allowNull: false, defaultValue: '' },
    last_login_at: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('users', ['role', 'status']);
  await qi.addIndex('users', ['county_id']);

  await qi.createTable('settings', {
    key: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    value: { type: DataTypes.TEXT, allowNull: false },
    ...timestamps,
  });

  await qi.createTable('courses', {
    id,
    code: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    title: { type: DataTypes.STRING(200), allowNull: false },
    category: { type: DataTypes.STRING(100), allowNull: false },
    description: { type: DataTypes.TEXT, allowNull: true },
    instructor_name: { type: DataTypes.STRING(120), allowNull: true },
    instructor_id: ref('users', true, 'SET NULL'),
    delivery: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'in-person' },
    place: { type: DataTypes.STRING(200), allowNull: true },
    link: { type: DataTypes.STRING(500), allowNull: true },
    capacity: { type: DataTypes.INTEGER, allowNull: false },
    hours: { type: DataTypes.DECIMAL(6, 1), allowNull: false },
    enroll_opens: { type: DataTypes.DATEONLY, allowNull: false },
    enroll_closes: { type: DataTypes.DATEONLY, allowNull: false },
    min_attendance: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 80 },
    pass_mark: { type: DataTypes.DECIMAL(5, 2), allowNull: true },
    count_excused: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    approval: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'auto' },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'draft' },
    search_key: { type: DataTypes.STRING(600), allowNull: false, defaultValue: '' },
    created_by: ref('users', true, 'SET NULL'),
    ...timestamps,
  });
  await qi.addIndex('courses', ['status']);
  await qi.addIndex('courses', ['category']);

  await qi.createTable('course_quotas', {
    id,
    course_id: ref('courses', false, 'CASCADE'),
    county_id: ref('counties'),
    quota: { type: DataTypes.INTEGER, allowNull: false },
    ...timestamps,
  });
  await qi.addIndex('course_quotas', ['course_id', 'county_id'], { unique: true });

  await qi.createTable('course_sessions', {
    id,
    course_id: ref('courses'),
    date: { type: DataTypes.DATEONLY, allowNull: false },
    start_time: { type: DataTypes.STRING(5), allowNull: false },
    end_time: { type: DataTypes.STRING(5), allowNull: false },
    topic: { type: DataTypes.STRING(200), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('course_sessions', ['course_id', 'date']);
  await qi.addIndex('course_sessions', ['date']);

  await qi.createTable('enrollments', {
    id,
    course_id: ref('courses'),
    user_id: ref('users'),
    county_id: ref('counties', true),
    status: { type: DataTypes.STRING(16), allowNull: false },
    waitlist_position: { type: DataTypes.INTEGER, allowNull: true },
    mark: { type: DataTypes.DECIMAL(5, 2), allowNull: true },
    changed_by: ref('users', true, 'SET NULL'),
    reason: { type: DataTypes.STRING(500), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('enrollments', ['course_id', 'user_id'], { unique: true });
  await qi.addIndex('enrollments', ['course_id', 'status']);
  await qi.addIndex('enrollments', ['user_id']);

  await qi.createTable('attendance_marks', {
    id,
    session_id: ref('course_sessions'),
    enrollment_id: ref('enrollments'),
    status: { type: DataTypes.STRING(16), allowNull: false },
    note: { type: DataTypes.STRING(500), allowNull: true },
    source: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'sheet' },
    recorded_by: ref('users', true, 'SET NULL'),
    recorded_at: { type: DataTypes.DATE, allowNull: false },
    ...timestamps,
  });
  await qi.addIndex('attendance_marks', ['session_id', 'enrollment_id'], { unique: true });
  await qi.addIndex('attendance_marks', ['enrollment_id']);

  await qi.createTable('certificates', {
    id,
    enrollment_id: ref('enrollments'),
    serial: { type: DataTypes.STRING(32), allowNull: false, unique: true },
    serial_year: { type: DataTypes.INTEGER, allowNull: false },
    serial_number: { type: DataTypes.INTEGER, allowNull: false },
    code: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    issued_at: { type: DataTypes.DATE, allowNull: false },
    issued_by: ref('users', true, 'SET NULL'),
    fields: { type: DataTypes.TEXT, allowNull: false },
    template: { type: DataTypes.STRING(200), allowNull: true },
    pdf: { type: DataTypes.BLOB, allowNull: false },
    sha256: { type: DataTypes.STRING(64), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'valid' },
    status_reason: { type: DataTypes.STRING(500), allowNull: true },
    status_changed_at: { type: DataTypes.DATE, allowNull: true },
    superseded_by_id: ref('certificates', true, 'SET NULL'),
    override_reason: { type: DataTypes.STRING(500), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('certificates', ['serial_year', 'serial_number'], { unique: true });
  await qi.addIndex('certificates', ['enrollment_id']);
  await qi.addIndex('certificates', ['sha256']);

  await qi.createTable('audit_events', {
    id,
    actor_id: ref('users', true, 'SET NULL'),
    action: { type: DataTypes.STRING(64), allowNull: false },
    entity_type: { type: DataTypes.STRING(32), allowNull: false },
    entity_id: { type: DataTypes.INTEGER, allowNull: true },
    details: { type: DataTypes.TEXT, allowNull: true },
    ip: { type: DataTypes.STRING(64), allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('audit_events', ['entity_type', 'entity_id']);
  await qi.addIndex('audit_events', ['created_at']);

  await qi.createTable('notifications', {
    id,
    user_id: ref('users', false, 'CASCADE'),
    message: { type: DataTypes.STRING(500), allowNull: false },
    link: { type: DataTypes.STRING(300), allowNull: true },
    read_at: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('notifications', ['user_id', 'created_at']);

  await qi.createTable('outbox_emails', {
    id,
    to: { type: DataTypes.STRING(254), allowNull: false },
    subject: { type: DataTypes.STRING(300), allowNull: false },
    body: { type: DataTypes.TEXT, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'queued' },
    error: { type: DataTypes.STRING(500), allowNull: true },
    sent_at: { type: DataTypes.DATE, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
  });

  await qi.createTable('http_sessions', {
    sid: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
    expires: { type: DataTypes.DATE, allowNull: true },
    data: { type: DataTypes.TEXT, allowNull: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('http_sessions', ['expires']);

  await qi.createTable('rate_limits', {
    key: { type: DataTypes.STRING(200), primaryKey: true, allowNull: false },
    hits: { type: DataTypes.INTEGER, allowNull: false },
    reset_at: { type: DataTypes.DATE, allowNull: false },
  });

  const now = new Date();
  await qi.bulkInsert(
    'counties',
    counties.map((c) => ({ slug: c.slug, name: c.name_fa, name_en: c.name_en, active: true, created_at: now, updated_at: now })),
  );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const table of [
    'rate_limits',
    'http_sessions',
    'outbox_emails',
    'notifications',
    'audit_events',
    'certificates',
    'attendance_marks',
    'enrollments',
    'course_sessions',
    'course_quotas',
    'courses',
    'settings',
    'users',
    'counties',
  ]) {
    await qi.dropTable(table);
  }
}
