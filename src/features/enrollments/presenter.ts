import type { EnrollmentStatus } from '../../models/enrollment';
import { todayIso } from '../../lib/jalali';
import type { MyEnrollmentRow } from './queries';
import { toPersianDigits } from '../../lib/persian';
import { ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import { ACTIVE } from './rules';
import { hasStartedBy } from './state';

/** «در فهرست انتظار (نوبت ۳)», «ردشده — دلیل: …»: the status as a liaison reads it. */
export function statusText(status: EnrollmentStatus, position: number | null, reason: string | null): string {
  if (status === 'waitlisted' && position !== null) return `${ENROLLMENT_STATUS_LABELS.waitlisted} (نوبت ${toPersianDigits(position)})`;
  if (status === 'rejected' && reason) return `${ENROLLMENT_STATUS_LABELS.rejected} — دلیل: ${reason}`;
  return ENROLLMENT_STATUS_LABELS[status];
}

export interface MyEnrollmentCard {
  id: number;
  courseId: number;
  courseTitle: string;
  courseCode: string;
  startDate: string | null;
  endDate: string | null;
  status: EnrollmentStatus;
  statusText: string;
  enrolledAt: Date;
  cancellable: boolean;
  /** The course's next session not yet over, or null. */
  nextSession: { date: string; startTime: string; endTime: string; topic: string | null; today: boolean } | null;
  place: string | null;
  online: boolean;
}

/** One enrollment of a course under way, as a card on /me (pure: the rows are already read). */
export function presentMyEnrollment(e: MyEnrollmentRow, now: Date = new Date()): MyEnrollmentCard {
  const first = e.first_start ? { date: e.first_start.slice(0, 10), startTime: e.first_start.slice(11) } : null;
  const started = hasStartedBy({ status: e.course_status }, first, now);
  const next =
    e.next_id !== null && e.next_date && e.next_start && e.next_end
      ? { date: e.next_date, startTime: e.next_start, endTime: e.next_end, topic: e.next_topic, today: e.next_date === todayIso(now) }
      : null;
  return {
    id: e.id,
    courseId: e.course_id,
    courseTitle: e.title,
    courseCode: e.code,
    startDate: first?.date ?? null,
    endDate: e.last_date,
    status: e.status,
    statusText: statusText(e.status, e.waitlist_position, e.reason),
    enrolledAt: new Date(e.created_at),
    cancellable: ACTIVE.includes(e.status) && !started && e.course_status !== 'cancelled',
    nextSession: next,
    place: e.place,
    online: e.delivery === 'online',
  };
}
