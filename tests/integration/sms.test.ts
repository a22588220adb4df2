import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, enroll } from '../helpers/factories';
import { csrfFrom, loginAs, postForm, type Agent } from '../helpers/http';
import { smsStandIn, type SmsStandIn } from '../helpers/sms-stand-in';
import { Notification, OutboxMessage, User } from '../../src/models';
import { createSequelize } from '../../src/db';
import { LEASE_MS, Outbox, type Channel } from '../../src/services/outbox';
import { KavenegarChannel } from '../../src/services/sms';
import { LIMITS } from '../../src/services/rate-limiter';
import { hashPassword } from '../../src/lib/password';
import { addDaysIso, tehranInstant, todayIso } from '../../src/lib/jalali';
import { queueSessionReminders } from '../../src/features/notifications/reminders';

let t: TestApp;
let provider: SmsStandIn;
let admin: Agent;
const SENDER = '10004346';

before(async () => {
  provider = await smsStandIn();
  t = await createTestApp({
    SMS_PROVIDER: 'kavenegar',
    KAVENEGAR_API_KEY: provider.apiKey,
    KAVENEGAR_SENDER: SENDER,
    SMS_API_URL: provider.url,
  });
  await createAdmin({ username: 'smsadmin' });
  admin = await loginAs(t.app, 'smsadmin');
});
after(async () => {
  await t.close();
  await provider.close();
});

async function liaisonIn() {
  const user = await createLiaison();
  const agent = await loginAs(t.app, user.username);
  return { user, agent, token: csrfFrom((await agent.get('/me')).text) };
}

async function openCourse(title: string) {
  const course = await createCourse({ title, status: 'open' });
  await createSession(course, { date: addDaysIso(todayIso(), 4) });
  return course;
}

/** The kavenegar channel of the test app, on another connection: a second instance of the app. */
function secondInstance(channel?: Channel) {
  const sequelize = createSequelize(t.config);
  const sms = channel ?? new KavenegarChannel({ apiUrl: provider.url, apiKey: provider.apiKey, sender: SENDER });
  return { sequelize, outbox: new Outbox(sequelize, { sms }, t.config.baseUrl), close: () => sequelize.close() };
}

