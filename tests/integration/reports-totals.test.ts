import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { countyBySlug, createAdmin, createCourse, createLiaison, createSession, enroll as enrollIn } from '../helpers/factories';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { AttendanceMark, Course, type CourseSession, Enrollment, type User } from '../../src/models';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { checkInSecret, currentCode } from '../../src/features/attendance/check-in-codes';
import { attendanceSummaries } from '../../src/features/attendance/summary';
import { rebuildAttendanceTotals } from '../../src/features/attendance/totals';
import { dialectOf, enrollmentAttendanceSql, select, tehranNowMinute } from '../../src/features/reports/sql';

/*
 * The attendance totals the reports read (features/attendance/totals.ts, kept by triggers) must
 * equal what the marks say after any sequence of writes: sheet recordings, corrections, notes,
 * "all present", self check-ins, and writes from elsewhere (a session's times edited, an enrollment
 * moved to another county, a mark deleted). Each step is checked against a recomputation from the
 * marks written here, independently of the code under test.
 */
let t: TestApp;
let admin: Agent;
let courseA: Course;
let courseB: Course;
const sessions: Record<string, CourseSession> = {};
const people: { user: User; a: Enrollment; b: Enrollment }[] = [];

const daysAgo = (n: number) => addDaysIso(todayIso(), -n);

async function rows<T extends object>(sql: string): Promise<T[]> {
  return t.services.sequelize.query<T>(sql, { type: QueryTypes.SELECT });
}

const numeric = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : Number(v)]));

const plain = (v: unknown) =>
  v === null || v === undefined
    ? null
    : v instanceof Date
      ? v.toISOString()
      : typeof v === 'number' || /^\d+(\.\d+)?$/.test(String(v))
        ? Number(v)
        : String(v);

/** Every enrollment has its totals row, carrying a copy of the enrollment as it is now. */
async function assertProjection(step: string) {
  const copy = await rows<Record<string, unknown>>(
    'SELECT enrollment_id AS id, course_id, county_id, user_id, status, mark, enrolled_at AS created_at FROM attendance_totals ORDER BY enrollment_id',
  );
  const source = await rows<Record<string, unknown>>(
    'SELECT id, course_id, county_id, user_id, status, mark, created_at FROM enrollments ORDER BY id',
  );
  const norm = (list: Record<string, unknown>[]) => list.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
  assert.deepEqual(norm(copy), norm(source), `enrollment copies after ${step}`);
}

/** Totals as stored, and as recomputed from the marks (only rows with a mark; zero rows left by deletions ignored). */
async function assertTotalsMatchMarks(step: string) {
  await assertProjection(step);
  const stored = (
    await rows<Record<string, unknown>>(
      `SELECT enrollment_id, course_id, county_id, present, late, excused, absent, present_minutes FROM attendance_totals
     WHERE present + late + excused + absent > 0 ORDER BY enrollment_id`,
    )
  ).map(numeric);
  const marks = await AttendanceMark.findAll({ include: [{ association: 'session' }, { association: 'enrollment' }] });
  const expected = new Map<number, Record<string, number | null>>();
  for (const m of marks) {
    const e = m.get('enrollment') as Enrollment;
    const s = m.get('session') as CourseSession;
    const row = expected.get(e.id) ?? {
      enrollment_id: e.id,
      course_id: e.courseId,
      county_id: e.countyId ?? null,
      present: 0,
      late: 0,
      excused: 0,
      absent: 0,
      present_minutes: 0,
    };
    (row[m.status] as number)++;
    if (m.status === 'present' || m.status === 'late') {
      const minutes = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));
      (row.present_minutes as number) += minutes(s.endTime) - minutes(s.startTime);
    }
    expected.set(e.id, row);
  }
  assert.deepEqual(
    stored,
    [...expected.values()].sort((x, y) => (x.enrollment_id as number) - (y.enrollment_id as number)),
    `enrollment totals after ${step}`,
  );

  const storedSessions = (
    await rows<Record<string, unknown>>(
      'SELECT session_id, present, late, excused, absent FROM attendance_session_totals WHERE present + late + excused + absent > 0 ORDER BY session_id',
    )
  ).map(numeric);
  const bySession = new Map<number, Record<string, number>>();
  for (const m of marks) {
    const row = bySession.get(m.sessionId) ?? { session_id: m.sessionId, present: 0, late: 0, excused: 0, absent: 0 };
    row[m.status]++;
    bySession.set(m.sessionId, row);
  }
  assert.deepEqual(
    storedSessions,
    [...bySession.values()].sort((x, y) => x.session_id - y.session_id),
    `session totals after ${step}`,
  );
}

