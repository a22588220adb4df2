import type { Course, CourseSession } from '../../models';
import type { Approval, CourseStatus } from '../../models/course';
import { COURSE_STATUS_BADGES, COURSE_STATUS_LABELS } from '../../lib/statuses';
import { jalaliAscii } from '../../lib/jalali';

/** Persian names of what a course and its enrollments can be, and plain objects for the views. */

export const DELIVERY_LABELS = { 'in-person': 'حضوری', online: 'برخط (مجازی)' } as const;
export const APPROVAL_LABELS = { auto: 'پذیرش خودکار', manual: 'با تأیید مدیر' } as const;

/** Minutes between two `HH:mm` times. */
export function minutesBetween(start: string, end: string): number {
  const toMinutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5));
  return toMinutes(end) - toMinutes(start);
}

/** Hours rounded to two decimals, as a number. */
export function hoursOf(minutes: number): number {
  return Math.round((minutes / 60) * 100) / 100;
}

export function paragraphs(text: string | null): string[] {
  return (text ?? '')
    .split(/\r?\n\s*\r?\n|\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}

export interface CoursePresenter {
  id: number;
  code: string;
  title: string;
  category: string;
  description: string[];
  instructorName: string | null;
  delivery: Course['delivery'];
  deliveryLabel: string;
  place: string | null;
  link: string | null;
  capacity: number;
  hours: number;
  enrollOpens: string;
  enrollCloses: string;
  minAttendance: number;
  passMark: number | null;
  countExcused: boolean;
  approval: Course['approval'];
  approvalLabel: string;
  status: CourseStatus;
  statusLabel: string;
  statusBadge: string;
}

export function presentCourse(course: Course): CoursePresenter {
  return {
    id: course.id,
    code: course.code,
    title: course.title,
    category: course.category,
    description: paragraphs(course.description),
    instructorName: course.instructorName,
    delivery: course.delivery,
    deliveryLabel: DELIVERY_LABELS[course.delivery],
    place: course.place,
    link: course.link,
    capacity: course.capacity,
    hours: Number(course.hours),
    enrollOpens: course.enrollOpens,
    enrollCloses: course.enrollCloses,
    minAttendance: course.minAttendance,
    passMark: course.passMark === null ? null : Number(course.passMark),
    countExcused: Boolean(course.countExcused),
    approval: course.approval as Approval,
    approvalLabel: APPROVAL_LABELS[course.approval as Approval],
    status: course.status as CourseStatus,
    statusLabel: COURSE_STATUS_LABELS[course.status as CourseStatus],
    statusBadge: COURSE_STATUS_BADGES[course.status as CourseStatus],
  };
}

export interface SessionPresenter {
  id: number;
  date: string;
  startTime: string;
  endTime: string;
  topic: string | null;
  hours: number;
}

export function presentSession(session: Pick<CourseSession, 'id' | 'date' | 'startTime' | 'endTime' | 'topic'>): SessionPresenter {
  return {
    id: session.id,
    date: session.date,
    startTime: session.startTime,
    endTime: session.endTime,
    topic: session.topic,
    hours: hoursOf(minutesBetween(session.startTime, session.endTime)),
  };
}

/** What the course form shows for an existing course (dates in ASCII Jalali, as typed). */
export function courseFormValues(
  course: Course,
  instructorUsername: string | null,
  quotas: Record<string, number>,
): Record<string, unknown> {
  const quota: Record<string, string> = {};
  for (const [slug, n] of Object.entries(quotas)) quota[slug] = String(n);
  return {
    code: course.code,
    title: course.title,
    category: course.category,
    description: course.description ?? '',
    instructorName: course.instructorName ?? '',
    instructor: instructorUsername ?? '',
    capacity: String(course.capacity),
    hours: String(Number(course.hours)),
    enrollOpens: jalaliAscii(course.enrollOpens),
    enrollCloses: jalaliAscii(course.enrollCloses),
    minAttendance: String(course.minAttendance),
    passMark: course.passMark === null ? '' : String(Number(course.passMark)),
    countExcused: course.countExcused ? 'on' : '',
    approval: course.approval as Approval,
    delivery: course.delivery,
    place: course.place ?? '',
    link: course.link ?? '',
    quota,
  };
}

/** Page links for a list: numbers around the current page. */
export function pagination(page: number, total: number, perPage: number): { page: number; pages: number; total: number } {
  return { page, pages: Math.max(1, Math.ceil(total / perPage)), total };
}
