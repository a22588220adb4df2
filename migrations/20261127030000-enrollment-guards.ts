import type { QueryInterface } from 'sequelize';

/**
 * The enrollment invariants held by the database itself, whatever code writes the rows: approved
 * enrollments of a course never exceed its capacity nor the quota of a county (course_quotas) —
 * neither when an enrollment is approved nor when a capacity or a quota is lowered.
 * One enrollment per liaison and course is the unique index of the initial migration.
 *
 * SQLite writes one transaction at a time, so counting inside a trigger is enough there. On
 * PostgreSQL the trigger first locks the course row, so two transactions approving in the same course
 * queue on it and the second counts what the first committed (READ COMMITTED takes a new snapshot
 * for each statement of a PL/pgSQL function).
 */

const SQLITE_COUNTS = {
  capacity: (self: string) =>
    `(SELECT COUNT(*) FROM enrollments WHERE course_id = NEW.course_id AND status = 'approved'${self}) >= (SELECT capacity FROM courses WHERE id = NEW.course_id)`,
  quota: (self: string) =>
    `NEW.county_id IS NOT NULL AND (SELECT COUNT(*) FROM enrollments WHERE course_id = NEW.course_id AND county_id = NEW.county_id AND status = 'approved'${self}) >= (SELECT quota FROM course_quotas WHERE course_id = NEW.course_id AND county_id = NEW.county_id)`,
};

function sqliteBody(self: string): string {
  return `BEGIN
    SELECT RAISE(ABORT, 'enrollment_over_capacity') WHERE ${SQLITE_COUNTS.capacity(self)};
    SELECT RAISE(ABORT, 'enrollment_over_quota') WHERE ${SQLITE_COUNTS.quota(self)};
  END`;
}

const POSTGRES_FUNCTION = `
CREATE OR REPLACE FUNCTION enrollments_guard() RETURNS trigger AS $$
DECLARE
  seats integer;
  county_quota integer;
  taken integer;
BEGIN
  IF NEW.status <> 'approved' OR (TG_OP = 'UPDATE' AND OLD.status = 'approved'
      AND OLD.course_id = NEW.course_id AND OLD.county_id IS NOT DISTINCT FROM NEW.county_id) THEN
    RETURN NEW;
  END IF;
  SELECT capacity INTO seats FROM courses WHERE id = NEW.course_id FOR UPDATE;
  SELECT count(*) INTO taken FROM enrollments
    WHERE course_id = NEW.course_id AND status = 'approved' AND id <> NEW.id;
  IF taken >= seats THEN
    RAISE EXCEPTION 'enrollment_over_capacity' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.county_id IS NOT NULL THEN
    SELECT quota INTO county_quota FROM course_quotas WHERE course_id = NEW.course_id AND county_id = NEW.county_id;
    IF county_quota IS NOT NULL THEN
      SELECT count(*) INTO taken FROM enrollments
        WHERE course_id = NEW.course_id AND county_id = NEW.county_id AND status = 'approved' AND id <> NEW.id;
      IF taken >= county_quota THEN
        RAISE EXCEPTION 'enrollment_over_quota' USING ERRCODE = 'check_violation';
      END IF;
    END IF;
  END IF;
  RETURN NEW;
END
$$ LANGUAGE plpgsql`;

/** Lowering a capacity or a quota below what is already approved is refused too. */
const POSTGRES_LIMIT_FUNCTIONS = [
  `CREATE OR REPLACE FUNCTION courses_capacity_guard() RETURNS trigger AS $$
  BEGIN
    IF NEW.capacity < OLD.capacity AND
       (SELECT count(*) FROM enrollments WHERE course_id = NEW.id AND status = 'approved') > NEW.capacity THEN
      RAISE EXCEPTION 'enrollment_over_capacity' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END
  $$ LANGUAGE plpgsql`,
  `CREATE OR REPLACE FUNCTION course_quotas_guard() RETURNS trigger AS $$
  BEGIN
    PERFORM 1 FROM courses WHERE id = NEW.course_id FOR UPDATE;
    IF (SELECT count(*) FROM enrollments
        WHERE course_id = NEW.course_id AND county_id = NEW.county_id AND status = 'approved') > NEW.quota THEN
      RAISE EXCEPTION 'enrollment_over_quota' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END
  $$ LANGUAGE plpgsql`,
  'CREATE TRIGGER courses_capacity_guard BEFORE UPDATE OF capacity ON courses FOR EACH ROW EXECUTE FUNCTION courses_capacity_guard()',
  'CREATE TRIGGER course_quotas_guard BEFORE INSERT OR UPDATE OF quota, course_id, county_id ON course_quotas FOR EACH ROW EXECUTE FUNCTION course_quotas_guard()',
];

