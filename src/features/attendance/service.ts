import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { comparePersian, toPersianDigits } from '../../lib/persian';
import { AttendanceMark, Course, CourseSession } from '../../models';
import type { AttendanceSource, AttendanceStatus } from '../../models/attendance-mark';
import type { CurrentUser } from '../../middleware/auth';
import { recordAudit, type Actor } from '../../services/audit';
import { LIMITS, type RateLimiter } from '../../services/rate-limiter';
import { BadRequestError, ConflictError, ForbiddenError, FormError, HttpError, NotFoundError } from '../../lib/errors';
import { addDaysIso, formatDateTime, nowTime, tehranInstant, todayIso } from '../../lib/jalali';
import { attendanceSummaries, sessionIsOver, summarizeAttendance } from './summary';
import { checkInIsOpen, checkInWindow, codeIsValid } from './check-in-codes';
import { mySessionMarks, taughtSessions, type MySessionMarkRow } from './queries';
import { instantOf, statements } from '../../db/prepared';
import { rerunnable } from '../../db/rerunnable';
import { idParam } from '../../lib/params';
import { presentSession as presentCourseSession } from '../courses/presenter';

export const STATUSES = ['present', 'late', 'excused', 'absent'] as const satisfies readonly AttendanceStatus[];

export const MESSAGES = {
  futureSession: 'حضور و غیاب این جلسه از روز برگزاری آن (به وقت تهران) ثبت می‌شود؛ هنوز زود است.',
  frozen:
    'این دوره پایان یافته و حضور و غیاب آن بسته است؛ اصلاح آن تنها با نوشتن دلیل اصلاح ممکن است و گواهی‌های صادرشده برای صدور دوباره نشان‌دار می‌شوند.',
  frozenForStaff: 'این دوره پایان یافته است؛ اصلاح حضور و غیاب آن تنها با مدیر سامانه است.',
  cancelledCourse: 'این دوره لغو شده است و حضور و غیاب آن ثبت نمی‌شود.',
  notApproved: 'فهرست فرستاده‌شده با رابطین تأییدشدهٔ این دوره نمی‌خواند. صفحه را دوباره باز کنید.',
  wrongCode: 'این کد با هیچ‌یک از جلسه‌های دوره‌های شما نمی‌خواند یا منقضی شده است. کد تازه را از صفحهٔ نمایش بخوانید.',
  outsideWindow: 'ثبت حضور با کد تنها از کمی پیش از آغاز جلسه تا کمی پس از پایان آن پذیرفته می‌شود',
  noSessionNow: 'در این روزها جلسه‌ای با ثبت‌حضور کد در دوره‌هایی که ثبت‌نام تأییدشده در آن‌ها دارید نیست.',
  alreadyMarked: 'حضور و غیاب شما در این جلسه پیش‌تر ثبت شده است؛ نیازی به ثبت دوباره نیست.',
  tooManyTries: 'کد نادرست چند بار فرستاده شد. چند دقیقه بعد دوباره تلاش کنید.',
  noSession: 'این جلسه پیدا نشد.',
  notYours: 'حضور و غیاب این دوره با شما نیست.',
};

/** Admins take attendance for every course; an instructor account only for the courses it teaches. */
export function canTakeAttendance(user: CurrentUser, course: Pick<Course, 'instructorId'>): boolean {
  return user.role === 'admin' || (user.role === 'instructor' && course.instructorId === user.id);
}

export interface SheetSession {
  id: number;
  courseId: number;
  date: string;
  startTime: string;
  endTime: string;
  topic: string | null;
}
export type SheetCourse = Pick<Course, 'id' | 'code' | 'title' | 'place' | 'instructorName' | 'instructorId' | 'status'>;

/** The session and its course, if this user may take its attendance (404 / 403 otherwise): one plain query. */
export async function sessionForAttendance(
  sequelize: Sequelize,
  user: CurrentUser,
  rawId: string,
): Promise<{ session: SheetSession; course: SheetCourse }> {
  const found = await readSessionForAttendance(sequelize, idParam(rawId));
  assertTakesAttendance(user, found.course);
  return found;
}

