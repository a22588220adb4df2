import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes, Sequelize } from 'sequelize';
import type { Browser } from 'playwright-core';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';
import { addDaysIso, todayIso } from '../../src/lib/jalali';

let server: RunningServer;
let browser: Browser;
let sessionId: number;
let enrollmentIds: number[];
let db: Sequelize;

/** A running course with a session held yesterday and 30 approved liaisons, written straight into the server's database. */
async function seed(): Promise<void> {
  db = new Sequelize(server.databaseUrl, { logging: false });
  const now = new Date();
  const weekAgo = new Date(Date.now() - 7 * 86_400_000);
  await db.transaction(async (transaction) => {
    const q = (sql: string, replacements: Record<string, unknown>) => db.query(sql, { replacements, transaction });
    const [county] = await db.query<{ id: number }>('SELECT id FROM counties ORDER BY id LIMIT 1', {
      type: QueryTypes.SELECT,
      transaction,
    });
    await q(
      `INSERT INTO courses (code, title, category, delivery, capacity, hours, enroll_opens, enroll_closes, min_attendance, count_excused, approval, status, search_key, created_at, updated_at)
       VALUES ('E2E-ATT', 'دورهٔ خبرنویسی آزمایشی', 'خبرنویسی', 'in-person', 40, 8, :opens, :opens, 80, false, 'auto', 'running', '', :now, :now)`,
      { opens: addDaysIso(todayIso(), -10), now },
    );
    const [course] = await db.query<{ id: number }>("SELECT id FROM courses WHERE code = 'E2E-ATT'", {
      type: QueryTypes.SELECT,
      transaction,
    });
    await q(
      "INSERT INTO course_sessions (course_id, date, start_time, end_time, topic, created_at, updated_at) VALUES (:course, :date, '16:00', '18:00', 'تیتر و لید', :now, :now)",
      { course: course.id, date: addDaysIso(todayIso(), -1), now },
    );
    const [session] = await db.query<{ id: number }>('SELECT id FROM course_sessions WHERE course_id = :course', {
      replacements: { course: course.id },
      type: QueryTypes.SELECT,
      transaction,
    });
    sessionId = session.id;
    for (let i = 1; i <= 30; i++) {
      await q(
        `INSERT INTO users (role, username, password_hash, full_name, county_id, status, search_key, created_at, updated_at)
         VALUES ('liaison', :username, 'not-a-hash', :name, :county, 'active', '', :now, :now)`,
        { username: `e2eliaison${i}`, name: `رابط شمارهٔ ${String(i).padStart(2, '0')}`, county: county.id, now },
      );
      await q(
        `INSERT INTO enrollments (course_id, user_id, county_id, status, created_at, updated_at)
         SELECT :course, id, :county, 'approved', :weekAgo, :weekAgo FROM users WHERE username = :username`,
        { course: course.id, county: county.id, username: `e2eliaison${i}`, weekAgo },
      );
    }
  });
  const rows = await db.query<{ id: number }>('SELECT id FROM enrollments WHERE status = :s ORDER BY id', {
    replacements: { s: 'approved' },
    type: QueryTypes.SELECT,
  });
  enrollmentIds = rows.map((r) => r.id);
}

before(async () => {
  server = await startServer();
  await seed();
  browser = await launchBrowser();
});
after(async () => {
  await db?.close();
  await browser?.close();
  await server?.stop();
});

describe('attendance sheet in the browser', () => {
  it('marks 30 liaisons present with one tap, two changes, all kept after a reload without submitting', async () => {
    assert.equal(enrollmentIds.length, 30);
    const page = await browser.newPage({ locale: 'fa-IR' });
    await page.goto(`${server.base}/login`);
    await page.getByLabel('نام کاربری').fill(ADMIN.username);
    await page.getByLabel('گذرواژه').fill(ADMIN.password);
    await page.getByRole('button', { name: 'ورود' }).click();
    await page.waitForURL(`${server.base}/admin`);

    const sheet = `${server.base}/admin/sessions/${sessionId}/attendance`;
    await page.goto(sheet);
    assert.equal(await page.locator('tbody tr').count(), 30);
    const saved = () => page.waitForResponse((r) => r.url().endsWith('/attendance/marks') && r.request().method() === 'POST');

    let response = saved();
    await page.getByRole('button', { name: 'همه حاضر' }).click();
    assert.equal((await response).status(), 200);
    const [absentId, lateId] = [enrollmentIds[4], enrollmentIds[17]];
    response = saved();
    await page.locator(`label[for="mark-${absentId}-absent"]`).click();
    assert.equal((await response).status(), 200);
    // the second change from the keyboard alone: focus the row's radio group and move with the arrow keys
    response = saved();
    await page.locator(`#mark-${lateId}-present`).focus();
    await page.keyboard.press('ArrowDown'); // the next radio of the group: late
    const keyed = await response;
    assert.equal(keyed.status(), 200);
    await page.screenshot({ path: artifact('attendance-sheet.png'), fullPage: true });

    await page.reload();
    const checked = await page.$$eval('input[type="radio"]:checked', (inputs) =>
      Object.fromEntries(inputs.map((i) => [(i as HTMLInputElement).name, (i as HTMLInputElement).value])),
    );
    assert.equal(Object.keys(checked).length, 30);
    assert.equal(checked[`mark[${absentId}]`], 'absent');
    assert.equal(checked[`mark[${lateId}]`], 'late');
    assert.equal(Object.values(checked).filter((v) => v === 'present').length, 28);

    const stored = await db.query<{ status: string }>('SELECT status FROM attendance_marks WHERE session_id = :s', {
      replacements: { s: sessionId },
      type: QueryTypes.SELECT,
    });
    assert.equal(stored.length, 30);
    assert.deepEqual(stored.map((r) => r.status).sort(), [...Array(28).fill('present'), 'absent', 'late'].sort());
  });
});
