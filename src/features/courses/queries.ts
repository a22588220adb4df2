import { COURSE_STATUS_BADGES, COURSE_STATUS_LABELS, ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import { type Params, statements } from '../../db/prepared';
import { col, fn, Op, QueryTypes, type Sequelize } from 'sequelize';
import { AttendanceMark, County, Course, CourseQuota, CourseSession, Enrollment, User } from '../../models';
import type { CourseStatus, Delivery } from '../../models/course';
import type { EnrollmentStatus } from '../../models/enrollment';
import { NotFoundError } from '../../lib/errors';
import { jalaliYearRange } from '../../lib/jalali';
import { freeSeats, HOLDING, HOLDING_SQL } from '../enrollments/seats';
import { sessionIsOver } from '../attendance/summary';
import {
  ENROLLMENT_STATE_BADGES,
  ENROLLMENT_STATE_LABELS,
  enrollmentState,
  takesEnrollment,
  takingEnrollmentSql,
  type EnrollmentState,
} from '../enrollments/state';
import { searchKey, comparePersian } from '../../lib/persian';
import { activeCounties } from '../counties/queries';
import type { AdminListQuery, CatalogueQuery } from './schemas';
import { DELIVERY_LABELS, hoursOf, minutesBetween, pagination, paragraphs, presentCourse, presentSession } from './presenter';
import { ANNOUNCED_TO } from './announcements';

/** What the course pages read: trimmed queries that aggregate in the database, plain objects out. */

/** What every list and page names a course by, read from a raw row. */
function courseHeading(row: Record<string, unknown>) {
  const code = String(row.code);
  return { id: Number(row.id), code, title: String(row.title), category: String(row.category) };
}

export const PAGE_SIZE = 20;

/** A DATEONLY read by a raw query: a string on both databases (Sequelize parses dates itself). */
function isoOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  return String(value).slice(0, 10);
}

