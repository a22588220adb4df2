import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { Server } from 'node:http';
import ExcelJS from 'exceljs';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createLiaisons, createSession, countyBySlug } from '../helpers/factories';
import { assertRaceOutcome } from '../helpers/race';
import { csrfFrom, loginAs, postForm, type Agent, binary } from '../helpers/http';
import { AuditEvent, Course, CourseQuota, Enrollment, Notification, OutboxMessage, User } from '../../src/models';
import type { Course as CourseModel } from '../../src/models/course';
import { fillFreedSeats } from '../../src/features/enrollments/service';
import { inEnrollmentTransaction, isGuardRefusal } from '../../src/features/enrollments/rules';
import { emailChannel } from '../../src/services/mailer';
import { Outbox } from '../../src/services/outbox';
import { createApp } from '../../src/app';
import { addDaysIso, todayIso } from '../../src/lib/jalali';

let t: TestApp;
let admin: Agent;
before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'enrolladmin' });
  admin = await loginAs(t.app, 'enrolladmin');
});
after(async () => t.close());

/** A liaison logged in, with the CSRF token of their /me page. */
async function liaison(overrides: Parameters<typeof createLiaison>[0] = {}, app = t.app) {
  const user = await createLiaison(overrides);
  const agent = await loginAs(app, user.username);
  const token = csrfFrom((await agent.get('/me')).text);
  return { user, agent, token };
}

type Liaison = Awaited<ReturnType<typeof liaison>>;

const enroll = (l: Liaison, course: CourseModel) => l.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: l.token });

async function openCourse(overrides: Parameters<typeof createCourse>[0] = {}) {
  const course = await createCourse(overrides);
  await createSession(course, { date: addDaysIso(todayIso(), 4) });
  return course;
}

async function rowOf(l: Liaison, course: CourseModel) {
  return Enrollment.findOne({ where: { courseId: course.id, userId: l.user.id } });
}

/** The ids of the cancel forms on a liaison's /me, the way outside scripts find them. */
async function cancelFormIds(l: Liaison): Promise<number[]> {
  const html = (await l.agent.get('/me')).text;
  return [...html.matchAll(/action="\/enrollments\/(\d+)\/cancel"/g)].map((m) => Number(m[1]));
}

const cancel = (l: Liaison, id: number) => l.agent.post(`/enrollments/${id}/cancel`).type('form').send({ _csrf: l.token });

