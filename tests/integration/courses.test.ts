import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { countyBySlug, createAdmin, createCourse, createLiaison, createSession, createUser } from '../helpers/factories';
import { enroll as enrollIn } from '../helpers/factories';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { AttendanceMark, AuditEvent, Course, CourseQuota, CourseSession, Enrollment, Notification, OutboxMessage } from '../../src/models';
import type { Course as CourseModel } from '../../src/models';
import type { EnrollmentStatus } from '../../src/models/enrollment';
import { addDaysIso, formatDate, isoFromJalali, jalaliAscii, todayIso } from '../../src/lib/jalali';

let t: TestApp;
let admin: Agent;
before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'courseadmin' });
  admin = await loginAs(t.app, 'courseadmin');
});
after(async () => t.close());

const today = todayIso();

function courseFields(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    code: 'KH-101',
    title: 'خبرنویسی مقدماتی',
    category: 'خبرنویسی',
    capacity: '20',
    hours: '8',
    enrollOpens: jalaliAscii(today),
    enrollCloses: jalaliAscii(addDaysIso(today, 2)),
    minAttendance: '80',
    approval: 'auto',
    delivery: 'in-person',
    place: 'سالن اجتماعات اداره کل',
    ...overrides,
  };
}

async function postCourse(fields: Record<string, string | string[]>) {
  return postForm(admin, '/admin/courses', fields, '/admin/courses/new');
}

function idFrom(location: string | undefined): number {
  const match = /^\/admin\/courses\/(\d+)$/.exec(location ?? '');
  assert.ok(match, `not a course page: ${location}`);
  return Number(match[1]);
}

async function enroll(course: CourseModel, status: EnrollmentStatus, waitlistPosition: number | null = null, countySlug = 'kerman') {
  const liaison = await createLiaison({ countySlug });
  const county = await countyBySlug(countySlug);
  const enrollment = await enrollIn(course, { id: liaison.id, countyId: county.id }, { status, waitlistPosition });
  return { liaison, enrollment };
}

