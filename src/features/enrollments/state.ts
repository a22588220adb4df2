import type { Course } from '../../models';
import type { CourseStatus } from '../../models/course';
import { nowTime, tehranInstant, todayIso } from '../../lib/jalali';
import { COURSE_STATUS_LABELS } from '../../lib/statuses';
import { MESSAGES } from './rules';

/**
 * Whether a course takes enrollments now, computed in one place from its status, its enrollment
 * window (Jalali days, Tehran), its first session and its free seats (seats.ts). The catalogue, the
 * course page, the admin's dashboard and the enroll rule all read it, so a course whose deadline
 * has passed is «ثبت‌نام بسته شد» everywhere at once.
 */
export type EnrollmentState = 'draft' | 'not-yet-open' | 'open' | 'full' | 'closed' | 'started' | 'finished' | 'cancelled';

export const ENROLLMENT_STATE_LABELS: Record<EnrollmentState, string> = {
  draft: 'ثبت‌نام هنوز باز نشده',
  'not-yet-open': 'ثبت‌نام به‌زودی',
  open: COURSE_STATUS_LABELS.open,
  full: 'ظرفیت تکمیل – فهرست انتظار',
  closed: 'مهلت ثبت‌نام گذشته',
  started: 'آغاز شده',
  finished: COURSE_STATUS_LABELS.finished,
  cancelled: COURSE_STATUS_LABELS.cancelled,
};

export const ENROLLMENT_STATE_BADGES: Record<EnrollmentState, string> = {
  draft: 'text-bg-secondary',
  'not-yet-open': 'text-bg-info',
  open: 'text-bg-success',
  full: 'text-bg-warning',
  closed: 'text-bg-secondary',
  started: 'text-bg-primary',
  finished: 'text-bg-dark',
  cancelled: 'text-bg-danger',
};

export interface FirstSession {
  date: string;
  startTime: string;
}

export interface EnrollmentStateInput {
  status: CourseStatus;
  enrollOpens: string;
  enrollCloses: string;
  firstSession: FirstSession | null;
  /** Free seats (seats.ts); left out when only whether the course takes enrollments matters. */
  freeSeats?: number;
}

/** A course has started with its first session (Tehran time), or when an admin marked it running. */
export function hasStartedBy(course: Pick<Course, 'status'>, first: FirstSession | null, now: Date = new Date()): boolean {
  if (course.status === 'running' || course.status === 'finished') return true;
  return first ? tehranInstant(first.date, first.startTime) <= now : false;
}

/** The enrollment window has wholly passed: its last day is before today (Tehran). */
export function windowHasPassed(course: Pick<Course, 'enrollCloses'>, now: Date = new Date()): boolean {
  return todayIso(now) > course.enrollCloses;
}

export function enrollmentState(course: EnrollmentStateInput, now: Date = new Date()): EnrollmentState {
  if (course.status === 'cancelled') return 'cancelled';
  if (course.status === 'finished') return 'finished';
  if (hasStartedBy(course, course.firstSession, now)) return 'started';
  if (course.status !== 'open') return 'draft';
  if (todayIso(now) < course.enrollOpens) return 'not-yet-open';
  if (windowHasPassed(course, now)) return 'closed';
  return course.freeSeats !== undefined && course.freeSeats <= 0 ? 'full' : 'open';
}

/** Open and full both take an enrollment (a full course puts the newcomer on its waitlist). */
export function takesEnrollment(state: EnrollmentState): boolean {
  return state === 'open' || state === 'full';
}

/** Why a course in this state takes no enrollment (the enroll rule's refusal), or null when it does. */
export function refusalOf(state: EnrollmentState): string | null {
  switch (state) {
    case 'open':
    case 'full':
      return null;
    case 'cancelled':
      return MESSAGES.cancelledCourse;
    case 'finished':
      return MESSAGES.finishedCourse;
    case 'started':
      return MESSAGES.started;
    case 'closed':
      return MESSAGES.closed;
    default:
      return MESSAGES.notOpen;
  }
}

/**
 * The same rule in SQL for lists that must filter before paging (the catalogue): the courses that
 * take enrollments now. `firstStart` is an expression for the first session's `YYYY-MM-DD HH:mm`
 * (NULL when there is none). `window` is the part that needs no session (open, inside its enrollment
 * dates), for a query to narrow the courses before it reads their sessions; `where` is the whole rule.
 * tests/integration/courses.test.ts checks the catalogue against `enrollmentState` on the same courses.
 */
export function takingEnrollmentSql(
  firstStart: string,
  now: Date = new Date(),
): { window: string; where: string; replacements: Record<string, string> } {
  const today = todayIso(now);
  const window = "c.status = 'open' AND c.enroll_opens <= :stateToday AND c.enroll_closes >= :stateToday";
  return {
    window,
    where: `${window} AND (${firstStart} IS NULL OR ${firstStart} > :stateNow)`,
    replacements: { stateToday: today, stateNow: `${today} ${nowTime(now)}` },
  };
}
