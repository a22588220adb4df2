import { Op, QueryTypes, type WhereOptions } from 'sequelize';
import { County, Course, Enrollment, OutboxEmail, User } from '../../models';
import type { EnrollmentStatus } from '../../models/enrollment';
import type { CurrentUser } from '../../middleware/auth';
import { NotFoundError } from '../../lib/errors';
import { searchKey, toPersianDigits } from '../../lib/persian';
import { ACTIVE, startedBy } from './rules';

export const STATUS_LABELS: Record<EnrollmentStatus, string> = {
  approved: 'تأییدشده',
  pending: 'در انتظار تأیید',
  waitlisted: 'در فهرست انتظار',
  rejected: 'ردشده',
  cancelled: 'لغوشده',
};

/** «در فهرست انتظار (نوبت ۳)», «ردشده — دلیل: …»: the status as a liaison reads it. */
export function statusText(status: EnrollmentStatus, position: number | null, reason: string | null): string {
  if (status === 'waitlisted' && position !== null) return `${STATUS_LABELS.waitlisted} (نوبت ${toPersianDigits(position)})`;
  if (status === 'rejected' && reason) return `${STATUS_LABELS.rejected} — دلیل: ${reason}`;
  return STATUS_LABELS[status];
}

/** The liaison's section of /me: their enrollments, and the latest notifications (plain rows, no model instances). */
export async function loadMyEnrollments(user: CurrentUser) {
  const sql = Enrollment.sequelize!;
  // With each course's first session (day and time) and last day, in the same query.
  const enrollments = await sql.query<{
    id: number; status: EnrollmentStatus; waitlist_position: number | null; reason: string | null; created_at: Date | string;
    course_id: number; code: string; title: string; course_status: Course['status']; first_start: string | null; last_date: string | null;
  }>(
    `SELECT e.id, e.status, e.waitlist_position, e.reason, e.created_at,
            c.id AS course_id, c.code, c.title, c.status AS course_status,
            (SELECT MIN(CAST(s.date AS VARCHAR(10)) || ' ' || s.start_time) FROM course_sessions s WHERE s.course_id = c.id) AS first_start,
            (SELECT CAST(MAX(s.date) AS VARCHAR(10)) FROM course_sessions s WHERE s.course_id = c.id) AS last_date
       FROM enrollments e JOIN courses c ON c.id = e.course_id
      WHERE e.user_id = :userId
      ORDER BY e.created_at DESC, e.id DESC`,
    { type: QueryTypes.SELECT, replacements: { userId: user.id } },
  );
  const now = new Date();
  const notifications = await sql.query<{ message: string; link: string | null; created_at: Date | string; read_at: Date | string | null }>(
    'SELECT message, link, created_at, read_at FROM notifications WHERE user_id = :userId ORDER BY created_at DESC, id DESC LIMIT 10',
    { type: QueryTypes.SELECT, replacements: { userId: user.id } },
  );
  // Shown once as new («تازه»), then read: the next visit lists them without the mark.
  if (notifications.some((n) => !n.read_at)) {
    await sql.query('UPDATE notifications SET read_at = :now WHERE user_id = :userId AND read_at IS NULL', { replacements: { userId: user.id, now: new Date() } });
  }
  return {
    enrollments: enrollments.map((e) => {
      const first = e.first_start ? { date: e.first_start.slice(0, 10), startTime: e.first_start.slice(11) } : null;
      const started = startedBy({ status: e.course_status }, first, now);
      return {
        id: e.id,
        courseId: e.course_id,
        courseTitle: e.title,
        courseCode: e.code,
        startDate: first?.date ?? null,
        endDate: e.last_date,
        status: e.status,
        statusText: statusText(e.status, e.waitlist_position, e.reason),
        waitlistPosition: e.waitlist_position,
        enrolledAt: new Date(e.created_at),
        cancellable: ACTIVE.includes(e.status) && !started && e.course_status !== 'cancelled',
      };
    }),
    notifications: notifications.map((n) => ({ message: n.message, link: n.link, at: new Date(n.created_at), unread: !n.read_at })),
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
/** Rows a page of the admin's enrollment list shows. */
export const ENROLLMENTS_PAGE_SIZE = 50;

/**
 * A course's enrollments for the admin, grouped by state (approved, pending, waitlisted, ended),
 * filtered by `q`. With `page`, the groups hold only that page's rows, taken in the order the page
 * shows them (50 a page), and `counts` keep each group's full size; without it (exports), all rows.
 */
export async function listCourseEnrollments(courseId: number, q = '', page?: number) {
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
    statusLabel: STATUS_LABELS[e.status],
    waitlistPosition: e.waitlistPosition,
    reason: e.reason ?? '',
    enrolledAt: e.createdAt,
    changedAt: e.updatedAt,
  });
  const group = (...statuses: EnrollmentStatus[]) => rows.filter((e) => statuses.includes(e.status)).map(present);
  const groups = { approved: group('approved'), pending: group('pending'), waitlisted: group('waitlisted'), ended: group('rejected', 'cancelled') };
  const counts = { approved: groups.approved.length, pending: groups.pending.length, waitlisted: groups.waitlisted.length, ended: groups.ended.length };
  const total = rows.length;
  const pages = page === undefined ? 1 : Math.max(1, Math.ceil(total / ENROLLMENTS_PAGE_SIZE));
  const current = Math.min(page ?? 1, pages);
  if (page !== undefined) {
    // The page's window over the groups laid end to end, in the order the page shows them.
    let start = (current - 1) * ENROLLMENTS_PAGE_SIZE;
    let room = ENROLLMENTS_PAGE_SIZE;
    for (const key of ['approved', 'pending', 'waitlisted', 'ended'] as const) {
      const all = groups[key];
      groups[key] = all.slice(start, start + room);
      room -= groups[key].length;
      start = Math.max(0, start - all.length);
    }
  }
  return {
    course: { id: course.id, code: course.code, title: course.title, capacity: course.capacity, approval: course.approval, status: course.status },
    q,
    ...groups,
    counts,
    total,
    page: current,
    pages,
    seatsLeft: Math.max(0, course.capacity - (await Enrollment.count({ where: { courseId, status: 'approved' } }))),
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
