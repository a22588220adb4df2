import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, enroll as enrollIn, issuedCertificate } from '../helpers/factories';
import { loginAs, type Agent, binary } from '../helpers/http';
import { AttendanceMark, Course, type CourseSession, Enrollment, type User } from '../../src/models';
import type { AttendanceStatus } from '../../src/models/attendance-mark';
import type { EnrollmentStatus } from '../../src/models/enrollment';
import { isoFromJalali, tehranInstant } from '../../src/lib/jalali';
import { attendanceSummaries } from '../../src/features/attendance/summary';
import { dialectOf, enrollmentAttendanceSql, select, tehranNowMinute } from '../../src/features/reports/sql';
import { todayIso } from '../../src/lib/jalali';

/*
 * A small dataset whose figures were worked out by hand (see the comments); every session is in the
 * past except one far in the future, so the numbers do not depend on the day the test runs.
 *
 * Course A (خبرنویسی, min 80%, excused not counted, 10 h): S1 1405/02/10 09-11, S2 1405/02/17 09-11,
 *   S3 1405/03/05 09-12, S4 1410/01/20 (not held).
 *   eA1 L1 kerman approved: P P L            → 3/3 eligible, valid certificate
 *   eA2 L2 kerman approved: P A P            → 2/3
 *   eA3 L3 bam approved, enrolled 1405/02/15 after S1: S1 marked absent anyway, S2 P, S3 P → 2/3
 *                                              (the S1 mark counts); certificate revoked
 *   eA4 L4 bam waitlisted; eA5 L5 rafsanjan approved: E E P → 1/3; eA6 L6 sirjan cancelled
 * Course B (عکاسی خبری, min 75%, excused counted, pass mark 15, 6 h): T1 1405/07/10 16-18, T2 1405/07/17 16-18
 *   eB1 L1 approved mark 17: P E → 2/2 eligible; eB2 L3 approved: P A → 1/2;
 *   eB3 L2 approved mark 12: L E → 2/2 but below the pass mark; eB4 L5 pending; eB5 L6 rejected
 * Course C (خبرنویسی, 4 h): U1 1404/05/01 10-12; eC1 L1 approved P, valid certificate issued 1404.
 */
let t: TestApp;
let admin: Agent;
const L: Record<string, User> = {};
const C: Record<string, Course> = {};
const E: Record<string, Enrollment> = {};

const jdate = (y: number, m: number, d: number) => isoFromJalali(y, m, d);
const at = (y: number, m: number, d: number, time = '10:00') => tehranInstant(jdate(y, m, d), time);

async function enroll(key: string, course: Course, user: User, status: EnrollmentStatus, createdAt: Date, mark: number | null = null) {
  E[key] = await enrollIn(course, user, { status, waitlistPosition: status === 'waitlisted' ? 1 : null, mark, createdAt });
}

async function marks(session: CourseSession, entries: [string, AttendanceStatus][]) {
  for (const [key, status] of entries) {
    await AttendanceMark.create({
      sessionId: session.id,
      enrollmentId: E[key].id,
      status,
      note: null,
      recordedBy: null,
      recordedAt: new Date(),
    });
  }
}

let serial = 0;
async function certificate(key: string, issuedAt: Date, status: 'valid' | 'revoked' = 'valid') {
  serial++;
  return issuedCertificate(E[key], {
    serial: `KRM-TEST-${serial}`,
    issuedAt,
    status,
    statusReason: status === 'revoked' ? 'آزمایش' : null,
  });
}

const digits = (s: string) => s.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)));

async function csv(path: string): Promise<{ raw: Buffer; rows: string[][] }> {
  const res = await admin.get(path).buffer(true).parse(binary);
  assert.equal(res.status, 200, path);
  assert.match(res.headers['content-type'], /text\/csv/);
  return { raw: res.body as Buffer, rows: parseCsv(res.body as Buffer, { bom: true }) as string[][] };
}

async function xlsx(path: string): Promise<ExcelJS.Worksheet> {
  const res = await admin.get(path).buffer(true).parse(binary);
  assert.equal(res.status, 200, path);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.body as Parameters<typeof workbook.xlsx.load>[0]);
  return workbook.worksheets[0];
}