describe('SMS through the provider', () => {
  it('tells a liaison by SMS that their account is active, from the configured sender, and records the message id', async () => {
    const user = await createLiaison({ status: 'pending', mobile: '09135550101' });
    const res = await postForm(admin, `/admin/liaisons/${user.id}/activate`, {}, `/admin/liaisons/${user.id}`);
    assert.equal(res.status, 303);
    const row = await OutboxMessage.findOne({ where: { to: '09135550101', channel: 'sms' } });
    assert.equal(row?.status, 'queued', 'written in the transaction, sent by the worker');
    await t.services.outbox.drain();
    assert.equal(provider.to('09135550101').length, 1);
    assert.match(provider.to('09135550101')[0], /فعال شد/);
    assert.ok(provider.sent.every((s) => s.sender === SENDER));
    await row!.reload();
    assert.equal(row!.status, 'sent');
    assert.match(row!.providerId ?? '', /^\d+$/);
    assert.match(row!.providerAnswer ?? '', /^200 /);
    assert.equal(row!.claimedBy, null);
    const outbox = await admin.get('/admin/outbox');
    assert.match(outbox.text, /پیامک/);
    assert.match(outbox.text, /09135550101/);
    assert.match(outbox.text, /فرستاده شد/);
    assert.match(outbox.text, new RegExp(`id ${row!.providerId}`));
  });

  it('confirms an enrollment by SMS with the course title; a liaison without a mobile gets none', async () => {
    const course = await openCourse('روابط عمومی دیجیتال');
    const a = await liaisonIn();
    const res = await a.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: a.token });
    assert.equal(res.status, 303);
    await t.services.outbox.drain();
    const got = provider.to(a.user.mobile!);
    assert.equal(got.length, 1);
    assert.match(got[0], /«روابط عمومی دیجیتال» تأیید شد/);
    const quiet = await liaisonIn();
    await User.update({ mobile: null }, { where: { id: quiet.user.id } });
    await quiet.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: quiet.token });
    const told = await OutboxMessage.findAll({ where: { channel: 'sms' } });
    assert.equal(told.filter((m) => m.body.includes('دیجیتال')).length, 1);
  });

  it('the provider down: the request succeeds, the SMS waits with its error and is retried within 30 s, then sent once', async () => {
    const course = await openCourse('عکاسی خبری');
    const a = await liaisonIn();
    provider.up = false;
    const res = await a.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: a.token });
    assert.equal(res.status, 303);
    await t.services.outbox.drain();
    const row = await OutboxMessage.findOne({ where: { to: a.user.mobile!, channel: 'sms' } });
    assert.equal(row?.status, 'queued');
    assert.equal(row?.attempts, 1);
    assert.match(row?.error ?? '', /503/);
    const wait = row!.nextAttemptAt!.getTime() - Date.now();
    assert.ok(wait > 0 && wait <= 30_000, `first retry within 30 s (${wait} ms)`);
    assert.match((await admin.get('/admin/outbox')).text, /تلاش بعدی/);
    // still down at the next attempt: the wait grows
    await t.services.outbox.drain(new Date(Date.now() + 31_000));
    await row!.reload();
    assert.equal(row!.attempts, 2);
    assert.ok(row!.nextAttemptAt!.getTime() - Date.now() > 31_000);
    provider.up = true;
    assert.equal(await t.services.outbox.drain(), 0, 'not before its time');
    assert.equal(await t.services.outbox.drain(new Date(Date.now() + 120_000)), 1);
    assert.equal(await t.services.outbox.drain(new Date(Date.now() + 600_000)), 0);
    assert.equal(provider.to(a.user.mobile!).length, 1);
    await row!.reload();
    assert.equal(row!.status, 'sent');
    assert.equal(row!.error, null);
  });

  it('a refusal trying again cannot change (no credit, an invalid number) fails the message at once with a Persian reason; sent again once fixed', async () => {
    const user = await createLiaison({ status: 'pending', mobile: '09135550121' });
    provider.trouble = { refuse: 418 };
    try {
      await postForm(admin, `/admin/liaisons/${user.id}/activate`, {}, `/admin/liaisons/${user.id}`);
      await t.services.outbox.drain();
    } finally {
      provider.trouble = null;
    }
    const row = await OutboxMessage.findOne({ where: { to: '09135550121', channel: 'sms' } });
    assert.equal(row?.status, 'failed', 'not retried again and again');
    assert.equal(row?.attempts, 1);
    assert.match(row?.error ?? '', /اعتبار حساب سامانهٔ پیامک کافی نیست/);
    assert.match(row?.error ?? '', /418/);
    const page = await admin.get('/admin/outbox');
    assert.match(page.text, /ناموفق/);
    assert.match(page.text, /اعتبار حساب سامانهٔ پیامک کافی نیست/);
    const resend = await postForm(admin, '/admin/outbox/resend', {}, '/admin/outbox');
    assert.equal(resend.status, 303);
    await t.services.outbox.drain();
    await row!.reload();
    assert.equal(row!.status, 'sent');
    assert.equal(provider.to('09135550121').length, 1);
  });

  it('a provider that hangs or answers garbage: the attempt ends at the timeout, the claim is let go, the message is tried again', async () => {
    const user = await createLiaison({ status: 'pending', mobile: '09135550122' });
    await postForm(admin, `/admin/liaisons/${user.id}/activate`, {}, `/admin/liaisons/${user.id}`);
    const row = await OutboxMessage.findOne({ where: { to: '09135550122', channel: 'sms' } });
    const other = secondInstance(new KavenegarChannel({ apiUrl: provider.url, apiKey: provider.apiKey, sender: SENDER, timeoutMs: 300 }));
    try {
      provider.trouble = 'hang';
      const started = Date.now();
      assert.equal(await other.outbox.drain(), 0);
      assert.ok(Date.now() - started < 5_000, 'the worker is not held by a provider that never answers');
      await row!.reload();
      assert.equal(row!.status, 'queued');
      assert.equal(row!.claimedBy, null, 'the claim is let go');
      assert.match(row!.error ?? '', /سامانهٔ پیامک در ۱ ثانیه پاسخ نداد/);
      provider.trouble = 'malformed';
      assert.equal(await other.outbox.drain(new Date(Date.now() + 60_000)), 0);
      await row!.reload();
      assert.equal(row!.status, 'queued', 'a garbled answer is tried again');
      assert.match(row!.error ?? '', /نامفهوم/);
      provider.trouble = null;
      assert.equal(await other.outbox.drain(new Date(Date.now() + 10 * 60_000)), 1);
      await row!.reload();
      assert.equal(row!.status, 'sent');
    } finally {
      provider.trouble = null;
      await other.close();
    }
  });

  it('two instances draining one outbox at once send every message exactly once', async () => {
    const course = await openCourse('ارتباط با رسانه‌ها');
    const people = await Promise.all(Array.from({ length: 24 }, () => liaisonIn()));
    for (const p of people) await p.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: p.token });
    const before = provider.sent.length;
    const other = secondInstance();
    try {
      const [one, two] = await Promise.all([t.services.outbox.drain(), other.outbox.drain()]);
      assert.equal(one + two, 24);
    } finally {
      await other.close();
    }
    const ids = provider.sent.slice(before).map((s) => s.localid);
    assert.equal(ids.length, 24);
    assert.equal(new Set(ids).size, 24, 'no message sent twice');
    for (const p of people) assert.equal(provider.to(p.user.mobile!).length, 1);
  });

  it('a claim is a lease: a message whose instance died mid-send is taken again once the lease runs out, and sent once', async () => {
    const course = await openCourse('سخنرانی در جمع');
    const a = await liaisonIn();
    await a.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: a.token });
    const row = await OutboxMessage.findOne({ where: { to: a.user.mobile!, channel: 'sms' } });
    // an instance claims the row and never comes back (its send hangs, as a killed process would)
    const stuck = secondInstance({ send: () => new Promise(() => {}) });
    void stuck.outbox.drain();
    for (let i = 0; i < 50 && !(await row!.reload()).claimedBy; i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(row!.claimedBy ?? '', new RegExp(stuck.outbox.instance));
    assert.equal(row!.status, 'queued', 'claimed, not deleted');
    assert.equal(await t.services.outbox.drain(), 0, 'a live claim is left alone');
    assert.equal(await t.services.outbox.drain(new Date(Date.now() + LEASE_MS + 1000)), 1);
    await row!.reload();
    assert.equal(row!.status, 'sent');
    assert.equal(row!.attempts, 2);
    assert.equal(provider.to(a.user.mobile!).length, 1);
    await stuck.close();
  });
});

