/**
 * Crash safety (`npm run test:crash [-- --pg] [--rounds N] [--built]`).
 *
 * The server runs as a child process on a scratch database (SQLite file, or with --pg / CRASH_PG=1
 * the PostgreSQL database CRASH_DATABASE_URL, default rabet_crash, schema dropped first). Several
 * clients write at once — liaisons enrolling (POST /courses/:id/enroll), admins taking attendance
 * (POST /admin/sessions/:id/attendance) — and the server is killed with SIGKILL at a random moment,
 * then started again; N rounds (20). Afterwards:
 *   - SQLite: PRAGMA integrity_check is ok and PRAGMA foreign_key_check finds nothing
 *     (PostgreSQL: the same question asked with queries: no orphaned rows);
 *   - every write that got a success response (303) is in the database;
 *   - approved enrollments of every course never exceed its capacity.
 * Exits 1 when any check fails. Test data is inserted directly through the models.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { County, Course, CourseSession, Enrollment, User } from '../src/models';
import { hashPassword } from '../src/lib/password';
import { addDaysIso, todayIso } from '../src/lib/jalali';
import { searchKey } from '../src/lib/persian';
import { loadConfig } from '../src/config';
import { createServices } from '../src/services';
import { openDatabase } from './lib/db';
import { Client } from './lib/client';
import { nationalCode } from './lib/names';
import { startServer, type ServerChild } from './lib/server';
import { rng } from './lib/random';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const usePg = flag('--pg') || process.env.CRASH_PG === '1';
const ROUNDS = option('--rounds', 20);
const BUILT = flag('--built');
const PASSWORD = 'Crash-Test-Pass-1405';
const ENROLL_CLIENTS = 4;
const MARK_CLIENTS = 2;
const COURSES = 3;
const CAPACITY = 12;
const LIAISONS = 200;
const MARKED = 30;
const STATUSES = ['present', 'late', 'excused', 'absent'] as const;

interface Fixture {
  courseIds: number[];
  sessionIds: number[];
  markEnrollmentIds: number[];
  liaisons: string[];
}

async function setUp(sequelize: Sequelize): Promise<Fixture> {
  const hash = await hashPassword(PASSWORD);
  const county = await County.findOne({ where: { slug: 'kerman' } });
  const today = todayIso();
  const user = (role: 'admin' | 'liaison', username: string, n: number) => ({
    role,
    username,
    passwordHash: hash,
    fullName: `کاربر آزمون ${n}`,
    fatherName: 'علی',
    nationalCode: role === 'admin' ? null : nationalCode(500_000 + n),
    mobile: `0913${String(n).padStart(7, '0')}`,
    email: null,
    countyId: role === 'admin' ? null : (county?.id ?? null),
    position: 'رابط',
    status: 'active' as const,
    searchKey: searchKey(username),
    lastLoginAt: null,
  });
  return sequelize.transaction(async (transaction) => {
    await User.bulkCreate(
      [0, 1].map((i) => user('admin', `crashadmin${i}`, i)),
      { transaction },
    );
    const liaisons = Array.from({ length: LIAISONS + MARKED }, (_, i) => user('liaison', `crash${String(i).padStart(4, '0')}`, 10 + i));
    const users = await User.bulkCreate(liaisons, { transaction, returning: true });
    const course = (code: string, status: 'open' | 'running', capacity: number) => ({
      code,
      title: `دورهٔ آزمون خرابی ${code}`,
      category: 'خبرنویسی',
      description: null,
      instructorName: null,
      instructorId: null,
      delivery: 'in-person' as const,
      place: 'سالن',
      link: null,
      capacity,
      hours: 8,
      enrollOpens: addDaysIso(today, -3),
      enrollCloses: addDaysIso(today, 5),
      minAttendance: 80,
      passMark: null,
      countExcused: false,
      approval: 'auto' as const,
      status,
      searchKey: searchKey(code),
      createdBy: null,
    });
    const open = await Course.bulkCreate(
      Array.from({ length: COURSES }, (_, i) => course(`CRASH-${i + 1}`, 'open', CAPACITY)),
      { transaction, returning: true },
    );
    for (const c of open) {
      await CourseSession.create(
        { courseId: c.id, date: addDaysIso(today, 7), startTime: '10:00', endTime: '12:00', topic: 'جلسهٔ آینده' },
        { transaction },
      );
    }
    const running = await Course.create(course('CRASH-MARKS', 'running', MARKED + 5), { transaction });
    const sessions = await CourseSession.bulkCreate(
      Array.from({ length: MARK_CLIENTS * 2 }, (_, i) => ({
        courseId: running.id,
        date: addDaysIso(today, -i),
        startTime: '10:00',
        endTime: '12:00',
        topic: `جلسهٔ ${i + 1}`,
      })),
      { transaction, returning: true },
    );
    const marked = users.slice(LIAISONS);
    const enrollments = await Enrollment.bulkCreate(
      marked.map((u) => ({
        courseId: running.id,
        userId: u.id,
        countyId: u.countyId,
        status: 'approved' as const,
        waitlistPosition: null,
        mark: null,
        changedBy: null,
        reason: null,
      })),
      { transaction, returning: true },
    );
    return {
      courseIds: open.map((c) => c.id),
      sessionIds: sessions.map((s) => s.id),
      markEnrollmentIds: enrollments.map((e) => e.id),
      liaisons: users.slice(0, LIAISONS).map((u) => u.username),
    };
  });
}

/** Acknowledged and in-flight writes, as the clients saw them. */
const ackedEnrollments: { username: string; courseId: number }[] = [];
/** Per (session, enrollment): statuses acknowledged in order, and what was in flight when the server died. */
const markLog = new Map<string, { acked: string[]; inflight: Set<string> }>();
let attempted = 0;
let markPostsAcked = 0;
let refused = 0;