describe('creating a course', () => {
  it('creates a draft course from the DESIGN.md fields, with Persian digits, and audits it', async () => {
    const res = await postCourse(
      courseFields({
        code: 'kh-۲۰۱',
        capacity: '۲۰',
        hours: '۱۲٫۵',
        minAttendance: '۷۵',
        enrollOpens: '۱۴۰۵/۰۹/۰۶',
        enrollCloses: '1405/09/08',
      }),
    );
    assert.equal(res.status, 303);
    const id = idFrom(res.headers.location);
    const course = await Course.findByPk(id);
    assert.ok(course);
    assert.equal(course.code, 'KH-201');
    assert.equal(course.capacity, 20);
    assert.equal(Number(course.hours), 12.5);
    assert.equal(course.minAttendance, 75);
    assert.equal(course.status, 'draft');
    assert.equal(course.enrollOpens, isoFromJalali(1405, 9, 6));
    assert.equal(course.enrollCloses, isoFromJalali(1405, 9, 8));
    assert.ok(await AuditEvent.findOne({ where: { action: 'course.create', entityId: id } }));
    const page = await admin.get(`/admin/courses/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /خبرنویسی مقدماتی/);
    assert.match(page.text, /پیش‌نویس/);
    assert.match(page.text, /۱۴۰۵/);
    for (const tab of ['enrollments', 'attendance', 'certificates']) assert.ok(page.text.includes(`/admin/courses/${id}/${tab}`), tab);
  });

  it('keeps per-county quotas and an instructor account', async () => {
    await createUser({ role: 'instructor', username: 'modares', fullName: 'مهدی مدرسی' });
    const res = await postCourse(
      courseFields({ code: 'Q-1', capacity: '10', 'quota[bam]': '3', 'quota[kerman]': '۴', 'quota[rafsanjan]': '', instructor: 'modares' }),
    );
    assert.equal(res.status, 303);
    const course = await Course.findByPk(idFrom(res.headers.location));
    assert.equal(course?.instructorName, 'مهدی مدرسی');
    assert.ok(course?.instructorId);
    const quotas = await CourseQuota.findAll({ where: { courseId: course!.id } });
    assert.deepEqual(quotas.map((q) => q.quota).sort(), [3, 4]);
    const bad = await postCourse(courseFields({ code: 'Q-2', capacity: '10', 'quota[bam]': '11', instructor: 'nobody' }));
    assert.equal(bad.status, 400);
    assert.equal(await Course.count({ where: { code: 'Q-2' } }), 0);
  });

  it('refuses 1404/12/30 (not a leap year) and accepts 1403/12/30', async () => {
    const bad = await postCourse(courseFields({ code: 'D-1', enrollOpens: '1404/12/30', enrollCloses: '1404/12/30' }));
    assert.equal(bad.status, 400);
    assert.match(bad.text, /تاریخ آغاز ثبت‌نام یک تاریخ شمسی معتبر نیست/);
    assert.match(bad.text, /value="1404\/12\/30"/);
    assert.equal(await Course.count({ where: { code: 'D-1' } }), 0);
    const good = await postCourse(courseFields({ code: 'D-2', enrollOpens: '۱۴۰۳/۱۲/۳۰', enrollCloses: '1404/01/05' }));
    assert.equal(good.status, 303);
    const course = await Course.findOne({ where: { code: 'D-2' } });
    assert.equal(course?.enrollOpens, '2025-03-20');
  });

  for (const capacity of ['0', '-1', '2.5', 'بیست', '']) {
    it(`refuses capacity ${JSON.stringify(capacity)} with a Persian message, keeping what was typed`, async () => {
      const res = await postCourse(
        courseFields({ code: `CAP-${capacity.length}${capacity.charCodeAt(0) || 0}`, title: 'دوره با ظرفیت بد', capacity }),
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /id="capacity-error"[^>]*>ظرفیت (باید|را)/);
      assert.match(res.text, /value="دوره با ظرفیت بد"/);
      assert.equal(await Course.count({ where: { title: 'دوره با ظرفیت بد' } }), 0);
    });
  }

  it('refuses zero hours, attendance over 100, a window that closes before it opens, an online course without a link', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ hours: '0' }, 'hours'],
      [{ minAttendance: '101' }, 'minAttendance'],
      [{ enrollOpens: '1405/09/10', enrollCloses: '1405/09/09' }, 'enrollCloses'],
      [{ delivery: 'online', place: '' }, 'link'],
      [{ delivery: 'online', link: 'javascript:alert(1)' }, 'link'],
      [{ approval: 'sometimes' }, 'approval'],
    ];
    for (const [overrides, field] of cases) {
      const res = await postCourse(courseFields({ code: 'BAD-X', ...overrides }));
      assert.equal(res.status, 400, JSON.stringify(overrides));
      assert.match(res.text, new RegExp(`id="${field}-error"`), JSON.stringify(overrides));
    }
    assert.equal(await Course.count({ where: { code: 'BAD-X' } }), 0);
  });

  it('answers a duplicate code with 409, however its digits and case were typed', async () => {
    assert.equal((await postCourse(courseFields({ code: 'DUP-7' }))).status, 303);
    const res = await postCourse(courseFields({ code: 'dup-۷', title: 'دورهٔ تکراری' }));
    assert.equal(res.status, 409);
    assert.match(res.text, /دوره‌ای با این کد پیش‌تر ثبت شده است/);
    assert.equal(await Course.count({ where: { title: 'دورهٔ تکراری' } }), 0);
  });

  it('shows a title with HTML in it escaped', async () => {
    const res = await postCourse(courseFields({ code: 'XSS-1', title: '<script>alert(1)</script>دوره' }));
    assert.equal(res.status, 303);
    const id = idFrom(res.headers.location);
    const page = await admin.get(`/admin/courses/${id}`);
    assert.ok(!page.text.includes('<script>alert(1)'));
    assert.ok(page.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;دوره'));
    await createSession((await Course.findByPk(id))!, { date: addDaysIso(today, 3) });
    assert.equal((await postForm(admin, `/admin/courses/${id}/status`, { status: 'open' }, `/admin/courses/${id}`)).status, 303);
    const catalogue = await request(t.app).get('/courses');
    assert.ok(!catalogue.text.includes('<script>alert(1)'));
    assert.ok(catalogue.text.includes('&lt;script&gt;alert(1)&lt;/script&gt;دوره'));
  });

  it('is for admins only', async () => {
    await createLiaison({ username: 'curious' });
    const liaison = await loginAs(t.app, 'curious');
    assert.equal((await liaison.get('/admin/courses')).status, 403);
    assert.equal((await request(t.app).get('/admin/courses/new')).status, 303);
  });
});

describe('editing and duplicating a course', () => {
  it('edits a course, refusing an enrollment window that closes after the first session', async () => {
    const course = await createCourse({ code: 'ED-1', status: 'draft', enrollCloses: addDaysIso(today, 1) });
    await createSession(course, { date: addDaysIso(today, 4) });
    const form = await admin.get(`/admin/courses/${course.id}/edit`);
    assert.equal(form.status, 200);
    assert.match(form.text, /value="ED-1"/);
    const late = await postForm(
      admin,
      `/admin/courses/${course.id}/edit`,
      courseFields({ code: 'ED-1', enrollCloses: jalaliAscii(addDaysIso(today, 5)) }),
      `/admin/courses/${course.id}/edit`,
    );
    assert.equal(late.status, 400);
    assert.match(late.text, /id="enrollCloses-error"[^>]*>ثبت‌نام باید تا روز نخستین جلسه/);
    assert.equal((await Course.findByPk(course.id))?.enrollCloses, addDaysIso(today, 1));
    const ok = await postForm(
      admin,
      `/admin/courses/${course.id}/edit`,
      courseFields({ code: 'ED-1', title: 'عنوان تازه', enrollCloses: jalaliAscii(addDaysIso(today, 4)) }),
      `/admin/courses/${course.id}/edit`,
    );
    assert.equal(ok.status, 303);
    assert.equal((await Course.findByPk(course.id))?.title, 'عنوان تازه');
    assert.ok(await AuditEvent.findOne({ where: { action: 'course.update', entityId: course.id } }));
    const taken = await postForm(
      admin,
      `/admin/courses/${course.id}/edit`,
      courseFields({ code: 'DUP-7' }),
      `/admin/courses/${course.id}/edit`,
    );
    assert.equal(taken.status, 409);
  });

  it('promotes the first waitlisted liaisons when capacity is raised, and refuses a capacity below the seats held', async () => {
    const course = await createCourse({ code: 'CAPUP-1', capacity: 1 });
    await createSession(course, { date: addDaysIso(today, 6) });
    await enroll(course, 'approved');
    const { enrollment: second } = await enroll(course, 'waitlisted', 1);
    const { enrollment: third } = await enroll(course, 'waitlisted', 2);
    const fields = courseFields({ code: 'CAPUP-1', enrollCloses: jalaliAscii(addDaysIso(today, 5)) });
    const res = await postForm(admin, `/admin/courses/${course.id}/edit`, { ...fields, capacity: '2' }, `/admin/courses/${course.id}/edit`);
    assert.equal(res.status, 303);
    assert.equal((await second.reload()).status, 'approved');
    assert.equal((await third.reload()).status, 'waitlisted');
    assert.equal(third.waitlistPosition, 1);
    const lower = await postForm(
      admin,
      `/admin/courses/${course.id}/edit`,
      { ...fields, capacity: '1' },
      `/admin/courses/${course.id}/edit`,
    );
    assert.equal(lower.status, 400);
    assert.match(lower.text, /id="capacity-error"/);
    assert.equal((await Course.findByPk(course.id))?.capacity, 2);
  });

  it('duplicates a course as a draft with a new code, sessions optional', async () => {
    const course = await createCourse({ code: 'ORIG-1', status: 'open' });
    await createSession(course, { date: addDaysIso(today, 8) });
    await createSession(course, { date: addDaysIso(today, 9) });
    const res = await postForm(
      admin,
      `/admin/courses/${course.id}/duplicate`,
      { code: 'COPY-1', sessions: 'on' },
      `/admin/courses/${course.id}`,
    );
    assert.equal(res.status, 303);
    const copy = await Course.findByPk(idFrom(res.headers.location));
    assert.equal(copy?.status, 'draft');
    assert.equal(copy?.title, course.title);
    assert.equal(await CourseSession.count({ where: { courseId: copy!.id } }), 2);
    const bare = await postForm(admin, `/admin/courses/${course.id}/duplicate`, { code: 'COPY-2' }, `/admin/courses/${course.id}`);
    assert.equal(await CourseSession.count({ where: { courseId: idFrom(bare.headers.location) } }), 0);
    const again = await postForm(admin, `/admin/courses/${course.id}/duplicate`, { code: 'COPY-1' }, `/admin/courses/${course.id}`);
    assert.equal(again.status, 409);
  });
});

describe('sessions', () => {
  it('adds a session in Jalali, refusing an end before its start and a day before the window closes', async () => {
    const course = await createCourse({ code: 'S-1', status: 'draft', enrollCloses: addDaysIso(today, 2) });
    const page = `/admin/courses/${course.id}`;
    const date = jalaliAscii(addDaysIso(today, 3)).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);
    const ok = await postForm(admin, `${page}/sessions`, { date, start: '۱۶:۰۰', end: '18:00', topic: 'اصول خبر' }, page);
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.location, page);
    const session = await CourseSession.findOne({ where: { courseId: course.id } });
    assert.equal(session?.date, addDaysIso(today, 3));
    assert.equal(session?.startTime, '16:00');
    const backwards = await postForm(admin, `${page}/sessions`, { date, start: '18:00', end: '16:00', topic: 'وارونه' }, page);
    assert.equal(backwards.status, 400);
    assert.match(backwards.text, /ساعت پایان باید پس از ساعت آغاز باشد/);
    assert.match(backwards.text, /value="وارونه"/);
    const early = await postForm(
      admin,
      `${page}/sessions`,
      { date: jalaliAscii(addDaysIso(today, 1)), start: '10:00', end: '12:00' },
      page,
    );
    assert.equal(early.status, 400);
    assert.match(early.text, /ثبت‌نام باید تا روز نخستین جلسه بسته شود/);
    const impossible = await postForm(admin, `${page}/sessions`, { date: '1404/12/30', start: '10:00', end: '12:00' }, page);
    assert.equal(impossible.status, 400);
    assert.equal(await CourseSession.count({ where: { courseId: course.id } }), 1);
    const shown = await admin.get(page);
    assert.ok(shown.text.includes(`/admin/sessions/${session!.id}/attendance`));
    assert.match(shown.text, /مجموع ساعت جلسه‌ها: <strong>۲<\/strong> از ۸ ساعت/);
  });

  it('edits a session and refuses moving it before the window closes', async () => {
    const course = await createCourse({ code: 'S-2', status: 'draft', enrollCloses: addDaysIso(today, 2) });
    const session = await createSession(course, { date: addDaysIso(today, 5) });
    const form = await admin.get(`/admin/sessions/${session.id}`);
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(`value="${jalaliAscii(addDaysIso(today, 5))}"`));
    const ok = await postForm(
      admin,
      `/admin/sessions/${session.id}`,
      { date: jalaliAscii(addDaysIso(today, 6)), start: '09:00', end: '12:30', topic: 'تغییر' },
      `/admin/sessions/${session.id}`,
    );
    assert.equal(ok.status, 303);
    await session.reload();
    assert.deepEqual([session.date, session.startTime, session.endTime], [addDaysIso(today, 6), '09:00', '12:30']);
    const early = await postForm(
      admin,
      `/admin/sessions/${session.id}`,
      { date: jalaliAscii(addDaysIso(today, 1)), start: '09:00', end: '12:30' },
      `/admin/sessions/${session.id}`,
    );
    assert.equal(early.status, 400);
    assert.equal((await session.reload()).date, addDaysIso(today, 6));
  });

  it('creates a series of every Saturday and Monday from 1405/09/08 to 1405/10/30 in one go, hours typed as the example reads («۱۶ تا ۱۸»)', async () => {
    const course = await createCourse({ code: 'SER-1', status: 'draft', enrollOpens: '2026-11-20', enrollCloses: '2026-11-27' });
    const page = `/admin/courses/${course.id}`;
    const res = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '۱۴۰۵/۰۹/۰۸', until: '1405/10/30', weekdays: ['0', '2'], start: '۱۶', end: '18', topic: 'کارگاه' },
      page,
    );
    assert.equal(res.status, 303);
    const sessions = await CourseSession.findAll({ where: { courseId: course.id }, order: [['date', 'ASC']] });
    // Counted independently: JavaScript's getDay() is 6 for Saturday and 1 for Monday.
    const expected: string[] = [];
    for (let d = new Date(Date.UTC(2026, 10, 29)); d <= new Date(Date.UTC(2027, 0, 20)); d.setUTCDate(d.getUTCDate() + 1)) {
      if (d.getUTCDay() === 6 || d.getUTCDay() === 1) expected.push(d.toISOString().slice(0, 10));
    }
    assert.equal(isoFromJalali(1405, 9, 8), '2026-11-29');
    assert.equal(isoFromJalali(1405, 10, 30), '2027-01-20');
    assert.deepEqual(
      sessions.map((s) => s.date),
      expected,
    );
    assert.equal(sessions.length, 15);
    assert.ok(sessions.every((s) => s.startTime === '16:00' && s.endTime === '18:00' && s.topic === 'کارگاه'));
    const shown = await admin.get(page);
    assert.match(shown.text, /۱۴۰۵\/۰۹\/۰۸/);
    assert.match(shown.text, /۱۴۰۵\/۱۰\/۲۸/);
    assert.ok(await AuditEvent.findOne({ where: { action: 'session.series', entityId: course.id } }));
    const twice = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '1405/09/08', until: '1405/10/30', weekdays: ['0', '2'], start: '16:00', end: '18:00' },
      page,
    );
    assert.equal(twice.status, 400);
    assert.match(twice.text, /پیش‌تر جلسه‌ای با همین ساعت آغاز دارد/);
    assert.equal(await CourseSession.count({ where: { courseId: course.id } }), 15);
  });

  it('refuses a series with no matching day, too many sessions, or days before the window closes', async () => {
    const course = await createCourse({ code: 'SER-2', status: 'draft', enrollOpens: '2026-11-20', enrollCloses: '2026-11-27' });
    const page = `/admin/courses/${course.id}`;
    const none = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '1405/09/08', until: '1405/09/09', weekdays: ['6'], start: '16:00', end: '18:00' },
      page,
    );
    assert.equal(none.status, 400);
    assert.match(none.text, /هیچ روزی/);
    const many = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '1405/09/08', until: '1406/09/08', weekdays: ['0', '1', '2', '3', '4'], start: '16:00', end: '18:00' },
      page,
    );
    assert.equal(many.status, 400);
    assert.match(many.text, /حداکثر ۲۰۰ جلسه/);
    const early = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '1405/09/01', until: '1405/09/20', weekdays: ['1'], start: '16:00', end: '18:00' },
      page,
    );
    assert.equal(early.status, 400);
    assert.match(early.text, /id="from-error"/);
    const noDays = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '1405/09/08', until: '1405/09/20', start: '16:00', end: '18:00' },
      page,
    );
    assert.equal(noDays.status, 400);
    const backwards = await postForm(
      admin,
      `${page}/sessions/series`,
      { from: '1405/09/08', until: '1405/09/20', weekdays: '0', start: '18:00', end: '16:00' },
      page,
    );
    assert.equal(backwards.status, 400);
    assert.equal(await CourseSession.count({ where: { courseId: course.id } }), 0);
  });

  it('deletes a session only while no attendance is recorded for it', async () => {
    const course = await createCourse({ code: 'DEL-1', status: 'draft' });
    const free = await createSession(course, { date: addDaysIso(today, 7) });
    const marked = await createSession(course, { date: addDaysIso(today, 8) });
    const { enrollment } = await enroll(course, 'approved');
    await AttendanceMark.create({
      sessionId: marked.id,
      enrollmentId: enrollment.id,
      status: 'present',
      note: null,
      recordedBy: null,
      recordedAt: new Date(),
    });
    const page = await admin.get(`/admin/courses/${course.id}`);
    assert.ok(page.text.includes(`action="/admin/sessions/${free.id}/delete" data-confirm=`));
    assert.ok(!page.text.includes(`action="/admin/sessions/${marked.id}/delete"`));
    const refused = await postForm(admin, `/admin/sessions/${marked.id}/delete`, {}, `/admin/courses/${course.id}`);
    assert.equal(refused.status, 409);
    assert.match(refused.text, /حضور و غیاب ثبت شده است/);
    assert.ok(await CourseSession.findByPk(marked.id));
    const ok = await postForm(admin, `/admin/sessions/${free.id}/delete`, {}, `/admin/courses/${course.id}`);
    assert.equal(ok.status, 303);
    assert.equal(await CourseSession.findByPk(free.id), null);
    assert.ok(await AuditEvent.findOne({ where: { action: 'session.delete', entityId: free.id } }));
  });
});

describe('course status', () => {
  const setStatus = (id: number, status: string) => postForm(admin, `/admin/courses/${id}/status`, { status }, `/admin/courses/${id}`);

  it('goes draft → open → running → finished, opening only with a session', async () => {
    const course = await createCourse({ code: 'ST-1', status: 'draft' });
    const noSession = await setStatus(course.id, 'open');
    assert.equal(noSession.status, 409);
    assert.match(noSession.text, /دست‌کم یک جلسه/);
    const session = await createSession(course, { date: addDaysIso(today, 9) });
    assert.equal((await setStatus(course.id, 'finished')).status, 409);
    assert.equal((await setStatus(course.id, 'open')).status, 303);
    assert.equal((await setStatus(course.id, 'open')).status, 409);
    assert.equal((await setStatus(course.id, 'running')).status, 303);
    // Not while a session is still ahead: the message names it.
    const early = await setStatus(course.id, 'finished');
    assert.equal(early.status, 409);
    assert.ok(early.text.includes(formatDate(addDaysIso(today, 9))));
    assert.match(early.text, /هنوز برگزار نشده‌اند/);
    await session.update({ date: addDaysIso(today, -1) });
    assert.equal((await setStatus(course.id, 'finished')).status, 303);
    const refused = await setStatus(course.id, 'cancelled');
    assert.equal(refused.status, 409);
    assert.match(refused.text, /نمی‌توان/);
    assert.equal((await Course.findByPk(course.id))?.status, 'finished');
    assert.equal(await AuditEvent.count({ where: { action: 'course.status', entityId: course.id } }), 3);
    assert.equal((await setStatus(course.id, 'draft')).status, 400);
  });

  it('cancels from draft, open or running', async () => {
    for (const status of ['draft', 'open', 'running'] as const) {
      const course = await createCourse({ status });
      assert.equal((await setStatus(course.id, 'cancelled')).status, 303, status);
      assert.equal((await Course.findByPk(course.id))?.status, 'cancelled');
    }
  });

  it('tells every liaison still enrolled, pending or waiting that the course is cancelled', async () => {
    const course = await createCourse({ title: 'دورهٔ لغوشدنی', status: 'open' });
    const told = await Promise.all([enroll(course, 'approved'), enroll(course, 'pending'), enroll(course, 'waitlisted', 1)]);
    const left = await enroll(course, 'cancelled');
    await told[0].liaison.update({ email: 'told@example.ir' });
    assert.equal((await setStatus(course.id, 'cancelled')).status, 303);
    const emails = await OutboxMessage.findAll({ where: { to: 'told@example.ir' } });
    assert.equal(emails.length, 1);
    assert.match(emails[0].body, /«دورهٔ لغوشدنی» لغو شد/);
    for (const { liaison } of told) {
      const notes = await Notification.findAll({ where: { userId: liaison.id } });
      assert.equal(notes.length, 1);
      assert.match(notes[0].message, /دورهٔ «دورهٔ لغوشدنی» لغو شد/);
    }
    assert.equal(await Notification.count({ where: { userId: left.liaison.id } }), 0);
  });
});

describe('finishing a course and dropping sessions', () => {
  it('refuses to drop a held session; one ahead is cancelled with a reason its liaisons hear, audited', async () => {
    const course = await createCourse({ code: 'DROP-1', status: 'running' });
    const held = await createSession(course, { date: addDaysIso(today, -1) });
    const ahead = await createSession(course, { date: addDaysIso(today, 2), startTime: '09:00', endTime: '11:00' });
    const { liaison } = await enroll(course, 'approved');
    const page = `/admin/courses/${course.id}`;
    const shown = await admin.get(page);
    assert.ok(!shown.text.includes(`action="/admin/sessions/${held.id}/delete"`), 'a held session offers no delete');
    assert.ok(shown.text.includes(`action="/admin/sessions/${ahead.id}/delete"`));
    const refused = await postForm(admin, `/admin/sessions/${held.id}/delete`, {}, page);
    assert.equal(refused.status, 409);
    assert.match(refused.text, /برگزار شده است/);
    assert.ok(await CourseSession.findByPk(held.id));
    const cancelled = await postForm(admin, `/admin/sessions/${ahead.id}/delete`, { reason: 'مدرس بیمار است' }, page);
    assert.equal(cancelled.status, 303);
    assert.equal(await CourseSession.findByPk(ahead.id), null);
    const event = await AuditEvent.findOne({ where: { action: 'session.delete', entityId: ahead.id } });
    assert.equal(JSON.parse(event!.details!).reason, 'مدرس بیمار است');
    const notice = await Notification.findOne({ where: { userId: liaison.id }, order: [['id', 'DESC']] });
    assert.match(notice!.message, /لغو شد.*مدرس بیمار است/);
    // with nothing ahead the course can finish; its sessions then offer neither edit nor delete
    assert.equal((await postForm(admin, `/admin/courses/${course.id}/status`, { status: 'finished' }, page)).status, 303);
    const finished = await admin.get(page);
    assert.ok(!finished.text.includes(`href="/admin/sessions/${held.id}"`));
    assert.ok(!finished.text.includes(`/admin/sessions/${held.id}/delete`));
    assert.ok(finished.text.includes(`/admin/sessions/${held.id}/attendance`));
  });
});

describe('one enrollment state', () => {
  it('a course whose window has passed leaves the catalogue, says so on its page and the dashboard, and takes no enrollment', async () => {
    const course = await createCourse({
      title: 'دورهٔ مهلت‌گذشته',
      status: 'open',
      enrollOpens: addDaysIso(today, -6),
      enrollCloses: addDaysIso(today, -3),
    });
    await createSession(course, { date: addDaysIso(today, 3) });
    const list = await request(t.app).get('/courses');
    assert.ok(!list.text.includes('دورهٔ مهلت‌گذشته'));
    const liaison = await createLiaison({ username: 'latecomer' });
    const agent = await loginAs(t.app, liaison.username);
    const page = await agent.get(`/courses/${course.id}`);
    assert.match(page.text, /مهلت ثبت‌نام گذشته/);
    assert.ok(!page.text.includes(`action="/courses/${course.id}/enroll"`));
    const refused = await postForm(agent, `/courses/${course.id}/enroll`, {}, `/courses/${course.id}`);
    assert.equal(refused.status, 409);
    assert.equal(await Enrollment.count({ where: { courseId: course.id } }), 0);
    const dashboard = await admin.get('/admin');
    const row = dashboard.text.slice(dashboard.text.indexOf('دورهٔ مهلت‌گذشته'));
    assert.match(row.slice(0, 600), /مهلت ثبت‌نام گذشته/);
  });

  it('refuses to open enrollment for a window that has wholly passed, with a message', async () => {
    const course = await createCourse({ status: 'draft', enrollOpens: addDaysIso(today, -6), enrollCloses: addDaysIso(today, -1) });
    await createSession(course, { date: addDaysIso(today, 3) });
    const res = await postForm(admin, `/admin/courses/${course.id}/status`, { status: 'open' }, `/admin/courses/${course.id}`);
    assert.equal(res.status, 409);
    assert.match(res.text, /گذشته است/);
    assert.equal((await Course.findByPk(course.id))?.status, 'draft');
  });

  it('counts the same free seats (approved and pending hold one) on the catalogue, the admin lists and the course page', async () => {
    const course = await createCourse({ title: 'دورهٔ شمارش جا', capacity: 3, approval: 'manual' });
    await createSession(course, { date: addDaysIso(today, 9) });
    await enroll(course, 'approved');
    await enroll(course, 'pending');
    await enroll(course, 'waitlisted', 1);
    const catalogue = await request(t.app).get(`/courses?q=${encodeURIComponent('شمارش جا')}`);
    assert.match(catalogue.text, /۱ جای خالی از ۳/);
    const shown = await request(t.app).get(`/courses/${course.id}`);
    assert.match(shown.text, /۱ جای خالی/);
    const adminList = await admin.get(`/admin/courses?q=${encodeURIComponent('شمارش جا')}`);
    assert.match(adminList.text, /۲ از ۳ · ۱ جای خالی/);
    const enrollments = await admin.get(`/admin/courses/${course.id}/enrollments`);
    assert.match(enrollments.text, /جای خالی: ۱/);
  });
});

describe('public catalogue', () => {
  it('lists only open courses, with Jalali dates and the seats left', async () => {
    const open = await createCourse({ title: 'دورهٔ باز فهرست', capacity: 3, status: 'open' });
    await createSession(open, { date: isoFromJalali(1405, 9, 20) });
    await createSession(open, { date: isoFromJalali(1405, 9, 27) });
    await enroll(open, 'approved');
    await enroll(open, 'cancelled');
    for (const status of ['draft', 'running', 'finished', 'cancelled'] as const)
      await createCourse({ title: `دورهٔ ${status} پنهان`, status });
    const res = await request(t.app).get('/courses');
    assert.equal(res.status, 200);
    assert.match(res.text, /دورهٔ باز فهرست/);
    for (const status of ['draft', 'running', 'finished', 'cancelled']) assert.ok(!res.text.includes(`دورهٔ ${status} پنهان`), status);
    const card = res.text.slice(res.text.indexOf('دورهٔ باز فهرست'));
    assert.match(card.slice(0, 1500), /۱۴۰۵\/۰۹\/۲۰ تا ۱۴۰۵\/۰۹\/۲۷/);
    assert.match(card.slice(0, 1500), /۲ جای خالی از ۳/);
    const searched = await request(t.app).get(`/courses?q=${encodeURIComponent('فهرست')}`);
    assert.match(searched.text, /دورهٔ باز فهرست/);
    const missed = await request(t.app).get(`/courses?q=${encodeURIComponent('ناموجود')}`);
    assert.ok(!missed.text.includes('دورهٔ باز فهرست'));
    // A page past the end lists nothing; its total is counted on its own (no row carries it).
    const past = await request(t.app).get('/courses?page=5');
    assert.equal(past.status, 200);
    assert.ok(!past.text.includes('دورهٔ باز فهرست'));
  });

  it('shows a full course as waitlist-only and the admin list filters by status, year and category', async () => {
    const full = await createCourse({ title: 'دورهٔ پر', capacity: 1, status: 'open', category: 'عکاسی خبری' });
    await createSession(full, { date: isoFromJalali(1406, 2, 1) });
    await enroll(full, 'approved');
    const res = await request(t.app).get(`/courses?category=${encodeURIComponent('عکاسی خبری')}`);
    assert.match(res.text, /دورهٔ پر/);
    assert.match(res.text, /ظرفیت تکمیل/);
    assert.ok(!res.text.includes('دورهٔ باز فهرست'));
    const byYear = await admin.get('/admin/courses?year=۱۴۰۶');
    assert.match(byYear.text, /دورهٔ پر/);
    assert.ok(!byYear.text.includes('دورهٔ باز فهرست'));
    const byStatus = await admin.get('/admin/courses?status=cancelled');
    assert.match(byStatus.text, /دورهٔ cancelled پنهان/);
    assert.ok(!byStatus.text.includes('دورهٔ پر'));
    const byCategory = await admin.get(`/admin/courses?category=${encodeURIComponent('عکاسی خبری')}&q=${encodeURIComponent('پر')}`);
    assert.match(byCategory.text, /دورهٔ پر/);
  });

  it('pages long lists', async () => {
    for (let i = 0; i < 21; i++) await createCourse({ title: `دورهٔ صفحه ${i}`, category: 'صفحه‌بندی', status: 'draft' });
    const first = await admin.get(`/admin/courses?category=${encodeURIComponent('صفحه‌بندی')}`);
    assert.equal((first.text.match(/دورهٔ صفحه/g) ?? []).length, 20);
    assert.match(first.text, /page=2/);
    const second = await admin.get(`/admin/courses?category=${encodeURIComponent('صفحه‌بندی')}&page=2`);
    assert.equal((second.text.match(/دورهٔ صفحه/g) ?? []).length, 1);
  });

  it('shows a course page: a login link to visitors, the enroll form or own status to liaisons; drafts stay hidden', async () => {
    const course = await createCourse({ title: 'دورهٔ صفحهٔ عمومی', capacity: 1, status: 'open' });
    await createSession(course, { date: addDaysIso(today, 10), topic: 'جلسهٔ نخست' });
    const anonymous = await request(t.app).get(`/courses/${course.id}`);
    assert.equal(anonymous.status, 200);
    assert.match(anonymous.text, /جلسهٔ نخست/);
    assert.ok(anonymous.text.includes(`/login?next=/courses/${course.id}`));
    assert.ok(!anonymous.text.includes('/enroll"'));
    await createLiaison({ username: 'newcomer' });
    const newcomer = await loginAs(t.app, 'newcomer');
    const fresh = await newcomer.get(`/courses/${course.id}`);
    assert.match(fresh.text, new RegExp(`<form method="post" action="/courses/${course.id}/enroll">\\s*<input type="hidden" name="_csrf"`));
    const { liaison } = await enroll(course, 'approved');
    const { liaison: waiting } = await enroll(course, 'waitlisted', 1);
    for (const [user, expected] of [
      [liaison, /تأییدشده/],
      [waiting, /در فهرست انتظار · نفر ۱/],
    ] as const) {
      const agent = await loginAs(t.app, user.username);
      const page = await agent.get(`/courses/${course.id}`);
      assert.match(page.text, expected);
      assert.ok(!page.text.includes(`action="/courses/${course.id}/enroll"`));
      const list = await agent.get('/courses');
      assert.match(list.text, expected);
    }
    const later = await createCourse({ status: 'open', enrollOpens: addDaysIso(today, 3), enrollCloses: addDaysIso(today, 5) });
    const notYet = await newcomer.get(`/courses/${later.id}`);
    assert.match(notYet.text, /ثبت‌نام از .* آغاز می‌شود/);
    assert.ok(!notYet.text.includes(`action="/courses/${later.id}/enroll"`));
    const draft = await createCourse({ status: 'draft' });
    assert.equal((await request(t.app).get(`/courses/${draft.id}`)).status, 404);
    assert.equal((await request(t.app).get('/courses/abc')).status, 404);
  });
});
