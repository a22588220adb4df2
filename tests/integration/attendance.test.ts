import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app';
import { countyBySlug, createAdmin, createCourse, createLiaison, createSession, createUser, issuedCertificate } from '../helpers/factories';
import { enroll as enrollIn } from '../helpers/factories';
import { csrfFrom, loginAs, postForm, type Agent } from '../helpers/http';
import { AttendanceMark, AuditEvent, type Course, type CourseSession, type Enrollment, User } from '../../src/models';
import { addDaysIso, formatDate, nowTime, tehranInstant, todayIso } from '../../src/lib/jalali';
import { toPersianDigits } from '../../src/lib/persian';
import { CODE_WINDOW_MS, checkInSecret, currentCode } from '../../src/features/attendance/check-in-codes';

let t: TestApp;
let admin: Agent;
before(async () => {
  t = await createTestApp();
  await createAdmin({ username: 'attadmin' });
  admin = await loginAs(t.app, 'attadmin');
});
after(async () => t.close());

const yesterday = () => addDaysIso(todayIso(), -1);

async function enroll(course: Course, user: User, status: Enrollment['status'] = 'approved', createdAt?: Date): Promise<Enrollment> {
  const enrollment = await enrollIn(course, user, { status });
  if (createdAt) {
    await t.services.sequelize.query('UPDATE enrollments SET created_at = :createdAt WHERE id = :id', {
      replacements: { createdAt, id: enrollment.id },
    });
  }
  return enrollment;
}

/** A course with one held session (yesterday) and n approved liaisons enrolled a week ago. */
async function courseWithLiaisons(n: number, overrides: Parameters<typeof createCourse>[0] = {}) {
  const course = await createCourse({ status: 'running', ...overrides });
  const session = await createSession(course, { date: yesterday() });
  const weekAgo = new Date(Date.now() - 7 * 86_400_000);
  const people: { user: User; enrollment: Enrollment }[] = [];
  for (let i = 0; i < n; i++) {
    const user = await createLiaison({ countySlug: i % 2 ? 'bam' : 'kerman' });
    people.push({ user, enrollment: await enroll(course, user, 'approved', weekAgo) });
  }
  return { course, session, people };
}

async function sheetToken(agent: Agent, sessionId: number): Promise<string> {
  const res = await agent.get(`/admin/sessions/${sessionId}/attendance`);
  assert.equal(res.status, 200);
  return csrfFrom(res.text);
}

const marksOf = async (sessionId: number) =>
  Object.fromEntries((await AttendanceMark.findAll({ where: { sessionId } })).map((m) => [m.enrollmentId, m.status]));

