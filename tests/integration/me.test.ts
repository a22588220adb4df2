import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, enroll } from '../helpers/factories';
import { csrfFrom, loginAs, postForm, type Agent } from '../helpers/http';
import { AttendanceMark, Notification, type User } from '../../src/models';
import { ACTIVATED } from '../../src/features/liaisons/service';
import { addDaysIso, formatDate, todayIso } from '../../src/lib/jalali';
import { toPersianDigits } from '../../src/lib/persian';

let t: TestApp;
let admin: Agent;
before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'meadmin' });
  admin = await loginAs(t.app, 'meadmin');
});
after(async () => t.close());

async function notify(user: User, message: string, minutesAgo = 0) {
  return Notification.create({
    userId: user.id,
    message,
    link: '/me',
    readAt: null,
    createdAt: new Date(Date.now() - minutesAgo * 60_000),
  });
}

const unread = (user: User) => Notification.count({ where: { userId: user.id, readAt: null } });
/** The ids the «خواندم» form on a page sends back. */
const shownIds = (html: string) => html.match(/name="ids" value="([\d,]*)"/)?.[1] ?? null;
/** The unread count in the navigation's «اعلان‌ها» link, or null without a badge. */
const navCount = (html: string) => html.match(/id="nav-notifications">اعلان‌ها <span class="badge[^"]*">([۰-۹]+)/)?.[1] ?? null;

describe('notifications on /me', () => {
  it("opening /me marks nothing read; «خواندم» marks exactly the notifications shown, and only the owner's", async () => {
    const liaison = await createLiaison();
    const other = await createLiaison();
    const theirs = await notify(other, 'اعلان رابط دیگر');
    const oldest = await notify(liaison, 'قدیمی‌ترین اعلان', 60);
    for (let i = 1; i <= 5; i++) await notify(liaison, `اعلان شمارهٔ ${toPersianDigits(i)}`, 10 - i);
    const agent = await loginAs(t.app, liaison.username);

    const first = (await agent.get('/me')).text;
    assert.match(first, /<span class="badge text-bg-primary me-1">تازه<\/span>اعلان شمارهٔ ۵/);
    assert.equal(navCount(first), toPersianDigits(6), 'six unread in the navigation');
    assert.ok(!first.includes('قدیمی‌ترین اعلان'), 'only the five newest are shown on /me');
    assert.match(first, /۱ اعلان خوانده‌نشدهٔ دیگر/);
    await agent.get('/me');
    assert.equal(await unread(liaison), 6, 'a GET writes nothing');

    const ids = shownIds(first)!.split(',').map(Number);
    assert.equal(ids.length, 5);
    assert.ok(!ids.includes(oldest.id));
    const res = await postForm(agent, '/me/notifications/read', { ids: [...ids, theirs.id].join(','), back: '/me' }, '/me');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/me');
    assert.equal(await unread(liaison), 1, 'the one not shown stays unread');
    assert.equal(await unread(other), 1, "another user's notification is untouched");

    const second = (await agent.get('/me')).text;
    assert.equal(navCount(second), toPersianDigits(1));
    assert.match(second, /تازه<\/span>قدیمی‌ترین اعلان/);
    assert.ok(!second.includes('اعلان شمارهٔ ۵'), 'read ones leave /me');
  });

  it('lists every notification on /me/notifications, read or not, without marking them', async () => {
    const liaison = await createLiaison();
    await notify(liaison, 'اعلان خوانده', 5);
    await Notification.update({ readAt: new Date() }, { where: { userId: liaison.id } });
    const fresh = await notify(liaison, 'اعلان نخوانده');
    const agent = await loginAs(t.app, liaison.username);
    const page = (await agent.get('/me/notifications')).text;
    assert.match(page, /اعلان خوانده/);
    assert.match(page, /تازه<\/span>اعلان نخوانده/);
    assert.equal(shownIds(page), String(fresh.id));
    assert.equal(await unread(liaison), 1);
    const res = await postForm(agent, '/me/notifications/read', { ids: String(fresh.id), back: '/me/notifications' }, '/me/notifications');
    assert.equal(res.headers.location, '/me/notifications');
    assert.equal(await unread(liaison), 0);
    assert.equal(navCount((await agent.get('/me/notifications')).text), null, 'no badge once all are read');
  });

  it("pages the list twenty at a time; «خواندم» on a page marks that page's only", async () => {
    const liaison = await createLiaison();
    for (let i = 1; i <= 23; i++) await notify(liaison, `خبر ${toPersianDigits(i)}`, 100 - i);
    const agent = await loginAs(t.app, liaison.username);
    const first = (await agent.get('/me/notifications')).text;
    const second = (await agent.get('/me/notifications?page=۲')).text;
    assert.equal(shownIds(first)!.split(',').length, 20);
    assert.equal(shownIds(second)!.split(',').length, 3);
    assert.match(second, /خبر ۱\s*</, 'the oldest is on the second page');
    assert.ok(first.includes('href="/me/notifications?page=2"'));
    await postForm(agent, '/me/notifications/read', { ids: shownIds(second)!, back: '/me/notifications' }, '/me/notifications');
    assert.equal(await unread(liaison), 20);
  });

  it('refuses a «خواندم» form without ids', async () => {
    const liaison = await createLiaison();
    const agent = await loginAs(t.app, liaison.username);
    const res = await postForm(agent, '/me/notifications/read', { ids: 'all' }, '/me');
    assert.equal(res.status, 400);
  });

  it("an admin's activation tells the liaison, who sees it and the count when they log in", async () => {
    const pending = await createLiaison({ status: 'pending' });
    const res = await postForm(admin, `/admin/liaisons/${pending.id}/activate`, {}, `/admin/liaisons/${pending.id}`);
    assert.equal(res.status, 303);
    const rows = await Notification.findAll({ where: { userId: pending.id } });
    assert.deepEqual(
      rows.map((n) => [n.message, n.readAt]),
      [[ACTIVATED.message, null]],
    );
    const page = (await (await loginAs(t.app, pending.username)).get('/me')).text;
    assert.equal(navCount(page), toPersianDigits(1));
    assert.ok(page.includes(ACTIVATED.message));
  });
});

