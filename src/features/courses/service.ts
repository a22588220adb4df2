import { COURSE_STATUS_LABELS } from '../../lib/statuses';
import { Op, UniqueConstraintError, ForeignKeyConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { AttendanceMark, County, Course, CourseQuota, CourseSession, Enrollment, User } from '../../models';
import type { CourseStatus } from '../../models/course';
import type { Outbox } from '../../services/outbox';
import { recordAudit, type Actor } from '../../services/audit';
import { ConflictError, FormError, NotFoundError } from '../../lib/errors';
import { addDaysIso, formatDate, weekdayFromSaturday } from '../../lib/jalali';
import { searchKey, toPersianDigits } from '../../lib/persian';
import type { CourseInput, SeriesInput, SessionInput } from './schemas';

import { fillFreedSeats } from '../enrollments/service';
import { inEnrollmentTransaction } from '../enrollments/rules';
import { heldByCounty } from '../enrollments/seats';
import { notifyEnrollmentChanges } from '../enrollments/notify';
import { windowHasPassed } from '../enrollments/state';
import { sessionIsOver } from '../attendance/summary';

/** The use cases of courses and their sessions: what an admin does, each in one transaction. */

export const MAX_SERIES_SESSIONS = 200;
const MAX_SERIES_DAYS = 3 * 366;

const CODE_TAKEN = 'دوره‌ای با این کد پیش‌تر ثبت شده است.';

/** Allowed moves of a course's status; cancelling is allowed from anything but finished. */
export const TRANSITIONS: Record<CourseStatus, CourseStatus[]> = {
  draft: ['open', 'cancelled'],
  open: ['running', 'cancelled'],
  running: ['finished', 'cancelled'],
  finished: [],
  cancelled: [],
};

function courseKey(input: Pick<CourseInput, 'title' | 'code' | 'category' | 'instructorName'>): string {
  return searchKey([input.title, input.code, input.category, input.instructorName ?? ''].join(' ')).slice(0, 600);
}

async function findCourse(id: number, transaction: Transaction, lock = false): Promise<Course> {
  const course = await Course.findByPk(id, { transaction, ...(lock ? { lock: transaction.LOCK.UPDATE } : {}) });
  if (!course) throw new NotFoundError('دوره پیدا نشد.');
  return course;
}

async function firstSessionDate(courseId: number, transaction: Transaction): Promise<string | null> {
  const first = await CourseSession.min<string, CourseSession>('date', { where: { courseId }, transaction });
  return first ? String(first).slice(0, 10) : null;
}

function windowMessage(closes: string): string {
  return `این روز پیش از پایان ثبت‌نام (${formatDate(closes)}) است؛ ثبت‌نام باید تا روز نخستین جلسه بسته شود. یا این جلسه را دیرتر بگذارید یا نخست پایان ثبت‌نام دوره را زودتر کنید.`;
}

/** The instructor account named by username, if any. */
async function findInstructor(username: string | null, transaction: Transaction): Promise<User | null> {
  if (!username) return null;
  const user = await User.findOne({
    where: { username: username.toLowerCase(), role: 'instructor' },
    attributes: ['id', 'fullName'],
    transaction,
  });
  if (!user) throw new FormError({ instructor: 'کاربری با این نام کاربری و نقش مدرس پیدا نشد.' });
  return user;
}

/** County ids of the quota fields; a slug that names no county is refused. */
async function quotaRows(
  quotas: Record<string, number>,
  capacity: number,
  transaction: Transaction,
): Promise<{ countyId: number; quota: number; slug: string }[]> {
  const slugs = Object.keys(quotas);
  if (!slugs.length) return [];
  const counties = await County.findAll({ where: { slug: { [Op.in]: slugs } }, attributes: ['id', 'slug'], transaction });
  const bySlug = new Map(counties.map((c) => [c.slug, c.id]));
  const errors: Record<string, string> = {};
  const rows = [];
  for (const [slug, quota] of Object.entries(quotas)) {
    const countyId = bySlug.get(slug);
    if (!countyId) errors[`quota[${slug}]`] = 'این شهرستان پیدا نشد.';
    else if (quota > capacity) errors[`quota[${slug}]`] = 'سهمیهٔ یک شهرستان نمی‌تواند از ظرفیت دوره بیشتر باشد.';
    else rows.push({ countyId, quota, slug });
  }
  if (Object.keys(errors).length) throw new FormError(errors);
  return rows;
}

async function codeIsTaken(code: string, transaction: Transaction, exceptId?: number): Promise<boolean> {
  const where = exceptId ? { code, id: { [Op.ne]: exceptId } } : { code };
  return (await Course.count({ where, transaction })) > 0;
}

/** A unique-key race lost to another request is the same duplicate as one found beforehand. */
function asCodeConflict(err: unknown): never {
  if (err instanceof UniqueConstraintError) throw new FormError({ code: CODE_TAKEN }, 409);
  throw err;
}

function courseAttributes(input: CourseInput, instructor: User | null) {
  return {
    code: input.code,
    title: input.title,
    category: input.category,
    description: input.description,
    instructorName: input.instructorName ?? instructor?.fullName ?? null,
    instructorId: instructor?.id ?? null,
    delivery: input.delivery,
    place: input.place,
    link: input.delivery === 'online' ? input.link : null,
    capacity: input.capacity,
    hours: input.hours,
    enrollOpens: input.enrollOpens,
    enrollCloses: input.enrollCloses,
    minAttendance: input.minAttendance,
    passMark: input.passMark,
    countExcused: input.countExcused,
    approval: input.approval,
    searchKey: courseKey(input),
  };
}

export async function createCourse(sequelize: Sequelize, input: CourseInput, actor: Actor): Promise<Course> {
  return sequelize
    .transaction(async (t) => {
      if (await codeIsTaken(input.code, t)) throw new FormError({ code: CODE_TAKEN }, 409);
      const instructor = await findInstructor(input.instructor, t);
      const quotas = await quotaRows(input.quotas, input.capacity, t);
      const course = await Course.create(
        { ...courseAttributes(input, instructor), status: 'draft', createdBy: actor.id },
        { transaction: t },
      );
      if (quotas.length) {
        await CourseQuota.bulkCreate(
          quotas.map((q) => ({ courseId: course.id, countyId: q.countyId, quota: q.quota })),
          { transaction: t },
        );
      }
      await recordAudit(
        sequelize,
        actor,
        'course.create',
        { type: 'course', id: course.id },
        { code: course.code, title: course.title, quotas: input.quotas },
        t,
      );
      return course;
    })
    .catch(asCodeConflict);
}

export async function updateCourse(sequelize: Sequelize, outbox: Outbox, id: number, input: CourseInput, actor: Actor): Promise<Course> {
  // Growing the capacity or a quota promotes from the waitlist: enrollment work, in its transaction.
  return inEnrollmentTransaction(
    sequelize,
    async (t) => {
      const course = await findCourse(id, t, true);
      if (await codeIsTaken(input.code, t, id)) throw new FormError({ code: CODE_TAKEN }, 409);
      const instructor = await findInstructor(input.instructor, t);
      const quotas = await quotaRows(input.quotas, input.capacity, t);
      const errors: Record<string, string> = {};
      const first = await firstSessionDate(id, t);
      if (first && input.enrollCloses > first) {
        errors.enrollCloses = `ثبت‌نام باید تا روز نخستین جلسه (${formatDate(first)}) بسته شود.`;
      }
      const held = await heldByCounty(sequelize, id, t);
      const heldTotal = [...held.values()].reduce((a, b) => a + b, 0);
      if (input.capacity < heldTotal) {
        errors.capacity = `${toPersianDigits(heldTotal)} نفر تأییدشده یا در انتظار تأییدند؛ ظرفیت نمی‌تواند کمتر از این باشد.`;
      }
      for (const q of quotas) {
        const taken = held.get(q.countyId) ?? 0;
        if (q.quota < taken)
          errors[`quota[${q.slug}]`] = `${toPersianDigits(taken)} نفر از این شهرستان تأییدشده‌اند؛ سهمیه کمتر از این نمی‌شود.`;
      }
      if (Object.keys(errors).length) throw new FormError(errors);

      const oldQuotas = await CourseQuota.findAll({ where: { courseId: id }, attributes: ['countyId', 'quota'], transaction: t });
      const before = { ...course.get({ plain: true }) } as Record<string, unknown>;
      const attributes = courseAttributes(input, instructor);
      await course.update(attributes, { transaction: t });
      await CourseQuota.destroy({ where: { courseId: id }, transaction: t });
      if (quotas.length) {
        await CourseQuota.bulkCreate(
          quotas.map((q) => ({ courseId: id, countyId: q.countyId, quota: q.quota })),
          { transaction: t },
        );
      }
      const changed: Record<string, [unknown, unknown]> = {};
      for (const [key, value] of Object.entries(attributes)) {
        if (key !== 'searchKey' && String(before[key] ?? '') !== String(value ?? '')) changed[key] = [before[key] ?? null, value];
      }
      const oldQuota = new Map(oldQuotas.map((q) => [q.countyId, q.quota]));
      const quotaLoosened = oldQuotas.some((q) => {
        const now = quotas.find((n) => n.countyId === q.countyId);
        return !now || now.quota > q.quota;
      });
      const quotaChanged = quotaLoosened || quotas.some((q) => oldQuota.get(q.countyId) !== q.quota);
      await recordAudit(
        sequelize,
        actor,
        'course.update',
        { type: 'course', id },
        { changed, ...(quotaChanged ? { quotas: input.quotas } : {}) },
        t,
      );
      // More seats (or a looser quota) let the first waitlisted liaisons in at once.
      if (input.capacity > Number(before.capacity) || quotaLoosened) await fillFreedSeats(sequelize, outbox, id, actor, t);
      return course;
    },
    new FormError({ code: CODE_TAKEN }, 409),
  );
}

export async function duplicateCourse(
  sequelize: Sequelize,
  id: number,
  input: { code: string; sessions: boolean },
  actor: Actor,
): Promise<Course> {
  return sequelize
    .transaction(async (t) => {
      const source = await findCourse(id, t);
      if (await codeIsTaken(input.code, t)) throw new FormError({ code: CODE_TAKEN }, 409);
      const { id: _id, createdAt: _c, updatedAt: _u, status: _s, code: _code, ...copied } = source.get({ plain: true });
      const copy = await Course.create(
        {
          ...copied,
          code: input.code,
          status: 'draft',
          createdBy: actor.id,
          searchKey: courseKey({ ...source.get({ plain: true }), code: input.code }),
        },
        { transaction: t },
      );
      const quotas = await CourseQuota.findAll({ where: { courseId: id }, attributes: ['countyId', 'quota'], transaction: t });
      if (quotas.length)
        await CourseQuota.bulkCreate(
          quotas.map((q) => ({ courseId: copy.id, countyId: q.countyId, quota: q.quota })),
          { transaction: t },
        );
      let sessionCount = 0;
      if (input.sessions) {
        const sessions = await CourseSession.findAll({
          where: { courseId: id },
          attributes: ['date', 'startTime', 'endTime', 'topic'],
          transaction: t,
        });
        await CourseSession.bulkCreate(
          sessions.map((s) => ({ courseId: copy.id, date: s.date, startTime: s.startTime, endTime: s.endTime, topic: s.topic })),
          { transaction: t },
        );
        sessionCount = sessions.length;
      }
      await recordAudit(
        sequelize,
        actor,
        'course.duplicate',
        { type: 'course', id: copy.id },
        { from: id, code: copy.code, sessions: sessionCount },
        t,
      );
      return copy;
    })
    .catch(asCodeConflict);
}

export async function changeCourseStatus(
  sequelize: Sequelize,
  outbox: Outbox,
  id: number,
  status: CourseStatus,
  actor: Actor,
): Promise<Course> {
  return sequelize.transaction(async (t) => {
    const course = await findCourse(id, t, true);
    const from = course.status as CourseStatus;
    if (!TRANSITIONS[from].includes(status)) {
      throw new ConflictError(`دورهٔ «${COURSE_STATUS_LABELS[from]}» را نمی‌توان به «${COURSE_STATUS_LABELS[status]}» برد.`);
    }
    if (status === 'open' && (await CourseSession.count({ where: { courseId: id }, transaction: t })) === 0) {
      throw new ConflictError('پیش از باز کردن ثبت‌نام دست‌کم یک جلسه برای دوره بگذارید.');
    }
    if (status === 'open' && windowHasPassed(course)) {
      throw new ConflictError(
        `مهلت ثبت‌نام این دوره (${formatDate(course.enrollCloses)}) گذشته است؛ بازه‌ای که یکسره گذشته باز نمی‌شود. نخست در ویرایش دوره پایان ثبت‌نام را روزی از امروز به بعد بگذارید.`,
      );
    }
    if (status === 'finished') await assertNoSessionAhead(id, t);
    await course.update({ status }, { transaction: t });
    await recordAudit(sequelize, actor, 'course.status', { type: 'course', id }, { from, to: status }, t);
    if (status === 'cancelled') {
      // Everyone holding a seat, waiting for approval or on the waitlist hears of it (on /me, and by email).
      const enrolled = await Enrollment.findAll({
        where: { courseId: id, status: ['approved', 'pending', 'waitlisted'] },
        attributes: ['userId'],
        transaction: t,
      });
      await notifyEnrollmentChanges(
        sequelize,
        outbox,
        enrolled.map((e) => e.userId),
        course.title,
        { kind: 'course-cancelled' },
        t,
      );
    }
    return course;
  });
}

/**
 * A course finishes once every session is held: certificates count attendance over held sessions, so
 * finishing with one still ahead would certify hours nobody attended.
 */
async function assertNoSessionAhead(courseId: number, transaction: Transaction): Promise<void> {
  const sessions = await CourseSession.findAll({
    where: { courseId },
    attributes: ['id', 'date', 'startTime', 'endTime'],
    order: [
      ['date', 'ASC'],
      ['startTime', 'ASC'],
    ],
    transaction,
  });
  const ahead = sessions.filter((s) => !sessionIsOver(s));
  if (!ahead.length) return;
  const shown = ahead
    .slice(0, 5)
    .map((s) => `${formatDate(s.date)} ساعت ${toPersianDigits(s.startTime)}`)
    .join('، ');
  throw new ConflictError(
    `جلسه‌های ${shown}${ahead.length > 5 ? ' و …' : ''} هنوز برگزار نشده‌اند؛ دوره را نمی‌توان پایان‌یافته اعلام کرد. نخست آن‌ها را برگزار کنید، یا حذف یا لغو کنید.`,
  );
}

/** Sessions can change until the course is finished or cancelled. */
function assertSessionsEditable(course: Course): void {
  if (course.status === 'finished' || course.status === 'cancelled') {
    throw new ConflictError(`جلسه‌های دورهٔ «${COURSE_STATUS_LABELS[course.status as CourseStatus]}» را نمی‌توان تغییر داد.`);
  }
}

/** Days among `dates` on which the course already has a session starting at `start` (a double submit). */
async function takenDays(
  courseId: number,
  dates: string[],
  start: string,
  transaction: Transaction,
  exceptSessionId?: number,
): Promise<string[]> {
  const where = { courseId, date: { [Op.in]: dates }, startTime: start, ...(exceptSessionId ? { id: { [Op.ne]: exceptSessionId } } : {}) };
  const taken = await CourseSession.findAll({ where, attributes: ['date'], transaction });
  return taken.map((s) => String(s.date).slice(0, 10)).sort();
}

function takenMessage(days: string[]): string {
  const shown = days.slice(0, 5).map(formatDate).join('، ');
  return `این دوره در ${shown}${days.length > 5 ? ' و …' : ''} پیش‌تر جلسه‌ای با همین ساعت آغاز دارد.`;
}

export async function addSession(sequelize: Sequelize, courseId: number, input: SessionInput, actor: Actor): Promise<CourseSession> {
  return sequelize.transaction(async (t) => {
    const course = await findCourse(courseId, t, true);
    assertSessionsEditable(course);
    if (input.date < course.enrollCloses) throw new FormError({ date: windowMessage(course.enrollCloses) });
    const taken = await takenDays(courseId, [input.date], input.start, t);
    if (taken.length) throw new FormError({ date: takenMessage(taken) });
    const session = await CourseSession.create(
      { courseId, date: input.date, startTime: input.start, endTime: input.end, topic: input.topic },
      { transaction: t },
    );
    await recordAudit(
      sequelize,
      actor,
      'session.create',
      { type: 'session', id: session.id },
      { courseId, date: input.date, start: input.start, end: input.end },
      t,
    );
    return session;
  });
}

/** Every day from `from` to `until` that falls on one of the weekdays (0 = Saturday). */
export function seriesDates(from: string, until: string, weekdays: number[]): string[] {
  const dates: string[] = [];
  for (let day = from; day <= until && dates.length <= MAX_SERIES_SESSIONS; day = addDaysIso(day, 1)) {
    if (weekdays.includes(weekdayFromSaturday(day))) dates.push(day);
  }
  return dates;
}

export async function addSessionSeries(sequelize: Sequelize, courseId: number, input: SeriesInput, actor: Actor): Promise<CourseSession[]> {
  return sequelize.transaction(async (t) => {
    const course = await findCourse(courseId, t, true);
    assertSessionsEditable(course);
    if (addDaysIso(input.from, MAX_SERIES_DAYS) < input.until) throw new FormError({ until: 'بازهٔ یک سری جلسه حداکثر سه سال است.' });
    const dates = seriesDates(input.from, input.until, input.weekdays);
    if (!dates.length) throw new FormError({ weekdays: 'در این بازه هیچ روزی با روزهای هفتهٔ برگزیده نیست؛ جلسه‌ای ساخته نشد.' });
    if (dates.length > MAX_SERIES_SESSIONS) {
      throw new FormError({ until: `یک سری حداکثر ${toPersianDigits(MAX_SERIES_SESSIONS)} جلسه دارد؛ بازه را کوتاه‌تر کنید.` });
    }
    if (dates[0] < course.enrollCloses) throw new FormError({ from: windowMessage(course.enrollCloses) });
    const taken = await takenDays(courseId, dates, input.start, t);
    if (taken.length) throw new FormError({ from: takenMessage(taken) });
    const sessions = await CourseSession.bulkCreate(
      dates.map((date) => ({ courseId, date, startTime: input.start, endTime: input.end, topic: input.topic })),
      { transaction: t },
    );
    await recordAudit(
      sequelize,
      actor,
      'session.series',
      { type: 'course', id: courseId },
      { from: input.from, until: input.until, weekdays: input.weekdays, start: input.start, end: input.end, count: dates.length },
      t,
    );
    return sessions;
  });
}

async function findSession(id: number, transaction: Transaction): Promise<CourseSession> {
  const session = await CourseSession.findByPk(id, { transaction });
  if (!session) throw new NotFoundError('جلسه پیدا نشد.');
  return session;
}

export async function updateSession(sequelize: Sequelize, id: number, input: SessionInput, actor: Actor): Promise<CourseSession> {
  return sequelize.transaction(async (t) => {
    const session = await findSession(id, t);
    const course = await findCourse(session.courseId, t, true);
    assertSessionsEditable(course);
    if (input.date < course.enrollCloses) throw new FormError({ date: windowMessage(course.enrollCloses) });
    const taken = await takenDays(course.id, [input.date], input.start, t, id);
    if (taken.length) throw new FormError({ date: takenMessage(taken) });
    const before = { date: session.date, start: session.startTime, end: session.endTime, topic: session.topic };
    await session.update({ date: input.date, startTime: input.start, endTime: input.end, topic: input.topic }, { transaction: t });
    await recordAudit(sequelize, actor, 'session.update', { type: 'session', id }, { courseId: course.id, before, after: input }, t);
    return session;
  });
}

/**
 * Drops (cancels) a session not yet held while nothing is recorded for it; returns its course's id.
 * With a reason, the liaisons of the course are told the session is cancelled and why.
 */
export async function deleteSession(
  sequelize: Sequelize,
  outbox: Outbox,
  id: number,
  reason: string | null,
  actor: Actor,
): Promise<number> {
  return sequelize
    .transaction(async (t) => {
      const session = await findSession(id, t);
      const course = await findCourse(session.courseId, t, true);
      assertSessionsEditable(course);
      if (sessionIsOver(session)) throw new ConflictError('این جلسه برگزار شده است؛ تنها جلسه‌ای که هنوز برگزار نشده حذف یا لغو می‌شود.');
      if ((await AttendanceMark.count({ where: { sessionId: id }, transaction: t })) > 0) {
        throw new ConflictError('برای این جلسه حضور و غیاب ثبت شده است؛ نمی‌توان آن را حذف کرد.');
      }
      if (course.status !== 'draft' && (await CourseSession.count({ where: { courseId: course.id }, transaction: t })) === 1) {
        throw new ConflictError('دورهٔ باز یا در حال برگزاری دست‌کم یک جلسه لازم دارد؛ این تنها جلسهٔ آن است.');
      }
      await session.destroy({ transaction: t });
      await recordAudit(
        sequelize,
        actor,
        'session.delete',
        { type: 'session', id },
        { courseId: course.id, date: session.date, start: session.startTime, end: session.endTime, reason },
        t,
      );
      if (reason) {
        const enrolled = await Enrollment.findAll({
          where: { courseId: course.id, status: ['approved', 'pending', 'waitlisted'] },
          attributes: ['userId'],
          transaction: t,
        });
        const when = `${formatDate(session.date)} ساعت ${toPersianDigits(session.startTime)}`;
        await notifyEnrollmentChanges(
          sequelize,
          outbox,
          enrolled.map((e) => e.userId),
          course.title,
          { kind: 'session-cancelled', when, reason },
          t,
        );
      }
      return course.id;
    })
    .catch((err) => {
      // A mark recorded at the same moment: the foreign key refuses the delete.
      if (err instanceof ForeignKeyConstraintError)
        throw new ConflictError('برای این جلسه حضور و غیاب ثبت شده است؛ نمی‌توان آن را حذف کرد.');
      throw err;
    });
}
