import { Op, type Sequelize } from 'sequelize';
import { AttendanceMark, County, Course, CourseSession, Enrollment, User } from '../../models';
import type { AttendanceSource, AttendanceStatus } from '../../models/attendance-mark';
import type { CurrentUser } from '../../middleware/auth';
import { recordAudit, type Actor } from '../../services/audit';
import { BadRequestError, ConflictError, ForbiddenError, FormError, HttpError, NotFoundError } from '../../lib/errors';
import { tehranInstant, todayIso } from '../../lib/jalali';
import { attendanceSummaries, sessionIsOver, summarizeAttendance } from './summary';
import { codeIsValid, findCheckInSecret } from './check-in-codes';

export const STATUSES = ['present', 'late', 'excused', 'absent'] as const satisfies readonly AttendanceStatus[];
export const STATUS_LABELS: Record<AttendanceStatus, string> = { present: 'حاضر', late: 'با تأخیر', excused: 'غیبت موجه', absent: 'غایب' };

export const MESSAGES = {
  futureSession: 'حضور و غیاب این جلسه از روز برگزاری آن (به وقت تهران) ثبت می‌شود؛ هنوز زود است.',
  notApproved: 'فهرست فرستاده‌شده با رابطین تأییدشدهٔ این دوره نمی‌خواند. صفحه را دوباره باز کنید.',
  wrongCode: 'کد حضور نادرست است یا منقضی شده. کد تازه را از صفحهٔ نمایش بخوانید.',
  notToday: 'ثبت حضور با کد فقط در روز برگزاری جلسه ممکن است.',
  notEnrolled: 'شما ثبت‌نام تأییدشده‌ای در این دوره ندارید.',
  alreadyMarked: 'حضور و غیاب شما در این جلسه پیش‌تر ثبت شده است؛ نیازی به ثبت دوباره نیست.',
  tooManyTries: 'کد نادرست چند بار فرستاده شد. چند دقیقه بعد دوباره تلاش کنید.',
};

/** Admins take attendance for every course; an instructor account only for the courses it teaches. */
export function canTakeAttendance(user: CurrentUser, course: Pick<Course, 'instructorId'>): boolean {
  return user.role === 'admin' || (user.role === 'instructor' && course.instructorId === user.id);
}

function idOf(raw: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw new NotFoundError();
  return Number(raw);
}

/** The session and its course, if this user may take its attendance (404 / 403 otherwise). */
export async function sessionForAttendance(user: CurrentUser, rawId: string): Promise<{ session: CourseSession; course: Course }> {
  const session = await CourseSession.findByPk(idOf(rawId), { include: [{ model: Course, as: 'course' }] });
  if (!session?.course) throw new NotFoundError('این جلسه پیدا نشد.');
  if (!canTakeAttendance(user, session.course)) throw new ForbiddenError('حضور و غیاب این دوره با شما نیست.');
  return { session, course: session.course };
}

export async function courseForAttendance(user: CurrentUser, rawId: string): Promise<Course> {
  const course = await Course.findByPk(idOf(rawId));
  if (!course) throw new NotFoundError('این دوره پیدا نشد.');
  if (!canTakeAttendance(user, course)) throw new ForbiddenError('حضور و غیاب این دوره با شما نیست.');
  return course;
}

export function marksAreOpen(session: Pick<CourseSession, 'date'>, now: Date = new Date()): boolean {
  return session.date <= todayIso(now);
}

export function presentSession(session: CourseSession, course: Course) {
  return {
    id: session.id,
    date: session.date,
    startTime: session.startTime,
    endTime: session.endTime,
    topic: session.topic,
    course: { id: course.id, code: course.code, title: course.title, place: course.place, instructorName: course.instructorName },
  };
}