describe('password recovery by SMS', () => {
  const codeIn = (text: string) => /(\d{6})/.exec(text)?.[1];

  async function askCode(username: string) {
    const agent = request.agent(t.app);
    const res = await postForm(agent, '/password/forgot', { username }, '/password/forgot');
    return { res, page: res.status === 303 ? await agent.get(res.headers.location) : res };
  }

  it('answers the same for an unknown account, sends a code that sets a new password once, and ends every session', async () => {
    const user = await createLiaison({ mobile: '09135550303' });
    const session = await loginAs(t.app, user.username);
    const known = await askCode(user.username);
    const unknown = await askCode('no-such-user-1405');
    assert.equal(known.res.status, 303);
    assert.equal(unknown.res.status, known.res.status);
    const strip = (html: string) => html.replace(/value="[^"]*"|content="[^"]*"/g, '');
    assert.equal(strip(unknown.page.text), strip(known.page.text));
    assert.match(known.page.text, /کد بازیابی شش‌رقمی/);
    await t.services.outbox.drain();
    const sms = provider.to('09135550303');
    assert.equal(sms.length, 1);
    const code = codeIn(sms[0])!;
    assert.ok(code);
    const stored = await t.services.sequelize.query<{ code_hash: string }>('SELECT code_hash FROM password_reset_codes', {
      type: QueryTypes.SELECT,
    });
    assert.ok(
      stored.every((r) => !r.code_hash.includes(code)),
      'only a hash is stored',
    );

    const agent = request.agent(t.app);
    const weak = await postForm(agent, '/password/reset', { username: user.username, code, password: 'short' }, '/password/reset');
    assert.equal(weak.status, 400);
    assert.match(weak.text, /دست‌کم/);
    const persianCode = code.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);
    const reset = await postForm(
      agent,
      '/password/reset',
      { username: user.username, code: persianCode, password: 'Recovered-Pass-1405' },
      '/password/reset',
    );
    assert.equal(reset.status, 303);
    assert.equal(reset.headers.location, '/login');
    const before = await session.get('/me');
    assert.equal(before.status, 303, 'the session logged in before the reset is over');
    assert.match(before.headers.location, /^\/login/);
    await loginAs(t.app, user.username, 'Recovered-Pass-1405');
    const again = await postForm(
      agent,
      '/password/reset',
      { username: user.username, code, password: 'Another-Pass-14051' },
      '/password/reset',
    );
    assert.equal(again.status, 400, 'a code works once');
  });

  it('hides a recovery code on the outbox page once a provider sends SMS, and shows it while SMS wait for an admin', async () => {
    const user = await createLiaison({ mobile: '09135550313' });
    await askCode(user.username);
    const row = await OutboxMessage.findOne({ where: { to: '09135550313', channel: 'sms' } });
    assert.equal(row?.secret, true);
    const code = codeIn(row!.body)!;
    assert.ok(code);
    const queued = await admin.get('/admin/outbox');
    assert.doesNotMatch(queued.text, new RegExp(code), 'hidden while it waits for the provider');
    await t.services.outbox.drain();
    assert.equal(codeIn(provider.to('09135550313')[0]), code, 'the liaison gets the code itself');
    const sent = await admin.get('/admin/outbox');
    assert.doesNotMatch(sent.text, new RegExp(code));
    assert.match(sent.text, /کد بازیابی گذرواژه ••••••؛/);
    // SMS_PROVIDER=outbox: an admin relays the code by hand, so it stays readable.
    const byHand = new Outbox(t.services.sequelize, { sms: null }, t.config.baseUrl);
    assert.equal(byHand.shownBody(row!), row!.body);
    assert.equal(t.services.outbox.shownBody({ ...row!.get(), secret: false }), row!.body, 'other messages are shown whole');
  });

  it('five wrong codes void the code; an expired code is refused', async () => {
    const user = await createLiaison({ mobile: '09135550404' });
    await askCode(user.username);
    await t.services.outbox.drain();
    const code = codeIn(provider.to('09135550404')[0])!;
    const wrong = code === '000000' ? '111111' : '000000';
    const agent = request.agent(t.app);
    for (let i = 0; i < 5; i++) {
      const res = await postForm(
        agent,
        '/password/reset',
        { username: user.username, code: wrong, password: 'Recovered-Pass-1405' },
        '/password/reset',
      );
      assert.equal(res.status, 400);
      if (i === 4) assert.match(res.text, /باطل شد/);
    }
    const late = await postForm(
      agent,
      '/password/reset',
      { username: user.username, code, password: 'Recovered-Pass-1405' },
      '/password/reset',
    );
    assert.equal(late.status, 400, 'the right code no longer works');

    await askCode(user.username);
    await t.services.outbox.drain();
    const fresh = codeIn(provider.to('09135550404')[1])!;
    await t.services.sequelize.query('UPDATE password_reset_codes SET expires_at = :past WHERE user_id = :id', {
      replacements: { past: new Date(Date.now() - 1000), id: user.id },
    });
    const expired = await postForm(
      agent,
      '/password/reset',
      { username: user.username, code: fresh, password: 'Recovered-Pass-1405' },
      '/password/reset',
    );
    assert.equal(expired.status, 400);
    assert.match(expired.text, /زمانش گذشته/);
  });

  it('a wrong code takes no longer for a known account than for an unknown one (no password hash before the code is right)', async () => {
    const user = await createLiaison({ mobile: '09135550414' });
    await t.services.sequelize.query(`DELETE FROM rate_limits WHERE "key" LIKE 'recovery:try:%'`);
    const agent = request.agent(t.app);
    const token = csrfFrom((await agent.get('/password/reset')).text);
    const timed = async (username: string) => {
      const started = performance.now();
      const res = await agent
        .post('/password/reset')
        .type('form')
        .send({ _csrf: token, username, code: '000000', password: 'Recovered-Pass-1405' });
      assert.equal(res.status, 400);
      return performance.now() - started;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const known: number[] = [];
    const unknown: number[] = [];
    const hashes: number[] = [];
    for (let i = 0; i < 4; i++) {
      unknown.push(await timed('no-such-user-1405'));
      known.push(await timed(user.username));
      const started = performance.now();
      await hashPassword('Recovered-Pass-1405');
      hashes.push(performance.now() - started);
    }
    assert.ok(
      median(known) - median(unknown) < median(hashes) / 2,
      `known ${median(known).toFixed(1)} ms, unknown ${median(unknown).toFixed(1)} ms, a hash ${median(hashes).toFixed(1)} ms`,
    );
  });

  it('limits codes per account, known or not', async () => {
    for (const username of ['limited-unknown', (await createLiaison()).username]) {
      // the address's own limit (counted separately) is not what this test is about
      await t.services.sequelize.query(`DELETE FROM rate_limits WHERE "key" LIKE 'recovery:ip:%'`);
      for (let i = 0; i < LIMITS.recoveryCodesPerAccount.max; i++) assert.equal((await askCode(username)).res.status, 303);
      assert.equal((await askCode(username)).res.status, 429);
    }
  });

  it('the login page links to recovery', async () => {
    assert.match((await request(t.app).get('/login')).text, /href="\/password\/forgot"/);
  });
});

