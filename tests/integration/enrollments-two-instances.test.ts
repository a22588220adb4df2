import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { countyBySlug, createCourse, createLiaison, createSession, PASSWORD } from '../helpers/factories';
import { csrfFrom } from '../helpers/http';
import { Enrollment, User } from '../../src/models';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { toPersianDigits } from '../../src/lib/persian';

/**
 * The enrollment race across two app instances (two processes on two ports) sharing one
 * PostgreSQL database: only the database can keep the invariants here.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
const skip = databaseUrl ? false : 'needs PostgreSQL: set TEST_DATABASE_URL';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Instance {
  base: string;
  stop(): Promise<void>;
}

/** The app from its sources (`node --import tsx src/server.ts`) on its own port, on the given database. */
async function startInstance(url: string): Promise<Instance> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const root = path.resolve(__dirname, '../..');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src/server.ts')], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      PORT: String(port),
      DATABASE_URL: url,
      BASE_URL: base,
      ADMIN_USERNAME: 'twoadmin',
      ADMIN_PASSWORD: 'Two-Instances-Admin-1405',
      SESSION_SECRET: 'two-instances-secret-that-is-long-enough-0123',
      RATE_LIMITS: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance exited: ${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`instance did not answer /health: ${log}`);
    }
    try {
      if ((await fetch(`${base}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    base,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

describe('the enrollment race over two app instances on one PostgreSQL database', { skip }, () => {
  let t: TestApp;
  let instances: Instance[] = [];
  before(async () => {
    t = await createTestApp();
    instances = await Promise.all([startInstance(databaseUrl!), startInstance(databaseUrl!)]);
  });
  after(async () => {
    await Promise.all(instances.map((i) => i.stop()));
    await t?.close();
  });

  it('200 liaisons through both instances into 20 seats: exactly 20 approved, 180 waitlisted 1–180, no 5xx', async () => {
    const course = await createCourse({ capacity: 20 });
    await createSession(course, { date: addDaysIso(todayIso(), 4) });
    const template = await createLiaison({ username: 'twotemplate' });
    const [kerman, bam] = [await countyBySlug('kerman'), await countyBySlug('bam')];
    const users = await User.bulkCreate(
      Array.from({ length: 200 }, (_, i) => ({
        role: 'liaison' as const,
        username: `two${i}`,
        passwordHash: template.passwordHash,
        fullName: `رابط دو نمونه ${i}`,
        fatherName: null,
        nationalCode: null,
        mobile: null,
        email: null,
        countyId: i % 2 ? bam.id : kerman.id,
        position: null,
        status: 'active' as const,
        searchKey: `two${i}`,
        lastLoginAt: null,
      })),
      { returning: true },
    );

    // each liaison logs in on one instance (alternating) and reads the form token there
    const people: { user: User; agent: ReturnType<typeof request.agent>; token: string; instance: Instance }[] = [];
    for (let i = 0; i < users.length; i += 10) {
      const batch = users.slice(i, i + 10).map(async (user, j) => {
        const instance = instances[(i + j) % 2];
        const agent = request.agent(instance.base);
        const loginPage = await agent.get('/login');
        const login = await agent.post('/login').type('form').send({ username: user.username, password: PASSWORD, _csrf: csrfFrom(loginPage.text) });
        assert.equal(login.status, 303, `login of ${user.username}`);
        const token = csrfFrom((await agent.get('/me')).text);
        return { user, agent, token, instance };
      });
      people.push(...(await Promise.all(batch)));
    }

    const responses = await Promise.all(people.map((p) => p.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: p.token })));
    const statuses = responses.map((r) => r.status);
    assert.deepEqual([...new Set(statuses)], [303], `statuses: ${statuses.join(',')}`);

    const rows = await Enrollment.findAll({ where: { courseId: course.id } });
    assert.equal(rows.length, 200);
    assert.equal(rows.filter((r) => r.status === 'approved').length, 20);
    const positions = rows.filter((r) => r.status === 'waitlisted').map((r) => r.waitlistPosition!).sort((a, b) => a - b);
    assert.deepEqual(positions, Array.from({ length: 180 }, (_, i) => i + 1));

    // what each liaison was told agrees with the database
    const byUser = new Map(rows.map((r) => [r.userId, r]));
    await Promise.all(
      people.map(async (p) => {
        const row = byUser.get(p.user.id)!;
        const page = (await p.agent.get('/me')).text;
        const told = row.status === 'approved' ? /role="status">[^<]*تأیید شد/ : new RegExp(`role="status">[^<]*نوبت ${toPersianDigits(row.waitlistPosition!)}\\.`);
        assert.match(page, told, `${p.user.username}: ${row.status} ${row.waitlistPosition}`);
      }),
    );
  });
});