/** `%key%` for LIKE on a search key, with LIKE's own wildcards escaped. */
function likeKey(q: string): string {
  return `%${searchKey(q).replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
}

const FIRST_SESSION = '(SELECT MIN(s.date) FROM course_sessions s WHERE s.course_id = c.id)';

export interface AdminCourseRow {
  id: number;
  code: string;
  title: string;
  category: string;
  status: CourseStatus;
  statusLabel: string;
  statusBadge: string;
  capacity: number;
  /** Seats held and free (seats.ts), the same numbers as the public pages. */
  held: number;
  seatsLeft: number;
  sessionCount: number;
  firstDate: string | null;
  lastDate: string | null;
}

/** The category and search-box filters both course lists share. */
function filterByCategoryAndText(
  query: { category?: string | null; q?: string | null },
  where: string[],
  replacements: Record<string, unknown>,
): void {
  if (query.category) {
    where.push('c.category = :category');
    replacements.category = query.category;
  }
  if (query.q && searchKey(query.q)) {
    where.push("c.search_key LIKE :q ESCAPE '\\'");
    replacements.q = likeKey(query.q);
  }
}

export async function listCoursesForAdmin(sequelize: Sequelize, query: AdminListQuery) {
  const where: string[] = [];
  const replacements: Record<string, unknown> = { limit: PAGE_SIZE, offset: (query.page - 1) * PAGE_SIZE };
  if (query.status) {
    where.push('c.status = :status');
    replacements.status = query.status;
  }
  filterByCategoryAndText(query, where, replacements);
  if (query.year) {
    const { from, to } = jalaliYearRange(query.year);
    where.push(`COALESCE(${FIRST_SESSION}, c.enroll_opens) BETWEEN :from AND :to`);
    Object.assign(replacements, { from, to });
  }
  const rows = await sequelize.query<Record<string, unknown>>(
    `SELECT c.id, c.code, c.title, c.category, c.status, c.capacity,
       s.first_date AS "firstDate", s.last_date AS "lastDate", COALESCE(s.n, 0) AS "sessionCount",
       (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status IN ${HOLDING_SQL}) AS held,
       COUNT(*) OVER () AS total
     FROM courses c
     LEFT JOIN (SELECT course_id, MIN(date) AS first_date, MAX(date) AS last_date, COUNT(*) AS n
                FROM course_sessions GROUP BY course_id) s ON s.course_id = c.id
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY c.id DESC
     LIMIT :limit OFFSET :offset`,
    { type: QueryTypes.SELECT, replacements },
  );
  const total = rows.length ? Number(rows[0].total) : await countCourses(sequelize, where, replacements);
  const categories = await courseCategories(sequelize);
  const courses: AdminCourseRow[] = rows.map((r) => {
    const status = r.status as CourseStatus;
    return {
      ...courseHeading(r),
      status,
      statusLabel: COURSE_STATUS_LABELS[status],
      statusBadge: COURSE_STATUS_BADGES[status],
      capacity: Number(r.capacity),
      held: Number(r.held),
      seatsLeft: freeSeats(Number(r.capacity), Number(r.held)),
      sessionCount: Number(r.sessionCount),
      firstDate: isoOf(r.firstDate),
      lastDate: isoOf(r.lastDate),
    };
  });
  return { courses, categories, ...pagination(query.page, total, PAGE_SIZE) };
}

/** The count behind a page past the end (the window count of an empty page is unknown). */
async function countCourses(sequelize: Sequelize, where: string[], replacements: Record<string, unknown>): Promise<number> {
  const [row] = await sequelize.query<{ n: number | string }>(
    `SELECT COUNT(*) AS n FROM courses c ${where.length ? `WHERE ${where.join(' AND ')}` : ''}`,
    { type: QueryTypes.SELECT, replacements },
  );
  return Number(row?.n ?? 0);
}

/** Everything the admin course page shows. */
export async function courseForAdmin(id: number) {
  const course = await Course.findByPk(id, { include: [{ model: User, as: 'instructor', attributes: ['username', 'fullName'] }] });
  if (!course) throw new NotFoundError('دوره پیدا نشد.');
  const [sessions, quotas, enrollmentCounts] = await Promise.all([
    CourseSession.findAll({
      where: { courseId: id },
      attributes: ['id', 'date', 'startTime', 'endTime', 'topic'],
      order: [
        ['date', 'ASC'],
        ['startTime', 'ASC'],
        ['id', 'ASC'],
      ],
    }),
    CourseQuota.findAll({ where: { courseId: id }, include: [{ model: County, as: 'county', attributes: ['slug', 'name'] }] }),
    Enrollment.findAll({ attributes: ['status', [fn('COUNT', col('id')), 'n']], where: { courseId: id }, group: ['status'], raw: true }),
  ]);
  const marked = sessions.length
    ? ((await AttendanceMark.findAll({
        attributes: ['sessionId', [fn('COUNT', col('id')), 'n']],
        where: { sessionId: { [Op.in]: sessions.map((s) => s.id) } },
        group: ['sessionId'],
        raw: true,
      })) as unknown as { sessionId: number; n: number | string }[])
    : [];
  const marksBySession = new Map(marked.map((m) => [Number(m.sessionId), Number(m.n)]));
  const now = new Date();
  const presented = sessions.map((s) => ({ ...presentSession(s), marks: marksBySession.get(s.id) ?? 0, held: sessionIsOver(s, now) }));
  const sessionMinutes = sessions.reduce((sum, s) => sum + minutesBetween(s.startTime, s.endTime), 0);
  const counts: Record<string, number> = {};
  for (const row of enrollmentCounts as unknown as { status: EnrollmentStatus; n: number | string }[]) counts[row.status] = Number(row.n);
  const instructor = (course as Course & { instructor?: User | null }).instructor ?? null;
  const first = sessions[0];
  const held = HOLDING.reduce((sum, status) => sum + (counts[status] ?? 0), 0);
  return {
    course: presentCourse(course),
    ...stateOf(
      {
        status: course.status,
        enrollOpens: course.enrollOpens,
        enrollCloses: course.enrollCloses,
        firstStart: first ? `${first.date} ${first.startTime}` : null,
      },
      freeSeats(course.capacity, held),
    ),
    /** A finished or cancelled course keeps its sessions as they were: no edit, no delete. */
    sessionsEditable: course.status !== 'finished' && course.status !== 'cancelled',
    instructorUsername: instructor?.username ?? null,
    sessions: presented,
    sessionHours: hoursOf(sessionMinutes),
    firstDate: sessions[0]?.date ?? null,
    lastDate: sessions.at(-1)?.date ?? null,
    quotas: quotas
      .map((q) => {
        const county = (q as CourseQuota & { county?: County }).county;
        return { slug: county?.slug ?? '', name: county?.name ?? '', quota: q.quota };
      })
      .sort((a, b) => comparePersian(a.name, b.name)),
    enrollments: Object.entries(ENROLLMENT_STATUS_LABELS).map(([status, label]) => ({ status, label, count: counts[status] ?? 0 })),
    approved: counts.approved ?? 0,
    /** How many liaisons an announcement reaches now (the form asks to confirm with it). */
    announcedTo: ANNOUNCED_TO.reduce((sum, status) => sum + (counts[status] ?? 0), 0),
  };
}

/** The course as its form shows it, for the edit page. */
export async function courseForEdit(id: number) {
  const course = await Course.findByPk(id, { include: [{ model: User, as: 'instructor', attributes: ['username'] }] });
  if (!course) throw new NotFoundError('دوره پیدا نشد.');
  const quotas = await CourseQuota.findAll({ where: { courseId: id }, include: [{ model: County, as: 'county', attributes: ['slug'] }] });
  const bySlug: Record<string, number> = {};
  for (const q of quotas) {
    const slug = (q as CourseQuota & { county?: County }).county?.slug;
    if (slug) bySlug[slug] = q.quota;
  }
  const instructor = (course as Course & { instructor?: User | null }).instructor ?? null;
  return { course, instructorUsername: instructor?.username ?? null, quotas: bySlug };
}

/** Counties offered for quotas: the active ones, in the one Persian order of every county list. */
export async function countiesForQuotas(): Promise<{ slug: string; name: string }[]> {
  return (await activeCounties()).map((c) => ({ slug: c.slug, name: c.name }));
}

export async function sessionForEdit(id: number) {
  const session = await CourseSession.findByPk(id, {
    attributes: ['id', 'courseId', 'date', 'startTime', 'endTime', 'topic'],
    include: [{ model: Course, as: 'course', attributes: ['id', 'code', 'title', 'status', 'enrollCloses'] }],
  });
  if (!session?.course) throw new NotFoundError('جلسه پیدا نشد.');
  const marks = await AttendanceMark.count({ where: { sessionId: id } });
  const { course } = session;
  return {
    session: { ...presentSession(session), marks },
    course: {
      id: course.id,
      code: course.code,
      title: course.title,
      status: course.status,
      statusLabel: COURSE_STATUS_LABELS[course.status as CourseStatus],
    },
  };
}

// ---- the public catalogue ----

export interface CatalogueRow {
  id: number;
  code: string;
  title: string;
  category: string;
  delivery: Delivery;
  deliveryLabel: string;
  place: string | null;
  hours: number;
  capacity: number;
  seatsLeft: number;
  state: EnrollmentState;
  stateLabel: string;
  stateBadge: string;
  enrollCloses: string;
  firstDate: string | null;
  lastDate: string | null;
  sessionCount: number;
  mine: { status: EnrollmentStatus; label: string; waitlistPosition: number | null } | null;
}

/**
 * The courses that may take enrollments, aliased c, each with its first session's start as
 * `"firstStart"` (`YYYY-MM-DD HH:mm`, which state.ts compares with now), read once per course: the
 * catalogue named it three times (its column and twice in the rule), each a look-up of the course's
 * sessions (MATERIALIZED: inlined, the expression was read at each use again), and only for the courses
 * inside their enrollment window (`takingEnrollmentSql`'s `window`; at national scale 42 of 181 open
 * courses). The whole rule is its `where`. Queries begin with it and read `FROM candidates c`.
 */
const withCandidates = (window: string) => `WITH candidates AS MATERIALIZED (
   SELECT c.*, (SELECT MIN(CAST(fs.date AS VARCHAR(10)) || ' ' || fs.start_time) FROM course_sessions fs WHERE fs.course_id = c.id) AS "firstStart"
   FROM courses c WHERE ${window})`;
const FIRST_START = 'c."firstStart"';

/** A course's enrollment state from a row of the catalogue or the course page. */
function stateOf(row: Record<string, unknown>, free: number) {
  const firstStart = row.firstStart ? String(row.firstStart) : null;
  const state = enrollmentState({
    status: row.status as CourseStatus,
    enrollOpens: isoOf(row.enrollOpens) ?? '',
    enrollCloses: isoOf(row.enrollCloses) ?? '',
    firstSession: firstStart ? { date: firstStart.slice(0, 10), startTime: firstStart.slice(11) } : null,
    freeSeats: free,
  });
  return { state, stateLabel: ENROLLMENT_STATE_LABELS[state], stateBadge: ENROLLMENT_STATE_BADGES[state] };
}

function ownStatus(status: unknown, position: unknown): CatalogueRow['mine'] {
  if (!status) return null;
  const s = status as EnrollmentStatus;
  return {
    status: s,
    label: ENROLLMENT_STATUS_LABELS[s],
    waitlistPosition: position === null || position === undefined ? null : Number(position),
  };
}

/**
 * The courses that take enrollments now (state.ts: open, or full with a waitlist), one page, in one
 * query: sessions and held seats are grouped in the database (only over open courses), and the
 * viewer's own enrollment is joined on its unique key.
 */
export async function catalogue(sequelize: Sequelize, query: CatalogueQuery, userId: number | null) {
  const taking = takingEnrollmentSql(FIRST_START);
  const where = [taking.where];
  const replacements: Record<string, unknown> = {
    limit: PAGE_SIZE,
    offset: (query.page - 1) * PAGE_SIZE,
    userId: userId ?? 0,
    ...taking.replacements,
  };
  filterByCategoryAndText(query, where, replacements);
  // A prepared statement (src/db/prepared.ts): each filter combination is a text of its own, a handful in all.
  const db = statements(sequelize);
  const candidates = withCandidates(taking.window);
  const rows = await db.all<Record<string, unknown>>(
    // The page is chosen first (its order needs only the first session's date); held seats, the last
    // date and the number of sessions are then read for its courses only, by their indexes: counting
    // held seats for every open course first cost ~2 ms once the open courses held 7,000 enrollments.
    `${candidates}
     SELECT p.*,
       (SELECT COUNT(*) FROM enrollments h WHERE h.course_id = p.id AND h.status IN ${HOLDING_SQL}) AS held,
       (SELECT MAX(ls.date) FROM course_sessions ls WHERE ls.course_id = p.id) AS "lastDate",
       (SELECT COUNT(*) FROM course_sessions ns WHERE ns.course_id = p.id) AS "sessionCount"
     FROM (
       SELECT c.id, c.code, c.title, c.category, c.delivery, c.place, c.hours, c.capacity, c.status,
         c.enroll_opens AS "enrollOpens", c.enroll_closes AS "enrollCloses", c."firstStart",
         SUBSTR(c."firstStart", 1, 10) AS "firstDate",
         m.status AS "myStatus", m.waitlist_position AS "myPosition",
         COUNT(*) OVER () AS total
       FROM candidates c
       LEFT JOIN enrollments m ON m.course_id = c.id AND m.user_id = :userId
       WHERE ${where.join(' AND ')}
       ORDER BY c."firstStart" IS NULL, SUBSTR(c."firstStart", 1, 10), c.id
       LIMIT :limit OFFSET :offset) p
     ORDER BY p."firstDate" IS NULL, p."firstDate", p.id`,
    replacements as Params,
  );
  // A page past the end has no row to carry the total: counted on its own then.
  const counted = async () =>
    (
      await db.get<{ n: number | string }>(
        `${candidates} SELECT COUNT(*) AS n FROM candidates c WHERE ${where.join(' AND ')}`,
        replacements as Params,
      )
    )?.n;
  const total = Number(rows.length ? rows[0].total : query.page > 1 ? await counted() : 0);
  const courses: CatalogueRow[] = rows.map((r) => {
    const free = freeSeats(Number(r.capacity), Number(r.held));
    return {
      ...courseHeading(r),
      delivery: r.delivery as Delivery,
      deliveryLabel: DELIVERY_LABELS[r.delivery as Delivery],
      place: (r.place as string | null) ?? null,
      hours: Number(r.hours),
      capacity: Number(r.capacity),
      seatsLeft: free,
      ...stateOf(r, free),
      enrollCloses: isoOf(r.enrollCloses) ?? '',
      firstDate: isoOf(r.firstDate),
      lastDate: isoOf(r.lastDate),
      sessionCount: Number(r.sessionCount),
      mine: ownStatus(r.myStatus, r.myPosition),
    };
  });
  return { courses, ...pagination(query.page, total, PAGE_SIZE) };
}

/** The course categories in use, in Persian order (the admin's list and the reports' filters). */
export async function courseCategories(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ category: string }>('SELECT DISTINCT category FROM courses', { type: QueryTypes.SELECT });
  return rows.map((r) => r.category).sort(comparePersian);
}

/** Categories of the courses the catalogue lists, for its filter, in Persian order. */
export async function catalogueCategories(sequelize: Sequelize): Promise<string[]> {
  const taking = takingEnrollmentSql(FIRST_START);
  const rows = await statements(sequelize).all<{ category: string }>(
    `${withCandidates(taking.window)} SELECT DISTINCT c.category FROM candidates c WHERE ${taking.where}`,
    taking.replacements,
  );
  return rows.map((r) => r.category).sort(comparePersian);
}

/** One course as the public sees it (drafts are not public), with the viewer's own enrollment. */
export async function publicCourse(sequelize: Sequelize, id: number, userId: number | null) {
  const [row] = await sequelize.query<Record<string, unknown>>(
    `SELECT c.*, (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id AND e.status IN ${HOLDING_SQL}) AS held,
       m.status AS "myStatus", m.waitlist_position AS "myPosition", m.reason AS "myReason"
     FROM courses c LEFT JOIN enrollments m ON m.course_id = c.id AND m.user_id = :userId
     WHERE c.id = :id AND c.status <> 'draft'`,
    { type: QueryTypes.SELECT, replacements: { id, userId: userId ?? 0 } },
  );
  if (!row) throw new NotFoundError('دوره پیدا نشد.');
  const sessions = await CourseSession.findAll({
    where: { courseId: id },
    attributes: ['id', 'date', 'startTime', 'endTime', 'topic'],
    order: [
      ['date', 'ASC'],
      ['startTime', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  const status = row.status as CourseStatus;
  const free = freeSeats(Number(row.capacity), Number(row.held));
  const first = sessions[0];
  const state = stateOf(
    {
      status,
      enrollOpens: row.enroll_opens,
      enrollCloses: row.enroll_closes,
      firstStart: first ? `${first.date} ${first.startTime}` : null,
    },
    free,
  );
  const enrollOpens = isoOf(row.enroll_opens) ?? '';
  const enrollCloses = isoOf(row.enroll_closes) ?? '';
  const delivery = row.delivery as Delivery;
  return {
    course: {
      ...courseHeading(row),
      description: paragraphs((row.description as string | null) ?? null),
      instructorName: (row.instructor_name as string | null) ?? null,
      delivery,
      deliveryLabel: DELIVERY_LABELS[delivery],
      place: (row.place as string | null) ?? null,
      hours: Number(row.hours),
      capacity: Number(row.capacity),
      seatsLeft: free,
      enrollOpens,
      enrollCloses,
      minAttendance: Number(row.min_attendance),
      status,
      statusLabel: COURSE_STATUS_LABELS[status],
      statusBadge: COURSE_STATUS_BADGES[status],
      approvalManual: row.approval === 'manual',
      // The class link is for those with a seat.
      link: row.myStatus === 'approved' && delivery === 'online' ? ((row.link as string | null) ?? null) : null,
    },
    ...state,
    takesEnrollment: takesEnrollment(state.state),
    mine: ownStatus(row.myStatus, row.myPosition),
    myReason: (row.myReason as string | null) ?? null,
    sessions: sessions.map(presentSession),
  };
}
