import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { LOGIN_MESSAGES } from '../../src/features/auth/service';
import { LIMITS } from '../../src/services/rate-limiter';
import { Enrollment } from '../../src/models';
import { Client } from '../../scripts/lib/client';
import { startServer, type ServerChild } from '../../scripts/lib/server';
import { createCourse, createLiaison, createSession, PASSWORD } from '../helpers/factories';

/**
 * Two app instances (two processes, two ports) on one PostgreSQL database, no load balancer:
 * requests alternate between them. Skipped without TEST_DATABASE_URL (SQLite is one process's file).
 */
const url = process.env.TEST_DATABASE_URL;
const skip = url ? false : 'TEST_DATABASE_URL is not set: two instances need a shared PostgreSQL database';
const ADMIN = { username: 'scaleadmin', password: 'Scale-Admin-Pass-1405' };
let one: ServerChild;
let two: ServerChild;
let services: Services;
const startFailures: string[] = [];

before(async () => {
  if (!url) return;
  // An empty database: both instances will find no schema at all.
  const cleaner = createServices(loadConfig({ DATABASE_URL: url }));
  await cleaner.sequelize.query('DROP SCHEMA public CASCADE');
  await cleaner.sequelize.query('CREATE SCHEMA public');
  await cleaner.sequelize.close();
  const env = { DATABASE_URL: url, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, RATE_LIMITS: 'on', AUTO_ACTIVATE: '1' };
  // Started at the same moment. Should one fail to start, it is recorded (the first test fails) and
  // started again, so that the other checks still run.
  const started = await Promise.allSettled([startServer(env, { timeoutMs: 120_000 }), startServer(env, { timeoutMs: 120_000 })]);
  for (const s of started) if (s.status === 'rejected') startFailures.push(String((s.reason as Error).message).slice(0, 1500));
  [one, two] = await Promise.all(started.map((s) => (s.status === 'fulfilled' ? s.value : startServer(env, { timeoutMs: 120_000 }))));
  services = createServices(loadConfig({ DATABASE_URL: url }));
});
after(async () => {
  await Promise.all([one?.stop(), two?.stop()]);
  await services?.sequelize.close();
});

test('two instances started together on an empty database migrate it once, without error', { skip }, async () => {
  const rows = await services.sequelize.query<{ name: string; n: string }>('SELECT name, COUNT(*) AS n FROM migrations GROUP BY name', {
    type: QueryTypes.SELECT,
  });
  assert.ok(rows.length >= 1);
  assert.deepEqual(
    rows.filter((r) => Number(r.n) !== 1),
    [],
    'each migration recorded once',
  );
  const admins = await services.sequelize.query<{ n: string }>("SELECT COUNT(*) AS n FROM users WHERE role = 'admin'", {
    type: QueryTypes.SELECT,
  });
  assert.equal(Number(admins[0].n), 1, 'one first admin, not one per instance');
  for (const server of [one, two]) assert.doesNotMatch(server.log(), /error|exception/i, server.log());
  // Last, so that the checks above run whatever happened: neither instance may have failed to start
  // (the first admin, created after the migrations, is where a race would show).
  assert.deepEqual(startFailures, [], 'both instances started at the same moment');
});

test('a login on one instance is valid on the other', { skip }, async () => {
  const a = new Client(one.base);
  assert.ok(await a.login(ADMIN.username, ADMIN.password));
  const b = new Client(two.base);
  b.cookies = a.cookies;
  const res = await b.get('/admin');
  assert.equal(res.status, 200);
  // And a form posted to the other instance passes its CSRF check with the token of the first.
  b.csrf = a.csrf;
  const logout = await b.post('/logout');
  assert.equal(logout.status, 303);
  assert.equal((await a.get('/admin')).status, 303, 'logged out on both');
});

test('failed logins alternating between the instances hit the per-account limit at the same total', { skip }, async () => {
  const liaison = await createLiaison({ username: 'scale-limited' });
  const outcomes: string[] = [];
  for (let i = 0; i < LIMITS.failedLoginsPerAccountAndIp.max + 2; i++) {
    const c = new Client(i % 2 ? two.base : one.base);
    await c.get('/login');
    const res = await c.post('/login', { username: liaison.username, password: `wrong-password-${i}` });
    outcomes.push(res.text.includes(LOGIN_MESSAGES.throttled) ? 'throttled' : res.status === 303 ? 'in' : 'refused');
  }
  const firstThrottled = outcomes.indexOf('throttled');
  assert.equal(firstThrottled, LIMITS.failedLoginsPerAccountAndIp.max, `outcomes: ${outcomes.join(',')}`);
  // The right password is refused too while the account is locked, on either instance.
  for (const server of [one, two]) {
    const c = new Client(server.base);
    assert.equal(await c.login(liaison.username, PASSWORD), false);
  }
});

test('liaisons enrolling at once through both instances never overfill a course', { skip }, async () => {
  const capacity = 6;
  const course = await createCourse({ capacity, code: 'SCALE-1' });
  await createSession(course);
  const clients: Client[] = [];
  for (let i = 0; i < 30; i++) {
    const liaison = await createLiaison({ username: `scale-l${i}` });
    const c = new Client(i % 2 ? two.base : one.base);
    assert.ok(await c.login(liaison.username, PASSWORD));
    await c.get(`/courses/${course.id}`);
    clients.push(c);
  }
  const statuses = await Promise.all(clients.map((c) => c.post(`/courses/${course.id}/enroll`).then((r) => r.status)));
  assert.deepEqual(
    statuses.filter((s) => s >= 500),
    [],
  );
  const approved = await Enrollment.count({ where: { courseId: course.id, status: 'approved' } });
  const waitlisted = await Enrollment.findAll({
    where: { courseId: course.id, status: 'waitlisted' },
    order: [['waitlistPosition', 'ASC']],
  });
  assert.equal(approved, capacity);
  assert.equal(waitlisted.length, 30 - capacity);
  assert.deepEqual(
    waitlisted.map((e) => e.waitlistPosition),
    Array.from({ length: 30 - capacity }, (_, i) => i + 1),
    'waitlist positions 1..n, no gaps or doubles',
  );
});
