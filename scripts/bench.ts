/**
 * `npm run bench -- [--scale province|national] [--db sqlite|postgres] [--seconds 5] [--connections 20] [--fresh] [--json FILE]`
 *
 * Seeds a database of the scale (once: /tmp/rabet-bench-<scale>.seed.db, or the PostgreSQL database
 * rabet_bench_<scale>_seed; --fresh seeds again) and never writes to it again: each run works on a
 * copy of it made for the run and removed at its end (the run adds courses, enrollments, liaisons and
 * marks, which would otherwise make every later run measure a bigger database). It starts the real app in a child process behind
 * scripts/bench-server.ts (which adds GET /bench/bare: the same layout, no database), and runs
 * autocannon against each route with 20 connections for a few seconds: requests/s and p50/p95/p99
 * latency, each next to the bare route's throughput as a ratio; the server's RSS at rest and the
 * highest seen under load (/proc/<pid>/status). Then the enrollment rush: RUSH_LIAISONS liaisons,
 * each logged in with a session of their own, enroll in one RUSH_CAPACITY-seat course at the same
 * moment. Prints JSON (also written to FILE with --json) and a table; writes the table into
 * docs/benchmarks.md (one section per scale and database).
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { QueryTypes } from 'sequelize';
import { Course, CourseSession, Enrollment, User } from '../src/models';
import { addDaysIso, todayIso } from '../src/lib/jalali';
import { searchKey } from '../src/lib/persian';
import { hashPassword } from '../src/lib/password';
import { issueCertificates } from '../src/features/certificates/service';
import { openDatabase } from './lib/db';
import { mobile, nationalCode } from './lib/names';
import { Client } from './lib/client';
import { cpuMs, ROOT, rssMb, startServer } from './lib/server';

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SCALE = opt('scale', 'province');
const DB = opt('db', 'sqlite');
const SECONDS = Number(opt('seconds', '5'));
const CONNECTIONS = Number(opt('connections', '20'));
const FRESH = args.includes('--fresh');
const JSON_FILE = args.includes('--json') ? opt('json', '') : null;
/** `--only WORD`: measure only the routes whose name holds WORD (and the bare route); the record in docs/ is left alone. */
const ONLY = args.includes('--only') ? opt('only', '') : null;
/** `--profile DIR`: the server writes a CPU profile (node --cpu-prof) into DIR when it stops. */
const PROFILE_DIR = args.includes('--profile') ? path.resolve(opt('profile', '/tmp')) : null;
const RUSH_LIAISONS = 600;
const RUSH_CAPACITY = 30;
const SEED_PASSWORD = 'Bench-Seed-Pass-1405';
const ADMIN = { username: 'benchadmin', password: 'Bench-Admin-Pass-1405' };
if (!['province', 'national'].includes(SCALE) || !['sqlite', 'postgres'].includes(DB)) {
  console.error('usage: npm run bench -- [--scale province|national] [--db sqlite|postgres] [--seconds 5] [--fresh]');
  process.exit(2);
}

/** The seeded database, kept as the seed left it; each run measures a copy of its own (RUN_DB). */
const SEED_DB = DB === 'sqlite' ? `/tmp/rabet-bench-${SCALE}.seed.db` : `rabet_bench_${SCALE}_seed`;
const RUN_DB = DB === 'sqlite' ? `/tmp/rabet-bench-${SCALE}-run-${process.pid}.db` : `rabet_bench_${SCALE}_run_${process.pid}`;
const urlOf = (db: string) => (DB === 'sqlite' ? `sqlite:${db}` : `postgres://postgres@127.0.0.1:5432/${db}`);
const adminEnv = { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password };
const env = { DATABASE_URL: urlOf(RUN_DB), ...adminEnv };
const psql = (sql: string) =>
  execFileSync('psql', ['-h', '127.0.0.1', '-U', 'postgres', '-qc', sql], { stdio: ['ignore', 'ignore', 'inherit'] });

function log(line: string) {
  console.error(`[bench] ${line}`);
}

