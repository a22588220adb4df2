import type { AttendanceStatus } from '../models/attendance-mark';
import type { CourseStatus } from '../models/course';
import type { EnrollmentStatus } from '../models/enrollment';

/**
 * What each status is called, one map per status: every page, export, PDF and message reads its
 * label here (views get them as `statusNames`), so a course «ثبت‌نام باز» or an enrollment
 * «تأییدشده» reads the same everywhere. The computed enrollment state of a course has its labels
 * beside its rule (features/enrollments/state.ts).
 */
export const COURSE_STATUS_LABELS: Record<CourseStatus, string> = {
  draft: 'پیش‌نویس',
  open: 'ثبت‌نام باز',
  running: 'در حال برگزاری',
  finished: 'پایان‌یافته',
  cancelled: 'لغوشده',
};

export const COURSE_STATUS_BADGES: Record<CourseStatus, string> = {
  draft: 'text-bg-secondary',
  open: 'text-bg-success',
  running: 'text-bg-primary',
  finished: 'text-bg-dark',
  cancelled: 'text-bg-danger',
};

export const ENROLLMENT_STATUS_LABELS: Record<EnrollmentStatus, string> = {
  pending: 'در انتظار تأیید',
  approved: 'تأییدشده',
  waitlisted: 'در فهرست انتظار',
  rejected: 'ردشده',
  cancelled: 'لغوشده',
};

export const ENROLLMENT_STATUS_BADGES: Record<EnrollmentStatus, string> = {
  pending: 'text-bg-warning',
  approved: 'text-bg-success',
  waitlisted: 'text-bg-info',
  rejected: 'text-bg-danger',
  cancelled: 'text-bg-secondary',
};

export const ATTENDANCE_STATUS_LABELS: Record<AttendanceStatus, string> = {
  present: 'حاضر',
  late: 'با تأخیر',
  excused: 'غیبت موجه',
  absent: 'غایب',
};

/** The maps for views. */
export const statusNames = { course: COURSE_STATUS_LABELS, enrollment: ENROLLMENT_STATUS_LABELS, attendance: ATTENDANCE_STATUS_LABELS };
export const statusBadges = { course: COURSE_STATUS_BADGES, enrollment: ENROLLMENT_STATUS_BADGES };
