import type { Sequelize, Transaction } from 'sequelize';
import type { Course } from '../../models';
import { isUniqueViolation, statements } from '../../db/prepared';
import { rerunnable } from '../../db/rerunnable';
import type { CourseStatus } from '../../models/course';
import type { EnrollmentStatus } from '../../models/enrollment';
import { ConflictError } from '../../lib/errors';
import type { Recipient } from '../notifications/service';
import { enrollmentState, hasStartedBy, refusalOf, type FirstSession } from './state';
import { Seats, SEATS_JSON } from './seats';

/** Enrollments still alive: not rejected, not cancelled. */
export const ACTIVE: EnrollmentStatus[] = ['approved', 'pending', 'waitlisted'];

export const MESSAGES = {
  alreadyEnrolled: 'شما پیش‌تر در این دوره ثبت‌نام کرده‌اید.',
  alreadyEnrolledOther: 'این رابط پیش‌تر در این دوره ثبت‌نام کرده است.',
  rejectedBefore: 'درخواست ثبت‌نام شما در این دوره پیش‌تر رد شده است. برای بررسی دوباره با روابط عمومی اداره کل تماس بگیرید.',
  full: 'ظرفیت دوره (یا سهمیهٔ شهرستان) تکمیل است.',
  notLiaison: 'تنها رابطین می‌توانند در دوره‌ها ثبت‌نام کنند.',
  inactive: 'حساب شما فعال نیست و نمی‌توانید ثبت‌نام کنید.',
  inactiveOther: 'حساب این رابط فعال نیست.',
  cancelledCourse: 'این دوره لغو شده است و ثبت‌نام در آن ممکن نیست.',
  finishedCourse: 'این دوره به پایان رسیده است.',
  notOpen: 'ثبت‌نام این دوره باز نیست.',
  started: 'این دوره آغاز شده است و ثبت‌نام در آن دیگر ممکن نیست.',
  startedCancel: 'این دوره آغاز شده است و دیگر نمی‌توانید انصراف دهید. با روابط عمومی اداره کل تماس بگیرید.',
  closed: 'مهلت ثبت‌نام این دوره به پایان رسیده است.',
  alreadyEnded: 'این ثبت‌نام پیش‌تر لغو یا رد شده است.',
};

/** What the enrollment rules read of a course, under its lock. */
export type LockedCourse = Pick<Course, 'id' | 'title' | 'status' | 'approval' | 'capacity' | 'enrollOpens' | 'enrollCloses'>;

/** The columns of a LockedCourse (courses as `c`), and the row as it arrives. */
const COURSE_COLUMNS = `c.id, c.title, c.status, c.approval, c.capacity, c.enroll_opens AS "enrollOpens", c.enroll_closes AS "enrollCloses"`;
type CourseRow = Omit<LockedCourse, 'capacity' | 'enrollOpens' | 'enrollCloses'> & {
  capacity: number | string;
  enrollOpens: string | Date;
  enrollCloses: string | Date;
};

function lockedCourseOf(row: CourseRow): LockedCourse {
  return {
    id: Number(row.id),
    title: row.title,
    status: row.status,
    approval: row.approval,
    capacity: Number(row.capacity),
    enrollOpens: isoDateOf(row.enrollOpens),
    enrollCloses: isoDateOf(row.enrollCloses),
  };
}

/** The course row's lock on PostgreSQL (SQLite writes one at a time). */
const forUpdateOf = (sequelize: Sequelize) => (sequelize.getDialect() === 'postgres' ? ' FOR UPDATE OF c' : '');

/** A course's first session comes first in this order (course_sessions as `s`). */
const FIRST_SESSION_ORDER = 'ORDER BY s.date, s.start_time LIMIT 1';

/**
 * The course row, locked for the rest of the transaction on PostgreSQL (SQLite writes one at a
 * time). A prepared statement (src/db/prepared.ts): every enrollment, cancellation and decision
 * starts here, inside the transaction the others wait for.
 */
export async function lockCourse(sequelize: Sequelize, courseId: number, transaction: Transaction): Promise<LockedCourse | null> {
  const row = await statements(sequelize).get<CourseRow>(
    `SELECT ${COURSE_COLUMNS} FROM courses c WHERE c.id = :courseId${forUpdateOf(sequelize)}`,
    { courseId },
    transaction,
  );
  return row ? lockedCourseOf(row) : null;
}

/** What a liaison's own enrollment reads before it places them: the course (locked), its first session, the liaison, and their enrollment in it if any. */
export interface EnrollingRead {
  course: LockedCourse;
  firstSession: FirstSession | null;
  /** With the addresses their news goes to. */
  liaison: (Recipient & { role: string; status: string; countyId: number | null }) | null;
  /** Their enrollment in this course (any status), if there is one. */
  enrollmentId: number | null;
  /** The course's seats, read under its lock. */
  seats: Seats;
}

/**
 * lockCourse, firstSessionOf, the liaison's row and their enrollment in the course in one statement,
 * and the course's seats (Seats): every liaison's enrollment starts here, under the lock the others
 * wait for, and on SQLite each statement is a trip through the thread pool while the lock is held
 * (the enrollment rush). On SQLite the transaction holds the database's write lock from its BEGIN,
 * so the seats are read in the same statement (SEATS_JSON); on PostgreSQL in the next one, once the
 * course's row is locked, so that no enrollment committed while it waited for the lock is missed.
 */
