/**
 * Fills a database with realistic data: `npm run seed -- --scale demo|province|national`.
 * The database is DATABASE_URL (SQLite or PostgreSQL) or the default data/rabet.db; it is migrated
 * first. Rows go in as multi-row INSERTs inside large transactions, with explicit ids, every user
 * sharing one password hash (SEED_PASSWORD, or a random password printed at the end).
 *
 *   demo      a handful of courses in every state, liaisons in several counties, enrollments,
 *             attendance and issued certificates (through the certificates feature), credentials printed
 *   province  25 counties, 600 liaisons, 80 courses, 4,000 enrollments, ~40,000 attendance marks
 *   national  31 provinces: 30,000 liaisons, 3,000 courses, 300,000 enrollments, ~3,000,000 marks
 */
import crypto from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { hashPassword } from '../src/lib/password';
import { searchKey, toPersianDigits } from '../src/lib/persian';
import { addDaysIso, tehranInstant, todayIso } from '../src/lib/jalali';
import { ensureFirstAdmin } from '../src/features/auth/service';
import { count, insertRows, maxId, openDatabase, syncSequence, type Value } from './lib/db';
import { rng, type Rng } from './lib/random';
import {
  FEMALE_NAMES,
  INSTRUCTORS,
  LAST_NAMES,
  LEVELS,
  MALE_NAMES,
  PLACES,
  POSITIONS,
  PROVINCES,
  SESSION_TOPICS,
  TOPICS,
  mobile,
  nationalCode,
} from './lib/names';
import { issueDemoCertificates } from './lib/certificates';
import { seedDemoAfterClassroom } from './lib/after-classroom';

type Scale = 'demo' | 'province' | 'national';
type Status = 'draft' | 'open' | 'running' | 'finished' | 'cancelled';

interface ScaleSpec {
  countiesPerExtraProvince: number;
  liaisons: number;
  courses: number;
  enrollments: number;
  marks: number;
}

const SCALES: Record<Exclude<Scale, 'demo'>, ScaleSpec> = {
  province: { countiesPerExtraProvince: 0, liaisons: 600, courses: 80, enrollments: 4_000, marks: 40_000 },
  national: { countiesPerExtraProvince: 14, liaisons: 30_000, courses: 3_000, enrollments: 300_000, marks: 3_000_000 },
};

/** What the generator decides about one course before anything is written. */
interface CoursePlan {
  firstOffset: number;
  sessions: number;
  gap: number;
  capacity: number;
  enrollments: number;
  approval: 'auto' | 'manual';
  delivery: 'in-person' | 'online';
  status?: Status;
  /** The demo liaison's user index, placed first in this course's enrollments. */
  includeUser?: number;
}

const BATCH = 20_000;

function parseArgs(argv: string[]): { scale: Scale; seed: number } {
  let scale: string | undefined;
  let seed = 1405;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--scale') scale = argv[++i];
    else if (a.startsWith('--scale=')) scale = a.slice(8);
    else if (a === '--seed') seed = Number(argv[++i]);
    else if (a === '--help' || a === '-h') {
      console.log('usage: npm run seed -- --scale demo|province|national [--seed N]');
      process.exit(0);
    }
  }
  if (scale !== 'demo' && scale !== 'province' && scale !== 'national') {
    console.error('usage: npm run seed -- --scale demo|province|national [--seed N]');
    process.exit(2);
  }
  return { scale, seed };
}

function personName(r: Rng): { fullName: string; fatherName: string } {
  const first = r.chance(0.5) ? r.pick(MALE_NAMES) : r.pick(FEMALE_NAMES);
  return { fullName: `${first} ${r.pick(LAST_NAMES)}`, fatherName: r.pick(MALE_NAMES) };
}

/** Writes rows in transactions of BATCH rows, each a queue of multi-row INSERTs. */
async function writeAll(sequelize: Sequelize, table: string, columns: string[], rows: Iterable<Value[]>): Promise<number> {
  let batch: Value[][] = [];
  let written = 0;
  const flush = async () => {
    if (!batch.length) return;
    const rowsNow = batch;
    batch = [];
    await sequelize.transaction(async (t) => insertRows(sequelize, table, columns, rowsNow, t));
    written += rowsNow.length;
  };
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= BATCH) await flush();
  }
  await flush();
  await syncSequence(sequelize, table);
  return written;
}

