import type { Sequelize, Transaction } from 'sequelize';
import { statements } from '../../db/prepared';
import { Enrollment, User } from '../../models';
import type { EnrollmentStatus } from '../../models/enrollment';
import type { Role } from '../../models/user';
import { recordAudit, type Actor } from '../../services/audit';
import type { Outbox } from '../../services/outbox';
import type { Recipient } from '../notifications/service';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors';
import { normalizeCode } from '../../lib/persian';
import { notifyEnrollmentChange, notifyEnrollmentChanges } from './notify';
import { HOLDING, Seats } from './seats';
import {
  ACTIVE,
  MESSAGES,
  hasStarted,
  inEnrollmentTransaction,
  type LockedCourse,
  lockCourse,
  lockCourseForEnrolling,
  renumberWaitlist,
  whyClosed,
} from './rules';

/** Someone acting on enrollments: the audit actor plus their role. */
export interface Person extends Actor {
  id: number;
  role: Role;
}

export interface EnrollmentOutcome {
  enrollmentId: number;
  courseId: number;
  courseTitle: string;
  status: EnrollmentStatus;
  waitlistPosition: number | null;
}

const outcome = (e: Pick<Enrollment, 'id' | 'status' | 'waitlistPosition'>, course: LockedCourse): EnrollmentOutcome => ({
  enrollmentId: e.id,
  courseId: course.id,
  courseTitle: course.title,
  status: e.status,
  waitlistPosition: e.waitlistPosition,
});

/**
 * Places a liaison in a course: a seat when one is left (approved at once, or pending an admin's
 * review in a course with manual approval; an admin's own enrolling approves), otherwise the end of
 * the waitlist. A cancelled enrollment of the same liaison comes back to life (one row per liaison
 * and course).
 */
async function placeLiaison(
  sequelize: Sequelize,
  outbox: Outbox,
  course: LockedCourse,
  /** With their addresses, for the news of where they were placed. */
  liaison: Recipient & { countyId: number | null },
  actor: Actor,
  byAdmin: boolean,
  transaction: Transaction,
  /** Their enrollment in the course, if there is one (lockCourseForEnrolling or enrollmentIdOf read it). */
  enrollmentId: number | null,
  /** The course's seats, if read already under its lock (lockCourseForEnrolling). */
  seatsRead?: Seats,
): Promise<Pick<Enrollment, 'id' | 'status' | 'waitlistPosition'>> {
  // Most enrollments are a first one: the model instance only when a row is there.
  const existing = enrollmentId !== null ? await Enrollment.findByPk(enrollmentId, { transaction }) : null;
  if (existing && ACTIVE.includes(existing.status))
    throw new ConflictError(byAdmin ? MESSAGES.alreadyEnrolledOther : MESSAGES.alreadyEnrolled);
  if (existing?.status === 'rejected' && !byAdmin) throw new ConflictError(MESSAGES.rejectedBefore);

  const seats = seatsRead ?? (await Seats.of(sequelize, course, transaction));
  const countyId = liaison.countyId ?? null;
  const seated = seats.hasRoomFor(countyId);
  const status: EnrollmentStatus = !seated ? 'waitlisted' : byAdmin || course.approval === 'auto' ? 'approved' : 'pending';
  const waitlistPosition = seated ? null : seats.nextWaitlistPlace();
  const fields = { status, waitlistPosition, countyId, changedBy: actor.id, reason: null };
  // A first enrollment is a prepared INSERT; a cancelled one coming back is updated through its model.
  const now = new Date();
  const enrollment = existing
    ? await existing.update(fields, { transaction })
    : {
        id: await statements(sequelize).insert(
          `INSERT INTO enrollments (course_id, user_id, county_id, status, waitlist_position, mark, reason, changed_by, created_at, updated_at)
           VALUES (:courseId, :userId, :countyId, :status, :waitlistPosition, NULL, NULL, :changedBy, :now, :now)`,
          { courseId: course.id, userId: liaison.id, countyId, status, waitlistPosition, changedBy: actor.id ?? null, now },
          transaction,
        ),
        status,
        waitlistPosition,
      };

  const change =
    status === 'waitlisted' ? { kind: 'waitlisted' as const, position: waitlistPosition! } : { kind: status as 'approved' | 'pending' };
  // The audit row and the news do not wait for each other (statements sent together, src/db/prepared.ts).
  await Promise.all([
    recordAudit(
      sequelize,
      actor,
      byAdmin ? 'enrollment.enroll-by-admin' : 'enrollment.enroll',
      { type: 'enrollment', id: enrollment.id },
      { courseId: course.id, userId: liaison.id, status, waitlistPosition },
      transaction,
    ),
    notifyEnrollmentChange(sequelize, outbox, liaison, course.title, change, transaction),
  ]);
  return enrollment;
}

