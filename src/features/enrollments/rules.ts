import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import { Course, CourseQuota, CourseSession, Enrollment } from '../../models';
import type { EnrollmentStatus } from '../../models/enrollment';
import { ConflictError } from '../../lib/errors';
import { tehranInstant, todayIso } from '../../lib/jalali';

/** Enrollments that hold a seat: approved ones, and in a course with manual approval those awaiting review. */
export const HOLDING: EnrollmentStatus[] = ['approved', 'pending'];
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

/** How many seats of a course are held, overall and per county, against its capacity and quotas. */
export class Seats {
  private constructor(
    private readonly capacity: number,
    private readonly quotas: Map<number, number>,
    private readonly held: { total: number; byCounty: Map<number, number> },
    private readonly approved: { total: number; byCounty: Map<number, number> },
  ) {}

  static async of(course: Course, transaction: Transaction): Promise<Seats> {
    const rows = await Course.sequelize!.query<{ county_id: number | null; status: string; n: number | string }>(
      `SELECT county_id, status, COUNT(*) AS n FROM enrollments
       WHERE course_id = :courseId AND status IN ('approved', 'pending') GROUP BY county_id, status`,
      { replacements: { courseId: course.id }, type: QueryTypes.SELECT, transaction },
    );
    const quotas = await CourseQuota.findAll({ where: { courseId: course.id }, transaction });
    const held = { total: 0, byCounty: new Map<number, number>() };
    const approved = { total: 0, byCounty: new Map<number, number>() };
    const add = (into: typeof held, county: number | null, n: number) => {
      into.total += n;
      if (county !== null) into.byCounty.set(county, (into.byCounty.get(county) ?? 0) + n);
    };
    for (const row of rows) {
      add(held, row.county_id, Number(row.n));
      if (row.status === 'approved') add(approved, row.county_id, Number(row.n));
    }
    return new Seats(course.capacity, new Map(quotas.map((q) => [q.countyId, q.quota])), held, approved);
  }

  private fits(counts: { total: number; byCounty: Map<number, number> }, countyId: number | null): boolean {
    if (counts.total >= this.capacity) return false;
    const quota = countyId === null ? undefined : this.quotas.get(countyId);
    return quota === undefined || (counts.byCounty.get(countyId!) ?? 0) < quota;
  }

  /** A new enrollment from this county would find a seat (nothing held beyond capacity or quota). */
  hasRoomFor(countyId: number | null): boolean {
    return this.fits(this.held, countyId);
  }

  /** One more approval from this county stays within capacity and quota (what the database guards). */
  canApprove(countyId: number | null): boolean {
    return this.fits(this.approved, countyId);
  }

  anyRoom(): boolean {
    return this.held.total < this.capacity;
  }

  take(countyId: number | null, status: EnrollmentStatus): void {
    const bump = (counts: typeof this.held) => {
      counts.total += 1;
      if (countyId !== null) counts.byCounty.set(countyId, (counts.byCounty.get(countyId) ?? 0) + 1);
    };
    if (HOLDING.includes(status)) bump(this.held);
    if (status === 'approved') bump(this.approved);
  }
}

/** The course row, locked for the rest of the transaction on PostgreSQL (SQLite writes one at a time). */
export async function lockCourse(courseId: number, transaction: Transaction): Promise<Course | null> {
  return Course.findByPk(courseId, { transaction, lock: transaction.LOCK.UPDATE });
}

/** A course starts with its first session (or when an admin marks it running). */
export function startedBy(
  course: Pick<Course, 'status'>,
  first: { date: string; startTime: string } | null,
  now = new Date(),
): boolean {
  if (course.status === 'running' || course.status === 'finished') return true;
  return first ? tehranInstant(first.date, first.startTime) <= now : false;
}

export async function hasStarted(course: Course, transaction?: Transaction, now = new Date()): Promise<boolean> {
  const first = await CourseSession.findOne({ where: { courseId: course.id }, attributes: ['date', 'startTime'], order: [['date', 'ASC'], ['startTime', 'ASC']], transaction });
  return startedBy(course, first, now);
}

/** Why a liaison may not enroll in this course now, or null when they may. */
export async function whyEnrollmentIsClosed(course: Course, transaction: Transaction): Promise<string | null> {
  if (course.status === 'cancelled') return MESSAGES.cancelledCourse;
  if (course.status === 'finished') return MESSAGES.finishedCourse;
  if (course.status === 'running' || (await hasStarted(course, transaction))) return MESSAGES.started;
  if (course.status !== 'open') return MESSAGES.notOpen;
  const today = todayIso();
  if (today < course.enrollOpens) return MESSAGES.notOpen;
  if (today > course.enrollCloses) return MESSAGES.closed;
  return null;
}

export async function nextWaitlistPosition(courseId: number, transaction: Transaction): Promise<number> {
  const last = await Enrollment.max<number | null, Enrollment>('waitlistPosition', { where: { courseId, status: 'waitlisted' }, transaction });
  return Number(last ?? 0) + 1;
}

/** Numbers the waitlist 1, 2, 3… again in its current order after someone left it. */
export async function renumberWaitlist(courseId: number, transaction: Transaction): Promise<void> {
  await Course.sequelize!.query(
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
  return code === 'SQLITE_BUSY' || code === '40001' || code === '40P01' || /SQLITE_BUSY|could not serialize|deadlock detected/.test(e?.message ?? '');
}

/** The database's own guard (migrations/20261127030000-enrollment-guards.ts) refused an approval. */
export function isGuardRefusal(err: unknown): boolean {
  const e = err as { message?: string; parent?: { message?: string } };
  return /enrollment_over_(capacity|quota)/.test(`${e?.message ?? ''} ${e?.parent?.message ?? ''}`);
}

/**
 * Runs work in one transaction, retrying the whole transaction when the database gave up on it
 * (SQLITE_BUSY from another process, a PostgreSQL serialization failure or deadlock). Refusals the
 * database makes for an invariant become Persian 409s instead of server errors.
 */
export async function inEnrollmentTransaction<T>(work: (t: Transaction) => Promise<T>, duplicateMessage = MESSAGES.alreadyEnrolled): Promise<T> {
  const sequelize = Enrollment.sequelize!;
  for (let attempt = 1; ; attempt++) {
    try {
      return await sequelize.transaction(work);
    } catch (err) {
      if (isRetryable(err) && attempt < 6) {
        await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
        continue;
      }
      // SQLite reports a trigger's RAISE(ABORT) as a constraint error: tell them apart by the message.
      if (isGuardRefusal(err)) throw new ConflictError(MESSAGES.full);
      if (err instanceof UniqueConstraintError) throw new ConflictError(duplicateMessage);
      throw err;
    }
  }
}