describe('attendance sheet', () => {
  it('lists every approved liaison with county, Jalali date, weekday and time, and the mark fields', async () => {
    const { course, session, people } = await courseWithLiaisons(2);
    const pending = await createLiaison({ fullName: 'رابط در انتظار تأیید' });
    await enroll(course, pending, 'pending');
    const res = await admin.get(`/admin/sessions/${session.id}/attendance`);
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(course.title));
    assert.ok(res.text.includes(formatDate(session.date)));
    assert.match(res.text, /(شنبه|یکشنبه|دوشنبه|سه‌شنبه|چهارشنبه|پنجشنبه|جمعه) /);
    assert.ok(res.text.includes(toPersianDigits('16:00')));
    assert.ok(res.text.includes('بم'));
    for (const { user, enrollment } of people) {
      assert.ok(res.text.includes(user.fullName));
      for (const status of ['present', 'late', 'excused', 'absent']) {
        assert.match(
          res.text,
          new RegExp(
            `<input class="btn-check" type="radio" name="mark\\[${enrollment.id}\\]" id="mark-${enrollment.id}-${status}" value="${status}"`,
          ),
        );
        assert.match(res.text, new RegExp(`<label [^>]*for="mark-${enrollment.id}-${status}"`));
      }
      assert.match(res.text, new RegExp(`name="note\\[${enrollment.id}\\]"`));
    }
    assert.ok(!res.text.includes('رابط در انتظار تأیید'));
    assert.match(res.text, /همه حاضر/);
  });

  it("saves the acceptance check's post (mark[<id>] fields only) in one go: 303 back to the sheet", async () => {
    const { session, people } = await courseWithLiaisons(3);
    const token = await sheetToken(admin, session.id);
    const [a, b, c] = people.map((p) => p.enrollment.id);
    const res = await admin
      .post(`/admin/sessions/${session.id}/attendance`)
      .type('form')
      .send({ _csrf: token, [`mark[${a}]`]: 'present', [`mark[${b}]`]: 'present', [`mark[${c}]`]: 'absent' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/admin/sessions/${session.id}/attendance`);
    assert.deepEqual(await marksOf(session.id), { [a]: 'present', [b]: 'present', [c]: 'absent' });
    const page = await admin.get(res.headers.location);
    assert.match(page.text, /حضور و غیاب ذخیره شد/);
    assert.match(page.text, new RegExp(`id="mark-${c}-absent" value="absent" checked`));
  });

  it("stores a script's post of some rows only (mark[<id>] for a subset) exactly", async () => {
    const { session, people } = await courseWithLiaisons(3);
    const [, b] = people.map((p) => p.enrollment.id);
    const res = await postForm(
      admin,
      `/admin/sessions/${session.id}/attendance`,
      { [`mark[${b}]`]: 'absent' },
      `/admin/sessions/${session.id}/attendance`,
    );
    assert.equal(res.status, 303);
    assert.deepEqual(await marksOf(session.id), { [b]: 'absent' });
  });

  it("saves the sheet's own form: every row posted, unmarked rows left alone, notes kept, source paper when flagged", async () => {
    const { session, people } = await courseWithLiaisons(3);
    const [a, b, c] = people.map((p) => p.enrollment.id);
    const res = await postForm(
      admin,
      `/admin/sessions/${session.id}/attendance`,
      {
        source: 'paper',
        [`mark[${a}]`]: 'late',
        [`mark[${b}]`]: '',
        [`mark[${c}]`]: 'excused',
        [`note[${a}]`]: 'ده دقیقه دیر',
        [`note[${b}]`]: '',
        [`note[${c}]`]: 'بیمار',
      },
      `/admin/sessions/${session.id}/attendance`,
    );
    assert.equal(res.status, 303);
    const marks = await AttendanceMark.findAll({ where: { sessionId: session.id }, order: [['enrollmentId', 'ASC']] });
    assert.deepEqual(
      marks.map((m) => [m.enrollmentId, m.status, m.note, m.source]),
      [
        [a, 'late', 'ده دقیقه دیر', 'paper'],
        [c, 'excused', 'بیمار', 'paper'],
      ],
    );
  });

  it('"mark all present" without JavaScript marks every approved liaison present', async () => {
    const { session, people } = await courseWithLiaisons(4);
    const ids = people.map((p) => p.enrollment.id);
    const res = await postForm(
      admin,
      `/admin/sessions/${session.id}/attendance`,
      { allPresent: '1', ...Object.fromEntries(ids.map((id) => [`mark[${id}]`, ''])) },
      `/admin/sessions/${session.id}/attendance`,
    );
    assert.equal(res.status, 303);
    assert.deepEqual(Object.values(await marksOf(session.id)), ['present', 'present', 'present', 'present']);
  });

  it('saves one tap at a time through the JSON endpoint with the CSRF header', async () => {
    const { session, people } = await courseWithLiaisons(2);
    const [a, b] = people.map((p) => p.enrollment.id);
    const token = await sheetToken(admin, session.id);
    const url = `/admin/sessions/${session.id}/attendance/marks`;
    let res = await admin
      .post(url)
      .set('x-csrf-token', token)
      .set('Accept', 'application/json')
      .send({ mark: { [a]: 'late' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.ok, true);
    assert.deepEqual(await marksOf(session.id), { [a]: 'late' });
    res = await admin.post(url).set('x-csrf-token', token).set('Accept', 'application/json').send({ allPresent: true });
    assert.equal(res.status, 200);
    assert.deepEqual(await marksOf(session.id), { [a]: 'present', [b]: 'present' });
    res = await admin
      .post(url)
      .set('Accept', 'application/json')
      .send({ mark: { [a]: 'absent' } });
    assert.equal(res.status, 403, 'no CSRF token, no change');
    res = await admin
      .post(url)
      .set('x-csrf-token', token)
      .set('Accept', 'application/json')
      .send({ mark: { [a]: 'asleep' } });
    assert.equal(res.status, 400);
    assert.deepEqual(await marksOf(session.id), { [a]: 'present', [b]: 'present' });
  });

  it('refuses marks for a liaison who is not approved in the course, storing nothing', async () => {
    const { course, session, people } = await courseWithLiaisons(1);
    const other = await enroll(course, await createLiaison(), 'waitlisted');
    const token = await sheetToken(admin, session.id);
    const res = await admin
      .post(`/admin/sessions/${session.id}/attendance/marks`)
      .set('x-csrf-token', token)
      .set('Accept', 'application/json')
      .send({ mark: { [people[0].enrollment.id]: 'present', [other.id]: 'present' } });
    assert.equal(res.status, 400);
    assert.deepEqual(await marksOf(session.id), {});
  });
});

describe('future sessions and corrections', () => {
  it('refuses marks for a session on a later day (Tehran), in Persian, storing nothing', async () => {
    const course = await createCourse({ status: 'running' });
    const session = await createSession(course, { date: addDaysIso(todayIso(), 1) });
    const liaison = await createLiaison();
    const enrollment = await enroll(course, liaison);
    const page = await admin.get(`/admin/sessions/${session.id}/attendance`);
    assert.match(page.text, /هنوز برگزار نشده/);
    const token = csrfFrom(page.text);
    const res = await admin
      .post(`/admin/sessions/${session.id}/attendance`)
      .type('form')
      .send({ _csrf: token, [`mark[${enrollment.id}]`]: 'present' });
    assert.equal(res.status, 409);
    assert.match(res.text, /از روز برگزاری/);
    const json = await admin
      .post(`/admin/sessions/${session.id}/attendance/marks`)
      .set('x-csrf-token', token)
      .set('Accept', 'application/json')
      .send({ mark: { [enrollment.id]: 'present' } });
    assert.equal(json.status, 409);
    assert.match(json.body.error, /از روز برگزاری/);
    assert.equal(await AttendanceMark.count({ where: { sessionId: session.id } }), 0);
  });

  it("accepts marks on the session's own day, before it has ended", async () => {
    const course = await createCourse({ status: 'running' });
    const session = await createSession(course, { date: todayIso(), startTime: '23:58', endTime: '23:59' });
    const enrollment = await enroll(course, await createLiaison());
    const token = await sheetToken(admin, session.id);
    const res = await admin
      .post(`/admin/sessions/${session.id}/attendance`)
      .type('form')
      .send({ _csrf: token, [`mark[${enrollment.id}]`]: 'present' });
    assert.equal(res.status, 303);
    assert.deepEqual(await marksOf(session.id), { [enrollment.id]: 'present' });
  });

  it('audits the first recording and every correction with who, when, the old and the new status', async () => {
    const { session, people } = await courseWithLiaisons(1);
    const id = people[0].enrollment.id;
    const adminUser = (await User.findOne({ where: { username: 'attadmin' } }))!;
    const from = `/admin/sessions/${session.id}/attendance`;
    await postForm(admin, from, { [`mark[${id}]`]: 'absent' }, from);
    await postForm(admin, from, { [`mark[${id}]`]: 'late' }, from);
    await postForm(admin, from, { [`mark[${id}]`]: 'late' }, from); // unchanged: nothing to audit
    const mark = (await AttendanceMark.findOne({ where: { sessionId: session.id, enrollmentId: id } }))!;
    assert.equal(mark.status, 'late');
    assert.equal(mark.recordedBy, adminUser.id);
    const events = await AuditEvent.findAll({ where: { entityType: 'attendance_mark', entityId: mark.id }, order: [['id', 'ASC']] });
    assert.deepEqual(
      events.map((e) => e.action),
      ['attendance.record', 'attendance.correct'],
    );
    const details = events.map((e) => JSON.parse(e.details!));
    assert.equal(details[0].oldStatus, null);
    assert.equal(details[0].newStatus, 'absent');
    assert.equal(details[1].oldStatus, 'absent');
    assert.equal(details[1].newStatus, 'late');
    for (const e of events) {
      assert.equal(e.actorId, adminUser.id);
      assert.ok(e.createdAt instanceof Date && Date.now() - e.createdAt.getTime() < 60_000);
    }
  });
});

describe('clearing a mark, and marks frozen once the course is finished', () => {
  it('mark[<id>]=none takes a stored mark away, audited; the sheet then shows «ثبت‌نشده» for that row', async () => {
    const { session, people } = await courseWithLiaisons(2);
    const [a, b] = people.map((p) => p.enrollment);
    const sheet = `/admin/sessions/${session.id}/attendance`;
    await postForm(admin, sheet, { [`mark[${a.id}]`]: 'present', [`mark[${b.id}]`]: 'present' }, sheet);
    const res = await postForm(admin, sheet, { [`mark[${b.id}]`]: 'none' }, sheet);
    assert.equal(res.status, 303);
    assert.deepEqual(await marksOf(session.id), { [a.id]: 'present' });
    const cleared = await AuditEvent.findOne({ where: { action: 'attendance.clear' } });
    assert.ok(cleared);
    assert.equal(JSON.parse(cleared.details!).oldStatus, 'present');
    const page = await admin.get(sheet);
    assert.match(page.text, new RegExp(`name="mark\\[${b.id}\\]" id="mark-${b.id}-none" value="none" checked`));
    assert.match(page.text, new RegExp(`name="mark\\[${a.id}\\]" id="mark-${a.id}-present" value="present" checked`));
  });

  it("the sheet's script clears a mark through the JSON endpoint and hears back what is stored", async () => {
    const { session, people } = await courseWithLiaisons(1);
    const id = people[0].enrollment.id;
    const token = await sheetToken(admin, session.id);
    const url = `/admin/sessions/${session.id}/attendance/marks`;
    await admin
      .post(url)
      .set('x-csrf-token', token)
      .send({ mark: { [id]: 'late' } });
    const res = await admin
      .post(url)
      .set('x-csrf-token', token)
      .send({ mark: { [id]: 'none' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.cleared, 1);
    assert.equal(res.body.marks[id], null);
    assert.deepEqual(await marksOf(session.id), {});
  });

  it("a finished course refuses a change without a reason; an admin's correction with one is audited and flags the certificate for reissue", async () => {
    const instructor = await createUser({ role: 'instructor', username: 'frozenteacher' });
    const { course, session, people } = await courseWithLiaisons(1, { instructorId: instructor.id });
    const id = people[0].enrollment.id;
    const sheet = `/admin/sessions/${session.id}/attendance`;
    await postForm(admin, sheet, { [`mark[${id}]`]: 'absent' }, sheet);
    await course.update({ status: 'finished' });
    const certificate = await issuedCertificate({ id });

    const refused = await postForm(admin, sheet, { [`mark[${id}]`]: 'present' }, sheet);
    assert.equal(refused.status, 409);
    assert.match(refused.text, /دلیل اصلاح/);
    assert.deepEqual(await marksOf(session.id), { [id]: 'absent' });
    const cleared = await postForm(admin, sheet, { [`mark[${id}]`]: 'none' }, sheet);
    assert.equal(cleared.status, 409);
    assert.deepEqual(await marksOf(session.id), { [id]: 'absent' });
    const teacher = await loginAs(t.app, 'frozenteacher');
    const byInstructor = await postForm(teacher, sheet, { [`mark[${id}]`]: 'present', reason: 'اشتباه در ثبت' }, sheet);
    assert.equal(byInstructor.status, 403);
    assert.deepEqual(await marksOf(session.id), { [id]: 'absent' });
    const page = await admin.get(sheet);
    assert.ok(!page.text.includes('data-marks-url'), 'no one-tap saving on a finished course');
    assert.match(page.text, /name="reason"/);

    const corrected = await postForm(admin, sheet, { [`mark[${id}]`]: 'present', reason: 'برگهٔ کاغذی دیر رسید' }, sheet);
    assert.equal(corrected.status, 303);
    assert.deepEqual(await marksOf(session.id), { [id]: 'present' });
    const event = await AuditEvent.findOne({ where: { action: 'attendance.correct' }, order: [['id', 'DESC']] });
    assert.equal(JSON.parse(event!.details!).reason, 'برگهٔ کاغذی دیر رسید');
    await certificate.reload();
    assert.match(certificate.reissueReason ?? '', /برگهٔ کاغذی دیر رسید/);
    const certificates = await admin.get(`/admin/courses/${course.id}/certificates`);
    assert.match(certificates.text, /نیازمند صدور دوباره/);
  });
});

describe('attendance percent and matrix', () => {
  async function scenario(countExcused: boolean) {
    const course = await createCourse({ status: 'running', countExcused, minAttendance: 80 });
    const s1 = await createSession(course, { date: addDaysIso(todayIso(), -3) });
    const s2 = await createSession(course, { date: addDaysIso(todayIso(), -2) });
    const s3 = await createSession(course, { date: addDaysIso(todayIso(), -1) });
    await createSession(course, { date: addDaysIso(todayIso(), 7) });
    const early = await createLiaison({ fullName: 'رابط زودهنگام' });
    const late = await createLiaison({ fullName: 'رابط دیرآمده' });
    const eEarly = await enroll(course, early, 'approved', new Date(Date.now() - 10 * 86_400_000));
    // enrolled after s1 and s2 were over: they do not count against this liaison
    const eLate = await enroll(course, late, 'approved', new Date(tehranInstant(s2.date, '20:00').getTime()));
    // as the sheet's form posts: every row, empty for a row left unmarked
    const mark = (s: CourseSession, marks: Record<number, string>) =>
      postForm(
        admin,
        `/admin/sessions/${s.id}/attendance`,
        {
          [`mark[${eEarly.id}]`]: marks[eEarly.id] ?? '',
          [`mark[${eLate.id}]`]: marks[eLate.id] ?? '',
        },
        `/admin/sessions/${s.id}/attendance`,
      );
    assert.equal((await mark(s1, { [eEarly.id]: 'present' })).status, 303);
    assert.equal((await mark(s2, { [eEarly.id]: 'late' })).status, 303);
    assert.equal((await mark(s3, { [eEarly.id]: 'excused', [eLate.id]: 'present' })).status, 303);
    return { course, early, late };
  }

  it('counts present and late, not excused, over sessions held since enrolling (countExcused off)', async () => {
    const { course } = await scenario(false);
    const res = await admin.get(`/admin/courses/${course.id}/attendance`);
    assert.equal(res.status, 200);
    const rowOf = (name: string) => res.text.split('<tr>').find((r) => r.includes(name))!;
    assert.ok(rowOf('رابط زودهنگام').includes('۶۶٫۷٪'), 'two of three sessions, with the Persian decimal separator');
    assert.match(rowOf('رابط زودهنگام'), /ندارد/);
    assert.ok(rowOf('رابط دیرآمده').includes(`${toPersianDigits(100)}٪`), 'one of one session held since enrolling');
    assert.match(rowOf('رابط دیرآمده'), /دارد/);
    assert.equal((rowOf('رابط دیرآمده').match(/>—</g) ?? []).length, 2, 'two sessions before enrolling shown as not counted');
    assert.ok(res.text.includes(formatDate(addDaysIso(todayIso(), -3))), 'Jalali dates as column heads');
    assert.doesNotMatch(rowOf('رابط زودهنگام').replace(/<[^>]+>/g, ''), /[0-9]/, 'Persian digits only');
  });

  it('counts excused too when the course says so', async () => {
    const { course, early } = await scenario(true);
    const res = await admin.get(`/admin/courses/${course.id}/attendance`);
    const row = res.text.split('<tr>').find((r) => r.includes('رابط زودهنگام'))!;
    assert.ok(row.includes(`${toPersianDigits(100)}٪`));
    assert.match(row, /دارد/);
    // the liaison sees the same on /me
    const me = await (await loginAs(t.app, early.username)).get('/me');
    assert.equal(me.status, 200);
    assert.ok(me.text.includes(course.title));
    assert.ok(me.text.includes(`${toPersianDigits(100)}٪`));
    assert.ok(me.text.includes(formatDate(addDaysIso(todayIso(), -2))));
    assert.match(me.text, /با تأخیر/);
  });
});

describe('instructor accounts', () => {
  it("take attendance for their own course only: 403 on another course's sheet, matrix and check-in", async () => {
    const instructor = await createUser({ role: 'instructor', username: 'teachera' });
    const a = await courseWithLiaisons(1, { instructorId: instructor.id });
    const b = await courseWithLiaisons(1);
    const agent = await loginAs(t.app, 'teachera');
    for (const path of [
      `/admin/sessions/${a.session.id}/attendance`,
      `/admin/courses/${a.course.id}/attendance`,
      `/admin/sessions/${a.session.id}/sign-in-sheet`,
      `/admin/sessions/${a.session.id}/check-in`,
    ]) {
      assert.equal((await agent.get(path)).status, 200, path);
    }
    const own = await postForm(
      agent,
      `/admin/sessions/${a.session.id}/attendance`,
      { [`mark[${a.people[0].enrollment.id}]`]: 'present' },
      `/admin/sessions/${a.session.id}/attendance`,
    );
    assert.equal(own.status, 303);
    assert.deepEqual(await marksOf(a.session.id), { [a.people[0].enrollment.id]: 'present' });

    for (const path of [
      `/admin/sessions/${b.session.id}/attendance`,
      `/admin/courses/${b.course.id}/attendance`,
      `/admin/sessions/${b.session.id}/sign-in-sheet`,
      `/admin/sessions/${b.session.id}/check-in`,
    ]) {
      assert.equal((await agent.get(path)).status, 403, path);
    }
    const token = csrfFrom((await agent.get(`/admin/sessions/${a.session.id}/attendance`)).text);
    const res = await agent
      .post(`/admin/sessions/${b.session.id}/attendance`)
      .type('form')
      .send({ _csrf: token, [`mark[${b.people[0].enrollment.id}]`]: 'absent' });
    assert.equal(res.status, 403);
    const json = await agent
      .post(`/admin/sessions/${b.session.id}/attendance/marks`)
      .set('x-csrf-token', token)
      .set('Accept', 'application/json')
      .send({ allPresent: true });
    assert.equal(json.status, 403);
    // A post the sheet would refuse (a status that is none, someone not enrolled) is still a 403 to
    // them, on both, and tells nothing of the other course's sheet; a session that is none is a 404.
    for (const [id, status] of [
      [b.people[0].enrollment.id, 'maybe'],
      [999999, 'present'],
    ] as const) {
      const refused = await agent
        .post(`/admin/sessions/${b.session.id}/attendance`)
        .type('form')
        .send({ _csrf: token, [`mark[${id}]`]: status });
      assert.equal(refused.status, 403, `${id} ${status}`);
      assert.ok(!refused.text.includes(b.course.title));
      const refusedJson = await agent
        .post(`/admin/sessions/${b.session.id}/attendance/marks`)
        .set('x-csrf-token', token)
        .set('Accept', 'application/json')
        .send({ mark: { [id]: status } });
      assert.equal(refusedJson.status, 403, `${id} ${status}`);
    }
    const none = await agent
      .post('/admin/sessions/999999/attendance')
      .type('form')
      .send({ _csrf: token, [`mark[${a.people[0].enrollment.id}]`]: 'maybe' });
    assert.equal(none.status, 404);
    assert.deepEqual(await marksOf(b.session.id), {});

    const me = await agent.get('/me');
    assert.equal(me.status, 200);
    assert.ok(me.text.includes(a.course.title));
    assert.ok(me.text.includes(`/admin/sessions/${a.session.id}/attendance`));
    assert.ok(me.text.includes(`/admin/sessions/${a.session.id}/check-in`));
    assert.ok(!me.text.includes(b.course.title));
  });

  it('a liaison cannot open a sheet', async () => {
    const { session, people } = await courseWithLiaisons(1);
    const agent = await loginAs(t.app, people[0].user.username);
    assert.equal((await agent.get(`/admin/sessions/${session.id}/attendance`)).status, 403);
  });
});

describe('printable sign-in sheet', () => {
  it('lists names and counties with a signature column under the Jalali date', async () => {
    const { course, session, people } = await courseWithLiaisons(2);
    const res = await admin.get(`/admin/sessions/${session.id}/sign-in-sheet`);
    assert.equal(res.status, 200);
    assert.ok(res.text.includes(course.title));
    assert.ok(res.text.includes(formatDate(session.date)));
    assert.match(res.text, /امضا/);
    assert.match(res.text, /\/css\/print\.css/);
    for (const p of people) assert.ok(res.text.includes(p.user.fullName));
    assert.ok(res.text.includes((await countyBySlug('bam')).name));
  });
});

describe('self check-in', () => {
  async function today(n = 1) {
    const course = await createCourse({ status: 'running' });
    const session = await createSession(course, { date: todayIso(), startTime: '00:00', endTime: '23:59' });
    const people = [];
    for (let i = 0; i < n; i++) {
      const user = await createLiaison();
      people.push({ user, enrollment: await enroll(course, user) });
    }
    return { course, session, people };
  }

  it('shows the admin a rotating code with its QR pointing at /check-in', async () => {
    const { session } = await today();
    const res = await admin.get(`/admin/sessions/${session.id}/check-in`);
    assert.equal(res.status, 200);
    assert.match(res.text, /src="data:image\/png;base64,/);
    const secret = await checkInSecret(t.services.sequelize, session.id);
    const { code } = currentCode(secret);
    assert.ok(res.text.includes('http://rabet.test/check-in?code='));
    assert.ok(!res.text.includes('check-in?session='), 'the code alone names the session');
    const json = await admin.get(`/admin/sessions/${session.id}/check-in/code`);
    assert.equal(json.status, 200);
    assert.match(json.body.code, /^\d{6}$/);
    assert.ok([code, currentCode(secret, new Date(Date.now() + CODE_WINDOW_MS)).code].includes(json.body.code));
    assert.ok(json.body.expiresInMs > 0 && json.body.expiresInMs <= CODE_WINDOW_MS);
  });

  it('marks an approved liaison present with a valid code, once; the second try is refused politely', async () => {
    const { session, people } = await today();
    const { user, enrollment } = people[0];
    await admin.get(`/admin/sessions/${session.id}/check-in`);
    const { code } = currentCode(await checkInSecret(t.services.sequelize, session.id));
    const agent = await loginAs(t.app, user.username);
    const form = await agent.get(`/check-in?code=${code}`);
    assert.ok(!form.text.includes('name="session"'), 'no session number to type');
    assert.equal(form.status, 200);
    assert.ok(form.text.includes(`value="${code}"`));
    assert.equal(await AttendanceMark.count({ where: { sessionId: session.id } }), 0, 'opening the link alone stores nothing');
    const res = await postForm(agent, '/check-in', { code: toPersianDigits(code) }, '/check-in');
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/me');
    const mark = (await AttendanceMark.findOne({ where: { sessionId: session.id, enrollmentId: enrollment.id } }))!;
    assert.equal(mark.status, 'present');
    assert.equal(mark.source, 'self');
    assert.equal(
      await AuditEvent.count({ where: { entityType: 'attendance_mark', entityId: mark.id, action: 'attendance.self_check_in' } }),
      1,
    );
    // an admin corrects it to late; a second self check-in does not overwrite it
    await postForm(
      admin,
      `/admin/sessions/${session.id}/attendance`,
      { [`mark[${enrollment.id}]`]: 'late' },
      `/admin/sessions/${session.id}/attendance`,
    );
    const again = await postForm(agent, '/check-in', { code }, '/check-in');
    assert.equal(again.status, 409);
    assert.match(again.text, /پیش‌تر ثبت شده/);
    assert.deepEqual(await marksOf(session.id), { [enrollment.id]: 'late' });
  });

  it('refuses a wrong or an expired code in Persian, storing nothing, and throttles wrong codes', async () => {
    const { session, people } = await today();
    await admin.get(`/admin/sessions/${session.id}/check-in`);
    const secret = await checkInSecret(t.services.sequelize, session.id);
    const agent = await loginAs(t.app, people[0].user.username);
    const expired = currentCode(secret, new Date(Date.now() - 2 * CODE_WINDOW_MS)).code;
    const valid = new Set([currentCode(secret).code, currentCode(secret, new Date(Date.now() - CODE_WINDOW_MS)).code]);
    if (!valid.has(expired)) {
      const res = await postForm(agent, '/check-in', { code: expired }, '/check-in');
      assert.equal(res.status, 400);
      assert.match(res.text, /منقضی شده/);
    }
    const wrong = ['000000', '123456', '999999'].find((c) => !valid.has(c))!;
    const res = await postForm(agent, '/check-in', { code: wrong }, '/check-in');
    assert.equal(res.status, 400);
    assert.match(res.text, /منقضی شده/);
    assert.equal(await AttendanceMark.count({ where: { sessionId: session.id } }), 0);
    let last = res;
    for (let i = 0; i < 10; i++) last = await postForm(agent, '/check-in', { code: wrong }, '/check-in');
    assert.equal(last.status, 429);
    // now even the right code waits until the window ends
    const blocked = await postForm(agent, '/check-in', { code: currentCode(secret).code }, '/check-in');
    assert.equal(blocked.status, 429);
    assert.equal(await AttendanceMark.count({ where: { sessionId: session.id } }), 0);
  });

  it('refuses a liaison not approved in the course, and a session outside its check-in window', async () => {
    const { session } = await today();
    await admin.get(`/admin/sessions/${session.id}/check-in`);
    const stranger = await createLiaison();
    const agent = await loginAs(t.app, stranger.username);
    const res = await postForm(
      agent,
      '/check-in',
      { code: currentCode(await checkInSecret(t.services.sequelize, session.id)).code },
      '/check-in',
    );
    assert.equal(res.status, 403);
    assert.match(res.text, /ثبت‌نام تأییدشده/);

    const { session: past, people } = await courseWithLiaisons(1);
    await admin.get(`/admin/sessions/${past.id}/check-in`);
    const liaison = await loginAs(t.app, people[0].user.username);
    const old = await postForm(
      liaison,
      '/check-in',
      { code: currentCode(await checkInSecret(t.services.sequelize, past.id)).code },
      '/check-in',
    );
    assert.equal(old.status, 409);
    assert.match(old.text, /کمی پیش از آغاز جلسه تا کمی پس از پایان/);
    assert.equal(await AttendanceMark.count({ where: { sessionId: [session.id, past.id] } }), 0);
  });

  /**
   * A session of a running course, `startIn`…`endIn` ms from now (Tehran clock), with one approved
   * liaison. A session lies within one day, so near midnight the pair moves by `shift` ms (which
   * keeps it on the same side of the check-in window) until its start and end fall on one date.
   */
  async function sessionAround(startIn: number, endIn: number, shift: number) {
    let start = new Date(Date.now() + startIn);
    let end = new Date(Date.now() + endIn);
    while (todayIso(start) !== todayIso(end) || nowTime(end) <= nowTime(start)) {
      start = new Date(start.getTime() + shift);
      end = new Date(end.getTime() + shift);
    }
    const course = await createCourse({ status: 'running' });
    const session = await createSession(course, { date: todayIso(start), startTime: nowTime(start), endTime: nowTime(end) });
    const user = await createLiaison();
    const enrollment = await enroll(course, user);
    await admin.get(`/admin/sessions/${session.id}/check-in`);
    const code = currentCode(await checkInSecret(t.services.sequelize, session.id)).code;
    return { session, enrollment, agent: await loginAs(t.app, user.username), code };
  }
  const minutes = (n: number) => n * 60_000;

  it('takes a code from 15 minutes before the start to 30 minutes after the end, the session found by the code', async () => {
    const early = await sessionAround(minutes(120), minutes(121), minutes(5));
    const tooEarly = await postForm(early.agent, '/check-in', { code: early.code }, '/check-in');
    assert.equal(tooEarly.status, 409);
    assert.equal(await AttendanceMark.count({ where: { sessionId: early.session.id } }), 0);

    const soon = await sessionAround(minutes(10), minutes(11), -minutes(3));
    assert.equal((await postForm(soon.agent, '/check-in', { code: soon.code }, '/check-in')).status, 303);
    assert.deepEqual(await marksOf(soon.session.id), { [soon.enrollment.id]: 'present' });

    const justOver = await sessionAround(-minutes(25), -minutes(20), minutes(3));
    assert.equal((await postForm(justOver.agent, '/check-in', { code: justOver.code }, '/check-in')).status, 303);

    const longOver = await sessionAround(-minutes(45), -minutes(40), -minutes(5));
    const late = await postForm(longOver.agent, '/check-in', { code: longOver.code }, '/check-in');
    assert.equal(late.status, 409);
    assert.equal(await AttendanceMark.count({ where: { sessionId: longOver.session.id } }), 0);
  });
});