/** The cells of the table row (in the page) whose first cell contains `first`, as text with ASCII digits. */
function pageRow(html: string, first: string): string[] | null {
  for (const tr of html.match(/<tr[^>]*>[\s\S]*?<\/tr>/g) ?? []) {
    const cells = [...tr.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((m) =>
      digits(
        m[1]
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    );
    if (cells[0]?.includes(first)) return cells;
  }
  return null;
}

before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'boss' });
  admin = await loginAs(t.app, 'boss');
  L.L1 = await createLiaison({ username: 'l1', countySlug: 'kerman', fullName: 'مریم کرمانی' });
  L.L2 = await createLiaison({ username: 'l2', countySlug: 'kerman' });
  L.L3 = await createLiaison({ username: 'l3', countySlug: 'bam', fullName: 'رضا بمی' });
  L.L4 = await createLiaison({ username: 'l4', countySlug: 'bam' });
  L.L5 = await createLiaison({ username: 'l5', countySlug: 'rafsanjan' });
  L.L6 = await createLiaison({ username: 'l6', countySlug: 'sirjan' });
  L.L7 = await createLiaison({ username: 'l7', countySlug: 'bam', status: 'pending' });

  C.A = await createCourse({
    code: 'A-1',
    title: 'خبرنویسی مقدماتی',
    category: 'خبرنویسی',
    minAttendance: 80,
    hours: 10,
    status: 'running',
    enrollOpens: jdate(1405, 1, 20),
    enrollCloses: jdate(1405, 2, 10),
  });
  C.B = await createCourse({
    code: 'B-1',
    title: 'عکاسی خبری',
    category: 'عکاسی خبری',
    minAttendance: 75,
    countExcused: true,
    passMark: 15,
    hours: 6,
    status: 'finished',
    enrollOpens: jdate(1405, 6, 20),
    enrollCloses: jdate(1405, 7, 10),
  });
  C.C = await createCourse({
    code: 'C-1',
    title: 'خبرنویسی پیشرفته',
    category: 'خبرنویسی',
    hours: 4,
    status: 'finished',
    enrollOpens: jdate(1404, 4, 1),
    enrollCloses: jdate(1404, 5, 1),
  });
  const S1 = await createSession(C.A, { date: jdate(1405, 2, 10), startTime: '09:00', endTime: '11:00' });
  const S2 = await createSession(C.A, { date: jdate(1405, 2, 17), startTime: '09:00', endTime: '11:00' });
  const S3 = await createSession(C.A, { date: jdate(1405, 3, 5), startTime: '09:00', endTime: '12:00' });
  await createSession(C.A, { date: jdate(1410, 1, 20), startTime: '09:00', endTime: '11:00' });
  const T1 = await createSession(C.B, { date: jdate(1405, 7, 10), startTime: '16:00', endTime: '18:00' });
  const T2 = await createSession(C.B, { date: jdate(1405, 7, 17), startTime: '16:00', endTime: '18:00' });
  const U1 = await createSession(C.C, { date: jdate(1404, 5, 1), startTime: '10:00', endTime: '12:00' });

  await enroll('A1', C.A, L.L1, 'approved', at(1405, 2, 1));
  await enroll('A2', C.A, L.L2, 'approved', at(1405, 2, 1));
  await enroll('A3', C.A, L.L3, 'approved', at(1405, 2, 15));
  await enroll('A4', C.A, L.L4, 'waitlisted', at(1405, 2, 1));
  await enroll('A5', C.A, L.L5, 'approved', at(1405, 2, 1));
  await enroll('A6', C.A, L.L6, 'cancelled', at(1405, 2, 1));
  await enroll('B1', C.B, L.L1, 'approved', at(1405, 7, 1), 17);
  await enroll('B2', C.B, L.L3, 'approved', at(1405, 7, 1));
  await enroll('B3', C.B, L.L2, 'approved', at(1405, 7, 1), 12);
  await enroll('B4', C.B, L.L5, 'pending', at(1405, 7, 2));
  await enroll('B5', C.B, L.L6, 'rejected', at(1405, 7, 2));
  await enroll('C1', C.C, L.L1, 'approved', at(1404, 4, 20));

  await marks(S1, [
    ['A1', 'present'],
    ['A2', 'present'],
    ['A3', 'absent'],
    ['A5', 'excused'],
  ]);
  await marks(S2, [
    ['A1', 'present'],
    ['A2', 'absent'],
    ['A3', 'present'],
    ['A5', 'excused'],
  ]);
  await marks(S3, [
    ['A1', 'late'],
    ['A2', 'present'],
    ['A3', 'present'],
    ['A5', 'present'],
  ]);
  await marks(T1, [
    ['B1', 'present'],
    ['B2', 'present'],
    ['B3', 'late'],
  ]);
  await marks(T2, [
    ['B1', 'excused'],
    ['B2', 'absent'],
    ['B3', 'excused'],
  ]);
  await marks(U1, [['C1', 'present']]);

  await certificate('A1', at(1405, 3, 20));
  await certificate('A3', at(1405, 3, 20), 'revoked');
  await certificate('C1', at(1404, 5, 10));
});
after(async () => t?.close());

