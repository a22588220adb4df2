import crypto from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { every } from '../../lib/schedule';
import { ConflictError, FormError, NotFoundError, type FieldErrors } from '../../lib/errors';
import { normalizeCode, normalizeMultilineText, toPersianDigits } from '../../lib/persian';
import type { CurrentUser } from '../../middleware/auth';
import { CourseEvaluation, EvaluationAnswer, EvaluationRespondent, EvaluationScore, Notification } from '../../models';
import { recordAudit, type Actor } from '../../services/audit';
import type { Outbox } from '../../services/outbox';
import type { EvaluationSettings, EvaluationTemplate } from '../../services/settings';
import { notifyUsers } from '../notifications/service';
import { certificatesAwaitingEvaluation, evaluationCourse, evaluationsToAnnounce, respondentState, type EvaluationCourse } from './queries';
import { isEvaluationOpen, mayAnswer } from './rules';

export type EvaluationState = 'not-open' | 'open' | 'answered';

/** The evaluation page of a course for this liaison: 404 unless they were enrolled and approved in it. */
export async function evaluationFor(
  sequelize: Sequelize,
  settings: EvaluationSettings,
  courseId: number,
  user: CurrentUser,
  now: Date = new Date(),
): Promise<{ course: EvaluationCourse; state: EvaluationState; questions: EvaluationTemplate }> {
  const course = await evaluationCourse(sequelize, courseId);
  if (!course || course.status === 'draft') throw new NotFoundError('دوره پیدا نشد.');
  const mine = await respondentState(sequelize, course.id, user.id);
  if (!mayAnswer(user.role, mine.enrollmentStatus)) throw new NotFoundError('ارزشیابی این دوره ویژهٔ رابطین تأییدشده در آن است.');
  const state: EvaluationState = mine.answered ? 'answered' : isEvaluationOpen(course.opensAt, now) ? 'open' : 'not-open';
  return { course, state, questions: course.questions ?? (await settings.template()) };
}

const SCORE_MESSAGE = 'یکی از گزینه‌های ۱ تا ۵ را برگزینید.';

/** The `q[<key>]` scores of a form, checked against the questions: each one 1–5. */
export function readScores(body: unknown, questions: EvaluationTemplate): { scores: Record<string, number>; errors: FieldErrors } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const nested = b.q && typeof b.q === 'object' && !Array.isArray(b.q) ? (b.q as Record<string, unknown>) : {};
  const scores: Record<string, number> = {};
  const errors: FieldErrors = {};
  for (const { key } of questions.items) {
    const raw = Object.hasOwn(nested, key) ? nested[key] : b[`q[${key}]`];
    const value = typeof raw === 'string' ? normalizeCode(raw) : '';
    if (/^[1-5]$/.test(value)) scores[key] = Number(value);
    else errors[`q[${key}]`] = SCORE_MESSAGE;
  }
  return { scores, errors };
}

function freeText(body: unknown, name: string, max: number, errors: FieldErrors): string | null {
  const raw = (body as Record<string, unknown> | null)?.[name];
  if (raw === undefined || raw === null) return null;
  if (typeof raw !== 'string') {
    errors[name] = 'مقدار این فیلد نامعتبر است.';
    return null;
  }
  const value = normalizeMultilineText(raw).trim();
  if (value.length > max) errors[name] = `حداکثر ${toPersianDigits(max)} نویسه بنویسید.`;
  return value === '' ? null : value;
}

/**
 * The questions a course asks from now on: those copied when it opened, or the template copied now.
 * `opened_at` is when the evaluation opened (the start of the last session), never the moment of
 * the first answer, which would time that answer.
 */
async function openEvaluation(
  sequelize: Sequelize,
  settings: EvaluationSettings,
  course: EvaluationCourse,
  now: Date,
  transaction: Transaction,
) {
  const questions = JSON.stringify(await settings.template(transaction));
  await sequelize.query(
    `INSERT INTO course_evaluations (course_id, questions, opened_at, invited_at) VALUES (:courseId, :questions, :openedAt, NULL)
     ON CONFLICT (course_id) DO NOTHING`,
    { replacements: { courseId: course.id, questions, openedAt: course.opensAt ?? now }, transaction },
  );
}