/** The liaison's enrollment in the course (any status), if there is one. */
async function enrollmentIdOf(sequelize: Sequelize, courseId: number, userId: number, transaction: Transaction): Promise<number | null> {
  const row = await statements(sequelize).get<{ id: number | string }>(
    'SELECT id FROM enrollments WHERE course_id = :courseId AND user_id = :userId',
    { courseId, userId },
    transaction,
  );
  return row ? Number(row.id) : null;
}

/** A liaison enrolls in an open course inside its enrollment window, before it starts. */
export async function enrollInCourse(
  sequelize: Sequelize,
  outbox: Outbox,
  input: { courseId: number; actor: Actor & { id: number } },
): Promise<EnrollmentOutcome> {
  return inEnrollmentTransaction(sequelize, async (transaction) => {
    const read = await lockCourseForEnrolling(sequelize, input.courseId, input.actor.id, transaction);
    if (!read) throw new NotFoundError('این دوره پیدا نشد.');
    const { course, liaison } = read;
    if (liaison?.status !== 'active') throw new ForbiddenError(MESSAGES.inactive);
    if (liaison.role !== 'liaison') throw new ForbiddenError(MESSAGES.notLiaison);
    const closed = whyClosed(course, read.firstSession);
    if (closed) throw new ConflictError(closed);
    return outcome(
      await placeLiaison(sequelize, outbox, course, liaison, input.actor, false, transaction, read.enrollmentId, read.seats),
      course,
    );
  });
}

/** An admin enrolls a liaison by username; allowed until the course is finished, capacity still holds. */
export async function enrollByHand(
  sequelize: Sequelize,
  outbox: Outbox,
  input: { courseId: number; username: string; actor: Actor },
): Promise<EnrollmentOutcome> {
  const username = normalizeCode(input.username).toLowerCase();
  return inEnrollmentTransaction(
    sequelize,
    async (transaction) => {
      const course = await lockCourse(sequelize, input.courseId, transaction);
      if (!course) throw new NotFoundError('این دوره پیدا نشد.');
      if (course.status === 'finished') throw new ConflictError(MESSAGES.finishedCourse);
      if (course.status === 'cancelled') throw new ConflictError(MESSAGES.cancelledCourse);
      const liaison = await User.findOne({
        where: { username },
        attributes: ['id', 'role', 'status', 'countyId', 'email', 'mobile'],
        transaction,
      });
      if (liaison?.role !== 'liaison') throw new ConflictError('رابطی با این نام کاربری پیدا نشد.');
      if (liaison.status !== 'active') throw new ConflictError(MESSAGES.inactiveOther);
      const enrollmentId = await enrollmentIdOf(sequelize, course.id, liaison.id, transaction);
      return outcome(await placeLiaison(sequelize, outbox, course, liaison, input.actor, true, transaction, enrollmentId), course);
    },
    MESSAGES.alreadyEnrolledOther,
  );
}

/**
 * Seats left free (after a cancellation, a rejection, a raised capacity) go to the waitlist in order:
 * the first waitlisted whose county still has quota is promoted, until no seat is left. Runs in the
 * caller's transaction, so a freed seat is never seen empty while someone waits.
 */