describe('course report', () => {
  const byCode = (rows: string[][], code: string) => rows.find((r) => r[0] === code);

  it('counts enrolled, waitlisted, attended, eligible and certified per course (page)', async () => {
    const res = await admin.get('/admin/reports/courses?year=1405');
    assert.equal(res.status, 200);
    // course, category, status, dates, capacity, enrolled, waitlisted, attended, eligible, certified
    const a = pageRow(res.text, 'خبرنویسی مقدماتی');
    assert.deepEqual(a?.slice(5, 10), ['4', '1', '4', '1', '1']);
    const b = pageRow(res.text, 'عکاسی خبری');
    assert.deepEqual(b?.slice(5, 10), ['3', '0', '3', '1', '0']);
    assert.equal(pageRow(res.text, 'خبرنویسی پیشرفته'), null, 'course C is in 1404');
    assert.match(res.text, new RegExp(`href="/admin/courses/${C.A.id}/attendance"`));
    assert.match(res.text, /۱۴۰۵\/۰۲\/۱۰/);
  });

  it('exports the same figures as CSV with a BOM, Persian headers and Jalali dates', async () => {
    const { raw, rows } = await csv('/admin/reports/courses?year=all&format=csv');
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.deepEqual(rows[0].slice(0, 4), ['کد دوره', 'عنوان دوره', 'دسته', 'وضعیت']);
    assert.equal(rows.length, 1 + 3);
    // code, title, category, status, first, last, sessions, capacity, enrolled, waitlisted, pending, attended, eligible, certified
    assert.deepEqual(byCode(rows, 'A-1')?.slice(4), ['1405/02/10', '1410/01/20', '4', '20', '4', '1', '0', '4', '1', '1']);
    assert.deepEqual(byCode(rows, 'B-1')?.slice(4), ['1405/07/10', '1405/07/17', '2', '20', '3', '0', '1', '3', '1', '0']);
    assert.deepEqual(byCode(rows, 'C-1')?.slice(4), ['1404/05/01', '1404/05/01', '1', '20', '1', '0', '0', '1', '1', '1']);
  });

  it('filters by month, category and county', async () => {
    let { rows } = await csv('/admin/reports/courses?year=1405&month=7&format=csv');
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ['B-1'],
    );
    ({ rows } = await csv('/admin/reports/courses?year=1405&month=3&format=csv'));
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ['A-1'],
    );
    ({ rows } = await csv(`/admin/reports/courses?year=all&category=${encodeURIComponent('خبرنویسی')}&format=csv`));
    assert.deepEqual(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
      ['A-1', 'C-1'],
    );
    ({ rows } = await csv('/admin/reports/courses?year=1405&county=bam&format=csv'));
    assert.deepEqual(byCode(rows, 'A-1')?.slice(8), ['1', '1', '0', '1', '0', '0']);
    assert.deepEqual(byCode(rows, 'B-1')?.slice(8), ['1', '0', '0', '1', '0', '0']);
  });

  it('exports XLSX with a right-to-left sheet', async () => {
    const sheet = await xlsx('/admin/reports/courses?year=1405&format=xlsx');
    assert.equal(sheet.views[0].rightToLeft, true);
    assert.equal(sheet.getRow(1).getCell(2).value, 'عنوان دوره');
    const values = sheet.getRow(2).values as unknown[];
    assert.deepEqual(values.slice(1, 2), ['A-1']);
    assert.equal(values[5], '1405/02/10');
    assert.deepEqual(values.slice(9), [4, 1, 0, 4, 1, 1]);
  });

  it('applies the attendance rule of summary.ts in SQL', async () => {
    const sql = t.services.sequelize;
    const rows = await select<{ enrollment_id: number; counted: number; attended: number }>(
      sql,
      enrollmentAttendanceSql(dialectOf(sql), ':courses'),
      { courses: [C.A.id, C.B.id, C.C.id], today: todayIso(), nowMinute: tehranNowMinute() },
    );
    const fromSql = new Map(rows.map((r) => [Number(r.enrollment_id), { counted: Number(r.counted), attended: Number(r.attended) }]));
    // Hand-computed (counted, attended) for every approved enrollment.
    const expected: Record<string, [number, number]> = {
      A1: [3, 3],
      A2: [3, 2],
      A3: [3, 2],
      A5: [3, 1],
      B1: [2, 2],
      B2: [2, 1],
      B3: [2, 2],
      C1: [1, 1],
    };
    for (const [key, [counted, attended]] of Object.entries(expected)) {
      assert.deepEqual(fromSql.get(E[key].id), { counted, attended }, key);
    }
    // And the same as the rule's own implementation, enrollment by enrollment.
    for (const course of [C.A, C.B, C.C]) {
      const fresh = (await Course.findByPk(course.id))!;
      const approved = await Enrollment.findAll({ where: { courseId: course.id, status: 'approved' } });
      const summaries = await attendanceSummaries(fresh, approved);
      for (const e of approved) {
        const s = summaries.get(e.id)!;
        assert.equal(fromSql.get(e.id)?.counted, s.counted, `counted ${e.id}`);
        assert.equal(fromSql.get(e.id)?.attended, s.present + s.late + (fresh.countExcused ? s.excused : 0), `attended ${e.id}`);
      }
    }
  });
});

