import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ZipArchive } from 'archiver';
import { QueryTypes } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession, createUser, enroll } from '../helpers/factories';
import { binary, csrfFrom, loginAs, postForm, type Agent } from '../helpers/http';
import { parse as parseCsv } from 'csv-parse/sync';
import { AuditEvent, Certificate, CourseEvaluation, Notification } from '../../src/models';
import { addDaysIso, tehranInstant, todayIso } from '../../src/lib/jalali';
import { announceEvaluations } from '../../src/features/evaluations/service';

/**
 * Issue 16: course materials reach the course's people and no one else, typed by their bytes; the
 * evaluation opens at the last session, takes one answer per approved liaison, keeps answers apart
 * from who gave them, and shows the admin results only from three answers.
 */
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

async function ooxml(mainPart: string): Promise<Buffer> {
  const zip = new ZipArchive();
  const chunks: Buffer[] = [];
  zip.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve) => zip.on('end', resolve));
  zip.append('<?xml version="1.0"?><Types/>', { name: '[Content_Types].xml' });
  zip.append('<x/>', { name: mainPart });
  await zip.finalize();
  await done;
  return Buffer.concat(chunks);
}

let t: TestApp;
let admin: Agent;
let inside: Agent;
let outside: Agent;
let instructor: Agent;
let otherInstructor: Agent;
let courseId: number;
const sql = () => t.services.sequelize;

before(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' });
  await createAdmin({ username: 'ac-admin' });
  const teacher = await createUser({ role: 'instructor', username: 'ac-teacher' });
  await createUser({ role: 'instructor', username: 'ac-other-teacher' });
  const course = await createCourse({ instructorId: teacher.id, title: 'دورهٔ مواد و ارزشیابی' });
  courseId = course.id;
  await createSession(course, { date: addDaysIso(todayIso(), 3) });
  const liaison = await createLiaison({ username: 'ac-in', fullName: 'رابط درون دوره' });
  await createLiaison({ username: 'ac-out' });
  await enroll(course, liaison);
  admin = await loginAs(t.app, 'ac-admin');
  inside = await loginAs(t.app, 'ac-in');
  outside = await loginAs(t.app, 'ac-out');
  instructor = await loginAs(t.app, 'ac-teacher');
  otherInstructor = await loginAs(t.app, 'ac-other-teacher');
});
after(() => t.close());

