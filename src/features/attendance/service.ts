import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { comparePersian } from '../../lib/persian';
import { AttendanceMark, Course, CourseSession, Enrollment } from '../../models';
import type { AttendanceSource, AttendanceStatus } from '../../models/attendance-mark';
import type { CurrentUser } from '../../middleware/auth';
import { recordAudit, type Actor } from '../../services/audit';
import { BadRequestError, ConflictError, ForbiddenError, FormError, HttpError, NotFoundError } from '../../lib/errors';
import { tehranInstant, todayIso } from '../../lib/jalali';
import { attendanceSummaries, sessionIsOver, summarizeAttendance } from './summary';
import { codeIsValid, findCheckInSecret } from './check-in-codes';
import { mySessionMarks, taughtSessions, type MySessionMarkRow } from './queries';
import { insertReturningId } from '../../db';
import { presentSession as presentCourseSession } from '../courses/presenter';

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

export interface SheetSession {
  id: number;
  courseId: number;
  date: string;
  startTime: string;
  endTime: string;
  topic: string | null;
}
export type SheetCourse = Pick<Course, 'id' | 'code' | 'title' | 'place' | 'instructorName' | 'instructorId'>;

/** The session and its course, if this user may take its attendance (404 / 403 otherwise): one plain query. */
export async function sessionForAttendance(user: CurrentUser, rawId: string): Promise<{ session: SheetSession; course: SheetCourse }> {
  const [row] = await Course.sequelize!.query<{
    id: number; course_id: number; date: string; start_time: string; end_time: string; topic: string | null;
    code: string; title: string; place: string | null; instructor_name: string | null; instructor_id: number | null;
  }>(
    `SELECT s.id, s.course_id, CAST(s.date AS VARCHAR(10)) AS date, s.start_time, s.end_time, s.topic,
            c.code, c.title, c.place, c.instructor_name, c.instructor_id
       FROM course_sessions s JOIN courses c ON c.id = s.course_id
      WHERE s.id = :id`,
    { type: QueryTypes.SELECT, replacements: { id: idOf(rawId) } },
  );
  if (!row) throw new NotFoundError('این جلسه پیدا نشد.');
  const session: SheetSession = { id: Number(row.id), courseId: Number(row.course_id), date: row.date, startTime: row.start_time, endTime: row.end_time, topic: row.topic };
  const course: SheetCourse = {
    id: session.courseId, code: row.code, title: row.title, place: row.place, instructorName: row.instructor_name,
    instructorId: row.instructor_id === null ? null : Number(row.instructor_id),
  };
  if (!canTakeAttendance(user, course)) throw new ForbiddenError('حضور و غیاب این دوره با شما نیست.');
  return { session, course };
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

export function presentSession(session: SheetSession, course: SheetCourse) {
  return {
    ...presentCourseSession(session),
    course: { id: course.id, code: course.code, title: course.title, place: course.place, instructorName: course.instructorName },
  };
}

/** The approved liaisons of a course, sorted by name: plain rows (the sheet is opened for every session). */
async function approvedEnrollments(courseId: number) {
  const rows = await Enrollment.sequelize!.query<{ id: number; created_at: Date | string; full_name: string; county: string | null }>(
    `SELECT e.id, e.created_at, u.full_name, COALESCE(ec.name, uc.name) AS county
       FROM enrollments e
       JOIN users u ON u.id = e.user_id
       LEFT JOIN counties ec ON ec.id = e.county_id
       LEFT JOIN counties uc ON uc.id = u.county_id
      WHERE e.course_id = :courseId AND e.status = 'approved'`,
    { type: QueryTypes.SELECT, replacements: { courseId } },
  );
  return rows
    .map((r) => ({ enrollmentId: Number(r.id), createdAt: new Date(r.created_at), fullName: r.full_name ?? '', county: r.county ?? '' }))
    .sort((a, b) => comparePersian(a.fullName, b.fullName) || a.enrollmentId - b.enrollmentId);
}

/** Every approved liaison of the session's course with their mark (if any), sorted by name. */
export async function loadSheet(session: Pick<CourseSession, 'id' | 'courseId'>) {
  const rows = await approvedEnrollments(session.courseId);
  const marks = await Enrollment.sequelize!.query<{ enrollment_id: number; status: AttendanceStatus; note: string | null; source: AttendanceSource; recorded_at: Date | string }>(
    'SELECT enrollment_id, status, note, source, recorded_at FROM attendance_marks WHERE session_id = :sessionId',
    { type: QueryTypes.SELECT, replacements: { sessionId: session.id } },
  );
  const byEnrollment = new Map(marks.map((m) => [Number(m.enrollment_id), m]));
  return rows.map((row) => {
    const mark = byEnrollment.get(row.enrollmentId);
    return { ...row, status: mark?.status ?? null, note: mark?.note ?? '', source: mark?.source ?? null, recordedAt: mark ? new Date(mark.recorded_at) : null };
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
  session: Pick<SheetSession, 'id' | 'courseId' | 'date'>,
  entries: MarkEntry[],
  source: AttendanceSource = 'sheet',
): Promise<{ created: number; changed: number; marks: Record<number, AttendanceStatus> }> {
  if (!marksAreOpen(session)) throw new ConflictError(MESSAGES.futureSession);
  const ids = [...new Set(entries.map((e) => e.enrollmentId))];
  if (ids.length !== entries.length) throw new BadRequestError(MESSAGES.notApproved);
  return sequelize.transaction(async (t) => {
    // One writer per session at a time: concurrent taps on two devices never race on the same mark
    // (on SQLite every write transaction already holds the database's one write lock).
    if (sequelize.getDialect() === 'postgres') await CourseSession.findByPk(session.id, { attributes: ['id'], transaction: t, lock: t.LOCK.UPDATE });
    const sql = sequelize;
    const approved = ids.length
      ? Number(
          (
            await sql.query<{ n: number | string }>(
              "SELECT COUNT(*) AS n FROM enrollments WHERE id IN (:ids) AND course_id = :courseId AND status = 'approved'",
              { type: QueryTypes.SELECT, replacements: { ids, courseId: session.courseId }, transaction: t },
            )
          )[0].n,
        )
      : 0;
    if (approved !== ids.length) throw new BadRequestError(MESSAGES.notApproved);
    const stored = ids.length
      ? await sql.query<{ id: number; enrollment_id: number; status: AttendanceStatus; note: string | null }>(
          'SELECT id, enrollment_id, status, note FROM attendance_marks WHERE session_id = :sessionId AND enrollment_id IN (:ids)',
          { type: QueryTypes.SELECT, replacements: { sessionId: session.id, ids }, transaction: t },
        )
      : [];
    const existing = new Map(stored.map((m) => [Number(m.enrollment_id), m]));
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
        const note = entry.note ?? null;
        const id = await insertReturningId(
          sql,
          `INSERT INTO attendance_marks (session_id, enrollment_id, status, note, source, recorded_by, recorded_at, created_at, updated_at)
           VALUES (:sessionId, :enrollmentId, :status, :note, :source, :recordedBy, :now, :now, :now)`,
          { replacements: { sessionId: session.id, enrollmentId: entry.enrollmentId, status: entry.status, note, source, recordedBy: actor.id, now }, transaction: t },
        );
        await recordAudit(actor, 'attendance.record', { type: 'attendance_mark', id }, {
          sessionId: session.id, enrollmentId: entry.enrollmentId, oldStatus: null, newStatus: entry.status, note, source,
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
      await sql.query(
        'UPDATE attendance_marks SET status = :status, note = :note, source = :source, recorded_by = :recordedBy, recorded_at = :now, updated_at = :now WHERE id = :id',
        { replacements: { status, note: note ?? null, source, recordedBy: actor.id, now, id: previous.id }, transaction: t },
      );
      await recordAudit(actor, 'attendance.correct', { type: 'attendance_mark', id: Number(previous.id) }, details, t);
      changed++;
    }
    return { created, changed, marks };
  });
}

/** The ids of the approved enrollments of the session's course (for "mark all present"). */
export async function approvedEnrollmentIds(courseId: number): Promise<number[]> {
  const rows = await Enrollment.sequelize!.query<{ id: number }>("SELECT id FROM enrollments WHERE course_id = :courseId AND status = 'approved' ORDER BY id", {
    type: QueryTypes.SELECT,
    replacements: { courseId },
  });
  return rows.map((r) => Number(r.id));
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

/** How many of a course's latest held sessions /me shows with the liaison's mark (the rest are a total). */
export const RECENT_MARKS_SHOWN = 3;

export interface MyCourseAttendance {
  minAttendance: number;
  counted: number;
  attended: number;
  percent: number | null;
  meetsMinimum: boolean;
  /** The latest held sessions, newest first, with the liaison's mark (null: not recorded). */
  recent: { date: string; startTime: string; status: AttendanceStatus | null }[];
}

/**
 * The liaison's attendance in the courses under way, by enrollment id: the course rule applied
 * (summarizeAttendance) and the few latest marks. Finished courses are the training record's.
 */
export async function loadMyAttendance(sql: Sequelize, user: CurrentUser, now: Date = new Date()): Promise<Map<number, MyCourseAttendance>> {
  const rows = await mySessionMarks(sql, user.id);
  const byEnrollment = new Map<number, MySessionMarkRow[]>();
  for (const row of rows) {
    const list = byEnrollment.get(row.enrollment_id);
    if (list) list.push(row);
    else byEnrollment.set(row.enrollment_id, [row]);
  }
  const result = new Map<number, MyCourseAttendance>();
  for (const [enrollmentId, own] of byEnrollment) {
    const { created_at, min_attendance, count_excused } = own[0];
    const course = { minAttendance: Number(min_attendance), countExcused: Boolean(count_excused) };
    const held = own.filter((s) => sessionIsOver({ date: s.date, endTime: s.end_time }, now)).map((s) => ({ id: s.id, date: s.date, startTime: s.start_time, endTime: s.end_time, status: s.status }));
    const statusOf = new Map(held.filter((s) => s.status).map((s) => [s.id, s.status as AttendanceStatus]));
    const summary = summarizeAttendance(course, { id: enrollmentId, createdAt: new Date(created_at) }, held, statusOf);
    result.set(enrollmentId, {
      minAttendance: course.minAttendance,
      counted: summary.counted,
      attended: summary.present + summary.late + (course.countExcused ? summary.excused : 0),
      percent: summary.percent,
      meetsMinimum: summary.meetsMinimum,
      recent: held.slice(-RECENT_MARKS_SHOWN).reverse().map(({ date, startTime, status }) => ({ date, startTime, status })),
    });
  }
  return result;
}

/**
 * An instructor's courses under way for /me, each with a few sessions around today (the latest
 * held, today's, the next one): enough to open a sheet, never the whole term.
 */
export async function loadMyTeaching(sql: Sequelize, user: CurrentUser, now: Date = new Date()) {
  if (user.role !== 'instructor') return [];
  const rows = await taughtSessions(sql, user.id);
  const today = todayIso(now);
  const courses = new Map<number, { id: number; title: string; code: string; sessions: { id: number; date: string; startTime: string; endTime: string; today: boolean }[] }>();
  for (const r of rows) {
    if (!courses.has(r.course_id)) courses.set(r.course_id, { id: r.course_id, title: r.title, code: r.code, sessions: [] });
    if (r.id !== null && r.date && r.start_time && r.end_time) courses.get(r.course_id)!.sessions.push({ id: r.id, date: r.date, startTime: r.start_time, endTime: r.end_time, today: r.date === today });
  }
  return [...courses.values()].map((c) => {
    const past = c.sessions.filter((s) => s.date < today);
    const ahead = c.sessions.filter((s) => s.date > today);
    return { ...c, sessions: [...past.slice(-1), ...c.sessions.filter((s) => s.today), ...ahead.slice(0, 1)], total: c.sessions.length };
  });
}