describe('county report', () => {
  const byName = (rows: string[][], name: string) => rows.find((r) => r[0] === name);

  it('lists every active county with liaisons, enrollments, attendance, hours, certificates (CSV)', async () => {
    const { raw, rows } = await csv('/admin/reports/counties?year=1405&format=csv');
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    assert.deepEqual(rows[0], [
      'شهرستان',
      'رابطین فعال',
      'ثبت‌نام‌ها',
      'نفرات ثبت‌نام‌کننده',
      'درصد حضور',
      'ساعت آموزش (نفر-ساعت حضور)',
      'گواهی‌نامه‌های صادرشده',
      'وضعیت مشارکت',
    ]);
    assert.equal(rows.length, 1 + 25);
    assert.deepEqual(byName(rows, 'کرمان'), ['کرمان', '2', '4', '2', '90', '16', '1', 'دارای شرکت‌کننده']);
    assert.deepEqual(byName(rows, 'بم'), ['بم', '2', '3', '2', '60', '7', '0', 'دارای شرکت‌کننده']);
    assert.deepEqual(byName(rows, 'رفسنجان'), ['رفسنجان', '1', '2', '1', '33.3', '3', '0', 'دارای شرکت‌کننده']);
    assert.deepEqual(byName(rows, 'سیرجان'), ['سیرجان', '1', '0', '0', '', '0', '0', 'بدون شرکت‌کننده']);
    assert.deepEqual(byName(rows, 'زرند'), ['زرند', '0', '0', '0', '', '0', '0', 'بدون شرکت‌کننده']);
  });

  it('counts every year with year=all, and filters by county and category', async () => {
    let { rows } = await csv('/admin/reports/counties?year=all&format=csv');
    assert.deepEqual(byName(rows, 'کرمان'), ['کرمان', '2', '5', '2', '90.9', '18', '2', 'دارای شرکت‌کننده']);
    ({ rows } = await csv('/admin/reports/counties?year=all&county=bam&format=csv'));
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ['بم'],
    );
    ({ rows } = await csv(`/admin/reports/counties?year=1405&category=${encodeURIComponent('عکاسی خبری')}&format=csv`));
    // Kerman in course B only: eB1, eB3; marks P E L E all attended (B counts excused); 2 h + 2 h present.
    assert.deepEqual(byName(rows, 'کرمان'), ['کرمان', '2', '2', '2', '100', '4', '0', 'دارای شرکت‌کننده']);
    ({ rows } = await csv('/admin/reports/counties?year=1405&month=2&format=csv'));
    // Ordibehesht: enrollments made then (eA1 eA2 | eA3 eA4 | eA5), marks on S1 and S2 only.
    assert.deepEqual(byName(rows, 'کرمان')?.slice(1, 6), ['2', '2', '2', '75', '6']);
    assert.deepEqual(byName(rows, 'بم')?.slice(1, 6), ['2', '2', '2', '50', '2']);
  });

  it('shows the page with Persian digits and the counties that sent nobody; XLSX is right-to-left', async () => {
    const res = await admin.get('/admin/reports/counties?year=1405');
    assert.equal(res.status, 200);
    assert.deepEqual(pageRow(res.text, 'بم')?.slice(1, 7), ['2', '3', '2', '60٪', '7', '0']);
    assert.match(res.text, /۹۰٪/);
    assert.match(res.text, /بدون شرکت‌کننده/);
    const sheet = await xlsx('/admin/reports/counties?year=1405&format=xlsx');
    assert.equal(sheet.views[0].rightToLeft, true);
    assert.equal(sheet.getRow(1).getCell(1).value, 'شهرستان');
    assert.equal(sheet.rowCount, 26);
  });

  it('refuses a county that does not exist', async () => {
    const res = await admin.get('/admin/reports/counties?county=atlantis');
    assert.equal(res.status, 400);
  });
});