function demoPlans(): CoursePlan[] {
  return [
    {
      firstOffset: -70,
      sessions: 6,
      gap: 7,
      capacity: 12,
      enrollments: 12,
      approval: 'auto',
      delivery: 'in-person',
      status: 'finished',
      includeUser: 0,
    },
    { firstOffset: -120, sessions: 4, gap: 3, capacity: 10, enrollments: 9, approval: 'auto', delivery: 'online', status: 'finished' },
    {
      firstOffset: -10,
      sessions: 6,
      gap: 4,
      capacity: 15,
      enrollments: 14,
      approval: 'auto',
      delivery: 'in-person',
      status: 'running',
      includeUser: 0,
    },
    {
      firstOffset: 20,
      sessions: 4,
      gap: 7,
      capacity: 8,
      enrollments: 11,
      approval: 'auto',
      delivery: 'in-person',
      status: 'open',
      includeUser: 0,
    },
    { firstOffset: 30, sessions: 3, gap: 2, capacity: 20, enrollments: 6, approval: 'manual', delivery: 'online', status: 'open' },
    { firstOffset: 45, sessions: 5, gap: 7, capacity: 25, enrollments: 0, approval: 'auto', delivery: 'in-person', status: 'open' },
    { firstOffset: 60, sessions: 4, gap: 7, capacity: 20, enrollments: 0, approval: 'auto', delivery: 'in-person', status: 'draft' },
    { firstOffset: 15, sessions: 3, gap: 7, capacity: 15, enrollments: 4, approval: 'auto', delivery: 'in-person', status: 'cancelled' },
  ];
}

function scalePlans(spec: ScaleSpec, r: Rng): CoursePlan[] {
  const plans: CoursePlan[] = [];
  const today = 0;
  for (let i = 0; i < spec.courses; i++) {
    // Three years of history and a few months ahead; most courses are behind us.
    const firstOffset = r.chance(0.9) ? r.int(-3 * 365, -20) : r.int(-15, 120);
    const sessions = r.int(8, 18);
    const gap = r.pick([2, 3, 7, 7, 7]);
    const last = firstOffset + (sessions - 1) * gap;
    let status: Status = last < today ? 'finished' : firstOffset <= today ? 'running' : 'open';
    if (status === 'open' && r.chance(0.2)) status = 'draft';
    else if (r.chance(0.03)) status = 'cancelled';
    plans.push({
      firstOffset,
      sessions,
      gap,
      capacity: 0,
      enrollments: 0,
      approval: r.chance(0.8) ? 'auto' : 'manual',
      delivery: r.chance(0.75) ? 'in-person' : 'online',
      status,
    });
  }
  // Enrollments spread over every course that takes them, in proportion to a random weight.
  const taking = plans.filter((p) => p.status !== 'draft');
  const weights = taking.map(() => 0.6 + r.next() * 0.8);
  const total = weights.reduce((a, b) => a + b, 0);
  let left = spec.enrollments;
  taking.forEach((p, i) => {
    p.enrollments = Math.min(spec.liaisons, Math.floor((spec.enrollments * weights[i]) / total));
    left -= p.enrollments;
  });
  for (let i = 0; left > 0; i = (i + 1) % taking.length) {
    if (taking[i].enrollments < spec.liaisons) {
      taking[i].enrollments++;
      left--;
    }
  }
  for (const p of plans) p.capacity = Math.max(5, Math.round(p.enrollments * (0.85 + r.next() * 0.25)));
  return plans;
}

