import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createLiaison, PASSWORD } from '../helpers/factories';
import { csrfOf, loginAs, postForm } from '../helpers/http';
import { AuditEvent, County, RateLimit, User } from '../../src/models';
import { ensureFirstAdmin } from '../../src/features/auth/service';
import { verifyPassword } from '../../src/lib/password';

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t.close());

describe('foundation', () => {
  it('answers /health after a real query', async () => {
    const res = await request(t.app).get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok', db: 'ok' });
  });

  it('serves a Persian right-to-left login page with security headers and no CDN', async () => {
    const res = await request(t.app).get('/login');
    assert.equal(res.status, 200);
    assert.match(res.text, /<html lang="fa" dir="rtl">/);
    assert.match(res.text, /ورود به سامانهٔ رابط/);
    assert.doesNotMatch(res.text, /(src|href)="(https?:)?\/\//);
    assert.ok(res.headers['content-security-policy']?.includes("script-src 'self'"));
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('serves the font and the RTL stylesheet itself', async () => {
    for (const path of ['/vendor/fonts/Vazirmatn-Regular.woff2', '/vendor/bootstrap/bootstrap.rtl.min.css', '/css/app.css']) {
      const res = await request(t.app).get(path);
      assert.equal(res.status, 200, path);
    }
  });

  it('migrated the 25 counties of Kerman', async () => {
    assert.equal(await County.count(), 25);
    assert.ok(await County.findOne({ where: { slug: 'bam', name: 'بم' } }));
  });

  it('creates the first admin once, from the configured password; no default password works', async () => {
    const lines: string[] = [];
    await ensureFirstAdmin({ ...t.config, adminUsername: 'Chief', adminPassword: 'Chief-Pass-1405-long' }, (l) => lines.push(l));
    const admin = await User.findOne({ where: { username: 'chief' } });
    assert.ok(admin);
    assert.ok(await verifyPassword(admin.passwordHash, 'Chief-Pass-1405-long'));
    for (const guess of ['admin', 'password', '123456', 'admin123']) assert.equal(await verifyPassword(admin.passwordHash, guess), false);
    await ensureFirstAdmin({ ...t.config, adminUsername: 'other', adminPassword: undefined }, (l) => lines.push(l));
    assert.equal(await User.count({ where: { role: 'admin' } }), 1);
    assert.equal(lines.length, 1);
  });

  it('prints a random password once when none is configured', async () => {
    await User.destroy({ where: { role: 'admin' } });
    const lines: string[] = [];
    await ensureFirstAdmin({ ...t.config, adminUsername: 'root', adminPassword: undefined }, (l) => lines.push(l));
    const printed = /Password: (\S+)/.exec(lines[0])?.[1];
    assert.ok(printed && printed.length >= 16);
    const admin = await User.findOne({ where: { username: 'root' } });
    assert.ok(admin && (await verifyPassword(admin.passwordHash, printed)));
  });

  it('creates one first admin when two instances start on an empty database at once', async () => {
    await User.destroy({ where: { role: 'admin' } });
    const config = { ...t.config, adminUsername: 'twin', adminPassword: 'Twin-Pass-1405-long' };
    await Promise.all([ensureFirstAdmin(config, () => {}), ensureFirstAdmin(config, () => {})]);
    assert.equal(await User.count({ where: { role: 'admin' } }), 1);
  });

  it('logs an admin in and out, regenerating the session at login', async () => {
    await createAdmin({ username: 'boss' });
    const agent = request.agent(t.app);
    await csrfOf(agent);
    const before = agent.jar.getCookie('rabet.sid', { path: '/', domain: '127.0.0.1', secure: false, script: false })?.value;
    const res = await postForm(agent, '/login', { username: 'boss', password: PASSWORD });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/admin');
    const after = agent.jar.getCookie('rabet.sid', { path: '/', domain: '127.0.0.1', secure: false, script: false })?.value;
    assert.notEqual(before, after);
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, /HttpOnly/i);
    assert.match(setCookie, /SameSite=Lax/i);
    const home = await agent.get('/admin');
    assert.equal(home.status, 200);
    assert.match(home.headers['cache-control'] ?? '', /no-store/);
    const out = await postForm(agent, '/logout', {}, '/admin');
    assert.equal(out.status, 303);
    const again = await agent.get('/admin');
    assert.equal(again.status, 303);
    assert.match(again.headers.location, /^\/login/);
  });

  it('refuses a wrong password with a Persian message and logs nobody in', async () => {
    await createAdmin({ username: 'wrongpw' });
    const agent = request.agent(t.app);
    const res = await postForm(agent, '/login', { username: 'wrongpw', password: 'not-the-password' });
    assert.equal(res.status, 400);
    assert.match(res.text, /نام کاربری یا گذرواژه نادرست است/);
    assert.equal((await agent.get('/admin')).status, 303);
  });

  it('refuses a login without a CSRF token', async () => {
    await createAdmin({ username: 'nocsrf' });
    const agent = request.agent(t.app);
    await agent.get('/login');
    const res = await agent.post('/login').type('form').send({ username: 'nocsrf', password: PASSWORD });
    assert.equal(res.status, 403);
    assert.match(res.text, /CSRF/);
    assert.equal((await agent.get('/admin')).status, 303);
    const user = await User.findOne({ where: { username: 'nocsrf' } });
    assert.equal(user?.lastLoginAt, null);
  });

  it('refuses a state-changing request with a wrong CSRF token, changing nothing', async () => {
    const agent = await loginAs(t.app, (await createAdmin()).username);
    const res = await agent.post('/logout').type('form').send({ _csrf: 'forged' });
    assert.equal(res.status, 403);
    assert.equal((await agent.get('/admin')).status, 200);
  });

  it('keeps a liaison out of /admin and an anonymous user out of logged-in pages', async () => {
    const liaison = await createLiaison();
    const agent = await loginAs(t.app, liaison.username);
    const res = await agent.get('/admin');
    assert.equal(res.status, 403);
    assert.match(res.text, /اجازه/);
    const anon = await request(t.app).get('/admin');
    assert.equal(anon.status, 303);
    assert.equal(anon.headers.location, '/login?next=%2Fadmin');
  });

  it('refuses pending and disabled accounts', async () => {
    const pending = await createLiaison({ status: 'pending' });
    const disabled = await createLiaison({ status: 'disabled' });
    for (const [user, message] of [
      [pending, /تأیید/],
      [disabled, /غیرفعال/],
    ] as const) {
      const res = await postForm(request.agent(t.app), '/login', { username: user.username, password: PASSWORD });
      assert.equal(res.status, 400);
      assert.match(res.text, message);
    }
  });

  it('rate-limits failed logins per account, counting in the database', async () => {
    const victim = await createLiaison();
    for (let i = 0; i < 10; i++) {
      await postForm(request.agent(t.app), '/login', { username: victim.username, password: `wrong-${i}` });
    }
    const res = await postForm(request.agent(t.app), '/login', { username: victim.username, password: PASSWORD });
    assert.equal(res.status, 429);
    assert.ok(await RateLimit.findByPk(`login:user:${victim.username}`));
  });

  it('answers an unknown page with a Persian 404', async () => {
    const res = await request(t.app).get('/no-such-page');
    assert.equal(res.status, 404);
    assert.match(res.text, /پیدا نشد/);
  });

  it('refuses an oversized body', async () => {
    const res = await request(t.app)
      .post('/login')
      .type('form')
      .send(`username=${'a'.repeat(300_000)}`);
    assert.equal(res.status, 413);
    assert.equal(await AuditEvent.count({ where: { action: 'login' } }), 0);
  });
});