describe('month report', () => {
  it('counts sessions held, hours delivered and attendance by Jalali month', async () => {
    const { rows } = await csv('/admin/reports/months?year=1405&format=csv');
    assert.equal(rows.length, 1 + 12);
    // month, from, to, sessions, hours, marks, attended, percent, person-hours
    assert.deepEqual(rows[2], ['اردیبهشت 1405', '1405/02/01', '1405/02/31', '2', '4', '8', '4', '50', '8']);
    assert.deepEqual(rows[3], ['خرداد 1405', '1405/03/01', '1405/03/31', '1', '3', '4', '4', '100', '12']);
    assert.deepEqual(rows[7], ['مهر 1405', '1405/07/01', '1405/07/30', '2', '4', '6', '5', '83.3', '6']);
    assert.deepEqual(rows[1].slice(3), ['0', '0', '0', '0', '', '0']);
  });

  it('filters by month and county, and shows a page and an RTL workbook', async () => {
    let { rows } = await csv('/admin/reports/months?year=1405&month=7&format=csv');
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ['مهر 1405'],
    );
    ({ rows } = await csv('/admin/reports/months?year=1405&county=bam&format=csv'));
    assert.deepEqual(rows[2].slice(3), ['2', '4', '2', '1', '50', '2']);
    assert.deepEqual(rows[7].slice(3), ['2', '4', '2', '1', '50', '2']);
    const res = await admin.get('/admin/reports/months?year=1405');
    assert.equal(res.status, 200);
    assert.deepEqual(pageRow(res.text, 'خرداد')?.slice(1), ['1', '3', '4', '4', '100٪', '12']);
    const sheet = await xlsx('/admin/reports/months?year=1405&format=xlsx');
    assert.equal(sheet.views[0].rightToLeft, true);
  });
});

