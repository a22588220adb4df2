import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createCourse, createLiaisons, createSession, PASSWORD } from '../helpers/factories';
import { assertRaceOutcome } from '../helpers/race';
import { csrfFrom } from '../helpers/http';
import type { User } from '../../src/models';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { startServer, type ServerChild } from '../../scripts/lib/server';

/**
 * The enrollment race across two app instances (two processes on two ports) sharing one
 * PostgreSQL database: only the database can keep the invariants here.
 */
const databaseUrl = process.env.TEST_DATABASE_URL;
const skip = databaseUrl ? false : 'needs PostgreSQL: set TEST_DATABASE_URL';

/** The app from its sources on its own port, on the shared database. */
function startInstance(url: string): Promise<ServerChild> {
  return startServer({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    ADMIN_USERNAME: 'twoadmin',
    ADMIN_PASSWORD: 'Two-Instances-Admin-1405',
  });
}

describe('the enrollment race over two app instances on one PostgreSQL database', { skip }, () => {
  let t: TestApp;
  let instances: ServerChild[] = [];
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
    const users = await createLiaisons(200, 'two');

    // each liaison logs in on one instance (alternating) and reads the form token there
    const people: { user: User; agent: ReturnType<typeof request.agent>; token: string; instance: ServerChild }[] = [];
    for (let i = 0; i < users.length; i += 10) {
      const batch = users.slice(i, i + 10).map(async (user, j) => {
        const instance = instances[(i + j) % 2];
        const agent = request.agent(instance.base);
        const loginPage = await agent.get('/login');
        const login = await agent
          .post('/login')
          .type('form')
          .send({ username: user.username, password: PASSWORD, _csrf: csrfFrom(loginPage.text) });
        assert.equal(login.status, 303, `login of ${user.username}`);
        const token = csrfFrom((await agent.get('/me')).text);
        return { user, agent, token, instance };
      });
      people.push(...(await Promise.all(batch)));
    }

    const responses = await Promise.all(
      people.map((p) => p.agent.post(`/courses/${course.id}/enroll`).type('form').send({ _csrf: p.token })),
    );
    await assertRaceOutcome(
      course.id,
      20,
      people,
      responses.map((r) => r.status),
    );
  });
});
