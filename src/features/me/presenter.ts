import type { loadMyTeaching, MyCourseAttendance } from '../attendance/service';
import { ATTENDANCE_STATUS_LABELS as MARK_LABELS } from '../../lib/statuses';
import type { loadMyRecord } from '../reports/service';
import { presentMyEnrollment, type MyEnrollmentCard } from '../enrollments/presenter';
import type { MyEnrollmentRow } from '../enrollments/queries';
import type { NotificationView } from '../notifications/presenter';

export interface MyPageParts {
  enrollments: MyEnrollmentRow[];
  attendance: Map<number, MyCourseAttendance>;
  notifications: { notifications: NotificationView[]; unreadIds: string; unreadTotal: number };
  certificates: Record<string, unknown>;
  record: Awaited<ReturnType<typeof loadMyRecord>>['record'];
  teaching: Awaited<ReturnType<typeof loadMyTeaching>>;
  /** Courses whose evaluation waits for this liaison's answer. */
  evaluations?: { courseId: number; courseTitle: string }[];
}

export type MyCourseCard = MyEnrollmentCard & { attendance: MyCourseAttendance | null };

/**
 * /me, shaped for a phone first: the next session the liaison is due at, then what waits for them
 * (a check-in today, unread news), then the courses under way as cards. Pure: the rows are read.
 */
export function presentMyPage(parts: MyPageParts, now: Date = new Date()) {
  // What comes soonest first: by the next session, else the start; a course with no dates last.
  const soonest = (c: MyEnrollmentCard) => (c.nextSession ? `${c.nextSession.date} ${c.nextSession.startTime}` : (c.startDate ?? '9999'));
  const courses: MyCourseCard[] = parts.enrollments
    .map((row) => {
      const card = presentMyEnrollment(row, now);
      return { ...card, attendance: card.status === 'approved' ? (parts.attendance.get(card.id) ?? null) : null };
    })
    .sort((a, b) => soonest(a).localeCompare(soonest(b)));
  const due = courses
    .filter((c) => c.status === 'approved' && c.nextSession)
    .sort((a, b) =>
      `${a.nextSession!.date} ${a.nextSession!.startTime}`.localeCompare(`${b.nextSession!.date} ${b.nextSession!.startTime}`),
    );
  const next = due[0] ?? null;
  return {
    next: next && { courseId: next.courseId, courseTitle: next.courseTitle, place: next.place, online: next.online, ...next.nextSession! },
    checkInToday: due.some((c) => c.nextSession!.today),
    notifications: parts.notifications.notifications,
    unreadIds: parts.notifications.unreadIds,
    unreadTotal: parts.notifications.unreadTotal,
    waiting: courses
      .filter((c) => c.status === 'pending' || c.status === 'waitlisted')
      .map((c) => ({ courseId: c.courseId, courseTitle: c.courseTitle, statusText: c.statusText })),
    courses,
    markLabels: MARK_LABELS,
    ...parts.certificates,
    record: parts.record,
    taughtCourses: parts.teaching,
    evaluations: parts.evaluations ?? [],
  };
}