describe('training record', () => {
  it('lists a liaison’s courses, hours, attendance and certificates', async () => {
    const { rows } = await csv(`/admin/liaisons/${L.L1.id}/record?format=csv`);
    // code, title, category, start, end, course hours, counted, attended, percent, attended hours, serial, issued
    assert.deepEqual(rows.slice(1), [
      ['C-1', 'خبرنویسی پیشرفته', 'خبرنویسی', '1404/05/01', '1404/05/01', '4', '1', '1', '100', '2', 'KRM-TEST-3', '1404/05/10'],
      ['A-1', 'خبرنویسی مقدماتی', 'خبرنویسی', '1405/02/10', '1410/01/20', '10', '3', '3', '100', '7', 'KRM-TEST-1', '1405/03/20'],
      ['B-1', 'عکاسی خبری', 'عکاسی خبری', '1405/07/10', '1405/07/17', '6', '2', '2', '100', '2', '', ''],
    ]);
    const res = await admin.get(`/admin/liaisons/${L.L1.id}/record`);
    assert.equal(res.status, 200);
    assert.match(res.text, /مریم کرمانی/);
    // Totals: 3 courses, 2 certificates, 4 + 10 certified hours, 2 + 7 + 2 hours attended.
    assert.match(res.text, /دوره‌ها<\/div><div class="fs-5 fw-bold">۳</);
    assert.match(res.text, /ساعت آموزشی گواهی‌شده<\/div><div class="fs-5 fw-bold">۱۴</);
    assert.match(res.text, /ساعت حضور در جلسه‌ها<\/div><div class="fs-5 fw-bold">۱۱</);
  });

  it('leaves out a revoked certificate and filters by year', async () => {
    const { rows } = await csv(`/admin/liaisons/${L.L3.id}/record?format=csv`);
    assert.deepEqual(
      rows.slice(1).map((r) => [r[0], r[6], r[7], r[8], r[10]]),
      [
        ['A-1', '3', '2', '66.7', ''],
        ['B-1', '2', '1', '50', ''],
      ],
    );
    const only1404 = await csv(`/admin/liaisons/${L.L1.id}/record?year=1404&format=csv`);
    assert.deepEqual(
      only1404.rows.slice(1).map((r) => r[0]),
      ['C-1'],
    );
    const sheet = await xlsx(`/admin/liaisons/${L.L1.id}/record?format=xlsx`);
    assert.equal(sheet.views[0].rightToLeft, true);
  });

  it('is on the liaison’s own /me page', async () => {
    const liaison = await loginAs(t.app, 'l1');
    const res = await liaison.get('/me');
    assert.equal(res.status, 200);
    assert.match(res.text, /شناسنامهٔ آموزشی من/);
    assert.match(res.text, /KRM-TEST-1/);
    assert.match(res.text, /خبرنویسی پیشرفته/);
  });

  it('404s for an unknown liaison', async () => {
    assert.equal((await admin.get('/admin/liaisons/999999/record')).status, 404);
  });
});

describe('access', () => {
  const paths = [
    '/admin/reports/courses',
    '/admin/reports/counties?format=csv',
    '/admin/reports/months?format=xlsx',
    '/admin/calendar',
    '/admin',
  ];
  it('sends anonymous visitors to the login page', async () => {
    for (const path of paths) {
      const res = await request(t.app).get(path);
      assert.equal(res.status, 303, path);
      assert.match(res.headers.location, /^\/login/);
    }
    const record = await request(t.app).get(`/admin/liaisons/${L.L1.id}/record?format=csv`);
    assert.equal(record.status, 303);
  });

  it('refuses liaisons', async () => {
    const liaison = await loginAs(t.app, 'l2');
    for (const path of [...paths, `/admin/liaisons/${L.L1.id}/record`]) {
      const res = await liaison.get(path);
      assert.equal(res.status, 403, path);
      assert.doesNotMatch(res.text, /KRM-TEST/);
    }
  });

  it('refuses garbage filters with 400', async () => {
    for (const q of ['year=abc', 'month=13', `county=${encodeURIComponent("x' OR 1=1")}`, 'format=pdf']) {
      assert.equal((await admin.get(`/admin/reports/courses?${q}`)).status, 400, q);
    }
  });
});