/** Refuses (403) a user who does not take this course's attendance. */
export function assertTakesAttendance(user: CurrentUser, course: Pick<Course, 'instructorId'>): void {
  if (!canTakeAttendance(user, course)) throw new ForbiddenError(MESSAGES.notYours);
}

/** A session and its course (404 if there is none), whoever asks: check assertTakesAttendance before showing it. */
export async function readSessionForAttendance(sequelize: Sequelize, id: number): Promise<{ session: SheetSession; course: SheetCourse }> {
  const row = await statements(sequelize).get<{
    id: number;
    course_id: number;
    date: string;
    start_time: string;
    end_time: string;
    topic: string | null;
    code: string;
    title: string;
    place: string | null;
    instructor_name: string | null;
    instructor_id: number | null;
    status: Course['status'];
  }>(
    `SELECT s.id, s.course_id, CAST(s.date AS VARCHAR(10)) AS date, s.start_time, s.end_time, s.topic,
            c.code, c.title, c.place, c.instructor_name, c.instructor_id, c.status
       FROM course_sessions s JOIN courses c ON c.id = s.course_id
      WHERE s.id = :id`,
    { id },
  );
  if (!row) throw new NotFoundError(MESSAGES.noSession);
  const session: SheetSession = {
    id: Number(row.id),
    courseId: Number(row.course_id),
    date: row.date,
    startTime: row.start_time,
    endTime: row.end_time,
    topic: row.topic,
  };
  const course: SheetCourse = {
    id: session.courseId,
    code: row.code,
    title: row.title,
    place: row.place,
    instructorName: row.instructor_name,
    instructorId: row.instructor_id === null ? null : Number(row.instructor_id),
    status: row.status,
  };
  return { session, course };
}

