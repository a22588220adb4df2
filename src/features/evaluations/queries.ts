import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { statements } from '../../db/prepared';
import { addDaysIso, todayIso } from '../../lib/jalali';
import { readEvaluationTemplate, type EvaluationTemplate } from '../../services/settings';
import { isoDate } from '../reports/service';
import { evaluationOpensAt, isEvaluationOpen } from './rules';

/** How long after its last session /me keeps asking a liaison to answer a course's evaluation. */
const ASK_FOR_DAYS = 60;

export interface EvaluationCourse {
  id: number;
  code: string;
  title: string;
  category: string;
  status: string;
  instructorName: string | null;
  instructorId: number | null;
  opensAt: Date | null;
  /** The questions copied when the evaluation opened; null while it has not. */
  questions: EvaluationTemplate | null;
}

/** A course as its evaluation needs it: when it opens and what it asks (null when there is no such course). */
export async function evaluationCourse(
  sequelize: Sequelize,
  courseId: number,
  transaction?: Transaction,
): Promise<EvaluationCourse | null> {
  const [row] = await sequelize.query<Record<string, unknown>>(
    `SELECT c.id, c.code, c.title, c.category, c.status, c.instructor_name, c.instructor_id, ev.questions,
            (SELECT s.date FROM course_sessions s WHERE s.course_id = c.id ORDER BY s.date DESC, s.start_time DESC LIMIT 1) AS last_date,
            (SELECT s.start_time FROM course_sessions s WHERE s.course_id = c.id ORDER BY s.date DESC, s.start_time DESC LIMIT 1) AS last_start
       FROM courses c LEFT JOIN course_evaluations ev ON ev.course_id = c.id
      WHERE c.id = :courseId`,
    { type: QueryTypes.SELECT, replacements: { courseId }, transaction },
  );
  if (!row) return null;
  const status = String(row.status);
  const lastDate = isoDate(row.last_date);
  return {
    id: Number(row.id),
    code: String(row.code),
    title: String(row.title),
    category: String(row.category),
    status,
    instructorName: (row.instructor_name as string | null) ?? null,
    instructorId: row.instructor_id === null ? null : Number(row.instructor_id),
    opensAt: evaluationOpensAt({ status }, lastDate ? { date: lastDate, startTime: String(row.last_start) } : null),
    questions: row.questions ? readEvaluationTemplate(String(row.questions)) : null,
  };
}

/** This user's enrollment status in the course, and whether they have answered its evaluation. */
export async function respondentState(sequelize: Sequelize, courseId: number, userId: number, transaction?: Transaction) {
  const [row] = await sequelize.query<{ status: string | null; answered: number | string }>(
    `SELECT (SELECT e.status FROM enrollments e WHERE e.course_id = :courseId AND e.user_id = :userId) AS status,
            (SELECT COUNT(*) FROM evaluation_respondents r WHERE r.course_id = :courseId AND r.user_id = :userId) AS answered`,
    { type: QueryTypes.SELECT, replacements: { courseId, userId }, transaction },
  );
  return { enrollmentStatus: row?.status ?? null, answered: Number(row?.answered ?? 0) > 0 };
}

/**
 * The evaluations waiting for this liaison (/me): courses they were approved in whose last session
 * has started, in the last ASK_FOR_DAYS days, and that they have not answered. Reads only.
 */
export async function pendingEvaluations(sequelize: Sequelize, userId: number, now: Date = new Date()) {
  const today = todayIso(now);
  const rows = await statements(sequelize).all<{ id: number; title: string; status: string; date: unknown; start_time: string }>(
    `SELECT c.id, c.title, c.status, s.date, MAX(s.start_time) AS start_time
       FROM enrollments e
       JOIN courses c ON c.id = e.course_id
       JOIN course_sessions s ON s.course_id = c.id
      WHERE e.user_id = :userId AND e.status = 'approved' AND c.status NOT IN ('draft', 'cancelled')
        AND s.date = (SELECT MAX(s2.date) FROM course_sessions s2 WHERE s2.course_id = c.id)
        AND s.date BETWEEN :since AND :today
        AND NOT EXISTS (SELECT 1 FROM evaluation_respondents r WHERE r.course_id = c.id AND r.user_id = :userId)
      GROUP BY c.id, c.title, c.status, s.date
      ORDER BY s.date, c.id`,
    { userId, today, since: addDaysIso(today, -ASK_FOR_DAYS) },
  );
  return rows
    .filter((r) => isEvaluationOpen(evaluationOpensAt(r, { date: isoDate(r.date)!, startTime: r.start_time }), now))
    .map((r) => ({ courseId: Number(r.id), courseTitle: r.title }));
}

/** Courses whose evaluation has opened (recently) and whose liaisons have not yet been asked to answer it. */
export async function evaluationsToAnnounce(sequelize: Sequelize, now: Date = new Date()): Promise<number[]> {
  const today = todayIso(now);
  const rows = await sequelize.query<{ id: number; status: string; date: unknown; start_time: string }>(
    `SELECT c.id, c.status, s.date, MAX(s.start_time) AS start_time
       FROM courses c
       JOIN course_sessions s ON s.course_id = c.id
       LEFT JOIN course_evaluations ev ON ev.course_id = c.id
      WHERE c.status NOT IN ('draft', 'cancelled') AND ev.invited_at IS NULL
        AND s.date = (SELECT MAX(s2.date) FROM course_sessions s2 WHERE s2.course_id = c.id)
        AND s.date BETWEEN :since AND :today
      GROUP BY c.id, c.status, s.date`,
    { type: QueryTypes.SELECT, replacements: { today, since: addDaysIso(today, -7) } },
  );
  return rows
    .filter((r) => isEvaluationOpen(evaluationOpensAt(r, { date: isoDate(r.date)!, startTime: r.start_time }), now))
    .map((r) => Number(r.id));
}

