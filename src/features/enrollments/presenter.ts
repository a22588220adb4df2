import { Op, type WhereOptions } from 'sequelize';
import { County, Course, Enrollment, OutboxEmail, User } from '../../models';
import type { EnrollmentStatus } from '../../models/enrollment';
import { todayIso } from '../../lib/jalali';
import type { MyEnrollmentRow } from './queries';
import { NotFoundError } from '../../lib/errors';
import { searchKey, toPersianDigits } from '../../lib/persian';
import { ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import { ACTIVE } from './rules';
import { freeSeats, HOLDING } from './seats';
import { hasStartedBy } from './state';

/** «در فهرست انتظار (نوبت ۳)», «ردشده — دلیل: …»: the status as a liaison reads it. */
export function statusText(status: EnrollmentStatus, position: number | null, reason: string | null): string {
  if (status === 'waitlisted' && position !== null) return `${ENROLLMENT_STATUS_LABELS.waitlisted} (نوبت ${toPersianDigits(position)})`;
  if (status === 'rejected' && reason) return `${ENROLLMENT_STATUS_LABELS.rejected} — دلیل: ${reason}`;
  return ENROLLMENT_STATUS_LABELS[status];
}

export interface MyEnrollmentCard {
  id: number;
  courseId: number;
  courseTitle: string;
  courseCode: string;
  startDate: string | null;
  endDate: string | null;
  status: EnrollmentStatus;
  statusText: string;
  enrolledAt: Date;
  cancellable: boolean;
  /** The course's next session not yet over, or null. */
  nextSession: { date: string; startTime: string; endTime: string; topic: string | null; today: boolean } | null;
  place: string | null;
  online: boolean;
}

/** One enrollment of a course under way, as a card on /me (pure: the rows are already read). */
export function presentMyEnrollment(e: MyEnrollmentRow, now: Date = new Date()): MyEnrollmentCard {
  const first = e.first_start ? { date: e.first_start.slice(0, 10), startTime: e.first_start.slice(11) } : null;
  const started = hasStartedBy({ status: e.course_status }, first, now);
  const next = e.next_id !== null && e.next_date && e.next_start && e.next_end
    ? { date: e.next_date, startTime: e.next_start, endTime: e.next_end, topic: e.next_topic, today: e.next_date === todayIso(now) }
    : null;
  return {
    id: e.id,
    courseId: e.course_id,
    courseTitle: e.title,
    courseCode: e.code,
    startDate: first?.date ?? null,
    endDate: e.last_date,
    status: e.status,
    statusText: statusText(e.status, e.waitlist_position, e.reason),
    enrolledAt: new Date(e.created_at),
    cancellable: ACTIVE.includes(e.status) && !started && e.course_status !== 'cancelled',
    nextSession: next,
    place: e.place,
    online: e.delivery === 'online',
  };
}

export interface EnrollmentRow {
  id: number;
  number: number;
  fullName: string;
  fatherName: string;
  username: string;
  nationalCode: string;
  county: string;
  status: EnrollmentStatus;
  statusLabel: string;
  waitlistPosition: number | null;
  reason: string;
  enrolledAt: Date;
  changedAt: Date;
}

/** A course's enrollments for the admin, grouped by status, optionally searched by name, username or national code. */
export async function listCourseEnrollments(courseId: number, q = '') {
  const course = await Course.findByPk(courseId);
  if (!course) throw new NotFoundError('این دوره پیدا نشد.');
  const key = searchKey(q).replace(/[%_\\]/g, '');
  const where: WhereOptions = { courseId };
  if (key) Object.assign(where, { '$user.search_key$': { [Op.like]: `%${key}%` } });
  const rows = await Enrollment.findAll({
    where,
    include: [
      { model: User, as: 'user', attributes: ['id', 'username', 'fullName', 'fatherName', 'nationalCode', 'searchKey'] },
      { model: County, as: 'county', attributes: ['id', 'name'] },
    ],
    order: [['waitlistPosition', 'ASC'], ['createdAt', 'ASC'], ['id', 'ASC']],
  });
  const present = (e: Enrollment, i: number): EnrollmentRow => ({
    id: e.id,
    number: i + 1,
    fullName: e.user!.fullName,
    fatherName: e.user!.fatherName ?? '',
    username: e.user!.username,
    nationalCode: e.user!.nationalCode ?? '',
    county: e.county?.name ?? '',
    status: e.status,
    statusLabel: ENROLLMENT_STATUS_LABELS[e.status],
    waitlistPosition: e.waitlistPosition,
    reason: e.reason ?? '',
    enrolledAt: e.createdAt,
    changedAt: e.updatedAt,
  });
  const group = (...statuses: EnrollmentStatus[]) => rows.filter((e) => statuses.includes(e.status)).map(present);
  const approved = group('approved');
  return {
    course: { id: course.id, code: course.code, title: course.title, capacity: course.capacity, approval: course.approval, status: course.status },
    q,
    approved,
    pending: group('pending'),
    waitlisted: group('waitlisted'),
    ended: group('rejected', 'cancelled'),
    // Over every enrollment of the course, whatever the search box filtered.
    seatsLeft: freeSeats(course.capacity, await Enrollment.count({ where: { courseId, status: HOLDING } })),
  };
}

export async function listOutbox(page: number) {
  const size = 50;
  const { rows, count } = await OutboxEmail.findAndCountAll({ order: [['id', 'DESC']], limit: size, offset: (page - 1) * size });
  return {
    emails: rows.map((r) => ({ id: r.id, to: r.to, subject: r.subject, body: r.body, status: r.status, error: r.error, createdAt: r.createdAt, sentAt: r.sentAt })),
    page,
    pages: Math.max(1, Math.ceil(count / size)),
  };
}