interface StoredAnswer {
  id: string;
  comment: string | null;
  topics: string | null;
  scores: Record<string, number>;
}

/**
 * Adds an answer to a course's answers and writes them all again in the order of their random ids.
 * A table keeps the order rows came in (SQLite's rowid, PostgreSQL's ctid and the xmin of the
 * inserting transaction), and who answered is written in the same transaction: left in arrival
 * order, the n-th answer would be the n-th respondent's. Rewritten, every answer of the course
 * carries this transaction and sits in an order that says nothing about when it came.
 */
async function storeAnswer(sequelize: Sequelize, courseId: number, answer: StoredAnswer, transaction: Transaction): Promise<void> {
  const [answers, scores] = await Promise.all([
    EvaluationAnswer.findAll({ where: { courseId }, attributes: ['id', 'comment', 'topics'], transaction }),
    EvaluationScore.findAll({ where: { courseId }, attributes: ['answerId', 'item', 'score'], transaction }),
  ]);
  const all: StoredAnswer[] = answers.map((a) => ({ id: a.id, comment: a.comment, topics: a.topics, scores: {} }));
  const byId = new Map(all.map((a) => [a.id, a]));
  for (const s of scores) {
    const owner = byId.get(s.answerId);
    if (owner) owner.scores[s.item] = s.score;
  }
  all.push(answer);
  all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await EvaluationScore.destroy({ where: { courseId }, transaction });
  await EvaluationAnswer.destroy({ where: { courseId }, transaction });
  await EvaluationAnswer.bulkCreate(
    all.map((a) => ({ id: a.id, courseId, comment: a.comment, topics: a.topics })),
    { transaction },
  );
  await EvaluationScore.bulkCreate(
    all.flatMap((a) =>
      Object.entries(a.scores)
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([item, score]) => ({ answerId: a.id, item, courseId, score })),
    ),
    { transaction },
  );
}

/** Where a liaison answers a course's evaluation (the invitation's link). */
const evaluationPath = (courseId: number) => `/courses/${courseId}/evaluation`;

/**
 * A liaison answers a course's evaluation, once. Who answered and what was answered are written
 * in one transaction to two tables that share nothing but the course: the answer gets a random id
 * and no time, so no page, export or query joins a person to their answer.
 */
