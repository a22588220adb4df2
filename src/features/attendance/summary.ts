import { Op, type Transaction } from 'sequelize';
import { AttendanceMark, type Course, CourseSession, type Enrollment } from '../../models';
import type { AttendanceStatus } from '../../models/attendance-mark';
import { tehranInstant } from '../../lib/jalali';

/** A session has been held once its end time (Tehran) has passed. */
export function sessionIsOver(session: Pick<CourseSession, 'date' | 'endTime'>, now: Date = new Date()): boolean {
  return tehranInstant(session.date, session.endTime) <= now;
}

export interface AttendanceSummary {
  enrollmentId: number;
  /** Sessions held since the liaison enrolled (and any held session they have a mark for). */
  counted: number;
  present: number;
  late: number;
  excused: number;
  absent: number;
  /** Held sessions counted for this liaison with no mark yet. */
  unmarked: number;
  /** 0–100, rounded to one decimal; null while no session counts for this liaison. */
  percent: number | null;
  meetsMinimum: boolean;
}

/**
 * The attendance rule of DESIGN.md: percent = (present + late [+ excused when the course counts it])
 * / sessions held since the liaison enrolled. A session that was over before the liaison enrolled
 * does not count against them; a mark recorded for it anyway still counts.
 */
export async function attendanceSummaries(
  course: Pick<Course, 'id' | 'countExcused' | 'minAttendance'>,
  enrollments: Pick<Enrollment, 'id' | 'createdAt'>[],
  options: { now?: Date; transaction?: Transaction } = {},
): Promise<Map<number, AttendanceSummary>> {
  const now = options.now ?? new Date();
  const sessions = await CourseSession.findAll({
    where: { courseId: course.id },
    attributes: ['id', 'date', 'startTime', 'endTime'],
    transaction: options.transaction,
  });
  const held = sessions.filter((s) => sessionIsOver(s, now));
  const marks = enrollments.length
    ? await AttendanceMark.findAll({
        where: { enrollmentId: { [Op.in]: enrollments.map((e) => e.id) }, sessionId: { [Op.in]: held.map((s) => s.id) } },
        attributes: ['enrollmentId', 'sessionId', 'status'],
        transaction: options.transaction,
      })
    : [];
  const byEnrollment = new Map<number, Map<number, AttendanceStatus>>();
  for (const mark of marks) {
    if (!byEnrollment.has(mark.enrollmentId)) byEnrollment.set(mark.enrollmentId, new Map());
    byEnrollment.get(mark.enrollmentId)!.set(mark.sessionId, mark.status);
  }
  const result = new Map<number, AttendanceSummary>();
  for (const enrollment of enrollments) {
    result.set(enrollment.id, summarizeAttendance(course, enrollment, held, byEnrollment.get(enrollment.id) ?? new Map()));
  }
  return result;
}

/**
 * The rule itself, for one enrollment, on data already loaded: `held` are the course's sessions
 * that are over, `marks` this enrollment's statuses by session id.
 */
export function summarizeAttendance(
  course: Pick<Course, 'countExcused' | 'minAttendance'>,
  enrollment: Pick<Enrollment, 'id' | 'createdAt'>,
  held: Pick<CourseSession, 'id' | 'date' | 'endTime'>[],
  marks: Map<number, AttendanceStatus>,
): AttendanceSummary {
  const summary: AttendanceSummary = {
    enrollmentId: enrollment.id,
    counted: 0,
    present: 0,
    late: 0,
    excused: 0,
    absent: 0,
    unmarked: 0,
    percent: null,
    meetsMinimum: false,
  };
  const enrolledAt = new Date(enrollment.createdAt);
  for (const session of held) {
    const status = marks.get(session.id);
    if (!status && tehranInstant(session.date, session.endTime) <= enrolledAt) continue;
    summary.counted++;
    if (status) summary[status]++;
    else summary.unmarked++;
  }
  if (summary.counted > 0) {
    const attended = summary.present + summary.late + (course.countExcused ? summary.excused : 0);
    summary.percent = Math.round((attended / summary.counted) * 1000) / 10;
    summary.meetsMinimum = summary.percent >= course.minAttendance;
  }
  return summary;
}
