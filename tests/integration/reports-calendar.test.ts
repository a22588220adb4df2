import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, enroll as enrollIn, issuedCertificate } from '../helpers/factories';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { type Course, CourseSession, type User } from '../../src/models';
import type { EnrollmentStatus } from '../../src/models/enrollment';
import { addDaysIso, jalaliParts, todayIso, weekdayFromSaturday } from '../../src/lib/jalali';

let t: TestApp;
let admin: Agent;
let liaison: Agent;
const today = todayIso();
const soon = addDaysIso(today, 3);
const later = addDaysIso(today, 10);
let mine: Course;
let waiting: Course;
let cancelled: Course;
let running: Course;
let me: User;

async function enroll(course: Course, user: User, status: EnrollmentStatus) {
  return enrollIn(course, user, { status, waitlistPosition: status === 'waitlisted' ? 1 : null });
}

/** RFC 5545 unfolding: a CRLF followed by a space continues the previous line. */
const unfold = (ics: string) => ics.replace(/\r\n /g, '').split('\r\n');
const stamp = (iso: string, hhmmUtc: string) => `${iso.replace(/-/g, '')}T${hhmmUtc}00Z`;

before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'boss' });
  admin = await loginAs(t.app, 'boss');
  me = await createLiaison({ username: 'cal', countySlug: 'bam' });
  const other = await createLiaison({ username: 'other', countySlug: 'kerman' });
  const third = await createLiaison({ username: 'third', countySlug: 'bam' });
  await createLiaison({ username: 'newcomer', countySlug: 'zarand', status: 'pending' });

  mine = await createCourse({
    code: 'CAL-1',
    title: 'روابط عمومی الکترونیک، فضای مجازی; شبکه‌های اجتماعی و تولید محتوای خبری برای کانال‌های اداره',
    status: 'open',
  });
  await mine.update({ place: 'سالن اجتماعات، طبقهٔ دوم' });
  await createSession(mine, { date: soon, startTime: '16:00', endTime: '18:00', topic: 'جلسهٔ نخست' });
  await createSession(mine, { date: later, startTime: '09:30', endTime: '11:00', topic: 'جلسهٔ دوم' });
  waiting = await createCourse({ code: 'CAL-2', title: 'دورهٔ فهرست انتظار', status: 'open' });
  await createSession(waiting, { date: soon, startTime: '10:00', endTime: '12:00' });
  cancelled = await createCourse({ code: 'CAL-3', title: 'دورهٔ لغوشده', status: 'cancelled' });
  await createSession(cancelled, { date: soon, startTime: '10:00', endTime: '12:00' });
  running = await createCourse({ code: 'CAL-4', title: 'دورهٔ جاری', status: 'running', capacity: 5 });
  await createSession(running, { date: today, startTime: '00:00', endTime: '00:01', topic: 'امروز' });

  await enroll(mine, me, 'approved');
  await enroll(waiting, me, 'waitlisted');
  await enroll(cancelled, me, 'approved');
  await enroll(running, me, 'approved');
  await enroll(running, other, 'approved');
  await enroll(running, third, 'approved');
  await enroll(waiting, other, 'pending');
  const e = await enroll(mine, third, 'waitlisted');
  for (const [i, status] of (['valid', 'revoked'] as const).entries()) {
    await issuedCertificate(e, { serial: `KRM-CAL-${i}`, status });
  }
  liaison = await loginAs(t.app, 'cal');
});
after(async () => t?.close());

