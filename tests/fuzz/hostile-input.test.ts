import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { ZipArchive } from 'archiver';
import { QueryTypes } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, createUser, enroll, nationalCode } from '../helpers/factories';
import { csrfFrom, loginAs, type Agent } from '../helpers/http';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { listRoutes } from './routes';

/**
 * Hostile input on every route and form. The answer is never a 5xx; a refusal (4xx) carries a
 * Persian message and stores nothing (row counts unchanged); no answer reflects a payload's HTML
 * unescaped. Routes come from the app's router, so a new route is fuzzed without editing this file.
 */

const SCRIPT = '<script>alert("rabet-xss")</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const HOSTILE_IDS = ['abc', '-1', '0', '1.5', '99999999999999999999', '1e3', "1' OR '1'='1", '%00', '..%2f..%2fetc%2fpasswd', '%E2%80%AE1'];
const FIELDS = [
  'username',
  'password',
  'fullName',
  'fatherName',
  'nationalCode',
  'mobile',
  'email',
  'county',
  'position',
  'code',
  'title',
  'category',
  'description',
  'capacity',
  'hours',
  'enrollOpens',
  'enrollCloses',
  'minAttendance',
  'passMark',
  'approval',
  'delivery',
  'place',
  'link',
  'instructor',
  'status',
  'date',
  'start',
  'end',
  'topic',
  'reason',
  'name',
  'slug',
  'enrollment',
  'override',
  'session',
  'direction',
  'autoActivate',
  'rows',
  'allPresent',
  'until',
  'weekdays',
  'newPassword',
  'currentPassword',
];

/** A body where every known field carries the payload, in one of several shapes. */
const BODIES: Record<string, (fields: string[]) => [string, string][]> = {
  overlong: (f) => f.map((n) => [n, 'ب'.repeat(100_000 / f.length)]),
  repeated: (f) =>
    f.flatMap(
      (n) =>
        [
          [`${n}[]`, 'a'],
          [`${n}[]`, 'b'],
        ] as [string, string][],
    ),
  duplicated: (f) =>
    f.flatMap(
      (n) =>
        [
          [n, '1'],
          [n, '2'],
        ] as [string, string][],
    ),
  operator: (f) => f.map((n) => [`${n}[$gt]`, '0']),
  nested: (f) => f.map((n) => [`${n}[a][b][c]`, '1']),
  nul: (f) => f.map((n) => [n, 'ab\u0000cd\u202eef']),
  html: (f) => f.map((n) => [n, SCRIPT]),
  attr: (f) => f.map((n) => [n, IMG]),
  sql: (f) => f.map((n) => [n, "1'; DROP TABLE users; --"]),
  dates: (f) => f.map((n) => [n, '1405/13/40']),
  numbers: (f) => f.map((n) => [n, '-99999999999999999999']),
  proto: () => [
    ['__proto__[admin]', '1'],
    ['constructor[prototype][admin]', '1'],
    ['mark[__proto__]', 'present'],
  ],
};

let t: TestApp;
let agents: Record<'anonymous' | 'liaison' | 'admin' | 'instructor', Agent>;
const ids: Record<string, number> = {};
const TABLES = [
  'counties',
  'users',
  'settings',
  'courses',
  'course_quotas',
  'course_sessions',
  'enrollments',
  'attendance_marks',
  'certificates',
  'notifications',
  'outbox_messages',
  'password_reset_codes',
  'course_materials',
  'material_files',
  'course_evaluations',
  'evaluation_respondents',
  'evaluation_answers',
  'evaluation_scores',
];