export async function courseForAttendance(user: CurrentUser, rawId: string): Promise<Course> {
  const course = await Course.findByPk(idParam(rawId));
  if (!course) throw new NotFoundError('این دوره پیدا نشد.');
  assertTakesAttendance(user, course);
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

/**
 * The approved liaisons of a course, sorted by name, each with their mark for one session (none when
 * `sessionId` is 0): plain rows in one statement (the sheet is opened for every session, and on
 * SQLite every statement is a trip through the thread pool).
 */
async function approvedEnrollments(sequelize: Sequelize, courseId: number, sessionId = 0) {
  const rows = await statements(sequelize).all<{
    id: number;
    created_at: Date | string;
    full_name: string;
    county: string | null;
    status: AttendanceStatus | null;
    note: string | null;
    source: AttendanceSource | null;
    recorded_at: Date | string | null;
  }>(
    `SELECT e.id, e.created_at, u.full_name, COALESCE(ec.name, uc.name) AS county, m.status, m.note, m.source, m.recorded_at
       FROM enrollments e
       JOIN users u ON u.id = e.user_id
       LEFT JOIN counties ec ON ec.id = e.county_id
       LEFT JOIN counties uc ON uc.id = u.county_id
       LEFT JOIN attendance_marks m ON m.enrollment_id = e.id AND m.session_id = :sessionId
      WHERE e.course_id = :courseId AND e.status = 'approved'`,
    { courseId, sessionId },
  );
  return rows
    .map((r) => ({
      enrollmentId: Number(r.id),
      createdAt: instantOf(r.created_at),
      fullName: r.full_name ?? '',
      county: r.county ?? '',
      mark:
        r.recorded_at === null ? null : { status: r.status, note: r.note ?? '', source: r.source, recordedAt: instantOf(r.recorded_at) },
    }))
    .sort((a, b) => comparePersian(a.fullName, b.fullName) || a.enrollmentId - b.enrollmentId);
}

/** Every approved liaison of the session's course with their mark (if any), sorted by name. */
export async function loadSheet(sequelize: Sequelize, session: Pick<CourseSession, 'id' | 'courseId'>) {
  const rows = await approvedEnrollments(sequelize, session.courseId, session.id);
  // Each row built whole: spreading the rest of a row into a new object was a tenth of the sheet's time (CPU profile).
  return rows.map((row) => ({
    enrollmentId: row.enrollmentId,
    createdAt: row.createdAt,
    fullName: row.fullName,
    county: row.county,
    status: row.mark?.status ?? null,
    note: row.mark?.note ?? '',
    source: row.mark?.source ?? null,
    recordedAt: row.mark?.recordedAt ?? null,
  }));
}

export interface MarkEntry {
  enrollmentId: number;
  /** Undefined keeps the stored status (only the note changes, or nothing); null clears the mark. */
  status?: AttendanceStatus | null;
  /** Undefined keeps the stored note. */
  note?: string | null;
}

export interface RecordOptions {
  /** Who takes it: refused (403) unless they take this course's attendance (canTakeAttendance). */
  user: CurrentUser;
  source?: AttendanceSource;
  /** Why a mark of a finished course changes: without it a finished course's marks are frozen. */
  reason?: string | null;
  /** Only an admin corrects a finished course. */
  byAdmin?: boolean;
}

/**
 * Whether a course's marks are frozen: a finished course keeps the marks its certificates were
 * issued on (an admin corrects them with a reason), a cancelled one takes none.
 */
export function marksAreFrozen(course: Pick<Course, 'status'>): boolean {
  return course.status === 'finished' || course.status === 'cancelled';
}

/** Refuses a write to a frozen course's marks, unless it is an admin's correction with a reason. */
function assertMayChange(status: Course['status'], options: RecordOptions): void {
  if (status === 'cancelled') throw new ConflictError(MESSAGES.cancelledCourse);
  if (status !== 'finished') return;
  if (!options.byAdmin) throw new ForbiddenError(MESSAGES.frozenForStaff);
  if (!options.reason) throw new FormError({ reason: MESSAGES.frozen }, 409, MESSAGES.frozen);
}

/**
 * Takes (or corrects, or clears) attendance on a session's sheet in one transaction: only by who
 * takes the course's attendance (404 for no such session, 403 for someone else), only approved
 * liaisons of the course, only from the session's day on, and once the course is finished only as
 * an admin's correction with a reason, which flags the liaisons' issued certificates for reissue.
 * Every new mark, change and clearing is audited with its old and new status. The session and its
 * course are read inside the transaction, in its one read (a mark save is one trip fewer).
 */
export async function recordAttendance(
  sequelize: Sequelize,
  actor: Actor,
  sessionId: number,
  entries: MarkEntry[],
  options: RecordOptions,
): Promise<{ created: number; changed: number; cleared: number; marks: Record<number, AttendanceStatus | null> }> {
  const source = options.source ?? 'sheet';
  const ids = [...new Set(entries.map((e) => e.enrollmentId))];
  const db = statements(sequelize);
  // Rerunnable: everything it reads and writes is inside the transaction, and nothing outside changes.
  return sequelize.transaction(
    rerunnable(async (t) => {
      // One writer per session at a time: concurrent taps on two devices never race on the same mark
      // (on SQLite every write transaction already holds the database's one write lock).
      if (sequelize.getDialect() === 'postgres')
        await db.all('SELECT id FROM course_sessions WHERE id = :id FOR UPDATE', { id: sessionId }, t);
      // One read: the session's day, its course's status and instructor, whether every posted
      // enrollment is an approved one of the course, and the posted enrollments' stored marks (a row
      // each, or one row of nulls when none is marked).
      const read = await db.all<{
        date: string;
        course_status: Course['status'];
        instructor_id: number | null;
        approved: number | string;
        id: number | null;
        enrollment_id: number | null;
        status: AttendanceStatus;
        note: string | null;
      }>(
        `SELECT CAST(s.date AS VARCHAR(10)) AS date, c.status AS course_status, c.instructor_id,
              (SELECT COUNT(*) FROM enrollments WHERE id ${db.inList('ids')} AND course_id = s.course_id AND status = 'approved') AS approved,
              m.id, m.enrollment_id, m.status, m.note
         FROM course_sessions s JOIN courses c ON c.id = s.course_id
         LEFT JOIN attendance_marks m ON m.session_id = s.id AND m.enrollment_id ${db.inList('ids')}
        WHERE s.id = :sessionId`,
        { ids, sessionId },
        t,
      );
      if (!read.length) throw new NotFoundError(MESSAGES.noSession);
      assertTakesAttendance(options.user, { instructorId: read[0].instructor_id === null ? null : Number(read[0].instructor_id) });
      if (!marksAreOpen({ date: read[0].date })) throw new ConflictError(MESSAGES.futureSession);
      if (ids.length !== entries.length) throw new BadRequestError(MESSAGES.notApproved);
      const course = { status: read[0].course_status, approved: read[0].approved };
      assertMayChange(course.status, options);
      const afterFinish = course.status === 'finished' ? { reason: options.reason, afterFinish: true } : {};
      if (Number(course.approved) !== ids.length) throw new BadRequestError(MESSAGES.notApproved);
      const stored = read.filter((m) => m.id !== null);
      const existing = new Map(stored.map((m) => [Number(m.enrollment_id), m]));
      const now = new Date();
      let created = 0;
      let changed = 0;
      let cleared = 0;
      const touched: number[] = [];
      const marks: Record<number, AttendanceStatus | null> = {};
      // In enrollment order: the totals rows these writes update (a trigger) are then always locked in
      // the same order, so two sheets of one course saved at once cannot deadlock on PostgreSQL.
      for (const entry of [...entries].sort((a, b) => a.enrollmentId - b.enrollmentId)) {
        const previous = existing.get(entry.enrollmentId);
        if (!previous) {
          marks[entry.enrollmentId] = null;
          if (!entry.status) continue;
          const note = entry.note ?? null;
          const id = await db.insert(
            `INSERT INTO attendance_marks (session_id, enrollment_id, status, note, source, recorded_by, recorded_at, created_at, updated_at)
           VALUES (:sessionId, :enrollmentId, :status, :note, :source, :recordedBy, :now, :now, :now)`,
            { sessionId, enrollmentId: entry.enrollmentId, status: entry.status, note, source, recordedBy: actor.id, now },
            t,
          );
          await recordAudit(
            sequelize,
            actor,
            'attendance.record',
            { type: 'attendance_mark', id },
            {
              sessionId,
              enrollmentId: entry.enrollmentId,
              oldStatus: null,
              newStatus: entry.status,
              note,
              source,
              ...afterFinish,
            },
            t,
          );
          created++;
          touched.push(entry.enrollmentId);
          marks[entry.enrollmentId] = entry.status;
          continue;
        }
        if (entry.status === null) {
          // The write and its audit row do not wait for each other (statements sent together, src/db/prepared.ts).
          await Promise.all([
            db.run('DELETE FROM attendance_marks WHERE id = :id', { id: previous.id }, t),
            recordAudit(
              sequelize,
              actor,
              'attendance.clear',
              { type: 'attendance_mark', id: Number(previous.id) },
              {
                sessionId,
                enrollmentId: entry.enrollmentId,
                oldStatus: previous.status,
                newStatus: null,
                oldNote: previous.note,
                source,
                ...afterFinish,
              },
              t,
            ),
          ]);
          cleared++;
          touched.push(entry.enrollmentId);
          marks[entry.enrollmentId] = null;
          continue;
        }
        const status = entry.status ?? previous.status;
        const note = entry.note === undefined ? previous.note : entry.note;
        marks[entry.enrollmentId] = status;
        if (status === previous.status && (note ?? null) === (previous.note ?? null)) continue;
        const details = {
          sessionId,
          enrollmentId: entry.enrollmentId,
          oldStatus: previous.status,
          newStatus: status,
          oldNote: previous.note,
          newNote: note,
          source,
          ...afterFinish,
        };
        // Sent together, as above.
        await Promise.all([
          db.run(
            'UPDATE attendance_marks SET status = :status, note = :note, source = :source, recorded_by = :recordedBy, recorded_at = :now, updated_at = :now WHERE id = :id',
            { status, note: note ?? null, source, recordedBy: actor.id, now, id: previous.id },
            t,
          ),
          recordAudit(sequelize, actor, 'attendance.correct', { type: 'attendance_mark', id: Number(previous.id) }, details, t),
        ]);
        changed++;
        if (status !== previous.status) touched.push(entry.enrollmentId);
      }
      if (course.status === 'finished' && touched.length) await flagForReissue(sequelize, touched, options.reason!, t);
      return { created, changed, cleared, marks };
    }),
  );
}

/** The valid certificates of these enrollments no longer match their attendance: flag them for reissue. */
async function flagForReissue(sequelize: Sequelize, enrollmentIds: number[], reason: string, transaction: Transaction): Promise<void> {
  await sequelize.query(
    "UPDATE certificates SET reissue_reason = :reason, updated_at = :now WHERE enrollment_id IN (:ids) AND status = 'valid'",
    { replacements: { reason: `اصلاح حضور و غیاب پس از پایان دوره: ${reason}`, now: new Date(), ids: enrollmentIds }, transaction },
  );
}

/** The ids of the approved enrollments of the session's course (for "mark all present"). */
export async function approvedEnrollmentIds(sequelize: Sequelize, sessionId: number): Promise<number[]> {
  const rows = await sequelize.query<{ id: number }>(
    "SELECT e.id FROM course_sessions s JOIN enrollments e ON e.course_id = s.course_id WHERE s.id = :sessionId AND e.status = 'approved' ORDER BY e.id",
    {
      type: QueryTypes.SELECT,
      replacements: { sessionId },
    },
  );
  return rows.map((r) => Number(r.id));
}

export type MatrixCell =
  | { kind: 'mark'; status: AttendanceStatus }
  | { kind: 'unmarked' }
  | { kind: 'not-enrolled' }
  | { kind: 'upcoming' };

/** The attendance matrix of a course: approved liaisons × sessions, with each liaison's percent. */
export async function loadMatrix(sequelize: Sequelize, course: Course, now: Date = new Date()) {
  const sessions = await CourseSession.findAll({
    where: { courseId: course.id },
    order: [
      ['date', 'ASC'],
      ['startTime', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  const rows = await approvedEnrollments(sequelize, course.id);
  const marks = rows.length
    ? await AttendanceMark.findAll({
        where: { sessionId: { [Op.in]: sessions.map((s) => s.id) }, enrollmentId: { [Op.in]: rows.map((r) => r.enrollmentId) } },
      })
    : [];
  const markOf = new Map(marks.map((m) => [`${m.enrollmentId}:${m.sessionId}`, m.status]));
  const summaries = await attendanceSummaries(
    course,
    rows.map((r) => ({ id: r.enrollmentId, createdAt: r.createdAt })),
    { now },
  );
  return {
    sessions: sessions.map((s) => ({ id: s.id, date: s.date, startTime: s.startTime, held: sessionIsOver(s, now) })),
    rows: rows.map(({ mark: _none, ...row }) => ({
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

/** The check-in window's settings as the config names them. */
export interface CheckInWindowConfig {
  checkInOpensMinutesBefore: number;
  checkInClosesMinutesAfter: number;
}

/**
 * A liaison marks themself present with the code shown in the room; the code itself says which
 * session it is: among the sessions of the liaison's approved enrollments held around today, the
 * one whose current code it is. It is taken only inside that session's check-in window (from
 * shortly before its start to a while after its end, CHECK_IN_* settings) and while no mark of
 * theirs is stored yet.
 */
export async function selfCheckIn(
  services: { sequelize: Sequelize; config: CheckInWindowConfig; rateLimiter: Pick<RateLimiter, 'take' | 'giveBack'> },
  user: CurrentUser & { ip?: string | null },
  input: { code: string },
  now: Date = new Date(),
): Promise<{ courseTitle: string; date: string }> {
  const key = `check-in:user:${user.id}`;
  // Counted before the code is checked, so that tries sent together cannot all pass; a right code gives its try back.
  if (!(await services.rateLimiter.take(key, LIMITS.selfCheckInsPerUser))) throw new HttpError(429, MESSAGES.tooManyTries);
  const today = todayIso(now);
  // A window can cross midnight, so the sessions of yesterday, today and tomorrow are asked.
  const candidates = await services.sequelize.query<{
    id: number;
    enrollment_id: number;
    date: string;
    start_time: string;
    end_time: string;
    title: string;
    secret: string;
  }>(
    `SELECT s.id, e.id AS enrollment_id, CAST(s.date AS VARCHAR(10)) AS date, s.start_time, s.end_time, c.title, k.secret
       FROM enrollments e
       JOIN courses c ON c.id = e.course_id
       JOIN course_sessions s ON s.course_id = e.course_id
       JOIN attendance_check_in_secrets k ON k.session_id = s.id
      WHERE e.user_id = :userId AND e.status = 'approved' AND c.status NOT IN ('finished', 'cancelled')
        AND s.date BETWEEN :from AND :to`,
    { type: QueryTypes.SELECT, replacements: { userId: user.id, from: addDaysIso(today, -1), to: addDaysIso(today, 1) } },
  );
  const window = {
    opensMinutesBefore: services.config.checkInOpensMinutesBefore,
    closesMinutesAfter: services.config.checkInClosesMinutesAfter,
  };
  if (!candidates.length) throw new ForbiddenError(MESSAGES.noSessionNow);
  const matched = candidates.find((c) => codeIsValid(c.secret, input.code, now));
  if (!matched) throw new FormError({ code: MESSAGES.wrongCode });
  await services.rateLimiter.giveBack(key);
  const session = { id: Number(matched.id), date: matched.date, startTime: matched.start_time, endTime: matched.end_time };
  if (!checkInIsOpen(session, window, now)) {
    const { from, to } = checkInWindow(session, window);
    throw new ConflictError(`${MESSAGES.outsideWindow} (${formatDateTime(from)} تا ${toPersianDigits(nowTime(to))})`);
  }
  const enrollmentId = Number(matched.enrollment_id);
  await services.sequelize.transaction(async (t) => {
    await CourseSession.findByPk(session.id, { attributes: ['id'], transaction: t, lock: t.LOCK.UPDATE });
    const existing = await AttendanceMark.findOne({ where: { sessionId: session.id, enrollmentId }, transaction: t });
    if (existing) throw new ConflictError(MESSAGES.alreadyMarked);
    const mark = await AttendanceMark.create(
      { sessionId: session.id, enrollmentId, status: 'present', note: null, source: 'self', recordedBy: user.id, recordedAt: now },
      { transaction: t },
    );
    await recordAudit(
      services.sequelize,
      { id: user.id, ip: user.ip ?? null },
      'attendance.self_check_in',
      { type: 'attendance_mark', id: mark.id },
      {
        sessionId: session.id,
        enrollmentId,
        oldStatus: null,
        newStatus: 'present',
        source: 'self',
      },
      t,
    );
  });
  return { courseTitle: matched.title, date: session.date };
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
export async function loadMyAttendance(
  sql: Sequelize,
  user: CurrentUser,
  now: Date = new Date(),
): Promise<Map<number, MyCourseAttendance>> {
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
    const held = own
      .filter((s) => sessionIsOver({ date: s.date, endTime: s.end_time }, now))
      .map((s) => ({ id: s.id, date: s.date, startTime: s.start_time, endTime: s.end_time, status: s.status }));
    const statusOf = new Map(held.filter((s) => s.status).map((s) => [s.id, s.status as AttendanceStatus]));
    const summary = summarizeAttendance(course, { id: enrollmentId, createdAt: new Date(created_at) }, held, statusOf);
    result.set(enrollmentId, {
      minAttendance: course.minAttendance,
      counted: summary.counted,
      attended: summary.present + summary.late + (course.countExcused ? summary.excused : 0),
      percent: summary.percent,
      meetsMinimum: summary.meetsMinimum,
      recent: held
        .slice(-RECENT_MARKS_SHOWN)
        .reverse()
        .map(({ date, startTime, status }) => ({ date, startTime, status })),
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
  const courses = new Map<
    number,
    {
      id: number;
      title: string;
      code: string;
      sessions: { id: number; date: string; startTime: string; endTime: string; today: boolean }[];
    }
  >();
  for (const r of rows) {
    if (!courses.has(r.course_id)) courses.set(r.course_id, { id: r.course_id, title: r.title, code: r.code, sessions: [] });
    if (r.id !== null && r.date && r.start_time && r.end_time)
      courses
        .get(r.course_id)!
        .sessions.push({ id: r.id, date: r.date, startTime: r.start_time, endTime: r.end_time, today: r.date === today });
  }
  return [...courses.values()].map((c) => {
    const past = c.sessions.filter((s) => s.date < today);
    const ahead = c.sessions.filter((s) => s.date > today);
    return { ...c, sessions: [...past.slice(-1), ...c.sessions.filter((s) => s.today), ...ahead.slice(0, 1)], total: c.sessions.length };
  });
}