describe('announcements to a course', () => {
  it('reach every liaison still in the course by SMS, notification and email, and nobody else', async () => {
    const course = await openCourse('خبرنویسی پیشرفته');
    const inCourse = await Promise.all(['approved', 'pending', 'waitlisted'].map(() => createLiaison()));
    await enroll(course, inCourse[0], { status: 'approved' });
    await enroll(course, inCourse[1], { status: 'pending' });
    await enroll(course, inCourse[2], { status: 'waitlisted', waitlistPosition: 1 });
    await inCourse[0].update({ email: 'announce@example.ir' });
    const left = await createLiaison();
    await enroll(course, left, { status: 'cancelled' });
    const outsider = await createLiaison();

    const page = await admin.get(`/admin/courses/${course.id}`);
    assert.match(
      page.text,
      /action="\/admin\/courses\/\d+\/announcements"[^>]*data-confirm="این پیام برای ۳ رابط این دوره/,
      'the admin confirms before writing to the three liaisons',
    );
    const nobody = await openCourse('دورهٔ بی‌رابط');
    const lonely = await admin.get(`/admin/courses/${nobody.id}`);
    assert.match(lonely.text, /این دوره اکنون رابطی ندارد/);
    const none = await postForm(admin, `/admin/courses/${nobody.id}/announcements`, { message: 'سلام' }, `/admin/courses/${nobody.id}`);
    assert.equal(none.status, 303);
    assert.match((await admin.get(`/admin/courses/${nobody.id}`)).text, /این دوره رابطی ندارد؛ پیامی فرستاده نشد/);

    const empty = await postForm(admin, `/admin/courses/${course.id}/announcements`, { message: '  ' }, `/admin/courses/${course.id}`);
    assert.equal(empty.status, 400);
    assert.match(empty.text, /id="message-error"[^>]*>متن پیام را وارد کنید/);
    assert.equal(await OutboxMessage.count({ where: { subject: 'سامانهٔ رابط: پیام دورهٔ «خبرنویسی پیشرفته»' } }), 0);

    const res = await postForm(
      admin,
      `/admin/courses/${course.id}/announcements`,
      { message: 'محل جلسه: سالن دو' },
      `/admin/courses/${course.id}`,
    );
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/admin/courses/${course.id}`);
    await t.services.outbox.drain();
    for (const user of inCourse) {
      const got = provider.to(user.mobile!);
      assert.equal(got.length, 1, user.username);
      assert.match(got[0], /«خبرنویسی پیشرفته».*محل جلسه: سالن دو/);
      assert.equal(await Notification.count({ where: { userId: user.id } }), 1);
    }
    for (const user of [left, outsider]) assert.equal(provider.to(user.mobile!).length, 0);
    const email = await OutboxMessage.findOne({ where: { to: 'announce@example.ir' } });
    assert.match(email?.body ?? '', /سالن دو/);
    assert.match((await admin.get(`/admin/courses/${course.id}`)).text, /action="\/admin\/courses\/\d+\/announcements"/);
  });
});

describe('session reminders', () => {
  const at = (iso: string, time: string) => tehranInstant(iso, time);

  it('go out the day before at the hour the admin set, once per liaison and session whatever the instances; a liaison can turn them off', async () => {
    const today = todayIso();
    const tomorrow = addDaysIso(today, 1);
    const course = await createCourse({ title: 'روابط عمومی الکترونیک', status: 'open' });
    await createSession(course, { date: tomorrow, startTime: '09:30' });
    await createSession(course, { date: addDaysIso(today, 2) });
    const [keen, quiet, waiting] = await Promise.all([createLiaison(), createLiaison(), createLiaison()]);
    for (const u of [keen, quiet]) await enroll(course, u, { status: 'approved' });
    await enroll(course, waiting, { status: 'waitlisted', waitlistPosition: 1 });

    // the liaison turns reminders off on their profile
    const agent = await loginAs(t.app, quiet.username);
    const profile = await agent.get('/me/profile');
    assert.match(profile.text, /name="smsReminders"[^>]*checked/);
    const off = await agent
      .post('/me/profile')
      .type('form')
      .send({
        _csrf: csrfFrom(profile.text),
        fullName: quiet.fullName,
        fatherName: 'علی',
        mobile: '۰۹۱۳ ۵۵۵ ۰۹۰۹',
        county: 'kerman',
        position: 'رابط',
      });
    assert.equal(off.status, 303);
    await quiet.reload();
    assert.equal(quiet.smsReminders, false);
    assert.equal(quiet.mobile, '09135550909', 'the mobile is stored as 09xxxxxxxxx');

    const bad = await postForm(admin, '/admin/settings/reminders', { reminderHour: '24' }, '/admin/settings');
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="reminderHour-error"/);
    assert.equal((await postForm(admin, '/admin/settings/reminders', { reminderHour: '۱۷' }, '/admin/settings')).status, 303);
    assert.equal(await t.services.settings.reminderHour(), 17);

    assert.equal(await queueSessionReminders(t.services, at(today, '16:59')), 0, 'not before the hour');
    const other = secondInstance();
    const otherServices = { ...t.services, sequelize: other.sequelize, outbox: other.outbox };
    try {
      await Promise.all([queueSessionReminders(t.services, at(today, '17:00')), queueSessionReminders(otherServices, at(today, '17:01'))]);
      await queueSessionReminders(t.services, at(today, '21:00'));
    } finally {
      await other.close();
    }
    const reminders = await OutboxMessage.findAll({ where: { subject: 'یادآوری جلسه' } });
    const mine = reminders.filter((r) => [keen.mobile, quiet.mobile, waiting.mobile].includes(r.to));
    assert.equal(mine.length, 1, 'one reminder: the keen liaison, tomorrow’s session only');
    assert.equal(mine[0].to, keen.mobile);
    assert.match(mine[0].body, /فردا .* ساعت ۰۹:۳۰ جلسهٔ «روابط عمومی الکترونیک»/);
    await t.services.outbox.drain();
    assert.equal(provider.to(keen.mobile!).filter((m) => m.includes('یادآوری')).length, 1);
  });
});