describe('/me on a phone', () => {
  it('leads with the next session, shows the courses under way as cards with a few marks, never every session', async () => {
    const liaison = await createLiaison();
    const today = todayIso();
    const course = await createCourse({ title: 'دورهٔ بلند خبرنویسی', status: 'running' });
    const held = [];
    for (let i = 20; i >= 1; i--) held.push(await createSession(course, { date: addDaysIso(today, -i) }));
    const ahead = [];
    for (let i = 2; i <= 11; i++) ahead.push(await createSession(course, { date: addDaysIso(today, i), topic: `جلسهٔ پیش رو ${i}` }));
    const enrollment = await enroll(course, liaison);
    await t.services.sequelize.query('UPDATE enrollments SET created_at = :at WHERE id = :id', {
      replacements: { at: new Date(Date.now() - 40 * 86_400_000), id: enrollment.id },
    });
    for (const [i, s] of held.entries()) {
      await AttendanceMark.create({
        sessionId: s.id,
        enrollmentId: enrollment.id,
        status: i === 19 ? 'late' : 'present',
        note: null,
        recordedBy: null,
        recordedAt: new Date(),
      });
    }
    const finished = await createCourse({ title: 'دورهٔ پایان‌یافتهٔ عکاسی', status: 'finished' });
    await createSession(finished, { date: addDaysIso(today, -60) });
    const done = await enroll(finished, liaison);

    const page = (await (await loginAs(t.app, liaison.username)).get('/me')).text;
    const next = page.indexOf('id="me-next"');
    const cards = page.indexOf('id="my-enrollments"');
    const record = page.indexOf('id="me-record-title"');
    assert.ok(next > 0 && next < cards && cards < record, 'next session first, then the cards, then the record');
    assert.ok(page.slice(next, cards).includes('جلسهٔ پیش رو ۲'), 'the next session leads');
    assert.ok(page.includes(`id="enrollment-${enrollment.id}"`));
    assert.ok(!page.includes(`id="enrollment-${done.id}"`), 'a finished course is no card');
    assert.ok(page.slice(record).includes('دورهٔ پایان‌یافتهٔ عکاسی'), 'it stays in the training record');
    const card = page.slice(page.indexOf(`id="enrollment-${enrollment.id}"`), record);
    assert.match(card, /با تأخیر/);
    assert.ok(card.includes(`${toPersianDigits(100)}٪`));
    for (const s of held.slice(-3)) assert.ok(card.includes(formatDate(s.date)), `latest held ${s.date} shown`);
    // the first held day is also the course's start date on its card
    for (const s of held.slice(1, -3)) assert.ok(!page.includes(formatDate(s.date)), `older held ${s.date} not listed`);
    for (const s of ahead.slice(1, -1)) assert.ok(!page.includes(formatDate(s.date)), `later session ${s.date} not listed`);
  });

  it('a liaison with nothing under way is pointed at the open courses', async () => {
    const liaison = await createLiaison();
    const page = (await (await loginAs(t.app, liaison.username)).get('/me')).text;
    assert.match(page, /جلسه‌ای پیش رو ندارید/);
    assert.match(page, /اکنون در دوره‌ای ثبت‌نام ندارید/);
    assert.equal(navCount(page), null);
    assert.equal(csrfFrom(page).length > 0, true);
  });
});