/** The report SQL gives every approved enrollment the counts of the rule of summary.ts. */
async function assertReportFollowsRule(step: string) {
  const sql = t.services.sequelize;
  const fromSql = await select<{ enrollment_id: number; counted: number; attended: number; present: number }>(
    sql,
    enrollmentAttendanceSql(dialectOf(sql), ':courses'),
    { courses: [courseA.id, courseB.id], today: todayIso(), nowMinute: tehranNowMinute() },
  );
  const byId = new Map(fromSql.map((r) => [Number(r.enrollment_id), r]));
  for (const course of [courseA, courseB]) {
    const fresh = (await Course.findByPk(course.id))!;
    const approved = await Enrollment.findAll({ where: { courseId: course.id, status: 'approved' } });
    const summaries = await attendanceSummaries(fresh, approved);
    for (const e of approved) {
      const s = summaries.get(e.id)!;
      const r = byId.get(e.id);
      assert.deepEqual(
        { counted: Number(r?.counted), attended: Number(r?.attended), present: Number(r?.present) },
        { counted: s.counted, attended: s.present + s.late + (fresh.countExcused ? s.excused : 0), present: s.present + s.late },
        `enrollment ${e.id} after ${step}`,
      );
    }
  }
}

const sheet = (session: CourseSession, marks: Record<number, string>) =>
  postForm(
    admin,
    `/admin/sessions/${session.id}/attendance`,
    Object.fromEntries(Object.entries(marks).map(([id, s]) => [`mark[${id}]`, s])),
    `/admin/sessions/${session.id}/attendance`,
  );

before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'totals-admin' });
  admin = await loginAs(t.app, 'totals-admin');
  courseA = await createCourse({ code: 'TOT-A', status: 'running' });
  courseB = await createCourse({ code: 'TOT-B', status: 'running', countExcused: true });
  sessions.a1 = await createSession(courseA, { date: daysAgo(9), startTime: '09:00', endTime: '11:00' });
  sessions.a2 = await createSession(courseA, { date: daysAgo(2), startTime: '09:00', endTime: '12:30' });
  // Today's session, not over until 23:59: its marks count in the totals but not in the rule yet.
  sessions.aToday = await createSession(courseA, { date: todayIso(), startTime: '00:00', endTime: '23:59' });
  sessions.b1 = await createSession(courseB, { date: daysAgo(3), startTime: '16:00', endTime: '18:00' });
  const weekAgo = new Date(Date.now() - 12 * 86_400_000);
  for (let i = 0; i < 4; i++) {
    const user = await createLiaison({ username: `tot-${i}`, countySlug: i % 2 ? 'bam' : 'kerman' });
    const enroll = (course: Course, createdAt: Date) => enrollIn(course, user, { createdAt });
    // The last liaison enrolled in course A after its first session was over.
    people.push({
      user,
      a: await enroll(courseA, i === 3 ? new Date(Date.now() - 5 * 86_400_000) : weekAgo),
      b: await enroll(courseB, weekAgo),
    });
  }
});
after(async () => t?.close());

