import { ATTENDANCE_STATUS_LABELS, COURSE_STATUS_LABELS, ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import type { CourseStatus } from '../../models/course';
import { jalaliAscii, monthName } from '../../lib/jalali';
import type { Column, Table } from '../../lib/export';
import type { ReportFilters } from './filters';
import type { CountyRow, CourseRow, MonthRow, RecordRow, TrainingRecord } from './service';

export const NOBODY = 'بدون شرکت‌کننده';

/** Jalali `1405/09/06` with ASCII digits in exports (sortable in Excel; the page shows Persian digits). */
const jalali = (iso: string | null) => (iso ? jalaliAscii(iso) : '');

function periodSuffix(f: ReportFilters): string {
  return f.year === null ? 'all' : f.month ? `${f.year}-${String(f.month).padStart(2, '0')}` : String(f.year);
}

export function courseTable(rows: CourseRow[], f: ReportFilters): Table<CourseRow> {
  const columns: Column<CourseRow>[] = [
    { header: 'کد دوره', value: (r) => r.code, width: 12 },
    { header: 'عنوان دوره', value: (r) => r.title, width: 36 },
    { header: 'دسته', value: (r) => r.category, width: 18 },
    { header: 'وضعیت', value: (r) => COURSE_STATUS_LABELS[r.status as CourseStatus] ?? r.status, width: 16 },
    { header: 'تاریخ نخستین جلسه', value: (r) => jalali(r.firstDate), width: 14 },
    { header: 'تاریخ آخرین جلسه', value: (r) => jalali(r.lastDate), width: 14 },
    { header: 'جلسه‌ها', value: (r) => r.sessions, width: 8 },
    { header: 'ظرفیت', value: (r) => r.capacity, width: 8 },
    { header: ENROLLMENT_STATUS_LABELS.approved, value: (r) => r.enrolled, width: 12 },
    { header: ENROLLMENT_STATUS_LABELS.waitlisted, value: (r) => r.waitlisted, width: 12 },
    { header: ENROLLMENT_STATUS_LABELS.pending, value: (r) => r.pending, width: 12 },
    { header: 'حاضرشده', value: (r) => r.attended, width: 10 },
    { header: 'واجد شرایط گواهی‌نامه', value: (r) => r.eligible, width: 14 },
    { header: 'گواهی‌نامهٔ معتبر', value: (r) => r.certified, width: 12 },
  ];
  return { fileName: `rabet-courses-${periodSuffix(f)}`, sheetName: 'گزارش دوره‌ها', columns, rows };
}

export function countyTable(rows: CountyRow[], f: ReportFilters): Table<CountyRow> {
  const columns: Column<CountyRow>[] = [
    { header: 'شهرستان', value: (r) => r.name, width: 18 },
    { header: 'رابطین فعال', value: (r) => r.liaisons, width: 10 },
    { header: 'ثبت‌نام‌ها', value: (r) => r.enrollments, width: 10 },
    { header: 'نفرات ثبت‌نام‌کننده', value: (r) => r.people, width: 12 },
    { header: 'درصد حضور', value: (r) => r.attendancePercent, width: 10 },
    { header: 'ساعت آموزش (نفر-ساعت حضور)', value: (r) => r.hours, width: 16 },
    { header: 'گواهی‌نامه‌های صادرشده', value: (r) => r.certificates, width: 14 },
    { header: 'وضعیت مشارکت', value: (r) => (r.sentNobody ? NOBODY : 'دارای شرکت‌کننده'), width: 16 },
  ];
  return { fileName: `rabet-counties-${periodSuffix(f)}`, sheetName: 'گزارش شهرستان‌ها', columns, rows };
}

export function monthTable(rows: MonthRow[], year: number): Table<MonthRow> {
  const columns: Column<MonthRow>[] = [
    { header: 'ماه', value: (r) => `${monthName(r.month)} ${year}`, width: 14 },
    { header: 'از تاریخ', value: (r) => jalali(r.from), width: 12 },
    { header: 'تا تاریخ', value: (r) => jalali(r.to), width: 12 },
    { header: 'جلسه‌های برگزارشده', value: (r) => r.sessions, width: 12 },
    { header: 'ساعت آموزش ارائه‌شده', value: (r) => r.hours, width: 14 },
    { header: 'حضور و غیاب‌های ثبت‌شده', value: (r) => r.marks, width: 14 },
    { header: ATTENDANCE_STATUS_LABELS.present, value: (r) => r.attendedMarks, width: 10 },
    { header: 'درصد حضور', value: (r) => r.attendancePercent, width: 10 },
    { header: 'نفر-ساعت حضور', value: (r) => r.personHours, width: 12 },
  ];
  return { fileName: `rabet-months-${year}`, sheetName: 'گزارش ماهانه', columns, rows };
}

export function recordTable(record: TrainingRecord): Table<RecordRow> {
  const columns: Column<RecordRow>[] = [
    { header: 'کد دوره', value: (r) => r.code, width: 12 },
    { header: 'عنوان دوره', value: (r) => r.title, width: 36 },
    { header: 'دسته', value: (r) => r.category, width: 18 },
    { header: 'تاریخ شروع', value: (r) => jalali(r.firstDate), width: 12 },
    { header: 'تاریخ پایان', value: (r) => jalali(r.lastDate), width: 12 },
    { header: 'ساعت آموزشی دوره', value: (r) => r.courseHours, width: 12 },
    { header: 'جلسه‌های محاسبه‌شده', value: (r) => r.counted, width: 12 },
    { header: 'جلسه‌های حضور', value: (r) => r.attended, width: 12 },
    { header: 'درصد حضور', value: (r) => r.attendancePercent, width: 10 },
    { header: 'ساعت حضور', value: (r) => r.attendedHours, width: 10 },
    { header: 'شمارهٔ گواهی‌نامه', value: (r) => r.certificateSerial, width: 18 },
    { header: 'تاریخ صدور', value: (r) => jalali(r.certificateIssuedOn), width: 12 },
  ];
  return { fileName: `rabet-record-${record.liaison.id}`, sheetName: 'شناسنامه آموزشی', columns, rows: record.rows };
}