describe('calendar', () => {
  const month = jalaliParts(soon);

  it('shows the admin every session of the Jalali month, weeks from Saturday, cancelled courses left out', async () => {
    const res = await admin.get(`/admin/calendar?year=${month.year}&month=${month.month}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /روابط عمومی الکترونیک/);
    assert.match(res.text, /دورهٔ فهرست انتظار/);
    assert.doesNotMatch(res.text, /دورهٔ لغوشده/);
    const headers = [...res.text.matchAll(/<th scope="col" class="text-center[^"]*">([^<]+)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(headers, ['شنبه', 'یکشنبه', 'دوشنبه', 'سه‌شنبه', 'چهارشنبه', 'پنجشنبه', 'جمعه']);
    // Every week row holds seven days, and the first day of the month sits under its weekday.
    const firstRow = res.text.split('<tbody>')[1].split('</tr>')[0];
    assert.equal((firstRow.match(/<td /g) ?? []).length, 7);
    const prev = month.month === 1 ? `year=${month.year - 1}&amp;month=12` : `year=${month.year}&amp;month=${month.month - 1}`;
    assert.ok(res.text.includes(`href="/admin/calendar?${prev}"`));
    assert.match(res.text, /[۰-۹]/);
  });

  it('wraps from Esfand to Farvardin of the next year', async () => {
    const res = await admin.get('/admin/calendar?year=1405&month=12');
    assert.ok(res.text.includes('href="/admin/calendar?year=1406&amp;month=1"'));
    assert.match(res.text, /اسفند ۱۴۰۵/);
  });

  it('shows the liaison only the sessions of courses they are approved in', async () => {
    const res = await liaison.get(`/calendar?year=${month.year}&month=${month.month}`);
    assert.equal(res.status, 200);
    assert.match(res.text, /روابط عمومی الکترونیک/);
    assert.doesNotMatch(res.text, /دورهٔ فهرست انتظار/);
    assert.doesNotMatch(res.text, /دورهٔ لغوشده/);
    assert.match(res.text, /ساختن نشانی تقویم/);
  });

  it("leaves out a finished course's sessions that are still ahead (a finished course has nothing ahead)", async () => {
    const day = addDaysIso(today, 70);
    const finished = await createCourse({ code: 'CAL-5', title: 'دورهٔ پایان‌یافتهٔ جامانده', status: 'finished' });
    await createSession(finished, { date: day });
    const open = await createCourse({ code: 'CAL-6', title: 'دورهٔ باز همان ماه', status: 'running' });
    await createSession(open, { date: day });
    const someone = await createLiaison({ username: 'calfinished', countySlug: 'bam' });
    const enrollments = [await enroll(finished, someone, 'approved'), await enroll(open, someone, 'approved')];
    const { year, month: m } = jalaliParts(day);
    const res = await (await loginAs(t.app, 'calfinished')).get(`/calendar?year=${year}&month=${m}`);
    // Taken away again: the other tests count this file's sessions and enrollments.
    for (const e of enrollments) await e.destroy();
    for (const course of [finished, open]) {
      await CourseSession.destroy({ where: { courseId: course.id } });
      await course.destroy();
    }
    await someone.destroy();
    assert.match(res.text, /دورهٔ باز همان ماه/);
    assert.doesNotMatch(res.text, /دورهٔ پایان‌یافتهٔ جامانده/);
  });

  it('serves an iCalendar feed at a secret address, one VEVENT per session', async () => {
    let page = await liaison.get('/calendar');
    const res = await liaison
      .post('/calendar/token')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 303);
    page = await liaison.get('/calendar');
    const url = /value="(http:\/\/rabet\.test\/calendar\/([A-Za-z0-9_-]+)\.ics)"/.exec(page.text);
    assert.ok(url, 'the feed address is on the page');
    assert.ok(url[2].length >= 22, 'at least 128 random bits');
    const feed = await request(t.app).get(`/calendar/${url[2]}.ics`);
    assert.equal(feed.status, 200);
    assert.match(feed.headers['content-type'], /^text\/calendar/);
    const raw = feed.text;
    assert.ok(
      raw.split('\r\n').every((line) => Buffer.byteLength(line, 'utf8') <= 75),
      'lines folded at 75 octets',
    );
    const lines = unfold(raw);
    assert.equal(lines[0], 'BEGIN:VCALENDAR');
    assert.equal(lines.at(-2), 'END:VCALENDAR');
    assert.equal(lines.filter((l) => l === 'BEGIN:VEVENT').length, 3, 'two sessions of the approved course and today’s');
    // 16:00 in Tehran is 12:30 UTC; 09:30 is 06:00 UTC.
    assert.ok(lines.includes(`DTSTART:${stamp(soon, '1230')}`));
    assert.ok(lines.includes(`DTEND:${stamp(soon, '1430')}`));
    assert.ok(lines.includes(`DTSTART:${stamp(later, '0600')}`));
    // The semicolon is escaped; the Persian comma is an ordinary character.
    assert.ok(lines.includes('SUMMARY:روابط عمومی الکترونیک، فضای مجازی\\; شبکه‌های اجتماعی و تولید محتوای خبری برای کانال‌های اداره'));
    assert.ok(lines.includes('LOCATION:سالن اجتماعات، طبقهٔ دوم'));
    assert.ok(!raw.includes('دورهٔ فهرست انتظار') && !raw.includes('دورهٔ لغوشده'));

    // A new address retires the old one.
    const again = await liaison
      .post('/calendar/token')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(again.status, 303);
    assert.equal((await request(t.app).get(`/calendar/${url[2]}.ics`)).status, 404);
    const fresh = /\/calendar\/([A-Za-z0-9_-]+)\.ics/.exec((await liaison.get('/calendar')).text)!;
    assert.equal((await request(t.app).get(`/calendar/${fresh[1]}.ics`)).status, 200);
  });

  it('404s for a wrong token', async () => {
    assert.equal((await request(t.app).get('/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).status, 404);
    assert.equal((await request(t.app).get('/calendar/short.ics')).status, 404);
  });
});

describe('dashboard', () => {
  it('shows open and running courses with seats, this week’s sessions, pending work and this year’s figures', async () => {
    const res = await admin.get('/admin');
    assert.equal(res.status, 200);
    const text = res.text;
    // Running course: 3 approved of 5 seats.
    assert.match(text, /دورهٔ جاری<\/a>[\s\S]*?۳ از ۵/);
    // Pending: one sign-up (newcomer), one enrollment (other in CAL-2).
    assert.match(text, /ثبت‌نام‌های در انتظار فعال‌سازی<\/div><div class="fs-3 fw-bold text-danger">۱</);
    assert.match(text, /ثبت‌نام در دوره، در انتظار تأیید<\/div><div class="fs-3 fw-bold text-danger">۱</);
    // This year's certificates: the valid one only.
    assert.match(text, /گواهی‌نامه‌های صادرشده در سال [۰-۹]+<\/div><div class="fs-3 fw-bold">۱</);
    // Today's session; this week's sessions depend on the weekday (the week runs Saturday to Friday).
    const weekEnd = addDaysIso(today, 6 - weekdayFromSaturday(today));
    const thisWeek = 1 + [soon, soon, later].filter((d) => d <= weekEnd).length;
    assert.ok(text.includes(`<div class="fs-3 fw-bold">۱ / ${String(thisWeek).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)])}</div>`));
    assert.match(text, /امروز/);
    for (const link of [
      '/admin/courses',
      '/admin/liaisons',
      '/admin/counties',
      '/admin/settings',
      '/admin/outbox',
      '/admin/reports/courses',
      '/admin/calendar',
    ]) {
      assert.ok(text.includes(`href="${link}"`), link);
    }
  });

  it('draws the participation by county as an SVG with Persian labels and digits', async () => {
    const res = await admin.get('/admin');
    const svg = /<svg[\s\S]*<\/svg>/.exec(res.text)?.[0] ?? '';
    assert.match(svg, /role="img"/);
    // Bam: 5 standing enrollments (cal ×3, third ×2: approved in CAL-4 and waitlisted in CAL-1); Kerman: 2.
    assert.match(svg, />بم<\/text>\s*<rect[^>]*><\/rect>\s*<text[^>]*>۵<\/text>/);
    assert.match(svg, />کرمان<\/text>\s*<rect[^>]*><\/rect>\s*<text[^>]*>۲<\/text>/);
    assert.match(svg, />زرند<\/text>\s*<text[^>]*>بدون شرکت‌کننده<\/text>/);
  });
});