export async function fillFreedSeats(
  sequelize: Sequelize,
  outbox: Outbox,
  courseId: number,
  actor: Actor,
  transaction: Transaction,
): Promise<void> {
  const course = await lockCourse(sequelize, courseId, transaction);
  if (!course || course.status === 'finished' || course.status === 'cancelled') return;
  const seats = await Seats.of(sequelize, course, transaction);
  if (seats.anyRoom()) {
    // With each liaison's addresses, for the news of a seat won (no read per promotion).
    const waiting = await Enrollment.findAll({
      where: { courseId, status: 'waitlisted' },
      include: [{ model: User, as: 'user', attributes: ['id', 'email', 'mobile'] }],
      order: [
        ['waitlistPosition', 'ASC'],
        ['id', 'ASC'],
      ],
      transaction,
    });
    for (const enrollment of waiting) {
      if (!seats.anyRoom()) break;
      if (!seats.hasRoomFor(enrollment.countyId ?? null)) continue;
      const status = course.approval === 'manual' ? 'pending' : 'approved';
      const from = enrollment.waitlistPosition;
      await enrollment.update({ status, waitlistPosition: null, changedBy: actor.id, reason: null }, { transaction });
      seats.take(enrollment.countyId ?? null, status);
      await recordAudit(
        sequelize,
        actor,
        'enrollment.promote',
        { type: 'enrollment', id: enrollment.id },
        { courseId, from, status },
        transaction,
      );
      await notifyEnrollmentChange(sequelize, outbox, enrollment.user!, course.title, { kind: 'promoted', status }, transaction);
    }
  }
  await renumberWaitlist(sequelize, courseId, transaction);
}

/** The enrollment and its course, the course row locked first, then the enrollment read again under it. */
async function lockEnrollment(
  sequelize: Sequelize,
  enrollmentId: number,
  transaction: Transaction,
): Promise<{ enrollment: Enrollment; course: LockedCourse }> {
  const found = await Enrollment.findByPk(enrollmentId, { attributes: ['id', 'courseId'], transaction });
  if (!found) throw new NotFoundError('این ثبت‌نام پیدا نشد.');
  const course = await lockCourse(sequelize, found.courseId, transaction);
  const enrollment = await Enrollment.findByPk(enrollmentId, { transaction });
  if (!course || !enrollment) throw new NotFoundError('این ثبت‌نام پیدا نشد.');
  return { enrollment, course };
}

/** Someone leaves a seat or the waitlist: the seat goes to the first waitlisted, the waitlist closes up. */
async function afterLeaving(
  sequelize: Sequelize,
  outbox: Outbox,
  course: LockedCourse,
  was: EnrollmentStatus,
  actor: Actor,
  transaction: Transaction,
): Promise<void> {
  if (HOLDING.includes(was)) await fillFreedSeats(sequelize, outbox, course.id, actor, transaction);
  else if (was === 'waitlisted') await renumberWaitlist(sequelize, course.id, transaction);
}

const SETTLED_ACTIONS = { cancelled: 'enrollment.cancel', approved: 'enrollment.approve', rejected: 'enrollment.reject' } as const;

/**
 * An admin's or a liaison's decision on one enrollment: its new status (off the waitlist), who made
 * it and why, and the audit record of it, in the caller's transaction. Returns the status it had.
 */
async function settle(
  sequelize: Sequelize,
  enrollment: Enrollment,
  courseId: number,
  status: keyof typeof SETTLED_ACTIONS,
  actor: Actor,
  reason: string | null,
  transaction: Transaction,
): Promise<EnrollmentStatus> {
  const was = enrollment.status;
  await enrollment.update({ status, waitlistPosition: null, changedBy: actor.id, reason }, { transaction });
  await recordAudit(
    sequelize,
    actor,
    SETTLED_ACTIONS[status],
    { type: 'enrollment', id: enrollment.id },
    { courseId, was, reason },
    transaction,
  );
  return was;
}

/** The liaison (before the course starts) or an admin cancels an enrollment. */
export async function cancelEnrollment(
  sequelize: Sequelize,
  outbox: Outbox,
  input: { enrollmentId: number; actor: Person; reason?: string | null },
): Promise<EnrollmentOutcome> {
  return inEnrollmentTransaction(sequelize, async (transaction) => {
    const { enrollment, course } = await lockEnrollment(sequelize, input.enrollmentId, transaction);
    const byAdmin = input.actor.role === 'admin';
    if (!byAdmin && enrollment.userId !== input.actor.id) throw new ForbiddenError();
    if (!ACTIVE.includes(enrollment.status)) throw new ConflictError(MESSAGES.alreadyEnded);
    if (!byAdmin && (await hasStarted(sequelize, course, transaction))) throw new ConflictError(MESSAGES.startedCancel);
    const reason = input.reason ?? null;
    const was = await settle(sequelize, enrollment, course.id, 'cancelled', input.actor, reason, transaction);
    await notifyEnrollmentChanges(
      sequelize,
      outbox,
      [enrollment.userId],
      course.title,
      { kind: 'cancelled', byAdmin: byAdmin && enrollment.userId !== input.actor.id, reason },
      transaction,
    );
    await afterLeaving(sequelize, outbox, course, was, input.actor, transaction);
    return outcome(enrollment, course);
  });
}