async function approvedEnrollments(courseId: number) {
  const enrollments = await Enrollment.findAll({
    where: { courseId, status: 'approved' },
    include: [
      { model: User, as: 'user', attributes: ['id', 'fullName', 'username'], include: [{ model: County, as: 'county', attributes: ['name'] }] },
      { model: County, as: 'county', attributes: ['name'] },
    ],
  });
  const rows = enrollments.map((e) => ({
    enrollmentId: e.id,
    createdAt: e.createdAt,
    fullName: e.user?.fullName ?? '',
    county: e.county?.name ?? e.user?.county?.name ?? '',
  }));
  return rows.sort((a, b) => a.fullName.localeCompare(b.fullName, 'fa') || a.enrollmentId - b.enrollmentId);
}

/** Every approved liaison of the session's course with their mark (if any), sorted by name. */
export async function loadSheet(session: CourseSession) {
  const rows = await approvedEnrollments(session.courseId);
  const marks = await AttendanceMark.findAll({ where: { sessionId: session.id } });
  const byEnrollment = new Map(marks.map((m) => [m.enrollmentId, m]));
  return rows.map((row) => {
    const mark = byEnrollment.get(row.enrollmentId);
    return { ...row, status: mark?.status ?? null, note: mark?.note ?? '', source: mark?.source ?? null, recordedAt: mark?.recordedAt ?? null };
  });
}

export interface MarkEntry {
  enrollmentId: number;
  /** Undefined keeps the stored status (only the note changes, or nothing). */
  status?: AttendanceStatus;
  /** Undefined keeps the stored note. */
  note?: string | null;
}

/**
 * Takes (or corrects) attendance on a session's sheet in one transaction: only approved liaisons of
 * the course, only from the session's day on. Every new mark and every change of a mark is audited
 * with its old and new status.
 */
export async function recordAttendance(
  sequelize: Sequelize,
  actor: Actor,
  session: CourseSession,
  entries: MarkEntry[],
  source: AttendanceSource = 'sheet',
): Promise<{ created: number; changed: number; marks: Record<number, AttendanceStatus> }> {
  if (!marksAreOpen(session)) throw new ConflictError(MESSAGES.futureSession);
  const ids = [...new Set(entries.map((e) => e.enrollmentId))];
  if (ids.length !== entries.length) throw new BadRequestError(MESSAGES.notApproved);
  return sequelize.transaction(async (t) => {
    // One writer per session at a time: concurrent taps on two devices never race on the same mark.
    await CourseSession.findByPk(session.id, { attributes: ['id'], transaction: t, lock: t.LOCK.UPDATE });
    const approved = ids.length
      ? await Enrollment.count({ where: { id: { [Op.in]: ids }, courseId: session.courseId, status: 'approved' }, transaction: t })
      : 0;
    if (approved !== ids.length) throw new BadRequestError(MESSAGES.notApproved);
    const existing = new Map(
      (await AttendanceMark.findAll({ where: { sessionId: session.id, enrollmentId: { [Op.in]: ids } }, transaction: t })).map((m) => [m.enrollmentId, m]),
    );
    const now = new Date();
    let created = 0;
    let changed = 0;
    const marks: Record<number, AttendanceStatus> = {};
    // In enrollment order: the totals rows these writes update (a trigger) are then always locked in
    // the same order, so two sheets of one course saved at once cannot deadlock on PostgreSQL.
    for (const entry of [...entries].sort((a, b) => a.enrollmentId - b.enrollmentId)) {
      const previous = existing.get(entry.enrollmentId);
      if (!previous) {
        if (!entry.status) continue;
        const mark = await AttendanceMark.create(
          { sessionId: session.id, enrollmentId: entry.enrollmentId, status: entry.status, note: entry.note ?? null, source, recordedBy: actor.id, recordedAt: now },
          { transaction: t },
        );
        await recordAudit(actor, 'attendance.record', { type: 'attendance_mark', id: mark.id }, {
          sessionId: session.id, enrollmentId: entry.enrollmentId, oldStatus: null, newStatus: entry.status, note: mark.note, source,
        }, t);
        created++;
        marks[entry.enrollmentId] = entry.status;
        continue;
      }
      const status = entry.status ?? previous.status;
      const note = entry.note === undefined ? previous.note : entry.note;
      marks[entry.enrollmentId] = status;
      if (status === previous.status && (note ?? null) === (previous.note ?? null)) continue;
      const details = { sessionId: session.id, enrollmentId: entry.enrollmentId, oldStatus: previous.status, newStatus: status, oldNote: previous.note, newNote: note, source };
      await previous.update({ status, note, source, recordedBy: actor.id, recordedAt: now }, { transaction: t });
      await recordAudit(actor, 'attendance.correct', { type: 'attendance_mark', id: previous.id }, details, t);
      changed++;
    }
    return { created, changed, marks };
  });
}

