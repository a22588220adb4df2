import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { formatDateTime } from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian';
import type { EnrollmentRow } from './presenter';

const HEADERS = ['ردیف', 'نام و نام خانوادگی', 'نام پدر', 'کد ملی', 'شهرستان', 'نام کاربری', 'وضعیت', 'نوبت انتظار', 'تاریخ ثبت‌نام', 'آخرین تغییر', 'دلیل'];

/** The rows of an export, as people read them: Persian digits, Jalali dates. */
function cells(rows: EnrollmentRow[]): string[][] {
  return rows.map((r, i) => [
    toPersianDigits(i + 1),
    r.fullName,
    r.fatherName,
    toPersianDigits(r.nationalCode),
    r.county,
    r.username,
    r.statusLabel,
    r.waitlistPosition === null ? '' : toPersianDigits(r.waitlistPosition),
    formatDateTime(r.enrolledAt),
    formatDateTime(r.changedAt),
    r.reason,
  ]);
}

/** UTF-8 with a byte-order mark, so that Excel opens the Persian text correctly. */
export function enrollmentsCsv(rows: EnrollmentRow[]): Buffer {
  return Buffer.from(`\uFEFF${stringify([HEADERS, ...cells(rows)], { record_delimiter: '\r\n' })}`, 'utf8');
}

export async function enrollmentsXlsx(title: string, rows: EnrollmentRow[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'رابط';
  const sheet = workbook.addWorksheet('ثبت‌نام‌ها', { views: [{ rightToLeft: true, state: 'frozen', ySplit: 2 }] });
  sheet.addRow([title]).font = { bold: true, size: 13 };
  const header = sheet.addRow(HEADERS);
  header.font = { bold: true };
  for (const row of cells(rows)) sheet.addRow(row);
  sheet.columns.forEach((column, i) => {
    column.width = [6, 26, 16, 14, 16, 16, 16, 12, 22, 22, 30][i] ?? 14;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
