import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, createUser, enroll } from '../helpers/factories';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { CourseMaterial } from '../../src/models';
import { todayIso } from '../../src/lib/jalali';
import { listRoutes } from '../fuzz/routes';

/**
 * Who may use which route. Every route of the router must have a rule here: a new route without one
 * fails this test, so that its access is decided on purpose.
 *   public   anyone, logged in or not
 *   login    any logged-in user (anonymous → /login)
 *   liaison  liaisons only; admin and instructor → 403
 *   self     a liaison or instructor (their own page); admin → 403
 *   admin    admins only; liaison and instructor → 403
 *   staff    admins, and the instructor of the course; a liaison → 403
 *   owner    the liaison who owns the record, or an admin; anyone else → 403 or 404
 */
type Rule = 'public' | 'login' | 'liaison' | 'self' | 'admin' | 'staff' | 'owner';

const RULES: Record<string, Rule> = {
  'GET /health': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'public',
  'GET /': 'public',
  'GET /register': 'public',
  'POST /register': 'public',
  'GET /register/done': 'public',
  'GET /password/forgot': 'public',
  'POST /password/forgot': 'public',
  'GET /password/reset': 'public',
  'POST /password/reset': 'public',
  'GET /courses': 'public',
  'GET /courses/:id': 'public',
  'GET /verify': 'public',
  'GET /verify/:code': 'public',
  'POST /verify/upload': 'public',
  'GET /verify/:code/credential.json': 'public',
  'GET /credentials/status/:id': 'public',
  'GET /.well-known/did.json': 'public',
  'GET /did.json': 'public',
  'GET /calendar/:token.ics': 'public',

  'GET /me': 'self',
  'GET /me/profile': 'self',
  'POST /me/profile': 'self',
  'POST /me/password': 'self',
  'GET /me/record.pdf': 'self',
  'GET /me/notifications': 'login',
  'POST /me/notifications/read': 'login',
  'GET /calendar': 'self',
  'POST /calendar/token': 'self',

  'POST /courses/:id/enroll': 'liaison',
  'GET /check-in': 'login',
  'POST /check-in': 'liaison',
  'POST /enrollments/:id/cancel': 'owner',
  'GET /certificates/:id.pdf': 'owner',
  'GET /courses/:id/evaluation': 'liaison',
  'POST /courses/:id/evaluation': 'liaison',
  // A material of the course the matrix liaison is approved in and the matrix instructor teaches.
  'GET /materials/:id': 'login',

  'GET /admin/sessions/:id/attendance': 'staff',
  'POST /admin/sessions/:id/attendance': 'staff',
  'POST /admin/sessions/:id/attendance/marks': 'staff',
  'GET /admin/courses/:id/attendance': 'staff',
  'GET /admin/sessions/:id/sign-in-sheet': 'staff',
  'GET /admin/sessions/:id/check-in': 'staff',
  'GET /admin/sessions/:id/check-in/code': 'staff',
  'GET /admin/courses/:id/materials': 'staff',
  'POST /admin/courses/:id/materials': 'staff',
  'POST /admin/materials/:id/delete': 'staff',
  'POST /admin/materials/:id/move': 'staff',
};

/** Every other route under /admin is for admins only. */
function ruleOf(method: string, path: string): Rule | undefined {
  return RULES[`${method} ${path}`] ?? (path === '/admin' || path.startsWith('/admin/') ? 'admin' : undefined);
}

let t: TestApp;
let agents: Record<'liaison' | 'instructor' | 'admin', Agent>;
const ids: Record<string, string> = {};

before(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' });
  const admin = await createAdmin({ username: 'matrix-admin' });
  const liaison = await createLiaison({ username: 'matrix-liaison' });
  const target = await createLiaison({ username: 'matrix-target' });
  const instructor = await createUser({ role: 'instructor', username: 'matrix-instructor' });
  const course = await createCourse({ instructorId: instructor.id });
  const session = await createSession(course, { date: todayIso() });
  const enrollment = await enroll(course, liaison);
  const material = await CourseMaterial.create({
    courseId: course.id,
    title: 'پیوند کلاس',
    kind: 'link',
    url: 'https://vc.example.ir/room/1',
    fileName: null,
    contentType: null,
    size: null,
    sha256: null,
    position: 1,
    createdBy: admin.id,
  });
  Object.assign(ids, {
    material: String(material.id),
    course: String(course.id),
    session: String(session.id),
    enrollment: String(enrollment.id),
    liaison: String(target.id),
    admin: String(admin.id),
  });
  agents = {
    liaison: await loginAs(t.app, 'matrix-liaison'),
    instructor: await loginAs(t.app, 'matrix-instructor'),
    admin: await loginAs(t.app, 'matrix-admin'),
  };
});
after(() => t.close());