async function seeded(): Promise<boolean> {
  if (DB === 'sqlite') return fs.existsSync(SEED_DB);
  try {
    const out = execFileSync(
      'psql',
      [urlOf(SEED_DB), '-Atc', "SELECT COUNT(*) FROM courses WHERE code LIKE 'PRV-%' OR code LIKE 'NAT-%'"],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    return Number(out.toString().trim()) > 0;
  } catch {
    return false;
  }
}

async function seed(): Promise<void> {
  if (DB === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${SEED_DB}${suffix}`, { force: true });
  } else {
    psql(`DROP DATABASE IF EXISTS ${SEED_DB}`);
    psql(`CREATE DATABASE ${SEED_DB}`);
  }
  const started = Date.now();
  execFileSync('npx', ['tsx', 'scripts/seed.ts', '--scale', SCALE], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: urlOf(SEED_DB), ...adminEnv, SEED_PASSWORD },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  log(`seeded ${SCALE} on ${DB} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** This run's database: a copy of the seeded one (nothing has it open for writing once the seed is done). */
function copySeed(): void {
  dropRunCopy();
  if (DB === 'sqlite') {
    for (const suffix of ['', '-wal'])
      if (fs.existsSync(`${SEED_DB}${suffix}`)) fs.copyFileSync(`${SEED_DB}${suffix}`, `${RUN_DB}${suffix}`);
  } else {
    psql(`CREATE DATABASE ${RUN_DB} TEMPLATE ${SEED_DB}`);
  }
}

function dropRunCopy(): void {
  if (DB === 'sqlite') for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${RUN_DB}${suffix}`, { force: true });
  else psql(`DROP DATABASE IF EXISTS ${RUN_DB}`);
}

/** The built server (as production runs it: plain node, no source maps) unless --tsx or the build fails. */
function serverEntry(): string {
  if (!args.includes('--tsx')) {
    try {
      execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      const built = path.join(ROOT, 'dist/scripts/bench-server.js');
      if (fs.existsSync(built)) return built;
    } catch (err) {
      log(`npm run build failed (${String((err as { stderr?: Buffer }).stderr ?? err).slice(0, 300)}); running the server through tsx`);
    }
  }
  return path.join(ROOT, 'scripts/bench-server.ts');
}

interface Targets {
  courseId: number;
  liaison: string;
  sessionId: number;
  sheetSize: number;
  markEnrollmentId: number;
  enrollCourseIds: number[];
  enrollers: string[];
  verifyCode: string;
  rushCourseId: number;
  rushLiaisons: string[];
}

/** A course open for enrollment today (automatic approval), with one session two weeks ahead. */
async function openCourseForToday(code: string, title: string, capacity: number): Promise<Course> {
  const today = todayIso();
  const course = await Course.create({
    code,
    title,
    category: 'خبرنویسی',
    description: null,
    instructorName: null,
    instructorId: null,
    delivery: 'in-person',
    place: 'سالن',
    link: null,
    capacity,
    hours: 8,
    enrollOpens: addDaysIso(today, -2),
    enrollCloses: addDaysIso(today, 10),
    minAttendance: 80,
    passMark: null,
    countExcused: false,
    approval: 'auto',
    status: 'open',
    searchKey: searchKey(code),
    createdBy: null,
  });
  await CourseSession.create({ courseId: course.id, date: addDaysIso(today, 14), startTime: '10:00', endTime: '12:00', topic: 'جلسه' });
  return course;
}

/** Picks the records each route is measured on, and makes what the seed lacks (open courses to enroll in, certificates). */
async function prepare(): Promise<Targets> {
  const { services } = await openDatabase({ ...process.env, ...env });
  const { sequelize } = services;
  const today = todayIso();
  const q = <T extends object>(sql: string): Promise<(T | undefined)[]> => sequelize.query<T>(sql, { type: QueryTypes.SELECT });
  // A published course with many sessions and enrollments.
  const [course] = await q<{ id: number }>(
    "SELECT c.id FROM courses c WHERE c.status IN ('open', 'running') ORDER BY (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = c.id) DESC LIMIT 1",
  );
  // The busiest liaison (/me): the most courses under way (each a card on /me, with its sessions and
  // marks), then the most enrollments (the training record). Until the tenth session this was only
  // the most enrollments, and a province's such liaison had finished every course: its /me had no
  // cards, while a country's had four, so the two scales measured different pages.
  const [liaison] = await q<{ username: string }>(
    `SELECT u.username FROM users u JOIN enrollments e ON e.user_id = u.id JOIN courses c ON c.id = e.course_id
      WHERE u.role = 'liaison' AND u.status = 'active'
      GROUP BY u.id, u.username ORDER BY SUM(CASE WHEN c.status IN ('open', 'running') THEN 1 ELSE 0 END) DESC, COUNT(*) DESC, u.id LIMIT 1`,
  );
  // A held session of a running course with about 30 approved liaisons (the attendance sheet; a finished
  // course's marks are frozen).
  const [sheet] = await q<{ session_id: number; n: number }>(
    `SELECT s.id AS session_id, (SELECT COUNT(*) FROM enrollments e WHERE e.course_id = s.course_id AND e.status = 'approved') AS n
       FROM course_sessions s JOIN courses c ON c.id = s.course_id
      WHERE c.status = 'running' AND s.date <= '${today}'
      ORDER BY ABS((SELECT COUNT(*) FROM enrollments e WHERE e.course_id = s.course_id AND e.status = 'approved') - 30), s.id LIMIT 1`,
  );
  if (!course || !liaison || !sheet) throw new Error('the database holds no seeded courses: run with --fresh');
  const session = await CourseSession.findByPk(sheet.session_id);
  const markEnrollment = await Enrollment.findOne({ where: { courseId: session!.courseId, status: 'approved' } });
  // Courses to enroll in: made for each run, open today, so every scale and every run has them.
  const run = Date.now().toString(36).toUpperCase();
  const enrollCourses = await Promise.all(
    Array.from({ length: 4 }, (_, i) => openCourseForToday(`BENCH-${run}-${i + 1}`, `دورهٔ آزمون بار ${i + 1}`, 150)),
  );
  const enrollers = (
    await User.findAll({ where: { role: 'liaison', status: 'active' }, attributes: ['username'], order: [['id', 'DESC']], limit: 150 })
  ).map((u) => u.username);
  // A few certificates with real PDFs (the seeds at these scales issue none).
  let [cert] = await q<{ code: string }>("SELECT code FROM certificates WHERE status = 'valid' LIMIT 1");
  if (!cert) {
    const [finished = { id: 0 }] = await q<{ id: number }>("SELECT id FROM courses WHERE status = 'finished' ORDER BY id LIMIT 1");
    try {
      const rows = await Enrollment.findAll({ where: { courseId: finished.id, status: 'approved' }, limit: 5 });
      for (const row of rows) {
        await issueCertificates({ ...services, actor: { id: null } }, finished.id, {
          enrollmentId: row.id,
          overrideReason: 'آزمون بار',
        }).catch((err) => log(`certificate: ${(err as Error).message}`));
      }
    } finally {
      await services.pdf.close();
    }
    [cert] = await q<{ code: string }>("SELECT code FROM certificates WHERE status = 'valid' LIMIT 1");
  }
  // The rush: a 30-seat course open today, and 600 liaisons made for this run (the seeds' active liaisons
  // are fewer, and these have never enrolled, so each request is a first enrollment).
  const rushCourse = await openCourseForToday(`RUSH-${run}`, 'دورهٔ هجوم ثبت‌نام', RUSH_CAPACITY);
  const [{ n: users = 0 } = {}] = await q<{ n: number }>('SELECT MAX(id) AS n FROM users');
  const [county] = await q<{ id: number }>('SELECT id FROM counties WHERE active = true ORDER BY id LIMIT 1');
  const passwordHash = await hashPassword(SEED_PASSWORD);
  const rushLiaisons = Array.from({ length: RUSH_LIAISONS }, (_, i) => `rush-${run.toLowerCase()}-${String(i + 1).padStart(3, '0')}`);
  await User.bulkCreate(
    rushLiaisons.map((username, i) => {
      const code = nationalCode(2_000_000 + Number(users) + i);
      return {
        role: 'liaison' as const,
        username,
        passwordHash,
        fullName: `رابط هجوم ${i + 1}`,
        fatherName: 'علی',
        nationalCode: code,
        mobile: mobile(Number(users) + i),
        email: null,
        countyId: county?.id ?? null,
        position: 'رابط',
        status: 'active' as const,
        searchKey: searchKey(`${username} ${code}`),
        lastLoginAt: null,
      };
    }),
  );
  await sequelize.close();
  return {
    courseId: course.id,
    liaison: liaison.username,
    sessionId: sheet.session_id,
    sheetSize: Number(sheet.n),
    markEnrollmentId: markEnrollment!.id,
    enrollCourseIds: enrollCourses.map((c) => c.id),
    enrollers,
    verifyCode: cert?.code ?? 'none',
    rushCourseId: rushCourse.id,
    rushLiaisons,
  };
}

interface Row {
  route: string;
  path: string;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  non2xx: number;
  ratio: number | null;
  /** The server's CPU time (all its threads) per request answered, in ms. */
  cpuMsPerRequest: number | null;
}

function cookieOf(c: Client): string {
  return [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Whether --only leaves this route in. */
const measured = (name: string) => ONLY === null || name.includes(ONLY);

async function measure(
  base: string,
  pid: number,
  peak: { rss: number },
  name: string,
  opts: {
    path: string;
    method?: 'GET' | 'POST';
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
    amount?: number;
  },
): Promise<Row | null> {
  const sampler = setInterval(() => {
    try {
      peak.rss = Math.max(peak.rss, rssMb(pid));
    } catch {
      // the server is gone; the run will say so
    }
  }, 200);
  const cpuBefore = cpuMs(pid);
  const result = await autocannon({
    url: base + opts.path,
    connections: CONNECTIONS,
    // A fixed number of requests ends at autocannon's next sample after the last answer: at its
    // default of a second, 600 enrollments made in 1.1 s or in 1.9 s both took "2 s" (300 req/s in
    // every run). Sampled every 10 ms, the elapsed time is the run's own.
    ...(opts.amount ? { amount: opts.amount, sampleInt: 10 } : { duration: SECONDS }),
    method: opts.method ?? 'GET',
    headers: { ...(opts.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...(opts.headers ?? {}) },
    body: opts.body,
    requests: opts.setupRequest ? [{ setupRequest: opts.setupRequest as never }] : undefined,
  });
  clearInterval(sampler);
  const cpuUsed = cpuMs(pid) - cpuBefore;
  const latency = result.latency as unknown as Record<string, number>;
  const row: Row = {
    route: name,
    path: opts.path,
    // A run of a fixed number of requests (enroll: 600) ends part way through a second: autocannon's
    // average of whole seconds then gave only 600, 300, 200, 150… Its total over its elapsed time
    // (sampled every 10 ms, above) instead.
    rps: Math.round(opts.amount ? result.requests.total / (result as unknown as { duration: number }).duration : result.requests.average),
    p50: latency.p50,
    p95: latency.p95 ?? latency.p97_5,
    p99: latency.p99,
    errors: result.errors + result.timeouts,
    // A page answers 200; a form post succeeds with its 303 redirect.
    non2xx: opts.method === 'POST' ? result.requests.total - (result as unknown as Record<string, number>)['3xx'] : result.non2xx,
    ratio: null,
    cpuMsPerRequest: result.requests.total ? Math.round((cpuUsed / result.requests.total) * 1000) / 1000 : null,
  };
  log(
    `${name}: ${row.rps} req/s, ${row.cpuMsPerRequest} ms CPU/req, p50 ${row.p50} ms, p95 ${row.p95} ms, p99 ${row.p99} ms${row.non2xx ? `, ${row.non2xx} unexpected statuses (2xx ${(result as unknown as Record<string, number>)['2xx']}, 3xx ${(result as unknown as Record<string, number>)['3xx']}, 4xx ${(result as unknown as Record<string, number>)['4xx']}, 5xx ${(result as unknown as Record<string, number>)['5xx']})` : ''}${row.errors ? `, ${row.errors} errors` : ''}`,
  );
  return row;
}

async function main(): Promise<void> {
  if (FRESH || !(await seeded())) await seed();
  copySeed();
  try {
    await run();
  } finally {
    dropRunCopy();
  }
}

async function run(): Promise<void> {
  const targets = await prepare();
  log(`targets: ${JSON.stringify({ ...targets, enrollers: targets.enrollers.length, rushLiaisons: targets.rushLiaisons.length })}`);
  const server = await startServer(
    {
      ...env,
      NODE_ENV: 'production',
      SESSION_SECRET: 'bench-secret-that-is-long-enough-0123456789',
      RATE_LIMITS: 'off',
    },
    { entry: serverEntry(), timeoutMs: 120_000, nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [] },
  );
  const pid = server.child.pid!;
  const peak = { rss: 0 };
  try {
    const admin = new Client(server.base);
    if (!(await admin.login(ADMIN.username, ADMIN.password))) throw new Error('admin login failed');
    const liaison = new Client(server.base);
    if (!(await liaison.login(targets.liaison, SEED_PASSWORD))) throw new Error(`liaison ${targets.liaison} login failed`);
    await admin.get(`/admin/sessions/${targets.sessionId}/attendance`);
    // Liaisons ready to enroll: one session each, each POST takes the next (liaison, course) pair.
    const enrollers: { cookie: string; csrf: string }[] = [];
    await Promise.all(
      targets.enrollers.map(async (username) => {
        const c = new Client(server.base);
        if (await c.login(username, SEED_PASSWORD)) enrollers.push({ cookie: cookieOf(c), csrf: c.csrf ?? '' });
      }),
    );
    // Warm up (view cache, connection pool, page cache).
    for (const p of ['/bench/bare', '/courses', `/courses/${targets.courseId}`]) await fetch(server.base + p).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 500));
    const rssAtRest = rssMb(pid);

    // The yardstick is measured before every route and once after the last, and its row is the run
    // with the median requests/s: on these machines the bare route's throughput moved by up to 1.6×
    // between two runs a minute apart, so a single run at the start made every ratio after it swing
    // with it. Each ratio is still to a yardstick measured in the same run.
    const bareRuns: Row[] = [];
    const measureBare = async () => {
      bareRuns.push((await measure(server.base, pid, peak, 'bare layout (no database)', { path: '/bench/bare' }))!);
    };
    const route = async (name: string, opts: Parameters<typeof measure>[4]) => {
      if (!measured(name)) return null;
      await measureBare();
      return measure(server.base, pid, peak, name, opts);
    };
    // A route left out by --only measures as null.
    const rows: (Row | null)[] = [];
    rows.push(await route('catalogue', { path: '/courses' }));
    // The same page for a logged-in liaison: never served from the anonymous page cache.
    rows.push(await route('catalogue, logged in', { path: '/courses', headers: { cookie: cookieOf(liaison) } }));
    rows.push(await route('course page', { path: `/courses/${targets.courseId}` }));
    // The floor of any logged-in page: session, user, CSRF token and layout, no query of its own.
    rows.push(
      await route('logged-in floor (/check-in form)', {
        path: '/check-in',
        headers: { cookie: cookieOf(liaison) },
      }),
    );
    rows.push(await route('/me of a liaison', { path: '/me', headers: { cookie: cookieOf(liaison) } }));
    rows.push(
      await route(`attendance sheet (${targets.sheetSize})`, {
        path: `/admin/sessions/${targets.sessionId}/attendance`,
        headers: { cookie: cookieOf(admin) },
      }),
    );
    let flip = 0;
    const markPath = `/admin/sessions/${targets.sessionId}/attendance`;
    rows.push(
      await route('save an attendance mark', {
        path: markPath,
        method: 'POST',
        headers: { cookie: cookieOf(admin) },
        body: 'x=1',
        setupRequest: (req) => ({
          ...req,
          body: new URLSearchParams({
            _csrf: admin.csrf ?? '',
            [`mark[${targets.markEnrollmentId}]`]: flip++ % 2 ? 'present' : 'late',
          }).toString(),
        }),
      }),
    );
    const pairs = targets.enrollCourseIds.flatMap((courseId) => enrollers.map((e) => ({ courseId, ...e })));
    let next = 0;
    rows.push(
      await route('enroll', {
        path: `/courses/${targets.enrollCourseIds[0]}/enroll`,
        method: 'POST',
        body: 'x=1',
        amount: pairs.length,
        setupRequest: (req) => {
          const pair = pairs[next++ % pairs.length];
          return {
            ...req,
            path: `/courses/${pair.courseId}/enroll`,
            headers: { ...(req.headers as object), cookie: pair.cookie },
            body: `_csrf=${encodeURIComponent(pair.csrf)}`,
          };
        },
      }),
    );
    rows.push(await route('county report', { path: '/admin/reports/counties', headers: { cookie: cookieOf(admin) } }));
    rows.push(await route('certificate verification', { path: `/verify/${targets.verifyCode}` }));
    let rush: Awaited<ReturnType<typeof enrollmentRush>> | null = null;
    if (measured('enrollment rush')) {
      await measureBare();
      rush = await enrollmentRush(server.base, pid, targets);
    }
    if (rush) rows.push(rush.row);
    await measureBare();
    const byRps = [...bareRuns].sort((a, b) => a.rps - b.rps);
    const bare = { ...byRps[Math.floor((byRps.length - 1) / 2)] };
    const measuredRows = [bare, ...rows.filter((row): row is Row => row !== null)];
    for (const row of measuredRows) row.ratio = Math.round((row.rps / bare.rps) * 100) / 100;

    const report = {
      scale: SCALE,
      db: DB,
      connections: CONNECTIONS,
      seconds: SECONDS,
      date: new Date().toISOString(),
      cores: os.cpus().length,
      rssAtRestMb: rssAtRest,
      rssUnderLoadMb: peak.rss,
      rows: measuredRows,
      /** Requests/s of every run of the bare layout, in the order they were made (its row is the median run). */
      bareRuns: bareRuns.map((r) => r.rps),
      rush: rush?.summary ?? null,
    };
    console.log(JSON.stringify(report, null, 2));
    if (JSON_FILE) fs.writeFileSync(JSON_FILE, JSON.stringify(report, null, 2));
    const table = renderTable(report);
    console.error(`\n${table}`);
    if (ONLY === null) writeDoc(table);
  } finally {
    await server.stop();
  }
}

/** Each route's least share of the bare layout's requests/s (issue 15), by a word of its name. */
const RATIO_TARGETS: [string, number][] = [
  ['floor', 0.5],
  ['catalogue, logged in', 0.25],
  ['catalogue', 0.6],
  ['/me', 0.25],
  ['sheet', 0.25],
  ['save', 0.2],
  ['rush', 0.1],
  ['enroll', 0.1],
  ['county report', 0.25],
  ['verification', 0.5],
];
const targetOf = (route: string) => RATIO_TARGETS.find(([word]) => route.includes(word))?.[1];

function renderTable(r: {
  scale: string;
  db: string;
  connections: number;
  seconds: number;
  date: string;
  cores: number;
  rssAtRestMb: number;
  rssUnderLoadMb: number;
  rows: Row[];
  bareRuns: number[];
  rush: RushSummary | null;
}): string {
  const lines = [
    `### ${r.scale} on ${r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (${r.date.slice(0, 16).replace('T', ' ')} UTC, ${r.cores} cores, ${r.connections} connections, ${r.seconds} s a route)`,
    '',
    '| route | req/s | × bare | target × bare | server CPU ms/req | p50 ms | p95 ms | p99 ms | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.rows.map((x) => {
      const target = targetOf(x.route);
      const verdict =
        target === undefined || x.route.startsWith('bare') ? '' : `≥ ${target.toFixed(2)} ${(x.ratio ?? 0) >= target ? '✓' : '✗'}`;
      return `| ${x.route} | ${x.rps} | ${x.ratio?.toFixed(2)} | ${verdict} | ${x.cpuMsPerRequest ?? ''} | ${x.p50} | ${x.p95} | ${x.p99} | ${x.non2xx + x.errors} |`;
    }),
    '',
    r.rush
      ? `Enrollment rush: ${r.rush.liaisons} liaisons at once for ${r.rush.capacity} seats drained in ${(r.rush.drainMs / 1000).toFixed(2)} s; ` +
        `${r.rush.seated} seated, ${r.rush.waitlisted} waitlisted${r.rush.waitlistInCommitOrder ? ' in commit order' : ' (NOT in commit order)'}, ` +
        `${r.rush.failed} failed, ${r.rush.duplicates} twice: exact ${r.rush.exact ? '✓' : '✗'}.`
      : 'Enrollment rush: not run (--only).',
    `The bare layout was measured ${r.bareRuns.length} times, before each route and after the last (${r.bareRuns.join(', ')} req/s); its row is the median run.`,
    `RSS of the server: ${r.rssAtRestMb} MB at rest, ${r.rssUnderLoadMb} MB at most under load.`,
  ];
  return lines.join('\n');
}