async function main(): Promise<void> {
  const { scale, seed } = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const r = rng(seed);
  const { services, config } = await openDatabase();
  const { sequelize } = services;
  const dialect = sequelize.getDialect();
  const codePrefix = scale === 'demo' ? 'DEMO' : scale === 'province' ? 'PRV' : 'NAT';
  if ((await count(sequelize, 'courses', `WHERE code LIKE '${codePrefix}-%'`)) > 0) {
    console.error(`This database already holds the ${scale} seed (courses ${codePrefix}-…); seed a fresh database.`);
    await sequelize.close();
    process.exit(1);
  }

  await ensureFirstAdmin(config);
  const password = process.env.SEED_PASSWORD || crypto.randomBytes(9).toString('base64url');
  const passwordHash = await hashPassword(password);
  const now = new Date();
  const today = todayIso();
  const log = (what: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${what}`);

  // Counties: Kerman's 25 from the initial migration; at national scale 14 more for each other province.
  const spec: ScaleSpec =
    scale === 'demo'
      ? { countiesPerExtraProvince: 0, liaisons: 40, courses: 8, enrollments: 0, marks: Number.POSITIVE_INFINITY }
      : SCALES[scale];
  if (spec.countiesPerExtraProvince > 0) {
    const firstCounty = (await maxId(sequelize, 'counties')) + 1;
    const rows: Value[][] = [];
    PROVINCES.forEach((province, p) => {
      for (let c = 1; c <= spec.countiesPerExtraProvince; c++) {
        rows.push([
          firstCounty + rows.length,
          `p${String(p + 1).padStart(2, '0')}-c${String(c).padStart(2, '0')}`,
          `${province} — شهرستان ${c}`,
          null,
          true,
          now,
          now,
        ]);
      }
    });
    await writeAll(sequelize, 'counties', ['id', 'slug', 'name', 'name_en', 'active', 'created_at', 'updated_at'], rows);
  }
  const [countyRows] = await sequelize.query('SELECT id FROM counties WHERE active = :yes ORDER BY id', { replacements: { yes: true } });
  let countyIds = (countyRows as { id: number }[]).map((c) => c.id);
  if (scale === 'demo') countyIds = countyIds.slice(0, 6);
  log(`${countyIds.length} counties`);

  // Users: the demo admin (demo only), instructors, liaisons. Index 0 of the liaisons is the demo liaison.
  const firstUser = (await maxId(sequelize, 'users')) + 1;
  const instructorCount = scale === 'demo' ? 2 : Math.max(3, Math.round(spec.courses / 30));
  const userCols = [
    'id',
    'role',
    'username',
    'password_hash',
    'full_name',
    'father_name',
    'national_code',
    'mobile',
    'email',
    'county_id',
    'position',
    'status',
    'search_key',
    'last_login_at',
    'created_at',
    'updated_at',
  ];
  const liaisonIds: number[] = [];
  const liaisonCounty: number[] = [];
  const instructorIds: number[] = [];
  const userPrefix = scale === 'demo' ? 'demo' : codePrefix.toLowerCase();
  const demoAdminId = firstUser;
  function* users(): Generator<Value[]> {
    let id = firstUser;
    let codeIndex = scale === 'demo' ? 900_000 : scale === 'province' ? 0 : 100_000;
    if (scale === 'demo') {
      yield [
        id++,
        'admin',
        'demo-admin',
        passwordHash,
        'مدیر نمایشی',
        null,
        null,
        null,
        null,
        null,
        'روابط عمومی اداره کل',
        'active',
        'demo-admin',
        null,
        now,
        now,
      ];
    }
    for (let i = 0; i < instructorCount; i++) {
      const username = `${userPrefix}-instructor${i + 1}`;
      const fullName = INSTRUCTORS[i % INSTRUCTORS.length];
      const code = nationalCode(codeIndex++);
      instructorIds.push(id);
      yield [
        id++,
        'instructor',
        username,
        passwordHash,
        fullName,
        null,
        code,
        mobile(codeIndex),
        null,
        countyIds[0],
        'مدرس',
        'active',
        searchKey(`${fullName} ${username} ${code}`),
        null,
        now,
        now,
      ];
    }
    for (let i = 0; i < spec.liaisons; i++) {
      const { fullName, fatherName } = personName(r);
      const username = scale === 'demo' && i === 0 ? 'demo-liaison' : `${userPrefix}${String(i + 1).padStart(5, '0')}`;
      const code = nationalCode(codeIndex++);
      const county = countyIds[i % countyIds.length];
      const status = i === 0 ? 'active' : r.chance(0.03) ? 'pending' : r.chance(0.02) ? 'disabled' : 'active';
      liaisonIds.push(id);
      liaisonCounty.push(county);
      yield [
        id++,
        'liaison',
        username,
        passwordHash,
        fullName,
        fatherName,
        code,
        mobile(codeIndex),
        r.chance(0.3) ? `${username}@example.ir` : null,
        county,
        r.pick(POSITIONS),
        status,
        searchKey(`${fullName} ${username} ${code}`),
        null,
        now,
        now,
      ];
    }
  }
  const userCount = await writeAll(sequelize, 'users', userCols, users());
  log(`${userCount} users`);

  // Courses and their sessions.
  const plans = scale === 'demo' ? demoPlans() : scalePlans(spec, r);
  const firstCourse = (await maxId(sequelize, 'courses')) + 1;
  const firstSession = (await maxId(sequelize, 'course_sessions')) + 1;
  const courseRows: Value[][] = [];
  const sessionRows: Value[][] = [];
  const heldSessions: { id: number; date: string; end: string }[][] = [];
  plans.forEach((plan, i) => {
    const id = firstCourse + i;
    const topic = TOPICS[i % TOPICS.length];
    const title = `${topic.title} (${LEVELS[Math.floor(i / TOPICS.length) % LEVELS.length]})`;
    const code = `${codePrefix}-${String(i + 1).padStart(4, '0')}`;
    const firstDate = addDaysIso(today, plan.firstOffset);
    const start = r.pick(['08:30', '10:00', '14:00', '16:00']);
    const end = `${String(Number(start.slice(0, 2)) + 2).padStart(2, '0')}:${start.slice(3)}`;
    const held: { id: number; date: string; end: string }[] = [];
    for (let s = 0; s < plan.sessions; s++) {
      const date = addDaysIso(firstDate, s * plan.gap);
      const sessionId = firstSession + sessionRows.length;
      sessionRows.push([
        sessionId,
        id,
        date,
        start,
        end,
        `${SESSION_TOPICS[s % SESSION_TOPICS.length]} — جلسهٔ ${toPersianDigits(s + 1)}`,
        now,
        now,
      ]);
      if (date < today) held.push({ id: sessionId, date, end });
    }
    heldSessions.push(plan.status === 'cancelled' || plan.status === 'draft' ? [] : held);
    const instructorId = r.chance(0.4) ? r.pick(instructorIds) : null;
    const hours = plan.sessions * 2;
    courseRows.push([
      id,
      code,
      title,
      topic.category,
      `دورهٔ ${topic.title} ویژهٔ رابطین روابط عمومی ادارات بهزیستی شهرستان‌ها.`,
      INSTRUCTORS[i % INSTRUCTORS.length],
      instructorId,
      plan.delivery,
      plan.delivery === 'in-person' ? r.pick(PLACES) : null,
      plan.delivery === 'online' ? 'https://meet.example.ir/rabet' : null,
      plan.capacity,
      hours,
      addDaysIso(firstDate, -30),
      addDaysIso(firstDate, -1),
      80,
      null,
      false,
      plan.approval,
      plan.status ?? 'open',
      searchKey(`${code} ${title}`),
      demoAdminId,
      now,
      now,
    ]);
  });
  await writeAll(
    sequelize,
    'courses',
    [
      'id',
      'code',
      'title',
      'category',
      'description',
      'instructor_name',
      'instructor_id',
      'delivery',
      'place',
      'link',
      'capacity',
      'hours',
      'enroll_opens',
      'enroll_closes',
      'min_attendance',
      'pass_mark',
      'count_excused',
      'approval',
      'status',
      'search_key',
      'created_by',
      'created_at',
      'updated_at',
    ],
    courseRows,
  );
  await writeAll(
    sequelize,
    'course_sessions',
    ['id', 'course_id', 'date', 'start_time', 'end_time', 'topic', 'created_at', 'updated_at'],
    sessionRows,
  );
  log(`${courseRows.length} courses, ${sessionRows.length} sessions`);

  // Enrollments: approved up to capacity, then waitlisted in order; some pending (manual approval),
  // cancelled or rejected. Each course takes a run of consecutive liaisons from a random start.
  const firstEnrollment = (await maxId(sequelize, 'enrollments')) + 1;
  const approvedOf: number[][] = plans.map(() => []);
  /** The demo liaison's enrollments: always present, so that the demo shows them a certificate. */
  const alwaysPresent = new Set<number>();
  const enrollmentRows: Value[][] = [];
  plans.forEach((plan, c) => {
    const courseId = firstCourse + c;
    const chosen = new Set<number>();
    if (plan.includeUser !== undefined) chosen.add(plan.includeUser);
    let start = r.int(0, liaisonIds.length - 1);
    while (chosen.size < plan.enrollments) chosen.add(start++ % liaisonIds.length);
    let approved = 0;
    let waiting = 0;
    const enrolledAt = tehranInstant(addDaysIso(today, plan.firstOffset - 20), '10:00');
    for (const u of chosen) {
      const id = firstEnrollment + enrollmentRows.length;
      let status: string;
      let position: number | null = null;
      let reason: string | null = null;
      const [cancelRoll, pendingRoll, rejectRoll] = [r.next(), r.next(), r.next()];
      if (plan.status === 'cancelled') {
        status = 'cancelled';
        reason = 'دوره لغو شد.';
      } else if (u !== plan.includeUser && cancelRoll < 0.03) {
        status = 'cancelled';
        reason = 'انصراف رابط';
      } else if (plan.approval === 'manual' && plan.status === 'open' && pendingRoll < 0.5) {
        status = 'pending';
      } else if (u !== plan.includeUser && plan.approval === 'manual' && rejectRoll < 0.03) {
        status = 'rejected';
        reason = 'خارج از گروه هدف دوره';
      } else if (approved < plan.capacity) {
        status = 'approved';
        approved++;
        approvedOf[c].push(id);
      } else {
        status = 'waitlisted';
        position = ++waiting;
      }
      if (scale === 'demo' && u === plan.includeUser) alwaysPresent.add(id);
      enrollmentRows.push([id, courseId, liaisonIds[u], liaisonCounty[u], status, position, null, null, reason, enrolledAt, enrolledAt]);
    }
  });
  await writeAll(
    sequelize,
    'enrollments',
    ['id', 'course_id', 'user_id', 'county_id', 'status', 'waitlist_position', 'mark', 'changed_by', 'reason', 'created_at', 'updated_at'],
    enrollmentRows,
  );
  log(`${enrollmentRows.length} enrollments`);
  const enrollmentCount = enrollmentRows.length;
  enrollmentRows.length = 0;

  // Attendance: a sheet for each held session of each course, taken with the probability that brings
  // the total near the scale's target.
  const possible = plans.reduce((sum, _p, c) => sum + approvedOf[c].length * heldSessions[c].length, 0);
  const sheetChance = Math.min(1, spec.marks / Math.max(1, possible));
  const recorder = scale === 'demo' ? demoAdminId : null;
  function* marks(): Generator<Value[]> {
    let id = 1;
    for (let c = 0; c < plans.length; c++) {
      for (const session of heldSessions[c]) {
        if (!r.chance(sheetChance)) continue;
        const at = tehranInstant(session.date, session.end);
        for (const enrollmentId of approvedOf[c]) {
          const roll = alwaysPresent.has(enrollmentId) ? 0 : r.next();
          const status = roll < 0.8 ? 'present' : roll < 0.87 ? 'late' : roll < 0.92 ? 'excused' : 'absent';
          yield [
            firstMark + id++ - 1,
            session.id,
            enrollmentId,
            status,
            status === 'excused' ? 'با هماهنگی قبلی' : null,
            'sheet',
            recorder,
            at,
            at,
            at,
          ];
        }
      }
    }
  }
  const firstMark = (await maxId(sequelize, 'attendance_marks')) + 1;
  const markCount = await writeAll(
    sequelize,
    'attendance_marks',
    ['id', 'session_id', 'enrollment_id', 'status', 'note', 'source', 'recorded_by', 'recorded_at', 'created_at', 'updated_at'],
    marks(),
  );
  log(`${markCount} attendance marks`);
  await sequelize.query('ANALYZE');

  let certificates = 0;
  if (scale === 'demo') {
    const finished = plans.flatMap((p, c) => (p.status === 'finished' ? [firstCourse + c] : []));
    await seedDemoAfterClassroom(services, demoAdminId, finished, r, log);
    certificates = await issueDemoCertificates(services, demoAdminId, finished, log);
  }

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `Seeded ${scale} on ${dialect} in ${seconds} s: ${countyIds.length} counties, ${liaisonIds.length} liaisons, ${instructorIds.length} instructors, ${plans.length} courses, ${sessionRows.length} sessions, ${enrollmentCount} enrollments, ${markCount} attendance marks, ${certificates} certificates.`,
  );
  if (scale === 'demo') {
    console.log(`Demo admin:    username demo-admin    password ${password}`);
    console.log(`Demo liaison:  username demo-liaison  password ${password}`);
  } else {
    console.log(`Every seeded user (${userPrefix}00001 … and ${userPrefix}-instructor1 …) has the password ${password}`);
  }
  await sequelize.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