describe('a liaison enrolls', () => {
  it('is approved at once while seats remain, sees it on /me, and is told so', async () => {
    const course = await openCourse({ capacity: 2, title: 'خبرنویسی مقدماتی' });
    const a = await liaison();
    const res = await enroll(a, course);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/courses/${course.id}`);
    const row = await rowOf(a, course);
    assert.equal(row?.status, 'approved');
    const me = (await a.agent.get('/me')).text;
    assert.match(me, /ثبت‌نام شما در دورهٔ «خبرنویسی مقدماتی» تأیید شد/); // the flash, then the notification
    assert.match(me, /تأییدشده/);
    assert.deepEqual(await cancelFormIds(a), [row!.id]);
    assert.equal(await Notification.count({ where: { userId: a.user.id } }), 1);
    assert.equal(await AuditEvent.count({ where: { action: 'enrollment.enroll', entityId: row!.id } }), 1);
  });

  it('refuses a second enrollment with a Persian 409 and stores nothing', async () => {
    const course = await openCourse();
    const a = await liaison();
    assert.equal((await enroll(a, course)).status, 303);
    const again = await enroll(a, course);
    assert.equal(again.status, 409);
    assert.match(again.text, /پیش‌تر در این دوره ثبت‌نام کرده‌اید/);
    assert.equal(await Enrollment.count({ where: { courseId: course.id } }), 1);
  });

  it('is waitlisted in a full course and sees the position in Persian digits', async () => {
    const course = await openCourse({ capacity: 1 });
    const [a, b, c] = [await liaison(), await liaison(), await liaison()];
    await enroll(a, course);
    assert.equal((await enroll(b, course)).status, 303);
    assert.equal((await enroll(c, course)).status, 303);
    assert.equal((await rowOf(b, course))?.waitlistPosition, 1);
    assert.equal((await rowOf(c, course))?.waitlistPosition, 2);
    const me = (await c.agent.get('/me')).text;
    assert.match(me, /فهرست انتظار هستید، نوبت ۲/);
    assert.match(me, /در فهرست انتظار \(نوبت ۲\)/);
  });

  it('refuses closed, cancelled, draft, started and not-yet-open courses, and non-liaisons; nothing stored', async () => {
    const today = todayIso();
    const a = await liaison();
    const cases: [Parameters<typeof createCourse>[0], RegExp][] = [
      [{ enrollOpens: addDaysIso(today, -10), enrollCloses: addDaysIso(today, -1) }, /مهلت ثبت‌نام این دوره به پایان رسیده/],
      [{ enrollOpens: addDaysIso(today, 1), enrollCloses: addDaysIso(today, 3) }, /ثبت‌نام این دوره باز نیست/],
      [{ status: 'cancelled' }, /لغو شده/],
      [{ status: 'draft' }, /ثبت‌نام این دوره باز نیست/],
      [{ status: 'running' }, /آغاز شده/],
    ];
    for (const [overrides, message] of cases) {
      const course = await openCourse(overrides);
      const res = await enroll(a, course);
      assert.equal(res.status, 409, JSON.stringify(overrides));
      assert.match(res.text, message);
      assert.equal(await Enrollment.count({ where: { courseId: course.id } }), 0);
    }
    const started = await createCourse();
    await createSession(started, { date: addDaysIso(today, -1) });
    const res = await enroll(a, started);
    assert.equal(res.status, 409);
    assert.match(res.text, /آغاز شده/);

    const course = await openCourse();
    const adminPage = csrfFrom((await admin.get('/admin')).text);
    const byAdmin = await admin.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: adminPage });
    assert.equal(byAdmin.status, 403);
    assert.equal(await Enrollment.count({ where: { courseId: course.id } }), 0);
  });

  it('refuses a disabled account', async () => {
    const course = await openCourse();
    const a = await liaison();
    await User.update({ status: 'disabled' }, { where: { id: a.user.id } });
    const res = await enroll(a, course);
    assert.ok(res.status === 403 || (res.status === 303 && res.headers.location.startsWith('/login')), String(res.status));
    assert.equal(await Enrollment.count({ where: { courseId: course.id } }), 0);
  });

  it('needs an admin approval in a manual course; capacity still holds at approval', async () => {
    const course = await openCourse({ capacity: 1, approval: 'manual' });
    const [a, b] = [await liaison(), await liaison()];
    await enroll(a, course);
    const rowA = await rowOf(a, course);
    assert.equal(rowA?.status, 'pending');
    assert.match((await a.agent.get('/me')).text, /در انتظار تأیید/);
    await enroll(b, course);
    const rowB = await rowOf(b, course);
    assert.equal(rowB?.status, 'waitlisted', 'a pending request holds the seat');
    let res = await postForm(admin, `/admin/enrollments/${rowA!.id}/approve`, {}, `/admin/courses/${course.id}/enrollments`);
    assert.equal(res.status, 303);
    assert.equal((await rowOf(a, course))?.status, 'approved');
    res = await postForm(admin, `/admin/enrollments/${rowB!.id}/approve`, {}, `/admin/courses/${course.id}/enrollments`);
    assert.equal(res.status, 409);
    assert.match(res.text, /ظرفیت دوره/);
    assert.equal((await rowOf(b, course))?.status, 'waitlisted');
  });
});

describe('cancelling and the waitlist', () => {
  it('promotes the first waitlisted in the same transaction and closes up the waitlist', async () => {
    const course = await openCourse({ capacity: 2 });
    const people = [];
    for (let i = 0; i < 5; i++) people.push(await liaison());
    for (const p of people) await enroll(p, course);
    const [a, , c, d, e] = people;
    const [idA] = await cancelFormIds(a);
    assert.equal((await cancel(a, idA)).status, 303);
    assert.equal((await rowOf(a, course))?.status, 'cancelled');
    assert.equal((await rowOf(c, course))?.status, 'approved');
    assert.equal((await rowOf(d, course))?.waitlistPosition, 1);
    assert.equal((await rowOf(e, course))?.waitlistPosition, 2);
    assert.match((await c.agent.get('/me')).text, /ثبت‌نام شما از فهرست انتظار تأیید شد/);
    // leaving the waitlist closes it up too
    const [idD] = await cancelFormIds(d);
    await cancel(d, idD);
    assert.equal((await rowOf(e, course))?.waitlistPosition, 1);
    assert.equal(await Enrollment.count({ where: { courseId: course.id, status: 'approved' } }), 2);
    assert.equal((await AuditEvent.count({ where: { action: 'enrollment.promote' } })) >= 1, true);
  });

  it('lets only the owner (before the start) or an admin cancel', async () => {
    const course = await openCourse();
    const [a, b] = [await liaison(), await liaison()];
    await enroll(a, course);
    const row = await rowOf(a, course);
    const res = await cancel(b, row!.id);
    assert.equal(res.status, 403);
    assert.equal((await rowOf(a, course))?.status, 'approved');
    await Course.update({ status: 'running' }, { where: { id: course.id } });
    assert.deepEqual(await cancelFormIds(a), [], 'no cancel form once the course started');
    const late = await cancel(a, row!.id);
    assert.equal(late.status, 409);
    assert.match(late.text, /آغاز شده/);
    const byAdmin = await postForm(admin, `/enrollments/${row!.id}/cancel`, { reason: 'درخواست تلفنی' }, '/admin');
    assert.equal(byAdmin.status, 303);
    assert.equal(byAdmin.headers.location, `/admin/courses/${course.id}/enrollments`);
    assert.equal((await rowOf(a, course))?.status, 'cancelled');
    assert.match((await a.agent.get('/me')).text, /به دست مدیر سامانه لغو شد. دلیل: درخواست تلفنی/);
  });

  it('lets a liaison who cancelled enroll again, at the end of the line', async () => {
    const course = await openCourse({ capacity: 1 });
    const [a, b, c] = [await liaison(), await liaison(), await liaison()];
    await enroll(a, course);
    await enroll(b, course);
    const idB = (await rowOf(b, course))!.id;
    await cancel(b, idB);
    await enroll(c, course);
    assert.equal((await enroll(b, course)).status, 303);
    const again = await rowOf(b, course);
    assert.equal(again?.id, idB, 'one row per liaison and course');
    assert.equal(again?.status, 'waitlisted');
    assert.equal(again?.waitlistPosition, 2);
  });

  it('respects the county quota when enrolling and when promoting', async () => {
    const course = await openCourse({ capacity: 3 });
    const kerman = await countyBySlug('kerman');
    await CourseQuota.create({ courseId: course.id, countyId: kerman.id, quota: 1 });
    const k1 = await liaison({ countySlug: 'kerman' });
    const k2 = await liaison({ countySlug: 'kerman' });
    const b1 = await liaison({ countySlug: 'bam' });
    const b2 = await liaison({ countySlug: 'bam' });
    const b3 = await liaison({ countySlug: 'bam' });
    for (const p of [k1, k2, b1, b2, b3]) await enroll(p, course);
    assert.equal((await rowOf(k1, course))?.status, 'approved');
    assert.equal((await rowOf(k2, course))?.status, 'waitlisted', 'Kerman is over its quota');
    assert.equal((await rowOf(b1, course))?.status, 'approved');
    assert.equal((await rowOf(b2, course))?.status, 'approved');
    assert.equal((await rowOf(b3, course))?.status, 'waitlisted');
    // a Bam seat frees: the first waitlisted (from Kerman, over quota) is skipped for the next one
    await cancel(b1, (await rowOf(b1, course))!.id);
    assert.equal((await rowOf(k2, course))?.status, 'waitlisted');
    assert.equal((await rowOf(k2, course))?.waitlistPosition, 1);
    assert.equal((await rowOf(b3, course))?.status, 'approved');
    // the Kerman seat frees: Kerman's waitlisted gets it
    await cancel(k1, (await rowOf(k1, course))!.id);
    assert.equal((await rowOf(k2, course))?.status, 'approved');
  });

  it('fills seats that a raised capacity freed (the course editor calls fillFreedSeats)', async () => {
    const course = await openCourse({ capacity: 1 });
    const people = [await liaison(), await liaison(), await liaison()];
    for (const p of people) await enroll(p, course);
    await t.services.sequelize.transaction(async (transaction) => {
      await Course.update({ capacity: 2 }, { where: { id: course.id }, transaction });
      await fillFreedSeats(t.services.sequelize, t.services.outbox, course.id, { id: null }, transaction);
    });
    assert.equal((await rowOf(people[1], course))?.status, 'approved');
    assert.equal((await rowOf(people[2], course))?.waitlistPosition, 1);
    // The promoted liaison is told, at their own mobile; the one still waiting is not.
    const promoted = people[1].user;
    const news = await Notification.findAll({ where: { userId: promoted.id }, order: [['id', 'ASC']] });
    assert.match(news.at(-1)!.message, /جایی در دورهٔ .* خالی شد/);
    const sms = await OutboxMessage.findAll({ where: { channel: 'sms', to: promoted.mobile! } });
    assert.ok(
      sms.some((m) => /جایی در/.test(m.body)),
      'an SMS of the seat won, to the promoted liaison',
    );
    assert.equal(await Notification.count({ where: { userId: people[2].user.id, message: news.at(-1)!.message } }), 0);
  });

  it('keeps the capacity in the database itself, whatever code writes', async () => {
    const course = await openCourse({ capacity: 1 });
    const [a, b] = [await createLiaison(), await createLiaison()];
    await Enrollment.create({
      courseId: course.id,
      userId: a.id,
      countyId: a.countyId,
      status: 'approved',
      waitlistPosition: null,
      mark: null,
      changedBy: null,
      reason: null,
    });
    await assert.rejects(
      Enrollment.create({
        courseId: course.id,
        userId: b.id,
        countyId: b.countyId,
        status: 'approved',
        waitlistPosition: null,
        mark: null,
        changedBy: null,
        reason: null,
      }),
      isGuardRefusal,
    );
    const w = await Enrollment.create({
      courseId: course.id,
      userId: b.id,
      countyId: b.countyId,
      status: 'waitlisted',
      waitlistPosition: 1,
      mark: null,
      changedBy: null,
      reason: null,
    });
    await assert.rejects(w.update({ status: 'approved' }), isGuardRefusal);
    await assert.rejects(Course.update({ capacity: 0 }, { where: { id: course.id } }), isGuardRefusal);
    const bam = await countyBySlug('bam');
    await assert.rejects(CourseQuota.create({ courseId: course.id, countyId: a.countyId!, quota: 0 }), isGuardRefusal);
    const quota = await CourseQuota.create({ courseId: course.id, countyId: bam.id, quota: 0 });
    await assert.rejects(quota.update({ countyId: a.countyId! }), isGuardRefusal);
    await Course.update({ capacity: 3 }, { where: { id: course.id } });
    await Course.update({ capacity: 1 }, { where: { id: course.id } });
    await assert.rejects(
      Enrollment.create({
        courseId: course.id,
        userId: a.id,
        countyId: a.countyId,
        status: 'waitlisted',
        waitlistPosition: 2,
        mark: null,
        changedBy: null,
        reason: null,
      }),
      (err: Error) => err.name === 'SequelizeUniqueConstraintError',
    );
  });
});

describe('the enrollment transaction', () => {
  it('retries the whole transaction when the database gave up on it, and turns a duplicate into a 409', async () => {
    let attempts = 0;
    const result = await inEnrollmentTransaction(t.services.sequelize, async () => {
      attempts += 1;
      if (attempts < 3) throw Object.assign(new Error('SQLITE_BUSY: database is locked'), { parent: { code: 'SQLITE_BUSY' } });
      return 'done';
    });
    assert.equal(result, 'done');
    assert.equal(attempts, 3);
    attempts = 0;
    await assert.rejects(
      inEnrollmentTransaction(t.services.sequelize, async () => {
        attempts += 1;
        throw Object.assign(new Error('could not serialize access due to concurrent update'), { parent: { code: '40001' } });
      }),
      /could not serialize/,
    );
    assert.ok(attempts > 1 && attempts < 10, `gave up after ${attempts} attempts`);

    const course = await openCourse();
    const user = await createLiaison();
    const row = {
      courseId: course.id,
      userId: user.id,
      countyId: user.countyId,
      status: 'waitlisted' as const,
      waitlistPosition: 1,
      mark: null,
      changedBy: null,
      reason: null,
    };
    await Enrollment.create(row);
    await assert.rejects(
      inEnrollmentTransaction(t.services.sequelize, (transaction) => Enrollment.create(row, { transaction })),
      (err: Error & { status?: number }) => err.status === 409 && /پیش‌تر در این دوره ثبت‌نام کرده‌اید/.test(err.message),
    );
  });
});

describe('the admin manages a course’s enrollments', () => {
  it('lists by status with county, searches, rejects with a reason, moves on the waitlist, enrolls by hand — all audited', async () => {
    const course = await openCourse({ capacity: 1, title: 'عکاسی خبری' });
    const a = await liaison({ fullName: 'مریم سلیمانی‌نژاد', countySlug: 'bam' });
    const b = await liaison({ fullName: 'رضا کاظمی' });
    const c = await liaison({ fullName: 'زهرا احمدی' });
    for (const p of [a, b, c]) await enroll(p, course);
    const page = `/admin/courses/${course.id}/enrollments`;
    let res = await admin.get(page);
    assert.equal(res.status, 200);
    assert.match(res.text, /مریم سلیمانی‌نژاد/);
    assert.match(res.text, /بم/);
    assert.match(res.text, /فهرست انتظار/);
    res = await admin.get(`${page}?q=${encodeURIComponent('سليمانی نژاد')}`);
    assert.match(res.text, /مریم سلیمانی‌نژاد/);
    assert.doesNotMatch(res.text, /رضا کاظمی/);

    const rowA = (await rowOf(a, course))!;
    res = await postForm(admin, `/admin/enrollments/${rowA.id}/reject`, { reason: '' }, page);
    assert.equal(res.status, 400);
    assert.match(res.text, /دلیل را وارد کنید/);
    assert.equal((await rowOf(a, course))?.status, 'approved');
    res = await postForm(admin, `/admin/enrollments/${rowA.id}/reject`, { reason: 'مدارک ناقص' }, page);
    assert.equal(res.status, 303);
    assert.equal((await rowOf(a, course))?.status, 'rejected');
    assert.equal((await rowOf(b, course))?.status, 'approved', 'the freed seat went to the first waitlisted');
    assert.match((await a.agent.get('/me')).text, /رد شد. دلیل: مدارک ناقص/);
    const audit = await AuditEvent.findOne({ where: { action: 'enrollment.reject', entityId: rowA.id } });
    assert.ok(audit && JSON.parse(audit.details!).reason === 'مدارک ناقص');

    const d = await liaison({ username: 'handpicked' });
    res = await postForm(admin, page, { username: 'HANDPICKED' }, page);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, page);
    assert.equal((await rowOf(d, course))?.waitlistPosition, 2);
    res = await postForm(admin, page, { username: 'handpicked' }, page);
    assert.equal(res.status, 409);
    res = await postForm(admin, page, { username: 'nobody-here' }, page);
    assert.equal(res.status, 409);

    const rowD = (await rowOf(d, course))!;
    res = await postForm(admin, `/admin/enrollments/${rowD.id}/move`, { direction: 'up' }, page);
    assert.equal(res.status, 400, 'a move needs a reason');
    res = await postForm(admin, `/admin/enrollments/${rowD.id}/move`, { direction: 'up', reason: 'اولویت استانی' }, page);
    assert.equal(res.status, 303);
    assert.equal((await rowOf(d, course))?.waitlistPosition, 1);
    assert.equal((await rowOf(c, course))?.waitlistPosition, 2);
    res = await postForm(admin, `/admin/enrollments/${rowD.id}/move`, { direction: 'up', reason: 'دوباره' }, page);
    assert.equal(res.status, 409);
    const move = await AuditEvent.findOne({ where: { action: 'enrollment.move', entityId: rowD.id } });
    assert.ok(move && JSON.parse(move.details!).reason === 'اولویت استانی' && move.actorId !== null);

    const liaisonTries = await b.agent.get(page);
    assert.equal(liaisonTries.status, 403);
  });

  it('shows a long list 50 rows a page, numbered across pages, the search kept in the page links, counts in full', async () => {
    const course = await openCourse({ capacity: 60, code: 'PAG-1' });
    const people = [];
    for (let i = 0; i < 65; i++) people.push(await createLiaison({ fullName: `رابط صفحه ${i + 1}` }));
    for (const [i, user] of people.entries()) {
      const waitlisted = i >= 60;
      await Enrollment.create({
        courseId: course.id,
        userId: user.id,
        countyId: user.countyId,
        status: waitlisted ? 'waitlisted' : 'approved',
        waitlistPosition: waitlisted ? i - 59 : null,
        mark: null,
        changedBy: null,
        reason: null,
      });
    }
    const page = `/admin/courses/${course.id}/enrollments`;
    const rows = (html: string) => (html.match(/<tr id="enrollment-\d+">/g) ?? []).length;
    const first = await admin.get(page);
    assert.equal(rows(first.text), 50);
    assert.match(first.text, /تأییدشده: ۶۰/);
    assert.match(first.text, /فهرست انتظار: ۵/);
    assert.ok(first.text.includes(`href="${page}?page=2" rel="next"`));
    const second = await admin.get(`${page}?page=2`);
    assert.equal(rows(second.text), 15);
    assert.match(second.text, /<td>۵۱<\/td>/, 'numbering goes on from the first page');
    assert.match(second.text, /رابط صفحه 65</);
    assert.ok(second.text.includes(`href="${page}" rel="prev"`));
    const searched = await admin.get(`${page}?q=${encodeURIComponent('رابط صفحه')}`);
    assert.ok(
      searched.text.includes(`href="${page}?q=${encodeURIComponent('رابط صفحه').replace(/%20/g, '+')}&amp;page=2"`),
      'the search stays in the link',
    );
    const beyond = await admin.get(`${page}?page=9`);
    assert.equal(rows(beyond.text), 15, 'a page past the end shows the last one');
    const csv = await admin.get(`${page}?format=csv&page=2`);
    assert.equal(csv.text.split('\n').filter((l) => l.includes('رابط صفحه')).length, 65, 'exports hold every row');
  });

  it('exports the list as CSV (UTF-8 BOM, Persian) and as a right-to-left XLSX sheet', async () => {
    const course = await openCourse({ capacity: 5, code: 'EXP-1' });
    const a = await liaison({ fullName: 'نرگس رحیمی' });
    await enroll(a, course);
    const page = `/admin/courses/${course.id}/enrollments`;
    const csv = await admin.get(`${page}?format=csv`).buffer(true).parse(binary);
    assert.equal(csv.status, 200);
    const body = csv.body as Buffer;
    assert.deepEqual([...body.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = body.toString('utf8');
    assert.match(text, /نام و نام خانوادگی/);
    assert.match(text, /نرگس رحیمی/);
    assert.match(text, /تأییدشده/);
    // One digit policy for every export (src/lib/export.ts): ASCII digits, so spreadsheets read dates and numbers.
    assert.match(text, /\d{4}\/\d{2}\/\d{2}/);
    assert.doesNotMatch(text, /[۰-۹]/);
    const xlsx = await admin.get(`${page}?format=xlsx`).buffer(true).parse(binary);
    assert.equal(xlsx.status, 200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    assert.equal(sheet.views[0].rightToLeft, true);
    assert.equal(sheet.getRow(3).getCell(2).value, 'نرگس رحیمی');
  });
});

/** A minimal SMTP server that accepts every message; resolves each one's DATA. */
function fakeSmtp(): Promise<{ port: number; messages: string[]; close(): void }> {
  const messages: string[] = [];
  const server = net.createServer((socket) => {
    let data: string | null = null;
    let buffer = '';
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let line = buffer.indexOf('\r\n'); line >= 0; line = buffer.indexOf('\r\n')) {
        const text = buffer.slice(0, line);
        buffer = buffer.slice(line + 2);
        if (data !== null) {
          if (text === '.') {
            messages.push(data);
            data = null;
            socket.write('250 queued\r\n');
          } else data += `${text}\n`;
        } else if (/^(EHLO|HELO)/i.test(text)) socket.write('250 fake\r\n');
        else if (/^DATA/i.test(text)) {
          data = '';
          socket.write('354 go on\r\n');
        } else if (/^QUIT/i.test(text)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      resolve({ port, messages, close: () => server.close() });
    });
  });
}

describe('notifications and email', () => {
  it('queues an email in the outbox when no SMTP is configured, and shows it to admins', async () => {
    const course = await openCourse({ title: 'سخنرانی' });
    const a = await liaison();
    await User.update({ email: 'liaison@example.ir' }, { where: { id: a.user.id } });
    await enroll(a, course);
    const email = await OutboxMessage.findOne({ where: { to: 'liaison@example.ir' } });
    assert.equal(email?.status, 'queued');
    assert.match(email!.body, /«سخنرانی» تأیید شد/);
    assert.match(email!.body, /http:\/\/rabet\.test\/me/);
    const outbox = await admin.get('/admin/outbox');
    assert.equal(outbox.status, 200);
    assert.match(outbox.text, /liaison@example\.ir/);
    assert.equal((await a.agent.get('/admin/outbox')).status, 403);
    const resend = await postForm(admin, '/admin/outbox/resend', {}, '/admin/outbox');
    assert.equal(resend.status, 303);
    assert.match((await admin.get('/admin/outbox')).text, /نه SMTP پیکربندی شده است/);
    assert.equal((await OutboxMessage.findByPk(email!.id))?.status, 'queued');
  });

  it('sends over SMTP after the commit; a failing mail server never breaks the request', async () => {
    const smtp = await fakeSmtp();
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const deadPort = (closed.address() as net.AddressInfo).port;
    closed.close();
    const withSmtp = async (port: number, email: string) => {
      const outbox = new Outbox(
        t.services.sequelize,
        { email: emailChannel({ smtpUrl: `smtp://127.0.0.1:${port}`, mailFrom: 'rabet@example.ir' }) },
        t.config.baseUrl,
      );
      const app = createApp({ ...t.services, outbox });
      const course = await openCourse({ title: 'روابط عمومی الکترونیک' });
      const a = await liaison({}, app);
      await User.update({ email }, { where: { id: a.user.id } });
      const res = await enroll(a, course);
      assert.equal(res.status, 303);
      assert.equal((await rowOf(a, course))?.status, 'approved');
      await outbox.drain();
      return OutboxMessage.findOne({ where: { to: email } });
    };
    try {
      const sent = await withSmtp(smtp.port, 'sent@example.ir');
      assert.equal(sent?.status, 'sent');
      assert.ok(sent?.sentAt);
      assert.equal(sent?.attempts, 1);
      assert.match(sent?.providerAnswer ?? '', /250/);
      // once, though the drain also sent what earlier tests had left waiting
      assert.equal(smtp.messages.filter((m) => m.includes('sent@example.ir')).length, 1);
      const failed = await withSmtp(deadPort, 'lost@example.ir');
      // a failed attempt leaves the email queued, with its error and the time of the next attempt
      assert.equal(failed?.status, 'queued');
      assert.equal(failed?.attempts, 1);
      assert.ok(failed?.error);
      assert.ok(failed?.nextAttemptAt && failed.nextAttemptAt.getTime() - Date.now() <= 30_000);
      assert.equal(failed?.claimedBy, null);
      // the mail server is back: the next attempt, once due, sends what waited
      const back = new Outbox(
        t.services.sequelize,
        { email: emailChannel({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, mailFrom: 'x@example.ir' }) },
        '',
      );
      await back.drain();
      assert.equal((await OutboxMessage.findByPk(failed!.id))?.attempts, 1, 'not tried again before its time');
      assert.ok((await back.drain(new Date(Date.now() + 31_000))) >= 1);
      await failed!.reload();
      assert.equal(failed!.status, 'sent');
      assert.equal(failed!.attempts, 2);
      assert.ok(smtp.messages.some((m) => m.includes('lost@example.ir')));
    } finally {
      smtp.close();
    }
  });
});