export async function lockCourseForEnrolling(
  sequelize: Sequelize,
  courseId: number,
  userId: number,
  transaction: Transaction,
): Promise<EnrollingRead | null> {
  const first = (column: string) => `(SELECT s.${column} FROM course_sessions s WHERE s.course_id = c.id ${FIRST_SESSION_ORDER})`;
  const sqlite = sequelize.getDialect() === 'sqlite';
  const row = await statements(sequelize).get<
    CourseRow & {
      firstDate: string | Date | null;
      firstStart: string | null;
      userId: number | null;
      role: string;
      userStatus: string;
      countyId: number | string | null;
      email: string | null;
      mobile: string | null;
      enrollmentId: number | string | null;
      seats?: string;
    }
  >(
    `SELECT ${COURSE_COLUMNS}, ${first('date')} AS "firstDate", ${first('start_time')} AS "firstStart",
            u.id AS "userId", u.role, u.status AS "userStatus", u.county_id AS "countyId", u.email, u.mobile,
            (SELECT e.id FROM enrollments e WHERE e.course_id = c.id AND e.user_id = :userId) AS "enrollmentId"${sqlite ? `, ${SEATS_JSON} AS seats` : ''}
       FROM courses c LEFT JOIN users u ON u.id = :userId
      WHERE c.id = :courseId${forUpdateOf(sequelize)}`,
    { courseId, userId },
    transaction,
  );
  if (!row) return null;
  const course = lockedCourseOf(row);
  return {
    course,
    seats: row.seats !== undefined ? Seats.fromJson(row.seats, course.capacity) : await Seats.of(sequelize, course, transaction),
    firstSession: row.firstDate === null ? null : { date: isoDateOf(row.firstDate), startTime: row.firstStart ?? '' },
    liaison:
      row.userId === null
        ? null
        : {
            id: Number(row.userId),
            role: row.role,
            status: row.userStatus,
            countyId: row.countyId === null ? null : Number(row.countyId),
            email: row.email,
            mobile: row.mobile,
          },
    enrollmentId: row.enrollmentId === null ? null : Number(row.enrollmentId),
  };
}

/** Whether the course has started (state.ts holds the rule; this reads its first session). */
export async function hasStarted(
  sequelize: Sequelize,
  course: LockedCourse,
  transaction?: Transaction,
  now = new Date(),
): Promise<boolean> {
  return hasStartedBy(course, await firstSessionOf(sequelize, course.id, transaction), now);
}

async function firstSessionOf(sequelize: Sequelize, courseId: number, transaction?: Transaction): Promise<FirstSession | null> {
  const first = await statements(sequelize).get<{ date: string | Date; start_time: string }>(
    `SELECT s.date, s.start_time FROM course_sessions s WHERE s.course_id = :courseId ${FIRST_SESSION_ORDER}`,
    { courseId },
    transaction,
  );
  return first ? { date: isoDateOf(first.date), startTime: first.start_time } : null;
}

/** A DATEONLY as 'YYYY-MM-DD' (PostgreSQL's driver may give a Date at midnight UTC, SQLite the text). */
function isoDateOf(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : String(value).slice(0, 10);
}

/** Why enrolling in this course is refused, given its first session (state.ts), or null when it is open. */
export function whyClosed(course: LockedCourse, firstSession: FirstSession | null): string | null {
  return refusalOf(
    enrollmentState({
      status: course.status as CourseStatus,
      enrollOpens: course.enrollOpens,
      enrollCloses: course.enrollCloses,
      firstSession,
    }),
  );
}

/** Numbers the waitlist 1, 2, 3… again in its current order after someone left it. */
export async function renumberWaitlist(sequelize: Sequelize, courseId: number, transaction: Transaction): Promise<void> {
  await sequelize.query(
    `UPDATE enrollments SET waitlist_position = ranked.position
     FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY waitlist_position, id) AS position
           FROM enrollments WHERE course_id = :courseId AND status = 'waitlisted') AS ranked
     WHERE enrollments.id = ranked.id AND (enrollments.waitlist_position IS NULL OR enrollments.waitlist_position <> ranked.position)`,
    { replacements: { courseId }, transaction },
  );
}

function isRetryable(err: unknown): boolean {
  const e = err as { parent?: { code?: string }; original?: { code?: string }; message?: string };
  const code = e?.parent?.code ?? e?.original?.code;
  return (
    code === 'SQLITE_BUSY' ||
    code === '40001' ||
    code === '40P01' ||
    /SQLITE_BUSY|could not serialize|deadlock detected/.test(e?.message ?? '')
  );
}

/** The database's own guard (migrations/20261127030000-enrollment-guards.ts) refused an approval. */
export function isGuardRefusal(err: unknown): boolean {
  const e = err as { message?: string; parent?: { message?: string } };
  return /enrollment_over_(capacity|quota)/.test(`${e?.message ?? ''} ${e?.parent?.message ?? ''}`);
}

/**
 * The one transaction for any work that moves enrollments (enrolling, approving, promoting from the
 * waitlist — also when a course's capacity grows): retries the whole transaction (so its work is
 * rerunnable, src/db/rerunnable.ts) when the database gave up on it (SQLITE_BUSY from another
 * process, a PostgreSQL serialization failure or deadlock).
 * Refusals the database makes for an invariant become Persian 409s instead of server errors; a
 * unique key lost to a concurrent request becomes `duplicate` (a message, or the error to throw).
 */
export async function inEnrollmentTransaction<T>(
  sequelize: Sequelize,
  work: (t: Transaction) => Promise<T>,
  duplicate: string | Error = MESSAGES.alreadyEnrolled,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sequelize.transaction(rerunnable(work));
    } catch (err) {
      if (isRetryable(err) && attempt < 6) {
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
        continue;
      }
      // SQLite reports a trigger's RAISE(ABORT) as a constraint error: tell them apart by the message.
      if (isGuardRefusal(err)) throw new ConflictError(MESSAGES.full);
      if (isUniqueViolation(err)) throw typeof duplicate === 'string' ? new ConflictError(duplicate) : duplicate;
      throw err;
    }
  }
}