export async function answerEvaluation(
  sequelize: Sequelize,
  settings: EvaluationSettings,
  courseId: number,
  user: CurrentUser,
  body: unknown,
  now: Date = new Date(),
): Promise<void> {
  const { course, state, questions } = await evaluationFor(sequelize, settings, courseId, user, now);
  if (state === 'answered') throw new ConflictError('شما پیش‌تر به ارزشیابی این دوره پاسخ داده‌اید؛ هر نفر یک بار پاسخ می‌دهد.');
  if (state === 'not-open') throw new ConflictError('ارزشیابی این دوره از آغاز آخرین جلسهٔ آن باز می‌شود.');
  const { scores, errors } = readScores(body, questions);
  const comment = freeText(body, 'comment', 2000, errors);
  const topics = freeText(body, 'topics', 1000, errors);
  if (Object.keys(errors).length) throw new FormError(errors);
  try {
    await sequelize.transaction(async (transaction) => {
      await openEvaluation(sequelize, settings, course, now, transaction);
      await EvaluationRespondent.create({ courseId: course.id, userId: user.id }, { transaction });
      await storeAnswer(sequelize, course.id, { id: crypto.randomUUID(), comment, topics, scores }, transaction);
      // The invitation has done its work: it no longer asks from the navigation's unread count.
      await Notification.update(
        { readAt: now },
        { where: { userId: user.id, link: evaluationPath(course.id), readAt: null }, transaction },
      );
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError)
      throw new ConflictError('شما پیش‌تر به ارزشیابی این دوره پاسخ داده‌اید؛ هر نفر یک بار پاسخ می‌دهد.');
    throw err;
  }
}

const INVITATION = (title: string) => ({
  message: `دورهٔ «${title}» به آخرین جلسه رسید. لطفاً به ارزشیابی دوره پاسخ دهید؛ پاسخ شما بی‌نام ثبت می‌شود.`,
  subject: `ارزشیابی دورهٔ «${title}»`,
});

/**
 * The scheduled step that opens evaluations: for each course whose last session has started, the
 * questions are copied from the template and every approved liaison is notified, once (the
 * `invited_at` mark is taken in the same transaction, so two instances never both send).
 * Returns the ids of the courses announced.
 */
export async function announceEvaluations(
  sequelize: Sequelize,
  outbox: Outbox,
  settings: EvaluationSettings,
  now: Date = new Date(),
): Promise<number[]> {
  const announced: number[] = [];
  for (const courseId of await evaluationsToAnnounce(sequelize, now)) {
    const sent = await sequelize.transaction(async (transaction) => {
      const course = await evaluationCourse(sequelize, courseId, transaction);
      if (!course) return false;
      await openEvaluation(sequelize, settings, course, now, transaction);
      const [marked] = await CourseEvaluation.update({ invitedAt: now }, { where: { courseId, invitedAt: null }, transaction });
      if (!marked) return false;
      const liaisons = await sequelize.query<{ user_id: number }>(
        `SELECT e.user_id FROM enrollments e
          WHERE e.course_id = :courseId AND e.status = 'approved'
            AND NOT EXISTS (SELECT 1 FROM evaluation_respondents r WHERE r.course_id = e.course_id AND r.user_id = e.user_id)`,
        { type: QueryTypes.SELECT, replacements: { courseId }, transaction },
      );
      const news = INVITATION(course.title);
      await notifyUsers(
        sequelize,
        outbox,
        liaisons.map((l) => Number(l.user_id)),
        { ...news, link: evaluationPath(courseId) },
        transaction,
      );
      return true;
    });
    if (sent) announced.push(courseId);
  }
  return announced;
}

const ANNOUNCE_EVERY_MS = 5 * 60_000;

/** Opens due evaluations now and every five minutes; returns the function that stops the schedule. */
export function scheduleEvaluationAnnouncements(
  services: { sequelize: Sequelize; outbox: Outbox; evaluationSettings: EvaluationSettings },
  log: (err: unknown) => void = console.error,
): () => void {
  return every(ANNOUNCE_EVERY_MS, () => announceEvaluations(services.sequelize, services.outbox, services.evaluationSettings), log);
}

/**
 * When the setting asks for it, a liaison answers a course's evaluation before downloading its
 * certificate, as a PDF or as a signed credential: this liaison's certificates held back, each with
 * the course to answer first (certificate id → course id). Nobody else is ever held (an admin
 * downloads a liaison's certificate whatever the liaison has answered).
 */
export async function certificatesHeldForEvaluation(
  sequelize: Sequelize,
  settings: EvaluationSettings,
  user: CurrentUser,
  now: Date = new Date(),
  certificateId: number | null = null,
): Promise<Map<number, number>> {
  if (user.role !== 'liaison' || !(await settings.requiredForCertificate())) return new Map();
  return certificatesAwaitingEvaluation(sequelize, user.id, now, certificateId);
}

/** The course whose evaluation this certificate waits for, or null when the download may go ahead. */
export async function evaluationBeforeCertificate(
  sequelize: Sequelize,
  settings: EvaluationSettings,
  user: CurrentUser,
  certificateId: number,
  now: Date = new Date(),
): Promise<number | null> {
  return (await certificatesHeldForEvaluation(sequelize, settings, user, now, certificateId)).get(certificateId) ?? null;
}

/** An admin changes the survey's template (courses already opened keep the questions they asked). */
export async function saveTemplate(sequelize: Sequelize, settings: EvaluationSettings, actor: Actor, template: EvaluationTemplate) {
  await sequelize.transaction(async (transaction) => {
    await settings.setTemplate(template, transaction);
    await recordAudit(sequelize, actor, 'evaluation.template', { type: 'setting', id: null }, { items: template.items }, transaction);
  });
}

export async function setRequiredForCertificate(sequelize: Sequelize, settings: EvaluationSettings, actor: Actor, value: boolean) {
  await sequelize.transaction(async (transaction) => {
    await settings.setRequiredForCertificate(value, transaction);
    await recordAudit(sequelize, actor, 'settings.evaluation-before-certificate', { type: 'setting', id: null }, { value }, transaction);
  });
}