export interface CourseAnswers {
  approved: number;
  respondents: number;
  answers: number;
  /** Per question key, how many gave each score 1..5. */
  distribution: Map<string, number[]>;
  /** Comments and topics, in the random order of the answers' ids (never the order they came in). */
  texts: { comment: string | null; topics: string | null }[];
  /** Every answer's scores, for the export. */
  rows: { scores: Record<string, number>; comment: string | null; topics: string | null }[];
}

/** What a course's evaluation collected, without anything that names a person. */
export async function courseAnswers(sequelize: Sequelize, courseId: number, withRows: boolean): Promise<CourseAnswers> {
  const replacements = { courseId };
  const [counts] = await sequelize.query<{ approved: number | string; respondents: number | string; answers: number | string }>(
    `SELECT (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = :courseId AND e.status = 'approved') AS approved,
            (SELECT COUNT(*) FROM evaluation_respondents r WHERE r.course_id = :courseId) AS respondents,
            (SELECT COUNT(*) FROM evaluation_answers a WHERE a.course_id = :courseId) AS answers`,
    { type: QueryTypes.SELECT, replacements },
  );
  const scoreRows = await sequelize.query<{ item: string; score: number | string; n: number | string }>(
    'SELECT item, score, COUNT(*) AS n FROM evaluation_scores WHERE course_id = :courseId GROUP BY item, score',
    { type: QueryTypes.SELECT, replacements },
  );
  const distribution = new Map<string, number[]>();
  for (const r of scoreRows) {
    const counts = distribution.get(r.item) ?? [0, 0, 0, 0, 0];
    counts[Number(r.score) - 1] += Number(r.n);
    distribution.set(r.item, counts);
  }
  const texts = await sequelize.query<{ id: string; comment: string | null; topics: string | null }>(
    'SELECT id, comment, topics FROM evaluation_answers WHERE course_id = :courseId ORDER BY id',
    { type: QueryTypes.SELECT, replacements },
  );
  const rows: CourseAnswers['rows'] = [];
  if (withRows) {
    const scores = await sequelize.query<{ answer_id: string; item: string; score: number | string }>(
      'SELECT answer_id, item, score FROM evaluation_scores WHERE course_id = :courseId',
      { type: QueryTypes.SELECT, replacements },
    );
    const byAnswer = new Map<string, Record<string, number>>();
    for (const s of scores) byAnswer.set(s.answer_id, { ...byAnswer.get(s.answer_id), [s.item]: Number(s.score) });
    for (const t of texts) rows.push({ scores: byAnswer.get(t.id) ?? {}, comment: t.comment, topics: t.topics });
  }
  return {
    approved: Number(counts.approved),
    respondents: Number(counts.respondents),
    answers: Number(counts.answers),
    distribution,
    texts: texts.map((t) => ({ comment: t.comment, topics: t.topics })),
    rows,
  };
}

/**
 * This liaison's certificates whose course's evaluation is open and not answered by them, with the
 * course of each (certificate id → course id); only `certificateId` when given. A liaison who can no
 * longer answer (no approved enrollment) is never held.
 */
export async function certificatesAwaitingEvaluation(
  sequelize: Sequelize,
  userId: number,
  now: Date,
  certificateId: number | null = null,
): Promise<Map<number, number>> {
  const rows = await sequelize.query<{ id: number; course_id: number; status: string; last_date: unknown; last_start: string | null }>(
    `SELECT ct.id, c.id AS course_id, c.status,
            (SELECT s.date FROM course_sessions s WHERE s.course_id = c.id ORDER BY s.date DESC, s.start_time DESC LIMIT 1) AS last_date,
            (SELECT s.start_time FROM course_sessions s WHERE s.course_id = c.id ORDER BY s.date DESC, s.start_time DESC LIMIT 1) AS last_start
       FROM certificates ct
       JOIN enrollments e ON e.id = ct.enrollment_id
       JOIN courses c ON c.id = e.course_id
      WHERE e.user_id = :userId AND e.status = 'approved' ${certificateId === null ? '' : 'AND ct.id = :certificateId'}
        AND NOT EXISTS (SELECT 1 FROM evaluation_respondents r WHERE r.course_id = c.id AND r.user_id = :userId)`,
    { type: QueryTypes.SELECT, replacements: { userId, certificateId } },
  );
  const held = new Map<number, number>();
  for (const r of rows) {
    const lastDate = isoDate(r.last_date);
    const opensAt = evaluationOpensAt(r, lastDate ? { date: lastDate, startTime: String(r.last_start) } : null);
    if (isEvaluationOpen(opensAt, now)) held.set(Number(r.id), Number(r.course_id));
  }
  return held;
}