/** The path with its parameters filled by ids of real records (a missing record would hide a 403 behind a 404). */
function concrete(path: string): string {
  const kind = path.startsWith('/admin/sessions/')
    ? 'session'
    : path.startsWith('/admin/liaisons/')
      ? 'liaison'
      : path.startsWith('/materials/') || path.startsWith('/admin/materials/')
        ? 'material'
        : path.startsWith('/enrollments/') || path.startsWith('/admin/enrollments/')
          ? 'enrollment'
          : path.startsWith('/admin/counties/')
            ? 'county'
            : 'course';
  return path
    .replace(':id', kind === 'county' ? '2' : ids[kind])
    .replace(':code', 'AAAAAAAAAAAAAAAAAAAAAA')
    .replace(':token', 'no-such-token');
}

async function tokenFor(agent: Agent): Promise<string> {
  let res = await agent.get('/login');
  for (let hops = 0; hops < 3 && res.status >= 300 && res.status < 400; hops++) res = await agent.get(res.headers.location);
  return csrfFrom(res.text);
}

async function call(agent: Agent, method: string, path: string) {
  if (method === 'GET') return agent.get(path).redirects(0);
  const token = await tokenFor(agent); // before the request is built: it takes the agent's cookies then
  return agent.post(path).redirects(0).type('form').send({ _csrf: token });
}

const isLoginRedirect = (res: request.Response) =>
  res.status >= 300 && res.status < 400 && /^\/login(\?|$)/.test(res.headers.location ?? '');

test('every route has an access rule, and anonymous, liaison, instructor and admin get what the rule says', async () => {
  const routes = listRoutes(t.app).filter((r) => r.method === 'GET' || r.method === 'POST');
  // Every rule in RULES names a route the app has: a router the listing cannot see would leave the matrix empty.
  const unseen = Object.keys(RULES).filter((key) => !routes.some((r) => `${r.method} ${r.path}` === key));
  assert.deepEqual(unseen, [], 'rules whose route the listing does not see');
  const missing = routes.filter((r) => !ruleOf(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
  assert.deepEqual(missing, [], 'routes without a rule in RULES (add one)');
  // Routes that end the session or change who may log in run last.
  const last = (r: { path: string }) => (r.path === '/logout' || r.path.endsWith('/disable') || r.path.endsWith('/password') ? 1 : 0);
  routes.sort((a, b) => last(a) - last(b));
  const failures: string[] = [];
  for (const { method, path } of routes) {
    const rule = ruleOf(method, path)!;
    const url = concrete(path);
    const anonymous = request.agent(t.app);
    const anon = await call(anonymous, method, url);
    if (rule !== 'public' && !(isLoginRedirect(anon) || anon.status === 401 || anon.status === 403)) {
      failures.push(`${method} ${path} (${rule}) as anonymous: ${anon.status} ${anon.headers.location ?? ''}`);
    }
    if (rule === 'public' && (anon.status === 401 || anon.status === 403 || isLoginRedirect(anon)) && path !== '/logout') {
      failures.push(`${method} ${path} (public) as anonymous: ${anon.status}`);
    }
    for (const role of ['liaison', 'instructor', 'admin'] as const) {
      if (path === '/logout') continue;
      const res = await call(agents[role], method, url);
      const allowed =
        rule === 'public' ||
        rule === 'login' ||
        (rule === 'liaison' && role === 'liaison') ||
        (rule === 'self' && role !== 'admin') ||
        (rule === 'admin' && role === 'admin') ||
        (rule === 'staff' && role !== 'liaison') ||
        (rule === 'owner' && role !== 'instructor');
      const denied = res.status === 403 || (rule === 'owner' && res.status === 404);
      if (allowed && (res.status === 401 || res.status === 403 || isLoginRedirect(res))) {
        failures.push(`${method} ${path} (${rule}) as ${role}: refused with ${res.status} ${res.headers.location ?? ''}`);
      }
      if (!allowed && !denied)
        failures.push(`${method} ${path} (${rule}) as ${role}: expected 403, got ${res.status} ${res.headers.location ?? ''}`);
      if (res.status >= 500) failures.push(`${method} ${path} as ${role}: ${res.status}`);
    }
  }
  assert.deepEqual(failures, []);
});
