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
    const own = byEnrollment.get(enrollment.id) ?? new Map<number, AttendanceStatus>();
    const summary: AttendanceSummary = {
      enrollmentId: enrollment.id, counted: 0, present: 0, late: 0, excused: 0, absent: 0, unmarked: 0, percent: null, meetsMinimum: false,
    };
    for (const session of held) {
      const status = own.get(session.id);
      const endedBeforeEnrolling = tehranInstant(session.date, session.endTime) <= new Date(enrollment.createdAt);
      if (!status && endedBeforeEnrolling) continue;
      summary.counted++;
      if (status) summary[status]++;
      else summary.unmarked++;
    }
    if (summary.counted > 0) {
      const attended = summary.present + summary.late + (course.countExcused ? summary.excused : 0);
      summary.percent = Math.round((attended / summary.counted) * 1000) / 10;
      summary.meetsMinimum = summary.percent >= course.minAttendance;
    }
    result.set(enrollment.id, summary);
  }
  return result;
}
