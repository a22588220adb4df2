import { Op, type Transaction } from 'sequelize';
import { Certificate, County, Course, CourseSession, Enrollment, User } from '../../models';
import { ConflictError, FormError, NotFoundError } from '../../lib/errors';
import { normalizeCode, comparePersian } from '../../lib/persian';
import { type Actor, recordAudit } from '../../services/audit';
import { type AttendanceSummary, attendanceSummaries } from '../attendance/summary';

export interface EligibilityRow {
  enrollment: Enrollment;
  user: User;
  countyName: string | null;
  summary: AttendanceSummary;
  mark: number | null;
  eligible: boolean;
  /** Why not, in Persian, when not eligible. */
  reason: string | null;
  certificates: Certificate[];
  validCertificate: Certificate | null;
}

export interface CourseEligibility {
  course: Course;
  sessions: CourseSession[];
  passMark: number | null;
  rows: EligibilityRow[];
}

const toNumber = (value: number | string | null | undefined): number | null =>
  value === null || value === undefined || value === '' ? null : Number(value);

/**
 * The certificate rule: attendance at least the course minimum (the attendance rule of
 * attendance/summary.ts) and, when the course has a pass mark, a mark at least that.
 */
export function eligibility(
  summary: AttendanceSummary,
  mark: number | null,
  passMark: number | null,
): { eligible: boolean; reason: string | null } {
  if (summary.percent === null) return { eligible: false, reason: 'هنوز جلسه‌ای برای این رابط برگزار نشده است.' };
  if (!summary.meetsMinimum) return { eligible: false, reason: 'حضور کمتر از حداقل دوره' };
  if (passMark !== null && mark === null) return { eligible: false, reason: 'نمره ثبت نشده است.' };
  if (passMark !== null && mark !== null && mark < passMark) return { eligible: false, reason: 'نمره کمتر از حد قبولی' };
  return { eligible: true, reason: null };
}

export async function findCourse(courseId: number, transaction?: Transaction): Promise<Course> {
  const course = Number.isSafeInteger(courseId) ? await Course.findByPk(courseId, { transaction }) : null;
  if (!course) throw new NotFoundError('دوره پیدا نشد.');
  return course;
}

/** Each approved liaison of the course: attendance percent, mark, eligible or not, certificates. */
export async function courseEligibility(courseId: number, options: { enrollmentIds?: number[] } = {}): Promise<CourseEligibility> {
  const course = await findCourse(courseId);
  const sessions = await CourseSession.findAll({
    where: { courseId: course.id },
    order: [
      ['date', 'ASC'],
      ['startTime', 'ASC'],
    ],
  });
  const where: Record<string, unknown> = { courseId: course.id, status: 'approved' };
  if (options.enrollmentIds) where.id = { [Op.in]: options.enrollmentIds };
  const enrollments = await Enrollment.findAll({
    where,
    include: [{ model: User, as: 'user', include: [{ model: County, as: 'county' }] }],
  });
  enrollments.sort((a, b) => comparePersian(a.user!.fullName, b.user!.fullName));
  const certificates = enrollments.length
    ? await Certificate.findAll({
        where: { enrollmentId: { [Op.in]: enrollments.map((e) => e.id) } },
        attributes: { exclude: ['pdf', 'fields', 'credential'] },
        order: [['id', 'DESC']],
      })
    : [];
  const summaries = await attendanceSummaries(course, enrollments);
  const passMark = toNumber(course.passMark);
  const rows = enrollments.map((enrollment): EligibilityRow => {
    const summary = summaries.get(enrollment.id)!;
    const mark = toNumber(enrollment.mark);
    const own = certificates.filter((c) => c.enrollmentId === enrollment.id);
    return {
      enrollment,
      user: enrollment.user!,
      countyName: enrollment.user!.county?.name ?? null,
      summary,
      mark,
      ...eligibility(summary, mark, passMark),
      certificates: own,
      validCertificate: own.find((c) => c.status === 'valid') ?? null,
    };
  });
  return { course, sessions, passMark, rows };
}

/**
 * Records the marks typed on the eligibility page (`mark[<enrollmentId>]`, 0–100, empty clears).
 * Returns how many changed.
 */
export async function recordMarks(
  sequelize: import('sequelize').Sequelize,
  actor: Actor,
  courseId: number,
  input: Map<number, unknown>,
): Promise<number> {
  const course = await findCourse(courseId);
  const parsed = new Map<number, number | null>();
  const errors: Record<string, string> = {};
  for (const [id, raw] of input) {
    if (typeof raw !== 'string') continue;
    const text = normalizeCode(raw).replace('٫', '.').replace('/', '.');
    if (text === '') {
      parsed.set(id, null);
      continue;
    }
    const value = Number(text);
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(text) || value > 100) {
      errors[`mark[${id}]`] = 'نمره باید عددی از ۰ تا ۱۰۰ باشد.';
      continue;
    }
    parsed.set(id, value);
  }
  if (Object.keys(errors).length) throw new FormError(errors);
  if (!parsed.size) return 0;
  return sequelize.transaction(async (transaction) => {
    const enrollments = await Enrollment.findAll({
      where: { courseId: course.id, id: { [Op.in]: [...parsed.keys()] }, status: 'approved' },
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    const changes: { enrollmentId: number; from: number | null; to: number | null }[] = [];
    for (const enrollment of enrollments) {
      const from = toNumber(enrollment.mark);
      const to = parsed.get(enrollment.id) ?? null;
      if (from === to) continue;
      await enrollment.update({ mark: to }, { transaction });
      changes.push({ enrollmentId: enrollment.id, from, to });
    }
    if (changes.length)
      await recordAudit(sequelize, actor, 'enrollment.marks', { type: 'course', id: course.id }, { changes }, transaction);
    return changes.length;
  });
}

export function assertFinished(course: Course): void {
  if (course.status !== 'finished') throw new ConflictError('گواهی‌نامه فقط برای دوره‌ای که پایان یافته صادر می‌شود.');
}
