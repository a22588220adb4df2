import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app';
import {
  createAdmin,
  createCourse,
  createLiaison,
  createSession,
  createUser,
  enroll,
  issuedCertificate,
  PASSWORD,
} from '../helpers/factories';
import { Certificate, Course, User } from '../../src/models';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { Client } from '../../scripts/lib/client';
import { startServer, type ServerChild } from '../../scripts/lib/server';

/**
 * Sessions and pages keep their reads while the database is unchanged (DataCache, Statements.epoch).
 * Two instances (two processes) on one database, each told to keep reads for ten minutes: whatever
 * is committed, through the other instance or by a third process (the factories here), shows on
 * the very next request, so only the database's own record of commits (SQLite's WAL-index header,
 * src/db/wal-epoch.ts) can have let it through. On PostgreSQL nothing is kept, and the same checks hold.
 */
describe('pages kept while the database is unchanged, over two instances', () => {
  let t: TestApp;
  let one: ServerChild;
  let two: ServerChild;

  before(async () => {
    t = await createTestApp();
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: t.config.databaseUrl,
      SESSION_SECRET: t.config.sessionSecret,
      DATA_CACHE_MS: '600000',
      RATE_LIMITS: 'off',
    };
    [one, two] = await Promise.all([startServer(env), startServer(env)]);
  });
  after(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await t?.close();
  });

  const logIn = async (server: ServerChild, username: string) => {
    const c = new Client(server.base);
    assert.ok(await c.login(username, PASSWORD), `login of ${username}`);
    return c;
  };

  it('an attendance sheet, /me and the catalogue show at once what was committed elsewhere', async () => {
    const admin = await createAdmin({ username: 'cache-admin' });
    const liaison = await createLiaison({ username: 'cache-liaison' });
    const course = await createCourse({ title: 'دورهٔ نگه‌داری خواندن‌ها' });
    const session = await createSession(course, { date: todayIso() });
    const enrollment = await enroll(course, liaison);
    const listed = await createCourse({ title: 'دورهٔ فهرست‌شده' });
    await createSession(listed, { date: addDaysIso(todayIso(), 3) });
    const adminOnOne = await logIn(one, admin.username);
    const adminOnTwo = await logIn(two, admin.username);
    const liaisonOnTwo = await logIn(two, liaison.username);
    const sheet = `/admin/sessions/${session.id}/attendance`;
    const checked = (html: string, status: string) =>
      new RegExp(`id="mark-${enrollment.id}-${status}" value="${status}" checked`).test(html.replace(/\s+/g, ' '));

    // Read twice on the second instance: the second is served from what the first kept.
    for (let i = 0; i < 2; i++) {
      const page = await adminOnTwo.get(sheet);
      assert.equal(page.status, 200);
      assert.ok(checked(page.text, 'none'), 'no mark yet');
      assert.match((await liaisonOnTwo.get('/me')).text, /دورهٔ نگه‌داری خواندن‌ها/);
      assert.match((await liaisonOnTwo.get('/courses')).text, /دورهٔ فهرست‌شده/);
    }

    // A mark saved through the first instance is on the second's sheet at once.
    await adminOnOne.get(sheet);
    const saved = await adminOnOne.post(sheet, { [`mark[${enrollment.id}]`]: 'present' });
    assert.equal(saved.status, 303);
    assert.ok(checked((await adminOnTwo.get(sheet)).text, 'present'), 'the mark made on the other instance');

    // A change made by another process altogether (courses renamed, a course opened) too.
    await Course.update({ title: 'دورهٔ نام‌تازه' }, { where: { id: course.id } });
    await Course.update({ title: 'دورهٔ فهرست‌شدهٔ نام‌تازه' }, { where: { id: listed.id } });
    await createSession(await createCourse({ title: 'دورهٔ تازه‌گشوده' }), { date: addDaysIso(todayIso(), 4) });
    const me = (await liaisonOnTwo.get('/me')).text;
    assert.match(me, /دورهٔ نام‌تازه/);
    assert.doesNotMatch(me, /دورهٔ نگه‌داری خواندن‌ها/);
    const catalogue = (await liaisonOnTwo.get('/courses')).text;
    assert.match(catalogue, /دورهٔ تازه‌گشوده/);
    assert.match(catalogue, /دورهٔ فهرست‌شدهٔ نام‌تازه/);

    // A disabled account ends its session on every instance at once.
    await User.update({ status: 'disabled' }, { where: { id: liaison.id } });
    const after = await liaisonOnTwo.get('/me');
    assert.equal(after.status, 303);
    assert.match(after.location ?? '', /^\/login/);
  });

  it("a sheet's kept rows are shared only where they look the same: a finished course is open to its admin, closed to its instructor", async () => {
    const admin = await createAdmin({ username: 'cache-admin-2' });
    const instructor = await createUser({ role: 'instructor', username: 'cache-instructor' });
    const course = await createCourse({ status: 'finished', instructorId: instructor.id });
    const session = await createSession(course, { date: addDaysIso(todayIso(), -2) });
    const enrollment = await enroll(course, await createLiaison());
    const sheet = `/admin/sessions/${session.id}/attendance`;
    const adminOnOne = await logIn(one, admin.username);
    const instructorOnOne = await logIn(one, instructor.username);
    const rowIsOpen = (html: string) => {
      const row = new RegExp(`<fieldset aria-labelledby="name-${enrollment.id}"( disabled)?>`).exec(html);
      assert.ok(row, 'the row is on the sheet');
      return !row[1];
    };
    // Each one twice, in turn: the second of each is served from what was kept.
    for (let i = 0; i < 2; i++) {
      assert.equal(rowIsOpen((await instructorOnOne.get(sheet)).text), false, 'closed to the instructor');
      assert.equal(rowIsOpen((await adminOnOne.get(sheet)).text), true, 'open to the admin, for a correction with its reason');
    }
  });

  it("/me's kept sections carry each session's own CSRF token: a liaison on two devices cancels from either", async () => {
    const liaison = await createLiaison({ username: 'cache-two-devices' });
    const courses = [await createCourse({ title: 'دورهٔ دستگاه یکم' }), await createCourse({ title: 'دورهٔ دستگاه دوم' })];
    for (const course of courses) await createSession(course, { date: addDaysIso(todayIso(), 5) });
    const [first, second] = [await enroll(courses[0], liaison), await enroll(courses[1], liaison)];
    const phone = await logIn(one, liaison.username);
    const desk = await logIn(one, liaison.username);
    const tokensIn = (html: string) => new Set([...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]));
    // Each twice, in turn: the second of each is served from what was kept.
    for (let i = 0; i < 2; i++) {
      for (const device of [phone, desk]) {
        const page = await device.get('/me');
        assert.match(page.text, new RegExp(`action="/enrollments/${first.id}/cancel"`));
        assert.deepEqual([...tokensIn(page.text)], [device.csrf], "every form holds this session's token");
      }
    }
    assert.notEqual(phone.csrf, desk.csrf);
    assert.equal((await phone.post(`/enrollments/${first.id}/cancel`)).status, 303);
    assert.equal((await desk.post(`/enrollments/${second.id}/cancel`)).status, 303);
    const me = (await desk.get('/me')).text;
    assert.doesNotMatch(me, new RegExp(`action="/enrollments/(${first.id}|${second.id})/cancel"`));
  });

  it('a logout on one instance ends the session on the other at once', async () => {
    const liaison = await createLiaison({ username: 'cache-logout' });
    const onOne = await logIn(one, liaison.username);
    const onTwo = new Client(two.base);
    onTwo.cookies = new Map(onOne.cookies);
    for (let i = 0; i < 2; i++)
      assert.equal((await onTwo.get('/me')).status, 200, 'the session, read and then kept, on the other instance');
    await onOne.get('/me');
    assert.equal((await onOne.post('/logout', {})).status, 303);
    const after = await onTwo.get('/me');
    assert.equal(after.status, 303);
    assert.match(after.location ?? '', /^\/login/);
  });

  it('a session kept in memory still ends at its idle expiry, with nothing committed since it was read', async () => {
    const liaison = await createLiaison({ username: 'cache-expiry' });
    const onTwo = await logIn(two, liaison.username);
    await t.services.sequelize.query('UPDATE http_sessions SET expires = :soon WHERE user_id = :id', {
      replacements: { soon: new Date(Date.now() + 1500), id: liaison.id },
    });
    assert.equal((await onTwo.get('/me')).status, 200, 'read again after the UPDATE, and kept');
    await new Promise((resolve) => setTimeout(resolve, 1700));
    const after = await onTwo.get('/me');
    assert.equal(after.status, 303);
    assert.match(after.location ?? '', /^\/login/);
  });

  it("a certificate's verification shows at once that it was revoked elsewhere", async () => {
    const course = await createCourse({ title: 'دورهٔ گواهی نگه‌داشته' });
    const certificate = await issuedCertificate(await enroll(course, await createLiaison({ username: 'cache-certified' })));
    const visitor = new Client(two.base);
    for (let i = 0; i < 2; i++) {
      const page = await visitor.get(`/verify/${certificate.code}`);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /باطل/);
    }
    await Certificate.update({ status: 'revoked', statusReason: 'آزمون' }, { where: { id: certificate.id } });
    assert.match((await visitor.get(`/verify/${certificate.code}`)).text, /باطل/);
  });
});