describe('under concurrency', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = t.app.listen(0);
    base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  /** Many liaisons logged in over the listening server, a few logins at a time. */
  async function liaisonsOverHttp(n: number, prefix: string) {
    const users = await createLiaisons(n, prefix);
    const people: Liaison[] = [];
    for (let i = 0; i < n; i += 10) {
      const batch = users.slice(i, i + 10);
      people.push(
        ...(await Promise.all(
          batch.map(async (user) => {
            const agent = await loginAs(base as unknown as Parameters<typeof loginAs>[0], user.username);
            return { user, agent, token: csrfFrom((await agent.get('/me')).text) };
          }),
        )),
      );
    }
    return people;
  }

  it('200 liaisons at once in 20 seats: exactly 20 approved, 180 waitlisted 1–180, each told the truth', async () => {
    const started = Date.now();
    const course = await openCourse({ capacity: 20 });
    const people = await liaisonsOverHttp(200, 'racer');
    const raceStarted = Date.now();
    const responses = await Promise.all(people.map((p) => enroll(p, course)));
    const raceMs = Date.now() - raceStarted;
    await assertRaceOutcome(
      course.id,
      20,
      people,
      responses.map((r) => r.status),
    );
    console.log(`# 200 liaisons: ${raceMs} ms for the enrollments, ${Date.now() - started} ms in all`);
  });

  it('one liaison enrolling 50 times at once: one row, one success, the rest 409', async () => {
    const course = await openCourse({ capacity: 5 });
    const [p] = await liaisonsOverHttp(1, 'eager');
    const responses = await Promise.all(Array.from({ length: 50 }, () => enroll(p, course)));
    const statuses = responses.map((r) => r.status).sort();
    assert.equal(statuses.filter((s) => s === 303).length, 1);
    assert.equal(statuses.filter((s) => s === 409).length, 49);
    assert.equal(await Enrollment.count({ where: { courseId: course.id } }), 1);
  });

  it('cancellations and enrollments at once: never above capacity, the waitlist promoted first-come first-served', async () => {
    const course = await openCourse({ capacity: 10 });
    const first = await liaisonsOverHttp(20, 'mixa');
    for (const p of first) await enroll(p, course); // 10 approved, 10 waitlisted in this order
    const late = await liaisonsOverHttp(10, 'mixb');
    const leaving = first.slice(0, 5);
    const ids = await Promise.all(leaving.map(async (p) => (await rowOf(p, course))!.id));
    const responses = await Promise.all([...leaving.map((p, i) => cancel(p, ids[i])), ...late.map((p) => enroll(p, course))]);
    assert.ok(
      responses.every((r) => r.status === 303),
      responses.map((r) => r.status).join(','),
    );
    const rows = await Enrollment.findAll({ where: { courseId: course.id } });
    const status = (p: Liaison) => rows.find((r) => r.userId === p.user.id)!;
    assert.equal(rows.filter((r) => r.status === 'approved').length, 10);
    for (const p of first.slice(5, 15)) assert.equal(status(p).status, 'approved', 'the first five waitlisted were promoted');
    for (const p of first.slice(15)) assert.equal(status(p).status, 'waitlisted');
    for (const p of late) assert.equal(status(p).status, 'waitlisted', 'newcomers queue behind');
    const positions = rows
      .filter((r) => r.status === 'waitlisted')
      .map((r) => r.waitlistPosition!)
      .sort((x, y) => x - y);
    assert.deepEqual(
      positions,
      Array.from({ length: 15 }, (_, i) => i + 1),
    );
    for (const [i, p] of first.slice(15).entries()) assert.equal(status(p).waitlistPosition, i + 1, 'the older waitlisted keep the front');
  });
});