async function upload(agent: Agent, course: number, title: string, content: Buffer, name: string) {
  const page = await agent.get(`/admin/courses/${course}/materials`);
  return agent
    .post(`/admin/courses/${course}/materials?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
    .redirects(0)
    .field('title', title)
    .attach('file', content, name);
}

const materialCount = async () =>
  Number((await sql().query<{ n: number }>('SELECT COUNT(*) AS n FROM course_materials', { type: QueryTypes.SELECT }))[0].n);

describe('course materials', () => {
  test('a PDF uploaded by the admin is listed for the approved liaison and downloaded with its name, privately', async () => {
    const res = await upload(admin, courseId, 'اسلایدهای جلسهٔ نخست', PDF, 'اسلاید جلسه.pdf');
    assert.equal(res.status, 303);
    const page = await inside.get(`/courses/${courseId}`);
    const href = /href="(\/materials\/\d+)"/.exec(page.text)?.[1];
    assert.ok(href && page.text.includes('اسلایدهای جلسهٔ نخست'));
    const file = await inside.get(href!).buffer(true);
    assert.equal(file.status, 200);
    assert.deepEqual(Buffer.from(file.body), PDF);
    assert.equal(file.headers['content-type'], 'application/pdf');
    assert.equal(file.headers['cache-control'], 'private');
    assert.equal(file.headers['x-content-type-options'], 'nosniff');
    assert.match(file.headers['content-disposition'], /^attachment; filename="[^"]+"; filename\*=UTF-8''/);
    assert.ok(file.headers['content-disposition'].includes(encodeURIComponent('اسلاید جلسه.pdf')));
    for (const who of [outside, otherInstructor]) assert.equal((await who.get(href!).redirects(0)).status, 404);
    assert.equal((await instructor.get(href!)).status, 200);
    const anonymous = await (await import('supertest')).default(t.app).get(href!).redirects(0);
    assert.match(anonymous.headers.location ?? '', /^\/login/);
    assert.equal((await outside.get(`/courses/${courseId}`)).text.includes(href!), false);
  });

  test('files are typed by their bytes: HTML named .pdf, a bare zip named .docx and a file over 20 MB are refused in Persian', async () => {
    const before = await materialCount();
    const html = await upload(admin, courseId, 'جزوه', Buffer.from('<html><script>alert(1)</script></html>'), 'notes.pdf');
    assert.equal(html.status, 400);
    assert.match(html.text, /این نوع فایل پذیرفته نیست/);
    const zip = new ZipArchive();
    const parts: Buffer[] = [];
    zip.on('data', (c: Buffer) => parts.push(c));
    const ended = new Promise((resolve) => zip.on('end', resolve));
    zip.append('hello', { name: 'readme.txt' });
    await zip.finalize();
    await ended;
    assert.equal((await upload(admin, courseId, 'سند', Buffer.concat(parts), 'doc.docx')).status, 400);
    const big = await upload(admin, courseId, 'بزرگ', Buffer.concat([PDF, Buffer.alloc(20 * 1024 * 1024)]), 'big.pdf');
    assert.equal(big.status, 413);
    assert.match(big.text, /حداکثر ۲۰ مگابایت/);
    assert.equal(await materialCount(), before);
  });

  test('Office documents are recognised from their parts; a name without the right extension gets it', async () => {
    assert.equal((await upload(instructor, courseId, 'جزوهٔ مدرس', await ooxml('word/document.xml'), 'جزوه')).status, 303);
    const [row] = await sql().query<{ file_name: string; content_type: string }>(
      "SELECT file_name, content_type FROM course_materials WHERE title = 'جزوهٔ مدرس'",
      { type: QueryTypes.SELECT },
    );
    assert.deepEqual(row, {
      file_name: 'جزوه.docx',
      content_type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    });
    assert.equal((await upload(otherInstructor, courseId, 'نه', PDF, 'x.pdf')).status, 403);
    assert.equal((await inside.get(`/admin/courses/${courseId}/materials`)).status, 403);
  });

  test('a link is listed; materials are reordered; deleting one is audited', async () => {
    const added = await postForm(
      admin,
      `/admin/courses/${courseId}/materials`,
      { title: 'کلاس برخط', url: 'https://vc.example.ir/room/42' },
      `/admin/courses/${courseId}/materials`,
    );
    assert.equal(added.status, 303);
    const bad = await postForm(
      admin,
      `/admin/courses/${courseId}/materials`,
      { title: 'بد', url: 'javascript:alert(1)' },
      `/admin/courses/${courseId}/materials`,
    );
    assert.equal(bad.status, 400);
    assert.match(bad.text, /نشانی باید با http/);
    const page = await inside.get(`/courses/${courseId}`);
    assert.ok(page.text.includes('https://vc.example.ir/room/42'));
    const ids = (
      await sql().query<{ id: number; title: string }>(
        `SELECT id, title FROM course_materials WHERE course_id = ${courseId} ORDER BY position`,
        {
          type: QueryTypes.SELECT,
        },
      )
    ).map((r) => r.title);
    assert.equal(ids.at(-1), 'کلاس برخط');
    const [link] = await sql().query<{ id: number }>("SELECT id FROM course_materials WHERE title = 'کلاس برخط'", {
      type: QueryTypes.SELECT,
    });
    await postForm(admin, `/admin/materials/${link.id}/move`, { direction: 'up' }, `/admin/courses/${courseId}/materials`);
    const order = (
      await sql().query<{ title: string }>(`SELECT title FROM course_materials WHERE course_id = ${courseId} ORDER BY position`, {
        type: QueryTypes.SELECT,
      })
    ).map((r) => r.title);
    assert.equal(order.at(-2), 'کلاس برخط');
    const removed = await postForm(admin, `/admin/materials/${link.id}/delete`, {}, `/admin/courses/${courseId}/materials`);
    assert.equal(removed.status, 303);
    const audit = await AuditEvent.findOne({ where: { action: 'material.delete', entityId: link.id } });
    assert.ok(audit && String(audit.details).includes('vc.example.ir'));
  });
});

describe('the evaluation survey', () => {
  let evalCourse: number;
  const people: Agent[] = [];
  before(async () => {
    const course = await createCourse({ title: 'دورهٔ ارزشیابی‌شده', status: 'running', category: 'عکاسی خبری' });
    evalCourse = course.id;
    await createSession(course, { date: addDaysIso(todayIso(), -1), startTime: '09:00', endTime: '11:00' });
    for (let i = 0; i < 4; i++) {
      const user = await createLiaison({ username: `ac-eval-${i}`, fullName: `ارزیاب ${i}` });
      await enroll(course, user);
      people.push(await loginAs(t.app, `ac-eval-${i}`));
    }
  });

  const answer = (agent: Agent, id: number, score: string, comment: string, topics = '') =>
    postForm(
      agent,
      `/courses/${id}/evaluation`,
      {
        'q[content]': score,
        'q[usefulness]': score,
        'q[instructor]': score,
        'q[organisation]': score,
        'q[overall]': score,
        comment,
        topics,
      },
      `/courses/${id}/evaluation`,
    );

  test('closed before the last session starts, for approved liaisons only', async () => {
    const page = await inside.get(`/courses/${courseId}/evaluation`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /name="q\[/);
    assert.equal((await answer(inside, courseId, '5', 'زود')).status, 409);
    assert.equal((await outside.get(`/courses/${evalCourse}/evaluation`)).status, 404);
    assert.equal((await answer(outside, evalCourse, '1', 'بیرونی')).status, 404);
  });

  test('the scheduled step notifies each approved liaison once, and /me asks for the answer', async () => {
    assert.ok((await announceEvaluations(sql(), t.services.outbox, t.services.evaluationSettings)).includes(evalCourse));
    assert.deepEqual(
      (await announceEvaluations(sql(), t.services.outbox, t.services.evaluationSettings)).filter((id) => id === evalCourse),
      [],
    );
    const notes = await Notification.count({ where: { link: `/courses/${evalCourse}/evaluation` } });
    assert.equal(notes, 4);
    const me = await people[0].get('/me');
    assert.ok(me.text.includes('پاسخ به ارزشیابی دورهٔ «دورهٔ ارزشیابی‌شده»'));
  });

  test('a bad score is refused next to the field; one answer each; results only from three answers', async () => {
    const bad = await postForm(
      people[0],
      `/courses/${evalCourse}/evaluation`,
      { 'q[content]': '7', comment: 'x' },
      `/courses/${evalCourse}/evaluation`,
    );
    assert.equal(bad.status, 400);
    assert.match(bad.text, /یکی از گزینه‌های ۱ تا ۵/);
    assert.equal((await answer(people[0], evalCourse, '4', 'کاربردی بود', 'تولید ویدئو\nعکاسی با گوشی')).status, 303);
    assert.equal((await answer(people[0], evalCourse, '1', 'دوباره')).status, 409);
    assert.ok(!(await people[0].get('/me')).text.includes('پاسخ به ارزشیابی دورهٔ «دورهٔ ارزشیابی‌شده»'));
    // The invitation is read once answered (it no longer counts as unread); the others' still are not.
    const invitations = await Notification.findAll({ where: { link: `/courses/${evalCourse}/evaluation` } });
    assert.equal(invitations.filter((n) => n.readAt !== null).length, 1);
    assert.equal((await answer(people[1], evalCourse, '۵', 'مدرس عالی بود', 'تولید ویدئو')).status, 303);
    let results = await admin.get(`/admin/courses/${evalCourse}/evaluation`);
    assert.equal(results.status, 200);
    assert.doesNotMatch(results.text, /کاربردی بود|<svg/);
    assert.equal((await admin.get(`/admin/courses/${evalCourse}/evaluation?format=csv`)).status, 409);
    assert.equal((await answer(people[2], evalCourse, '2', 'سالن سرد بود')).status, 303);
    results = await admin.get(`/admin/courses/${evalCourse}/evaluation`);
    for (const text of ['کاربردی بود', 'مدرس عالی بود', 'سالن سرد بود', '<svg', '۳ از ۴', '۷۵٪'])
      assert.ok(results.text.includes(text), text);
    assert.ok(!/ارزیاب \d|ac-eval/.test(results.text));
    assert.match(results.text, /تولید ویدئو<\/td><td class="text-center">۲/);
    const csv = await admin.get(`/admin/courses/${evalCourse}/evaluation?format=csv`);
    assert.equal(csv.status, 200);
    assert.ok(csv.text.includes('مدرس عالی بود') && !csv.text.includes('ac-eval'));
  });

  test('who answered is stored apart from what was answered', async () => {
    const columns = async (table: string) => (await sql().getQueryInterface().describeTable(table)) as Record<string, unknown>;
    for (const table of ['evaluation_answers', 'evaluation_scores']) {
      const names = Object.keys(await columns(table));
      assert.ok(!names.some((n) => /user|enrollment|created|updated|at$/.test(n)), `${table}: ${names}`);
    }
    assert.deepEqual(Object.keys(await columns('evaluation_respondents')).sort(), ['course_id', 'user_id']);
    const ids = await sql().query<{ id: string }>(`SELECT id FROM evaluation_answers WHERE course_id = ${evalCourse}`, {
      type: QueryTypes.SELECT,
    });
    assert.ok(ids.every((r) => /^[0-9a-f-]{36}$/.test(r.id)));
  });

  test("answers are kept in the order of their random ids, not in the order they came (rowid, ctid, xmin), and no time is the first answer's", async () => {
    const course = await createCourse({ title: 'دورهٔ ترتیب پاسخ‌ها', status: 'running' });
    await createSession(course, { date: addDaysIso(todayIso(), -2), startTime: '10:00', endTime: '12:00' });
    const arrived: string[] = [];
    for (let i = 0; i < 7; i++) {
      const user = await createLiaison({ username: `ac-order-${i}` });
      await enroll(course, user);
      const agent = await loginAs(t.app, `ac-order-${i}`);
      assert.equal((await answer(agent, course.id, String((i % 5) + 1), `نظر شمارهٔ ${i}`)).status, 303);
      const [row] = await sql().query<{ id: string }>('SELECT id FROM evaluation_answers WHERE course_id = :id AND comment = :c', {
        type: QueryTypes.SELECT,
        replacements: { id: course.id, c: `نظر شمارهٔ ${i}` },
      });
      arrived.push(row.id);
    }
    const postgres = sql().getDialect() === 'postgres';
    const physical = (table: string, column: string) =>
      sql().query<{ id: string }>(`SELECT ${column} AS id FROM ${table} WHERE course_id = :id ORDER BY ${postgres ? 'ctid' : 'rowid'}`, {
        type: QueryTypes.SELECT,
        replacements: { id: course.id },
      });
    const byId = [...arrived].sort();
    assert.notDeepEqual(byId, arrived, 'seven random ids came in their sorted order');
    assert.deepEqual(
      (await physical('evaluation_answers', 'id')).map((r) => r.id),
      byId,
    );
    assert.deepEqual([...new Set((await physical('evaluation_scores', 'answer_id')).map((r) => r.id))], byId);
    if (postgres) {
      const [{ n }] = await sql().query<{ n: number }>(
        'SELECT COUNT(DISTINCT xmin::text) AS n FROM evaluation_answers WHERE course_id = :id',
        { type: QueryTypes.SELECT, replacements: { id: course.id } },
      );
      assert.equal(Number(n), 1);
    }
    const results = await admin.get(`/admin/courses/${course.id}/evaluation`);
    assert.ok(results.text.includes('نظر شمارهٔ 3'));
    const opened = await CourseEvaluation.findByPk(course.id);
    assert.equal(opened?.openedAt.getTime(), tehranInstant(addDaysIso(todayIso(), -2), '10:00').getTime());
  });

  test('a comment on several lines stays one field of the CSV export, one row per answer', async () => {
    const course = await createCourse({ title: 'دورهٔ نظرهای چندخطی', status: 'running', code: 'CSV-LINES' });
    await createSession(course, { date: addDaysIso(todayIso(), -1) });
    const comments = ['سطر یکم\r\nسطر دوم', 'تک‌سطری', 'یک\nدو\nسه'];
    for (const [i, comment] of comments.entries()) {
      const user = await createLiaison({ username: `ac-lines-${i}` });
      await enroll(course, user);
      assert.equal((await answer(await loginAs(t.app, `ac-lines-${i}`), course.id, '4', comment, 'موضوع یکم\nموضوع دوم')).status, 303);
    }
    const csv = await admin.get(`/admin/courses/${course.id}/evaluation?format=csv`).buffer(true).parse(binary);
    assert.equal(csv.status, 200);
    // As a spreadsheet reads it: any line break outside quotes ends a row.
    const records: string[][] = parseCsv(Buffer.from(csv.body).toString('utf8'), { bom: true, record_delimiter: ['\r\n', '\n', '\r'] });
    assert.equal(records.length, 1 + comments.length);
    assert.ok(records.every((r) => r.length === records[0].length));
    const commentColumn = records[0].length - 2;
    assert.deepEqual(
      records
        .slice(1)
        .map((r) => r[commentColumn])
        .sort(),
      ['تک‌سطری', 'سطر یکم\nسطر دوم', 'یک\nدو\nسه'].sort(),
    );
    assert.ok(records.slice(1).every((r) => r[0] === '4' && r.at(-1) === 'موضوع یکم\nموضوع دوم'));
  });

  test('the report across courses, instructors and categories counts the topics wanted next', async () => {
    const page = await admin.get('/admin/reports/evaluations?year=all');
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('دورهٔ ارزشیابی‌شده') && page.text.includes('عکاسی خبری'));
    assert.match(page.text, /تولید ویدئو<\/td><td class="text-center">۲/);
    const xlsx = await admin.get('/admin/reports/evaluations?year=all&by=instructor&format=xlsx');
    assert.equal(xlsx.status, 200);
  });

  test('with the setting on, a certificate waits for the evaluation', async () => {
    const [row] = await sql().query<{ id: number; user_id: number }>(
      `SELECT e.id, e.user_id FROM enrollments e JOIN users u ON u.id = e.user_id WHERE e.course_id = ${evalCourse} AND u.username = 'ac-eval-3'`,
      { type: QueryTypes.SELECT },
    );
    const cert = await Certificate.create({
      enrollmentId: row.id,
      serial: 'KRM-1405-999001',
      serialYear: 1405,
      serialNumber: 999001,
      code: 'TESTCODE0000000000000001',
      issuedAt: new Date(),
      fields: '{}',
      pdf: PDF,
      sha256: 'x'.repeat(64),
      status: 'valid',
      issuedBy: null,
      credential: '{"type":["VerifiableCredential"]}',
    } as never);
    assert.equal((await people[3].get(`/certificates/${cert.id}.pdf`)).status, 200);
    const wallet = '/verify/TESTCODE0000000000000001/credential.json';
    assert.ok((await people[3].get('/me')).text.includes(wallet));
    const on = await postForm(admin, '/admin/evaluation/settings', { requiredForCertificate: '1' }, '/admin/evaluation');
    assert.equal(on.status, 303);
    const held = await people[3].get(`/certificates/${cert.id}.pdf`).redirects(0);
    assert.equal(held.status, 303);
    assert.equal(held.headers.location, `/courses/${evalCourse}/evaluation`);
    // Nor as the signed credential: /me holds neither its link nor its code, only the way to the evaluation.
    const me = (await people[3].get('/me')).text;
    assert.ok(!me.includes(wallet) && !me.includes('TESTCODE'));
    assert.ok(me.includes(`href="/courses/${evalCourse}/evaluation">نخست به ارزشیابی دوره پاسخ دهید`));
    // An admin downloading it for the liaison is never held.
    const forLiaison = await admin.get(`/certificates/${cert.id}.pdf`).redirects(0);
    assert.equal(forLiaison.status, 200);
    assert.equal((await answer(people[3], evalCourse, '3', '')).status, 303);
    assert.equal((await people[3].get(`/certificates/${cert.id}.pdf`)).status, 200);
    assert.ok((await people[3].get('/me')).text.includes(wallet));
  });

  test('the admin edits the template; a course already opened keeps its questions', async () => {
    const saved = await postForm(
      admin,
      '/admin/evaluation/template',
      { 'label[1]': 'کیفیت محتوا', 'key[1]': 'content', 'label[2]': 'پرسش تازه', commentPrompt: 'نظر', topicsPrompt: 'موضوع' },
      '/admin/evaluation',
    );
    assert.equal(saved.status, 303);
    const empty = await postForm(admin, '/admin/evaluation/template', { commentPrompt: 'نظر' }, '/admin/evaluation');
    assert.equal(empty.status, 400);
    const page = await admin.get('/admin/evaluation');
    assert.ok(page.text.includes('پرسش تازه'));
    const results = await admin.get(`/admin/courses/${evalCourse}/evaluation`);
    assert.ok(results.text.includes('سودمندی دوره برای کار شما'));
  });
});