/** The ids of the approved enrollments of the session's course (for "mark all present"). */
export async function approvedEnrollmentIds(courseId: number): Promise<number[]> {
  const rows = await Enrollment.findAll({ where: { courseId, status: 'approved' }, attributes: ['id'], order: [['id', 'ASC']] });
  return rows.map((r) => r.id);
}

export type MatrixCell = { kind: 'mark'; status: AttendanceStatus } | { kind: 'unmarked' } | { kind: 'not-enrolled' } | { kind: 'upcoming' };

/** The attendance matrix of a course: approved liaisons × sessions, with each liaison's percent. */
export async function loadMatrix(course: Course, now: Date = new Date()) {
  const sessions = await CourseSession.findAll({ where: { courseId: course.id }, order: [['date', 'ASC'], ['startTime', 'ASC'], ['id', 'ASC']] });
  const rows = await approvedEnrollments(course.id);
  const marks = rows.length
    ? await AttendanceMark.findAll({ where: { sessionId: { [Op.in]: sessions.map((s) => s.id) }, enrollmentId: { [Op.in]: rows.map((r) => r.enrollmentId) } } })
    : [];
  const markOf = new Map(marks.map((m) => [`${m.enrollmentId}:${m.sessionId}`, m.status]));
  const summaries = await attendanceSummaries(course, rows.map((r) => ({ id: r.enrollmentId, createdAt: r.createdAt })), { now });
  return {
    sessions: sessions.map((s) => ({ id: s.id, date: s.date, startTime: s.startTime, held: sessionIsOver(s, now) })),
    rows: rows.map((row) => ({
      ...row,
      summary: summaries.get(row.enrollmentId)!,
      cells: sessions.map((s): MatrixCell => {
        const status = markOf.get(`${row.enrollmentId}:${s.id}`);
        if (status) return { kind: 'mark', status };
        if (!sessionIsOver(s, now)) return { kind: 'upcoming' };
        if (tehranInstant(s.date, s.endTime) <= new Date(row.createdAt)) return { kind: 'not-enrolled' };
        return { kind: 'unmarked' };
      }),
    })),
  };
}

export const SELF_CHECK_IN_LIMIT = { max: 10, windowMs: 10 * 60_000 };

/**
 * A liaison marks themself present with the code shown in the room: the code must be valid now,
 * the session today, the liaison approved in its course, and no mark of theirs stored yet.
 */
