import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin } from '../helpers/factories';
import { loginAs } from '../helpers/http';

// An app whose logins last 1.5 seconds (SESSION_MAX_HOURS), however active; the idle limit stays an hour.
let t: TestApp;
before(async () => {
  t = await createTestApp({ SESSION_MAX_HOURS: String(1.5 / 3600) });
});
after(async () => t.close());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('ends a login after its absolute lifetime, however active', async () => {
  const agent = await loginAs(t.app, (await createAdmin()).username);
  assert.equal((await agent.get('/admin')).status, 200);
  await pause(800);
  assert.equal((await agent.get('/admin')).status, 200);
  await pause(900);
  const res = await agent.get('/admin');
  assert.equal(res.status, 303);
  assert.match(res.headers.location, /^\/login/);
  // A new login starts a new lifetime.
  const again = await loginAs(t.app, (await createAdmin()).username);
  assert.equal((await again.get('/admin')).status, 200);
});
