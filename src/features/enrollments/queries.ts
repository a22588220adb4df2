import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import { statements } from '../../db/prepared';
import { County, Course, Enrollment, OutboxMessage, User } from '../../models';
import { NotFoundError } from '../../lib/errors';
import { searchKey } from '../../lib/persian';
import { ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import { freeSeats, HOLDING } from './seats';
import type { EnrollmentStatus } from '../../models/enrollment';
import { nowTime, todayIso } from '../../lib/jalali';
import { CURRENT_COURSE_SQL } from '../attendance/queries';
import type { Outbox } from '../../services/outbox';

/** What the enrollment pages read: plain rows, no model instances. */

export interface MyEnrollmentRow {
  id: number;
  status: EnrollmentStatus;
  waitlist_position: number | null;
  reason: string | null;
  created_at: Date | string;
  course_id: number;
  code: string;
  title: string;
  course_status: Course['status'];
  delivery: Course['delivery'];
  place: string | null;
  first_start: string | null;
  last_date: string | null;
  next_id: number | null;
  next_date: string | null;
  next_start: string | null;
  next_end: string | null;
  next_topic: string | null;
}

/**
 * The liaison's enrollments in courses under way (finished ones are the training record's), newest
 * first, each with its course's first session, last day and next session not yet over, in one query.
 */
export function myCurrentEnrollments(sql: Sequelize, userId: number, now: Date = new Date()): Promise<MyEnrollmentRow[]> {
  return statements(sql).all<MyEnrollmentRow>(
    `SELECT e.id, e.status, e.waitlist_position, e.reason, e.created_at,
            c.id AS course_id, c.code, c.title, c.status AS course_status, c.delivery, c.place,
            (SELECT MIN(CAST(s.date AS VARCHAR(10)) || ' ' || s.start_time) FROM course_sessions s WHERE s.course_id = c.id) AS first_start,
            (SELECT CAST(MAX(s.date) AS VARCHAR(10)) FROM course_sessions s WHERE s.course_id = c.id) AS last_date,
            ns.id AS next_id, CAST(ns.date AS VARCHAR(10)) AS next_date, ns.start_time AS next_start, ns.end_time AS next_end, ns.topic AS next_topic
       FROM enrollments e
       JOIN courses c ON c.id = e.course_id
       LEFT JOIN course_sessions ns ON ns.id = (
         SELECT s.id FROM course_sessions s
          WHERE s.course_id = c.id AND (s.date > :today OR (s.date = :today AND s.end_time > :time))
          ORDER BY s.date, s.start_time, s.id LIMIT 1)
      WHERE e.user_id = :userId AND ${CURRENT_COURSE_SQL}
      ORDER BY e.created_at DESC, e.id DESC`,
    { userId, today: todayIso(now), time: nowTime(now) },
  );
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
    order: [
      ['waitlistPosition', 'ASC'],
      ['createdAt', 'ASC'],
      ['id', 'ASC'],
    ],
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
  const groups = {
    approved: group('approved'),
    pending: group('pending'),
    waitlisted: group('waitlisted'),
    ended: group('rejected', 'cancelled'),
  };
  const counts = {
    approved: groups.approved.length,
    pending: groups.pending.length,
    waitlisted: groups.waitlisted.length,
    ended: groups.ended.length,
  };
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
    course: {
      id: course.id,
      code: course.code,
      title: course.title,
      capacity: course.capacity,
      approval: course.approval,
      status: course.status,
    },
    q,
    ...groups,
    counts,
    total,
    page: current,
    pages,
    // Over every enrollment of the course, whatever the search box filtered.
    seatsLeft: freeSeats(course.capacity, await Enrollment.count({ where: { courseId, status: HOLDING } })),
  };
}

/** A page of the outbox, newest first: email and SMS, their state, attempts and the provider's answer. */
export async function listOutbox(outbox: Pick<Outbox, 'shownBody'>, page: number) {
  const size = 50;
  const { rows, count } = await OutboxMessage.findAndCountAll({ order: [['id', 'DESC']], limit: size, offset: (page - 1) * size });
  const now = Date.now();
  return {
    messages: rows.map((r) => ({
      id: r.id,
      channel: r.channel,
      to: r.to,
      subject: r.subject,
      body: outbox.shownBody(r),
      status: r.status === 'queued' && r.claimedUntil && r.claimedUntil.getTime() > now ? 'sending' : r.status,
      attempts: r.attempts,
      nextAttemptAt: r.status === 'queued' ? r.nextAttemptAt : null,
      claimedBy: r.claimedBy,
      error: r.status === 'sent' ? null : r.error,
      providerId: r.providerId,
      providerAnswer: r.providerAnswer,
      createdAt: r.createdAt,
      sentAt: r.sentAt,
    })),
    page,
    pages: Math.max(1, Math.ceil(count / size)),
  };
}