export async function selfCheckIn(
  services: { sequelize: Sequelize; rateLimiter: { isBlocked(k: string, l: typeof SELF_CHECK_IN_LIMIT): Promise<boolean>; hit(k: string, l: typeof SELF_CHECK_IN_LIMIT): Promise<boolean> } },
  user: CurrentUser & { ip?: string | null },
  input: { sessionId: number; code: string },
): Promise<{ courseTitle: string; date: string }> {
  const key = `check-in:user:${user.id}`;
  if (await services.rateLimiter.isBlocked(key, SELF_CHECK_IN_LIMIT)) throw new HttpError(429, MESSAGES.tooManyTries);
  const session = await CourseSession.findByPk(input.sessionId, { include: [{ model: Course, as: 'course' }] });
  const secret = session ? await findCheckInSecret(services.sequelize, session.id) : null;
  if (!session?.course || !secret || !codeIsValid(secret, input.code)) {
    await services.rateLimiter.hit(key, SELF_CHECK_IN_LIMIT);
    throw new FormError({ code: MESSAGES.wrongCode });
  }
  if (session.date !== todayIso()) throw new ConflictError(MESSAGES.notToday);
  const enrollment = await Enrollment.findOne({ where: { courseId: session.courseId, userId: user.id, status: 'approved' } });
  if (!enrollment) throw new ForbiddenError(MESSAGES.notEnrolled);
  await services.sequelize.transaction(async (t) => {
    await CourseSession.findByPk(session.id, { attributes: ['id'], transaction: t, lock: t.LOCK.UPDATE });
    const existing = await AttendanceMark.findOne({ where: { sessionId: session.id, enrollmentId: enrollment.id }, transaction: t });
    if (existing) throw new ConflictError(MESSAGES.alreadyMarked);
    const mark = await AttendanceMark.create(
      { sessionId: session.id, enrollmentId: enrollment.id, status: 'present', note: null, source: 'self', recordedBy: user.id, recordedAt: new Date() },
      { transaction: t },
    );
    await recordAudit({ id: user.id, ip: user.ip ?? null }, 'attendance.self_check_in', { type: 'attendance_mark', id: mark.id }, {
      sessionId: session.id, enrollmentId: enrollment.id, oldStatus: null, newStatus: 'present', source: 'self',
    }, t);
  });
  return { courseTitle: session.course.title, date: session.date };
}

/** The /me section: a liaison's marks and percent per course; an instructor's courses with links. */
export async function loadMyAttendance(user: CurrentUser) {
  const enrollments = await Enrollment.findAll({
    where: { userId: user.id, status: 'approved' },
    include: [{ model: Course, as: 'course', attributes: ['id', 'title', 'minAttendance', 'countExcused'] }],
    order: [['id', 'DESC']],
  });
  // Three queries whatever the number of courses: the enrollments, their sessions, their marks.
  const sessions = enrollments.length
    ? await CourseSession.findAll({
        where: { courseId: enrollments.map((e) => e.courseId) },
        attributes: ['id', 'courseId', 'date', 'startTime', 'endTime'],
        order: [['date', 'ASC'], ['startTime', 'ASC']],
      })
    : [];
  const marks = enrollments.length
    ? await AttendanceMark.findAll({ where: { enrollmentId: enrollments.map((e) => e.id) }, attributes: ['enrollmentId', 'sessionId', 'status'] })
    : [];
  const now = new Date();
  const courses = [];
  for (const enrollment of enrollments) {
    const course = enrollment.course!;
    const own = sessions.filter((s) => s.courseId === course.id);
    if (!own.length) continue;
    const statusOf = new Map(marks.filter((m) => m.enrollmentId === enrollment.id).map((m) => [m.sessionId, m.status]));
    const summary = summarizeAttendance(course, enrollment, own.filter((s) => sessionIsOver(s, now)), statusOf);
    courses.push({
      id: course.id,
      title: course.title,
      minAttendance: course.minAttendance,
      percent: summary.percent,
      meetsMinimum: summary.meetsMinimum,
      sessions: own.map((s) => ({ date: s.date, startTime: s.startTime, status: statusOf.get(s.id) ?? null, held: sessionIsOver(s, now) })),
    });
  }
  const taught = user.role === 'instructor'
    ? await Course.findAll({
        where: { instructorId: user.id, status: { [Op.ne]: 'cancelled' } },
        include: [{ model: CourseSession, as: 'sessions' }],
        order: [['id', 'DESC']],
      })
    : [];
  const today = todayIso();
  return {
    attendanceCourses: courses,
    taughtCourses: taught.map((c) => ({
      id: c.id,
      title: c.title,
      code: c.code,
      sessions: [...(c.sessions ?? [])]
        .sort((a, b) => a.date.localeCompare(b.date) || a.startTime.localeCompare(b.startTime))
        .map((s) => ({ id: s.id, date: s.date, startTime: s.startTime, endTime: s.endTime, today: s.date === today })),
    })),
    statusLabels: STATUS_LABELS,
  };
}