async function round(
  base: string,
  fixture: Fixture,
  state: { nextLiaison: number; sessions: Map<number, Client> },
  r: ReturnType<typeof rng>,
  stopAt: number,
) {
  const alive = () => Date.now() < stopAt;
  const enrollClient = async () => {
    while (alive() && state.nextLiaison < fixture.liaisons.length) {
      const username = fixture.liaisons[state.nextLiaison++];
      const client = new Client(base);
      try {
        if (!(await client.login(username, PASSWORD))) continue;
        await client.get(`/courses/${fixture.courseIds[0]}`);
        for (const courseId of fixture.courseIds) {
          if (!alive()) return;
          attempted++;
          const res = await client.post(`/courses/${courseId}/enroll`);
          if (res.status === 303 && res.location === `/courses/${courseId}`) ackedEnrollments.push({ username, courseId });
          else if (res.status < 500) {
            refused++;
            if (process.env.CRASH_DEBUG) console.error('enroll refused', res.status, res.location);
          } else throw new Error(`enroll answered ${res.status}`);
        }
      } catch (err) {
        if (alive()) throw err;
      }
    }
  };
  const markClient = async (k: number) => {
    try {
      await markLoop(k);
    } catch (err) {
      if (alive()) throw err;
    }
  };
  const markLoop = async (k: number) => {
    let client = state.sessions.get(k);
    if (!client) {
      client = new Client(base);
      if (!(await client.login(`crashadmin${k}`, PASSWORD))) throw new Error('admin login failed');
      state.sessions.set(k, client);
    }
    client.base = base;
    const mySessions = fixture.sessionIds.filter((_, i) => i % MARK_CLIENTS === k);
    await client.get(`/admin/sessions/${mySessions[0]}/attendance`);
    while (alive()) {
      const sessionId = r.pick(mySessions);
      const chosen = fixture.markEnrollmentIds.filter(() => r.chance(0.3));
      const fields: [string, string][] = chosen.map((id) => [`mark[${id}]`, r.pick(STATUSES)]);
      // As the sheet's form does: which rows it carries (small ids would otherwise parse as an array).
      const posted: [string, string][] = [...fields, ['rows', chosen.join(',')]];
      for (const [key, status] of fields) {
        const entry = markLog.get(`${sessionId}:${key.slice(5, -1)}`) ?? { acked: [], inflight: new Set<string>() };
        entry.inflight.add(status);
        markLog.set(`${sessionId}:${key.slice(5, -1)}`, entry);
      }
      attempted++;
      const res = await client.post(`/admin/sessions/${sessionId}/attendance`, posted);
      if (res.status === 303 && res.location === `/admin/sessions/${sessionId}/attendance`) {
        markPostsAcked++;
        for (const [key, status] of fields) {
          const entry = markLog.get(`${sessionId}:${key.slice(5, -1)}`)!;
          entry.acked.push(status);
          entry.inflight.clear();
        }
      } else if (res.status >= 500) {
        throw new Error(`attendance answered ${res.status}`);
      } else {
        refused++;
        if (process.env.CRASH_DEBUG)
          console.error(
            'attendance refused',
            res.status,
            res.location,
            res.text
              .slice(0, 3000)
              .replace(/\s+/g, ' ')
              .match(/alert[^<]*<[^<]*/g),
          );
        if (res.status === 403 || res.status === 401 || (res.location ?? '').startsWith('/login'))
          throw new Error(`attendance refused: ${res.status} ${res.location}`);
      }
    }
  };
  const results = await Promise.allSettled([
    ...Array.from({ length: ENROLL_CLIENTS }, enrollClient),
    ...Array.from({ length: MARK_CLIENTS }, (_, k) => markClient(k)),
  ]);
  const failed = results.find((x) => x.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) throw failed.reason;
}