before(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' });
  await createAdmin({ username: 'fuzz-admin' });
  const liaison = await createLiaison({ username: 'fuzz-liaison' });
  const instructor = await createUser({ role: 'instructor', username: 'fuzz-instructor' });
  const course = await createCourse({ instructorId: instructor.id });
  const session = await createSession(course, { date: todayIso() });
  const enrollment = await enroll(course, liaison);
  // A course whose last session was yesterday: its evaluation is open to the fuzz liaison.
  const evaluated = await createCourse({ status: 'running' });
  await createSession(evaluated, { date: addDaysIso(todayIso(), -1) });
  await enroll(evaluated, liaison);
  Object.assign(ids, { course: course.id, session: session.id, enrollment: enrollment.id, liaison: liaison.id, evaluated: evaluated.id });
  agents = {
    anonymous: request.agent(t.app),
    liaison: await loginAs(t.app, 'fuzz-liaison'),
    instructor: await loginAs(t.app, 'fuzz-instructor'),
    admin: await loginAs(t.app, 'fuzz-admin'),
  };
});
after(() => t.close());

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await t.services.sequelize.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`, {
      type: QueryTypes.SELECT,
    });
    out[table] = Number(row.n);
  }
  return out;
}

async function tokenFor(agent: Agent): Promise<string> {
  let res = await agent.get('/login');
  for (let hops = 0; hops < 3 && res.status >= 300 && res.status < 400; hops++) res = await agent.get(res.headers.location);
  return csrfFrom(res.text);
}

async function post(agent: Agent, path: string, pairs: [string, string][]) {
  const token = await tokenFor(agent);
  const body = new URLSearchParams([...pairs, ['_csrf', token]]).toString();
  return agent.post(path).redirects(0).type('form').send(body);
}

function concrete(path: string, id?: string): string {
  const kind = path.startsWith('/admin/sessions/')
    ? 'session'
    : path.startsWith('/admin/liaisons/')
      ? 'liaison'
      : path.includes('enrollments/')
        ? 'enrollment'
        : 'course';
  return path
    .replace(':id', id ?? String(ids[kind]))
    .replace(':code', id ?? 'AAAAAAAAAAAAAAAAAAAAAA')
    .replace(':token', id ?? 'no-such-token');
}

const PERSIAN = /[\u0600-\u06FF]{3,}/;

/** What every answer must be: no 5xx, a Persian message with a refusal, no payload HTML reflected. */
function judge(label: string, res: request.Response, problems: string[]): void {
  const type = String(res.headers['content-type'] ?? '');
  if (res.status >= 500) problems.push(`${label}: ${res.status} ${(res.text ?? '').slice(0, 200).replace(/\s+/g, ' ')}`);
  if (
    res.status >= 400 &&
    res.status < 500 &&
    (type.includes('html') || type.includes('json') || type.includes('text')) &&
    !PERSIAN.test(res.text ?? '')
  ) {
    problems.push(`${label}: ${res.status} without a Persian message`);
  }
  const text = res.text ?? '';
  if (text.includes(SCRIPT) || text.includes('<img src=x onerror')) problems.push(`${label}: payload HTML reflected unescaped`);
}

function sameCounts(label: string, before: Record<string, number>, after: Record<string, number>, problems: string[]): void {
  const changed = TABLES.filter((table) => before[table] !== after[table]).map((table) => `${table} ${before[table]}→${after[table]}`);
  if (changed.length) problems.push(`${label}: stored rows (${changed.join(', ')})`);
}

describe('every route', () => {
  test('hostile ids in the path: 4xx (or the login page), never 5xx, nothing stored', async () => {
    const routes = listRoutes(t.app).filter((r) => /:\w+/.test(r.path) && (r.method === 'GET' || r.method === 'POST'));
    assert.ok(routes.length > 5, 'the router lists routes with parameters');
    const problems: string[] = [];
    for (const { method, path } of routes) {
      for (const who of ['admin', 'liaison', 'anonymous'] as const) {
        for (const id of HOSTILE_IDS) {
          const url = concrete(path, id);
          const before = method === 'POST' ? await counts() : null;
          const res = method === 'GET' ? await agents[who].get(url).redirects(0) : await post(agents[who], url, []);
          const label = `${method} ${url} as ${who}`;
          judge(label, res, problems);
          const toLogin = res.status === 303 && /^\/login/.test(res.headers.location ?? '');
          // A public lookup page (verification) may answer 200 saying nothing matched.
          const lookup = method === 'GET' && res.status === 200 && path === '/verify/:code';
          if (!(res.status >= 400 && res.status < 500) && !toLogin && !lookup)
            problems.push(`${label}: ${res.status} ${res.headers.location ?? ''} (expected 4xx)`);
          if (before) sameCounts(label, before, await counts(), problems);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('hostile bodies on every POST route as admin, liaison and instructor: no 5xx, a refusal stores nothing, no HTML reflected', async () => {
    const routes = listRoutes(t.app).filter(
      (r) => r.method === 'POST' && !['/logout', '/admin/liaisons/:id/disable', '/admin/liaisons/:id/password'].includes(r.path),
    );
    const problems: string[] = [];
    for (const { path } of routes) {
      const url = concrete(path);
      for (const who of ['admin', 'liaison', 'instructor'] as const) {
        for (const [shape, make] of Object.entries(BODIES)) {
          const before = await counts();
          const res = await post(agents[who], url, make(FIELDS));
          const label = `POST ${url} as ${who} with ${shape}`;
          judge(label, res, problems);
          if (res.status >= 400) sameCounts(label, before, await counts(), problems);
          if (res.status === 303 && res.headers.location && !res.headers.location.startsWith('http')) {
            judge(`${label} → ${res.headers.location}`, await agents[who].get(res.headers.location).redirects(0), problems);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test('a 2 MB body is refused with 413 and a Persian message', async () => {
    const problems: string[] = [];
    const routes = listRoutes(t.app).filter((r) => r.method === 'POST');
    for (const { path } of routes) {
      const url = concrete(path);
      const before = await counts();
      const token = await tokenFor(agents.admin);
      const res = await agents.admin
        .post(url)
        .redirects(0)
        .type('form')
        .send(`_csrf=${token}&title=${'a'.repeat(2 * 1024 * 1024)}`);
      judge(`POST ${url} 2 MB`, res, problems);
      if (res.status !== 413) problems.push(`POST ${url} 2 MB: ${res.status} (expected 413)`);
      sameCounts(`POST ${url} 2 MB`, before, await counts(), problems);
    }
    assert.deepEqual(problems, []);
  });

  test('path traversal in downloads is refused', async () => {
    for (const url of [
      '/certificates/..%2f..%2fetc%2fpasswd.pdf',
      '/certificates/..%2F..%2F..%2Fetc%2Fpasswd.pdf',
      '/certificates/1%00.pdf',
      '/calendar/..%2f..%2fetc%2fpasswd.ics',
      '/me/record.pdf/..%2f..%2fpackage.json',
      '/vendor/..%2f..%2fpackage.json',
      '/css/..%2f..%2f..%2fpackage.json',
    ]) {
      for (const who of ['admin', 'liaison', 'anonymous'] as const) {
        const res = await agents[who].get(url).redirects(0);
        assert.ok(res.status >= 300 && res.status < 500, `${url} as ${who}: ${res.status}`);
        assert.doesNotMatch(res.text ?? '', /root:x:0:0|"name": "rabet"/, `${url} as ${who} leaked a file`);
      }
    }
  });
});

describe('the forms of DESIGN.md refuse bad values field by field', () => {
  const courseBase = {
    code: 'FZ-1',
    title: 'دورهٔ آزمون ورودی',
    category: 'خبرنویسی',
    capacity: '20',
    hours: '8',
    enrollOpens: '1405/09/01',
    enrollCloses: '1405/09/20',
    minAttendance: '80',
    approval: 'auto',
    delivery: 'in-person',
    place: 'سالن',
  };
  const registerBase = {
    fullName: 'رابط آزمون',
    fatherName: 'علی',
    nationalCode: '2980000061',
    mobile: '09131234567',
    county: 'kerman',
    position: 'رابط',
    username: 'fuzzreg',
    password: 'Fuzz-Register-1405',
  };
  const cases: {
    form: string;
    path: () => string;
    who: 'admin' | 'anonymous' | 'liaison';
    base: Record<string, string>;
    bad: Record<string, string[] | [string, string][]>;
  }[] = [
    {
      form: 'create a course',
      path: () => '/admin/courses',
      who: 'admin',
      base: courseBase,
      bad: {
        capacity: ['-1', 'abc', '1e9', '99999999999999999999', '', '۰'],
        hours: ['-3', 'abc'],
        enrollOpens: ['1405/13/40', '1405/07/31', '1405/12/31x', "1405/09/01' OR 1=1"],
        enrollCloses: ['1405/02/32', 'tomorrow'],
        minAttendance: ['101', '-5'],
        approval: ['sometimes', SCRIPT],
        delivery: ['teleport'],
        title: ['', 'ت'.repeat(5000)],
        code: ['', 'ک'.repeat(500)],
      },
    },
    {
      form: 'sign up',
      path: () => '/register',
      who: 'anonymous',
      base: registerBase,
      bad: {
        nationalCode: ['1234567890', '0000000000', '298000006', 'abcdefghij', '2980000060'],
        mobile: ['0913123456', '08131234567', '+1 555 0100'],
        county: ['../../etc/passwd', 'no-such-county', ''],
        username: ['', 'ب'.repeat(300)],
        password: ['short', 'x'.repeat(5000)],
        fullName: ['', 'ن'.repeat(1000)],
      },
    },
    {
      form: 'ask for a recovery code',
      path: () => '/password/forgot',
      who: 'anonymous',
      base: { username: 'fuzz-liaison' },
      bad: { username: ['', 'ب'.repeat(1000)] },
    },
    {
      form: 'set a new password with a recovery code',
      path: () => '/password/reset',
      who: 'anonymous',
      base: { username: 'fuzz-liaison', code: '123456', password: 'Fuzz-Reset-Pass-1405' },
      bad: { code: ['', '12345', 'abcdef', '1234567', SCRIPT], password: ['short', 'x'.repeat(5000)], username: [''] },
    },
    {
      form: 'announce to a course',
      path: () => `/admin/courses/${ids.course}/announcements`,
      who: 'admin',
      base: { message: 'پیام آزمون' },
      bad: { message: ['', '   ', 'پ'.repeat(400)] },
    },
    {
      form: 'set the reminder hour',
      path: () => '/admin/settings/reminders',
      who: 'admin',
      base: { reminderHour: '18' },
      bad: { reminderHour: ['', '24', '-1', 'noon', '1e1', SCRIPT] },
    },
    {
      form: 'add a session',
      path: () => `/admin/courses/${ids.course}/sessions`,
      who: 'admin',
      base: { date: '1405/09/25', start: '10:00', end: '12:00', topic: 'جلسه' },
      bad: { date: ['1405/07/31', '1405/00/10', '1405/12/30x', '9999/99/99'], start: ['25:00', '10:61', 'noon'], end: ['09:00'] },
    },
    {
      form: 'enroll a liaison by hand',
      path: () => `/admin/courses/${ids.course}/enrollments`,
      who: 'admin',
      base: { username: 'nobody-here' },
      bad: { username: ['', "' OR 1=1 --", 'ب'.repeat(1000)] },
    },
    {
      form: 'change a course state',
      path: () => `/admin/courses/${ids.course}/status`,
      who: 'admin',
      base: { status: 'bogus' },
      bad: { status: ['', 'deleted', 'open\u0000'] },
    },
    {
      form: 'add course material (a link)',
      path: () => `/admin/courses/${ids.course}/materials`,
      who: 'admin',
      base: { title: 'کلاس برخط', url: 'https://vc.example.ir/room/1' },
      bad: {
        title: ['', 'ب'.repeat(201)],
        url: ['javascript:alert(1)', 'ftp://example.ir/x', 'not a url', '//evil.example', 'data:text/html,<script>alert(1)</script>'],
      },
    },
    {
      form: 'answer the evaluation',
      path: () => `/courses/${ids.evaluated}/evaluation`,
      who: 'liaison',
      base: {
        'q[content]': '4',
        'q[usefulness]': '4',
        'q[instructor]': '4',
        'q[organisation]': '4',
        'q[overall]': '4',
        comment: 'خوب بود',
        topics: 'ویدئو',
      },
      bad: {
        'q[content]': ['', '0', '6', '۶', '4.5', 'abc', ' 4 4'],
        'q[overall]': ['-1', '99999999999999999999'],
        comment: ['ن'.repeat(2001)],
        topics: ['ن'.repeat(1001)],
      },
    },
    {
      form: 'edit the evaluation template',
      path: () => '/admin/evaluation/template',
      who: 'admin',
      base: { 'label[1]': 'محتوای دوره', 'key[1]': 'content', commentPrompt: 'نظر شما', topicsPrompt: 'موضوعات' },
      bad: { 'label[1]': ['', 'ب'.repeat(201)], commentPrompt: ['ب'.repeat(201)], topicsPrompt: ['ب'.repeat(201)] },
    },
  ];
  for (const c of cases) {
    test(`${c.form}: each bad value → 4xx with a Persian message, the typed value kept escaped, nothing stored`, async () => {
      const problems: string[] = [];
      for (const [field, values] of Object.entries(c.bad)) {
        for (const value of values as string[]) {
          const before = await counts();
          const pairs = Object.entries({ ...c.base, [field]: value });
          const res = await post(agents[c.who], c.path(), pairs);
          const label = `${c.form}: ${field}=${JSON.stringify(value).slice(0, 40)}`;
          judge(label, res, problems);
          if (!(res.status >= 400 && res.status < 500))
            problems.push(`${label}: ${res.status} ${res.headers.location ?? ''} (expected 4xx)`);
          sameCounts(label, before, await counts(), problems);
        }
        // The same field repeated, as an array, as an object.
        for (const shape of [
          [
            [`${field}[]`, 'a'],
            [`${field}[]`, 'b'],
          ],
          [[`${field}[$gt]`, '0']],
        ] as [string, string][][]) {
          const before = await counts();
          const pairs = [...Object.entries(c.base).filter(([k]) => k !== field), ...shape];
          const res = await post(agents[c.who], c.path(), pairs);
          const label = `${c.form}: ${shape.map(([k]) => k).join('&')}`;
          judge(label, res, problems);
          if (!(res.status >= 400 && res.status < 500)) problems.push(`${label}: ${res.status} (expected 4xx)`);
          sameCounts(label, before, await counts(), problems);
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  test('take attendance: unknown statuses, foreign and malformed enrollment ids → 4xx, nothing stored', async () => {
    const problems: string[] = [];
    const url = `/admin/sessions/${ids.session}/attendance`;
    const e = ids.enrollment;
    for (const pairs of [
      [[`mark[${e}]`, 'teleported']],
      [['mark[abc]', 'present']],
      [['mark[999999]', 'present']],
      [['mark[-1]', 'present']],
      [[`mark[${e}][$gt]`, '0']],
      [[`mark[${e}]`, SCRIPT]],
      [['mark', 'present']],
      [[`note[${e}]`, 'ن'.repeat(5000)]],
    ] as [string, string][][]) {
      const before = await counts();
      const res = await post(agents.admin, url, pairs);
      const label = `attendance ${JSON.stringify(pairs).slice(0, 60)}`;
      judge(label, res, problems);
      if (!(res.status >= 400 && res.status < 500)) problems.push(`${label}: ${res.status} (expected 4xx)`);
      sameCounts(label, before, await counts(), problems);
    }
    assert.deepEqual(problems, []);
  });

  test('text with null bytes and bidi overrides is refused or stored without them', async () => {
    const res = await post(
      agents.admin,
      '/admin/courses',
      Object.entries({ ...courseBase, code: 'FZ-NUL', title: 'دوره\u0000 آزمون\u202e ویژه' }),
    );
    assert.ok(res.status < 500, `status ${res.status}`);
    const [row] = await t.services.sequelize.query<{ title: string }>("SELECT title FROM courses WHERE code = 'FZ-NUL'", {
      type: QueryTypes.SELECT,
    });
    if (row) assert.ok(!row.title.includes('\u0000') && !row.title.includes('\u202e'), JSON.stringify(row.title));
    else assert.ok(res.status >= 400 && res.status < 500);
  });
});

/** A zip of one part that inflates to `megabytes` of spaces; `lieAboutSize` rewrites the size its directory declares. */
async function inflatingZip(megabytes: number, lieAboutSize = false): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => archive.once('end', resolve));
  archive.append(Buffer.alloc(megabytes << 20, 0x20), { name: 'xl/worksheets/sheet1.xml' });
  await archive.finalize();
  await done;
  const zip = Buffer.concat(chunks);
  if (lieAboutSize) {
    // Central directory headers (PK\1\2) carry the uncompressed size at offset 24.
    for (let at = zip.indexOf('PK\u0001\u0002', 0, 'latin1'); at >= 0; at = zip.indexOf('PK\u0001\u0002', at + 4, 'latin1'))
      zip.writeUInt32LE(1000, at + 24);
  }
  return zip;
}

describe('hardening (issue 14)', () => {
  test('hostile page numbers on every list: never a 5xx', async () => {
    const routes = listRoutes(t.app).filter((r) => r.method === 'GET' && !/:\w+/.test(r.path) && !/\.(pdf|ics|zip)$/.test(r.path));
    const problems: string[] = [];
    for (const { path } of routes) {
      for (const page of ['99999999999999999999', '-1', '0', 'abc', '1e3', '۹۹۹۹۹۹۹۹۹۹۹۹۹۹', '1.5', '%00']) {
        const res = await agents.admin.get(`${path}?page=${page}`).redirects(0);
        if (res.status >= 500) problems.push(`GET ${path}?page=${page}: ${res.status}`);
      }
    }
    assert.deepEqual(problems, []);
  });

  test('line breaks in every single-line field of a course and a sign-up are stored as spaces', async () => {
    const breaks = ['\r', '\n', '\r\n', '\u2028', '\u0085'];
    for (const [i, br] of breaks.entries()) {
      const course = {
        code: `CRLF-${i}`,
        title: `دوره${br}X-INJECTED:1`,
        category: `دسته${br}دوم`,
        capacity: '20',
        hours: '8',
        enrollOpens: '1405/09/01',
        enrollCloses: '1405/09/20',
        minAttendance: '80',
        approval: 'auto',
        delivery: 'in-person',
        place: `سالن${br}یک`,
      };
      assert.ok((await post(agents.admin, '/admin/courses', Object.entries(course))).status < 400, `course with ${JSON.stringify(br)}`);
      const signUp = {
        fullName: `رابط${br}آزمون`,
        fatherName: `علی${br}رضا`,
        nationalCode: nationalCode(9300 + i),
        mobile: `0913900000${i}`,
        county: 'kerman',
        position: `رابط${br}شهرستان`,
        username: `crlf${i}`,
        password: 'Fuzz-Register-1405',
      };
      await post(agents.anonymous, '/register', Object.entries(signUp));
    }
    const rows = await t.services.sequelize.query<Record<string, string | null>>(
      "SELECT title, category, place FROM courses WHERE code LIKE 'CRLF-%' UNION ALL SELECT full_name, father_name, position FROM users WHERE username LIKE 'crlf%'",
      { type: QueryTypes.SELECT },
    );
    assert.ok(rows.length >= breaks.length, `${rows.length} rows stored`);
    const broken = rows.flatMap((r) => Object.values(r)).filter((v) => v !== null && /[\r\n\u2028\u2029\u0085]/.test(v));
    assert.deepEqual(broken, []);
  });

  test('formula payloads in every text field never start a cell of any CSV export', async () => {
    const payloads = ['=1+2', '+98', '-2+3', '@SUM(1)', '\t=1', '=HYPERLINK("http://example.invalid","x")'];
    for (const [i, p] of payloads.entries()) {
      const course = {
        code: `FX${i}`,
        title: `${p} دوره`,
        category: `${p}`,
        capacity: '5',
        hours: '4',
        enrollOpens: '1405/09/01',
        enrollCloses: '1405/09/20',
        minAttendance: '80',
        approval: 'auto',
        delivery: 'in-person',
        place: p,
      };
      await post(agents.admin, '/admin/courses', Object.entries(course));
    }
    const exports = [
      `/admin/courses/${ids.course}/enrollments`,
      '/admin/reports/courses',
      '/admin/reports/counties',
      '/admin/reports/months',
      '/admin/reports/evaluations',
      `/admin/liaisons/${ids.liaison}/record`,
    ];
    const problems: string[] = [];
    for (const path of exports) {
      const res = await agents.admin.get(`${path}?format=csv&year=all`);
      if (res.status !== 200) {
        problems.push(`${path}: ${res.status}`);
        continue;
      }
      const cells = res.text
        .replace(/^\uFEFF/, '')
        .split(/\r\n/)
        .flatMap((line) => line.split(','))
        .map((c) => c.replace(/^"/, ''));
      for (const c of cells)
        if (/^[=+@\t\r]/.test(c) || (/^-/.test(c) && !/^-\d+(\.\d+)?$/.test(c))) problems.push(`${path}: ${JSON.stringify(c)}`);
    }
    assert.deepEqual(problems, []);
  });

  test('hostile course materials are refused in Persian, nothing stored', async () => {
    const uploads: [string, Buffer, string, number][] = [
      ['HTML named .pdf', Buffer.from(`<html>${SCRIPT}</html>`), 'notes.pdf', 400],
      ['SVG with a script named .png', Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg">${SCRIPT}</svg>`), 'x.png', 400],
      ['a zip that is no Office document named .docx', await inflatingZip(1), 'x.docx', 400],
      ['a truncated zip named .pptx', (await inflatingZip(1)).subarray(0, 200), 'x.pptx', 400],
      ['an OLE container named .exe', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'x.exe', 400],
      ['an empty file', Buffer.alloc(0), 'empty.pdf', 400],
      ['21 MB', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(21 * 1024 * 1024)]), 'big.pdf', 413],
    ];
    const problems: string[] = [];
    for (const [label, content, name, status] of uploads) {
      const before = await counts();
      const page = await agents.admin.get(`/admin/courses/${ids.course}/materials`);
      const res = await agents.admin
        .post(`/admin/courses/${ids.course}/materials?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
        .redirects(0)
        .field('title', 'فایل آزمون')
        .attach('file', content, name);
      judge(label, res, problems);
      if (res.status !== status) problems.push(`${label}: ${res.status} (expected ${status})`);
      sameCounts(label, before, await counts(), problems);
    }
    assert.deepEqual(problems, []);
  });

  test('hostile import files are refused in Persian, nothing stored', async () => {
    const uploads: [string, Buffer, string][] = [
      ['a part that declares 64 MB', await inflatingZip(64), 'bomb.xlsx'],
      ['a part that lies about its size', await inflatingZip(40, true), 'liar.xlsx'],
      ['a truncated zip', (await inflatingZip(1)).subarray(0, 200), 'cut.xlsx'],
      ['not a zip at all', Buffer.from('PK not really a zip'), 'fake.xlsx'],
      ['a CSV of 60 columns', Buffer.from(`${Array.from({ length: 60 }, (_, i) => `c${i}`).join(',')}\n${'x,'.repeat(59)}x\n`), 'wide.csv'],
      ['a CSV that is not UTF-8', Buffer.from([0x66, 0x75, 0xff, 0xfe, 0x0a, 0x61, 0x0a]), 'latin.csv'],
    ];
    const problems: string[] = [];
    for (const [label, content, name] of uploads) {
      const before = await counts();
      const page = await agents.admin.get('/admin/liaisons/import');
      const res = await agents.admin
        .post(`/admin/liaisons/import?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
        .redirects(0)
        .attach('file', content, name);
      judge(label, res, problems);
      if (res.status !== 400) problems.push(`${label}: ${res.status} (expected 400)`);
      sameCounts(label, before, await counts(), problems);
    }
    assert.deepEqual(problems, []);
  });
});
