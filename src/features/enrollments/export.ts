import type { Table } from '../../lib/export';
import { jalaliDateTimeAscii } from '../../lib/jalali';
import type { EnrollmentRow } from './queries';

/** A course's enrollments as a table for the one export module (src/lib/export.ts). */
export function enrollmentTable(course: { code: string; title: string }, rows: EnrollmentRow[]): Table<EnrollmentRow> {
  let line = 0;
  return {
    fileName: `enrollments-${course.code}`.replace(/[^\w.-]/g, '_'),
    sheetName: 'ثبت‌نام‌ها',
    caption: `ثبت‌نام‌های دورهٔ ${course.title} (${course.code})`,
    columns: [
      { header: 'ردیف', value: () => ++line, width: 6 },
      { header: 'نام و نام خانوادگی', value: (r) => r.fullName, width: 26 },
      { header: 'نام پدر', value: (r) => r.fatherName, width: 16 },
      { header: 'کد ملی', value: (r) => r.nationalCode, width: 14 },
      { header: 'شهرستان', value: (r) => r.county, width: 16 },
      { header: 'نام کاربری', value: (r) => r.username, width: 16 },
      { header: 'وضعیت', value: (r) => r.statusLabel, width: 16 },
      { header: 'نوبت انتظار', value: (r) => r.waitlistPosition, width: 12 },
      { header: 'تاریخ ثبت‌نام', value: (r) => jalaliDateTimeAscii(r.enrolledAt), width: 18 },
      { header: 'آخرین تغییر', value: (r) => jalaliDateTimeAscii(r.changedAt), width: 18 },
      { header: 'دلیل', value: (r) => r.reason, width: 30 },
    ],
    rows,
  };
}