const APPROVED_IN_COUNTY = `(SELECT COUNT(*) FROM enrollments WHERE course_id = NEW.course_id AND county_id = NEW.county_id AND status = 'approved') > NEW.quota`;
const SQLITE_LIMIT_TRIGGERS = [
  `CREATE TRIGGER courses_capacity_guard BEFORE UPDATE OF capacity ON courses WHEN NEW.capacity < OLD.capacity BEGIN
     SELECT RAISE(ABORT, 'enrollment_over_capacity')
     WHERE (SELECT COUNT(*) FROM enrollments WHERE course_id = NEW.id AND status = 'approved') > NEW.capacity;
   END`,
  `CREATE TRIGGER course_quotas_guard_insert BEFORE INSERT ON course_quotas BEGIN
     SELECT RAISE(ABORT, 'enrollment_over_quota') WHERE ${APPROVED_IN_COUNTY};
   END`,
  `CREATE TRIGGER course_quotas_guard_update BEFORE UPDATE OF quota, course_id, county_id ON course_quotas BEGIN
     SELECT RAISE(ABORT, 'enrollment_over_quota') WHERE ${APPROVED_IN_COUNTY};
   END`,
];

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  if (sequelize.getDialect() === 'postgres') {
    await sequelize.query(POSTGRES_FUNCTION);
    await sequelize.query(
      'CREATE TRIGGER enrollments_guard BEFORE INSERT OR UPDATE ON enrollments FOR EACH ROW EXECUTE FUNCTION enrollments_guard()',
    );
    for (const sql of POSTGRES_LIMIT_FUNCTIONS) await sequelize.query(sql);
  } else {
    for (const sql of SQLITE_LIMIT_TRIGGERS) await sequelize.query(sql);
    await sequelize.query(
      `CREATE TRIGGER enrollments_guard_insert BEFORE INSERT ON enrollments WHEN NEW.status = 'approved' ${sqliteBody('')}`,
    );
    await sequelize.query(
      `CREATE TRIGGER enrollments_guard_update BEFORE UPDATE OF status, course_id, county_id ON enrollments
       WHEN NEW.status = 'approved' AND (OLD.status <> 'approved' OR OLD.course_id <> NEW.course_id OR OLD.county_id IS NOT NEW.county_id)
       ${sqliteBody(' AND id <> OLD.id')}`,
    );
  }
  // The waitlist is read in order of position on every seat that frees.
  await qi.addIndex('enrollments', ['course_id', 'status', 'waitlist_position'], { name: 'enrollments_waitlist_order' });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  const sequelize = qi.sequelize;
  await qi.removeIndex('enrollments', 'enrollments_waitlist_order');
  if (sequelize.getDialect() === 'postgres') {
    await sequelize.query('DROP TRIGGER IF EXISTS enrollments_guard ON enrollments');
    await sequelize.query('DROP FUNCTION IF EXISTS enrollments_guard()');
    await sequelize.query('DROP TRIGGER IF EXISTS courses_capacity_guard ON courses');
    await sequelize.query('DROP FUNCTION IF EXISTS courses_capacity_guard()');
    await sequelize.query('DROP TRIGGER IF EXISTS course_quotas_guard ON course_quotas');
    await sequelize.query('DROP FUNCTION IF EXISTS course_quotas_guard()');
  } else {
    for (const name of ['courses_capacity_guard', 'course_quotas_guard_insert', 'course_quotas_guard_update']) {
      await sequelize.query(`DROP TRIGGER IF EXISTS ${name}`);
    }
    await sequelize.query('DROP TRIGGER IF EXISTS enrollments_guard_insert');
    await sequelize.query('DROP TRIGGER IF EXISTS enrollments_guard_update');
  }
}