async function main(): Promise<void> {
  const started = Date.now();
  let dir: string | null = null;
  let databaseUrl: string;
  if (usePg) {
    databaseUrl = process.env.CRASH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/rabet_crash';
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-crash-'));
    databaseUrl = `sqlite:${path.join(dir, 'crash.db')}`;
  }
  const env = { DATABASE_URL: databaseUrl, ADMIN_USERNAME: 'crashroot', ADMIN_PASSWORD: 'Crash-Root-Pass-1405' };
  let { services } = usePg ? { services: null as never } : await openDatabase(env);
  if (usePg) {
    services = createServices(loadConfig(env));
    await services.sequelize.query('DROP SCHEMA public CASCADE');
    await services.sequelize.query('CREATE SCHEMA public');
    await services.sequelize.close();
    ({ services } = await openDatabase(env));
  }
  const fixture = await setUp(services.sequelize);
  await services.sequelize.close();

  const r = rng(Number(process.env.CRASH_SEED ?? Date.now() % 100_000));
  const state = { nextLiaison: 0, sessions: new Map<number, Client>() };
  let server: ServerChild | null = null;
  let port: number | undefined;
  for (let i = 1; i <= ROUNDS; i++) {
    server = await startServer({ ...env, SESSION_SECRET: 'crash-test-secret-that-is-long-enough-0123' }, { built: BUILT, port });
    port = server.port;
    const killAfter = r.int(500, 3000);
    const stopAt = Date.now() + killAfter;
    const writes = round(server.base, fixture, state, r, stopAt);
    const killer = new Promise<void>((resolve) => setTimeout(resolve, killAfter)).then(() => server!.kill());
    try {
      await Promise.all([writes, killer]);
    } catch (err) {
      await server.kill();
      console.error(server.log());
      throw err;
    }
    process.stdout.write(
      `round ${i}: killed after ${killAfter} ms; acknowledged so far: ${ackedEnrollments.length} enrollments, ${[...markLog.values()].reduce((n, e) => n + e.acked.length, 0)} mark values\n`,
    );
  }

  // The checks, on the database as the last kill left it (and after one more start: it must come up).
  server = await startServer({ ...env, SESSION_SECRET: 'crash-test-secret-that-is-long-enough-0123' }, { built: BUILT, port });
  await server.stop();
  const { services: check } = await openDatabase(env);
  const sequelize = check.sequelize;
  const problems: string[] = [];
  if (!usePg) {
    const [integrity] = await sequelize.query('PRAGMA integrity_check', { type: QueryTypes.SELECT });
    if ((integrity as { integrity_check: string }).integrity_check !== 'ok') problems.push(`integrity_check: ${JSON.stringify(integrity)}`);
    const fk = await sequelize.query('PRAGMA foreign_key_check', { type: QueryTypes.SELECT });
    if (fk.length) problems.push(`foreign_key_check: ${fk.length} violations, e.g. ${JSON.stringify(fk[0])}`);
  } else {
    const orphans = await sequelize.query(
      `SELECT (SELECT COUNT(*) FROM enrollments e LEFT JOIN users u ON u.id = e.user_id WHERE u.id IS NULL)
            + (SELECT COUNT(*) FROM attendance_marks m LEFT JOIN enrollments e ON e.id = m.enrollment_id WHERE e.id IS NULL) AS n`,
      { type: QueryTypes.SELECT },
    );
    if (Number((orphans[0] as { n: string }).n) !== 0) problems.push('orphaned rows');
  }
  const users = new Map(
    (await User.findAll({ where: { username: { [Op.like]: 'crash%' } }, attributes: ['id', 'username'] })).map((u) => [u.username, u.id]),
  );
  const enrollments = await Enrollment.findAll({
    where: { courseId: { [Op.in]: fixture.courseIds } },
    attributes: ['courseId', 'userId', 'status'],
  });
  const byKey = new Map(enrollments.map((e) => [`${e.courseId}:${e.userId}`, e.status]));
  let enrollmentsFound = 0;
  for (const a of ackedEnrollments) {
    const status = byKey.get(`${a.courseId}:${users.get(a.username)}`);
    if (status === 'approved' || status === 'waitlisted' || status === 'pending') enrollmentsFound++;
    else problems.push(`acknowledged enrollment of ${a.username} in course ${a.courseId} is ${status ?? 'missing'}`);
  }
  for (const courseId of fixture.courseIds) {
    const approved = enrollments.filter((e) => e.courseId === courseId && e.status === 'approved').length;
    if (approved > CAPACITY) problems.push(`course ${courseId}: ${approved} approved > capacity ${CAPACITY}`);
  }
  const marks = await sequelize.query('SELECT session_id, enrollment_id, status FROM attendance_marks', { type: QueryTypes.SELECT });
  const markOf = new Map(
    (marks as { session_id: number; enrollment_id: number; status: string }[]).map((m) => [`${m.session_id}:${m.enrollment_id}`, m.status]),
  );
  let marksAcked = 0;
  let marksFound = 0;
  for (const [key, entry] of markLog) {
    if (!entry.acked.length) continue;
    marksAcked++;
    const status = markOf.get(key);
    // The last acknowledged status, or one sent after it whose answer the crash swallowed.
    if (status && (status === entry.acked.at(-1) || entry.inflight.has(status))) marksFound++;
    else problems.push(`acknowledged mark ${key} = ${entry.acked.at(-1)} found ${status ?? 'missing'}`);
  }
  await sequelize.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });

  const result = problems.length ? 'FAIL' : 'PASS';
  const capacity = problems.some((p) => p.includes('capacity')) ? 'capacity EXCEEDED' : 'approved ≤ capacity in every course';
  for (const p of problems.slice(0, 20)) console.error(`  ${p}`);
  console.log(
    `crash test (${usePg ? 'PostgreSQL' : 'SQLite'}): ${ROUNDS} rounds, ${attempted} write requests (${refused} refused), ` +
      `${ackedEnrollments.length + markPostsAcked} acknowledged (${ackedEnrollments.length} enrollments, ${markPostsAcked} attendance saves); ` +
      `found ${enrollmentsFound}/${ackedEnrollments.length} enrollments and ${marksFound}/${marksAcked} marks at their last acknowledged status; ` +
      `${capacity}; ${usePg ? 'no orphaned rows' : 'integrity_check ok, foreign_key_check empty'}${problems.length ? ' (unless listed above)' : ''}; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s: ${result}`,
  );
  process.exit(problems.length ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