/** An admin approves a pending enrollment, or takes a waitlisted liaison ahead of the line (with a reason). */
export async function approveEnrollment(
  sequelize: Sequelize,
  outbox: Outbox,
  input: { enrollmentId: number; actor: Actor; reason?: string | null },
): Promise<EnrollmentOutcome> {
  return inEnrollmentTransaction(sequelize, async (transaction) => {
    const { enrollment, course } = await lockEnrollment(sequelize, input.enrollmentId, transaction);
    if (enrollment.status !== 'pending' && enrollment.status !== 'waitlisted')
      throw new ConflictError('تنها ثبت‌نام‌های در انتظار تأیید یا در فهرست انتظار را می‌توان تأیید کرد.');
    const seats = await Seats.of(sequelize, course, transaction);
    if (!seats.canApprove(enrollment.countyId ?? null)) throw new ConflictError(MESSAGES.full);
    const reason = input.reason ?? null;
    const was = await settle(sequelize, enrollment, course.id, 'approved', input.actor, reason, transaction);
    await notifyEnrollmentChanges(sequelize, outbox, [enrollment.userId], course.title, { kind: 'approved' }, transaction);
    if (was === 'waitlisted') await renumberWaitlist(sequelize, course.id, transaction);
    return outcome(enrollment, course);
  });
}

/** An admin rejects an enrollment with a reason; a seat it held goes to the waitlist. */
export async function rejectEnrollment(
  sequelize: Sequelize,
  outbox: Outbox,
  input: { enrollmentId: number; actor: Actor; reason: string },
): Promise<EnrollmentOutcome> {
  return inEnrollmentTransaction(sequelize, async (transaction) => {
    const { enrollment, course } = await lockEnrollment(sequelize, input.enrollmentId, transaction);
    if (!ACTIVE.includes(enrollment.status)) throw new ConflictError(MESSAGES.alreadyEnded);
    const was = await settle(sequelize, enrollment, course.id, 'rejected', input.actor, input.reason, transaction);
    await notifyEnrollmentChanges(
      sequelize,
      outbox,
      [enrollment.userId],
      course.title,
      { kind: 'rejected', reason: input.reason },
      transaction,
    );
    await afterLeaving(sequelize, outbox, course, was, input.actor, transaction);
    return outcome(enrollment, course);
  });
}

/** An admin moves a waitlisted liaison one place up or down, with a reason. */
export async function moveOnWaitlist(
  sequelize: Sequelize,
  outbox: Outbox,
  input: { enrollmentId: number; actor: Actor; direction: 'up' | 'down'; reason: string },
): Promise<EnrollmentOutcome> {
  return inEnrollmentTransaction(sequelize, async (transaction) => {
    const { enrollment, course } = await lockEnrollment(sequelize, input.enrollmentId, transaction);
    if (enrollment.status !== 'waitlisted' || enrollment.waitlistPosition === null)
      throw new ConflictError('این رابط در فهرست انتظار نیست.');
    const from = enrollment.waitlistPosition;
    const to = input.direction === 'up' ? from - 1 : from + 1;
    const neighbour = await Enrollment.findOne({ where: { courseId: course.id, status: 'waitlisted', waitlistPosition: to }, transaction });
    if (!neighbour)
      throw new ConflictError(input.direction === 'up' ? 'این رابط نخستین نفر فهرست انتظار است.' : 'این رابط آخرین نفر فهرست انتظار است.');
    await neighbour.update({ waitlistPosition: from }, { transaction });
    await enrollment.update({ waitlistPosition: to, changedBy: input.actor.id, reason: input.reason }, { transaction });
    await recordAudit(
      sequelize,
      input.actor,
      'enrollment.move',
      { type: 'enrollment', id: enrollment.id },
      { courseId: course.id, from, to, swappedWith: neighbour.id, reason: input.reason },
      transaction,
    );
    await notifyEnrollmentChanges(sequelize, outbox, [enrollment.userId], course.title, { kind: 'moved', position: to }, transaction);
    await notifyEnrollmentChanges(sequelize, outbox, [neighbour.userId], course.title, { kind: 'moved', position: from }, transaction);
    return outcome(enrollment, course);
  });
}