describe('attendance totals', () => {
  it('start empty and follow every recording and correction on the sheet', async () => {
    await assertTotalsMatchMarks('nothing recorded');
    const [p0, p1, p2, p3] = people;
    let res = await sheet(sessions.a1, { [p0.a.id]: 'present', [p1.a.id]: 'late', [p2.a.id]: 'absent' });
    assert.equal(res.status, 303);
    await assertTotalsMatchMarks('a first sheet');
    res = await sheet(sessions.a2, { [p0.a.id]: 'excused', [p1.a.id]: 'present', [p2.a.id]: 'present', [p3.a.id]: 'late' });
    assert.equal(res.status, 303);
    await sheet(sessions.b1, { [p0.b.id]: 'excused', [p1.b.id]: 'absent', [p2.b.id]: 'present', [p3.b.id]: 'present' });
    await assertTotalsMatchMarks('three sheets');
    await assertReportFollowsRule('three sheets');
    // Corrections move a count from the old status to the new one (and its minutes with it).
    await sheet(sessions.a1, { [p0.a.id]: 'absent', [p1.a.id]: 'present', [p2.a.id]: 'late' });
    await sheet(sessions.a2, { [p0.a.id]: 'present', [p3.a.id]: 'excused' });
    await sheet(sessions.b1, { [p1.b.id]: 'late', [p2.b.id]: 'present' });
    await assertTotalsMatchMarks('corrections');
    // A note alone changes nothing counted; "all present" fills and overwrites.
    res = await postForm(
      admin,
      `/admin/sessions/${sessions.a1.id}/attendance`,
      { [`mark[${p0.a.id}]`]: '', [`note[${p0.a.id}]`]: 'دیر رسید' },
      `/admin/sessions/${sessions.a1.id}/attendance`,
    );
    assert.equal(res.status, 303);
    assert.equal((await AttendanceMark.findOne({ where: { sessionId: sessions.a1.id, enrollmentId: p0.a.id } }))?.note, 'دیر رسید');
    await assertTotalsMatchMarks('a note');
    const ids = people.map((p) => p.b.id);
    res = await postForm(
      admin,
      `/admin/sessions/${sessions.b1.id}/attendance`,
      { allPresent: '1', rows: ids.join(','), ...Object.fromEntries(ids.map((id) => [`mark[${id}]`, ''])) },
      `/admin/sessions/${sessions.b1.id}/attendance`,
    );
    assert.equal(res.status, 303);
    assert.deepEqual(
      (await AttendanceMark.findAll({ where: { sessionId: sessions.b1.id } })).map((m) => m.status),
      ['present', 'present', 'present', 'present'],
    );
    await assertTotalsMatchMarks('all present');
    await assertReportFollowsRule('corrections');
  });

  it('follow self check-ins and leave a session not yet over out of the rule', async () => {
    await admin.get(`/admin/sessions/${sessions.aToday.id}/check-in`);
    const { code } = currentCode(await checkInSecret(t.services.sequelize, sessions.aToday.id));
    for (const p of people.slice(0, 3)) {
      const liaison = await loginAs(t.app, p.user.username);
      const res = await postForm(liaison, '/check-in', { session: String(sessions.aToday.id), code }, '/check-in');
      assert.ok(res.status === 303 || res.status === 200, `check-in ${res.status}`);
    }
    assert.equal(await AttendanceMark.count({ where: { sessionId: sessions.aToday.id, source: 'self' } }), 3);
    // Corrected on the sheet afterwards: present → absent.
    await sheet(sessions.aToday, { [people[2].a.id]: 'absent' });
    await assertTotalsMatchMarks('self check-ins');
    await assertReportFollowsRule('self check-ins');
  });

  it('follow writes made elsewhere: a session’s times, an enrollment’s county, a deleted mark', async () => {
    await sessions.a2.update({ startTime: '08:00', endTime: '12:30' });
    await assertTotalsMatchMarks('a session made longer');
    const bam = await countyBySlug('bam');
    await people[0].a.update({ countyId: bam.id });
    await assertTotalsMatchMarks('an enrollment moved to another county');
    await AttendanceMark.destroy({ where: { sessionId: sessions.a1.id, enrollmentId: people[1].a.id } });
    await assertTotalsMatchMarks('a mark deleted');
    await assertReportFollowsRule('writes made elsewhere');
  });

  it('follow enrollments made, cancelled and given a mark', async () => {
    const newcomer = await createLiaison({ username: 'tot-late', countySlug: 'kerman' });
    let res = await postForm(admin, `/admin/courses/${courseA.id}/enrollments`, { username: 'tot-late' }, `/admin/courses/${courseA.id}`);
    assert.equal(res.status, 303);
    const enrollment = (await Enrollment.findOne({ where: { courseId: courseA.id, userId: newcomer.id } }))!;
    assert.equal(enrollment.status, 'approved');
    await assertTotalsMatchMarks('an enrollment by hand');
    await sheet(sessions.a2, { [enrollment.id]: 'present' });
    await assertTotalsMatchMarks('the newcomer marked');
    await assertReportFollowsRule('the newcomer marked');
    await enrollment.update({ mark: 17.5 });
    res = await postForm(admin, `/enrollments/${enrollment.id}/cancel`, {}, `/admin/courses/${courseA.id}`);
    assert.equal(res.status, 303);
    assert.equal((await Enrollment.findByPk(enrollment.id))?.status, 'cancelled');
    await assertTotalsMatchMarks('a cancellation');
    await assertReportFollowsRule('a cancellation');
  });

  it('are rebuilt from the marks to the same figures', async () => {
    const before = await rows('SELECT * FROM attendance_totals WHERE present + late + excused + absent > 0 ORDER BY enrollment_id');
    await t.services.sequelize.query('UPDATE attendance_totals SET present = present + 5');
    await rebuildAttendanceTotals(t.services.sequelize);
    assert.deepEqual(
      (await rows<Record<string, unknown>>('SELECT * FROM attendance_totals ORDER BY enrollment_id')).map(numeric),
      before.map((r) => numeric(r as Record<string, unknown>)),
    );
    await assertTotalsMatchMarks('a rebuild');
  });

  it('give the county report the same figures as the marks', async () => {
    // Kerman's marks (person 2's, and person 0's in course B), counted straight from the marks.
    const [direct] = await rows<Record<string, unknown>>(
      `SELECT COUNT(*) AS marks,
        SUM(CASE WHEN m.status IN ('present', 'late') OR (m.status = 'excused' AND c.count_excused = TRUE) THEN 1 ELSE 0 END) AS attended
       FROM attendance_marks m JOIN enrollments e ON e.id = m.enrollment_id JOIN courses c ON c.id = e.course_id JOIN counties k ON k.id = e.county_id
       WHERE k.slug = 'kerman'`,
    );
    const res = await admin.get('/admin/reports/counties?year=all&county=kerman&format=csv');
    assert.equal(res.status, 200);
    const line = res.text
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[1]
      .split(',');
    const percent = Math.round((Number(direct.attended) / Number(direct.marks)) * 1000) / 10;
    assert.equal(line[4], String(percent));
  });
});