interface RushSummary {
  liaisons: number;
  capacity: number;
  drainMs: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  seated: number;
  waitlisted: number;
  failed: number;
  duplicates: number;
  waitlistInCommitOrder: boolean;
  exact: boolean;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]) : 0;

/**
 * The enrollment rush: every rush liaison logs in (a session each) and opens the course page, then all
 * post their enrollment at the same moment. Exact when the course seats exactly its capacity, waitlists
 * everyone else with positions 1…n in the order their enrollments were committed (ascending ids), no
 * request failed and nobody is in twice.
 */
async function enrollmentRush(base: string, pid: number, targets: Targets): Promise<{ row: Row; summary: RushSummary }> {
  const path = `/courses/${targets.rushCourseId}/enroll`;
  const clients: Client[] = [];
  for (let i = 0; i < targets.rushLiaisons.length; i += 20) {
    await Promise.all(
      targets.rushLiaisons.slice(i, i + 20).map(async (username) => {
        const c = new Client(base);
        if (!(await c.login(username, SEED_PASSWORD))) throw new Error(`rush liaison ${username} cannot log in`);
        await c.get(`/courses/${targets.rushCourseId}`);
        clients.push(c);
      }),
    );
  }
  log(`rush: ${clients.length} liaisons logged in; enrolling at once`);
  const cpuBefore = cpuMs(pid);
  const started = performance.now();
  const answers = await Promise.all(
    clients.map(async (c) => {
      const t0 = performance.now();
      try {
        const res = await c.request('POST', path, new URLSearchParams({ _csrf: c.csrf ?? '' }), {}, 300_000);
        return { status: res.status, ms: performance.now() - t0 };
      } catch {
        return { status: 0, ms: performance.now() - t0 };
      }
    }),
  );
  const drainMs = performance.now() - started;
  const cpuUsed = cpuMs(pid) - cpuBefore;
  const { services } = await openDatabase({ ...process.env, ...env });
  const rows = await services.sequelize.query<{ id: number; user_id: number; status: string; waitlist_position: number | null }>(
    'SELECT id, user_id, status, waitlist_position FROM enrollments WHERE course_id = :course ORDER BY id',
    { type: QueryTypes.SELECT, replacements: { course: targets.rushCourseId } },
  );
  await services.sequelize.close();
  const waitlisted = rows.filter((r) => r.status === 'waitlisted');
  const positions = waitlisted.map((r) => Number(r.waitlist_position));
  const waitlistInCommitOrder = positions.every((p, i) => p === i + 1);
  const seated = rows.filter((r) => r.status === 'approved').length;
  const duplicates = rows.length - new Set(rows.map((r) => r.user_id)).size;
  const failed = answers.filter((a) => a.status !== 303).length;
  const latencies = answers.map((a) => a.ms).sort((a, b) => a - b);
  const summary: RushSummary = {
    liaisons: clients.length,
    capacity: RUSH_CAPACITY,
    drainMs: Math.round(drainMs),
    rps: Math.round((clients.length / drainMs) * 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    seated,
    waitlisted: waitlisted.length,
    failed,
    duplicates,
    waitlistInCommitOrder,
    exact:
      clients.length === RUSH_LIAISONS &&
      seated === RUSH_CAPACITY &&
      waitlisted.length === RUSH_LIAISONS - RUSH_CAPACITY &&
      waitlistInCommitOrder &&
      failed === 0 &&
      duplicates === 0,
  };
  log(`rush: ${JSON.stringify(summary)}`);
  const row: Row = {
    route: `enrollment rush (${clients.length} liaisons, ${RUSH_CAPACITY} seats)`,
    path,
    rps: summary.rps,
    p50: summary.p50,
    p95: summary.p95,
    p99: summary.p99,
    errors: answers.filter((a) => a.status === 0).length,
    non2xx: answers.filter((a) => a.status !== 0 && a.status !== 303).length,
    ratio: null,
    cpuMsPerRequest: Math.round((cpuUsed / answers.length) * 1000) / 1000,
  };
  return { row, summary };
}

/** Replaces this scale and database's section of docs/benchmarks.md, keeping the others. */
function writeDoc(table: string): void {
  const file = path.join(ROOT, 'docs/benchmarks.md');
  const start = `<!-- bench:${SCALE}:${DB} -->`;
  const end = `<!-- /bench:${SCALE}:${DB} -->`;
  let doc = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8')
    : '# Benchmarks\n\n`npm run bench -- --scale province|national --db sqlite|postgres` writes its table here.\n';
  const section = `${start}\n${table}\n${end}`;
  const i = doc.indexOf(start);
  const j = doc.indexOf(end);
  doc = i >= 0 && j > i ? doc.slice(0, i) + section + doc.slice(j + end.length) : `${doc.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, doc);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
