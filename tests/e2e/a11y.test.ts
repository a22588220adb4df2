import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { AttendanceMark } from '../../src/models';
import { todayIso } from '../../src/lib/jalali';
import { createCourse, createLiaison, createSession, enroll, PASSWORD } from '../helpers/factories';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';

/**
 * Accessibility of the main pages with axe-core (from npm, injected into the page): no serious or
 * critical violation, every form field labelled, and the attendance sheet usable from the keyboard.
 */
// The app's CSP forbids inline scripts; the audit pages bypass it only to inject axe.
const AXE = require.resolve('axe-core/axe.min.js');
let server: RunningServer;
let browser: Browser;
let services: Services;
const ids: Record<string, number> = {};

before(async () => {
  server = await startServer();
  services = createServices(loadConfig({ DATABASE_URL: server.databaseUrl }));
  const liaison = await createLiaison({ username: 'a11y-liaison' });
  const course = await createCourse({ title: 'خبرنویسی برای رابطین', capacity: 20 });
  const session = await createSession(course, { date: todayIso(), topic: 'مبانی خبر' });
  await createSession(course);
  const enrollment = await enroll(course, liaison);
  for (let i = 0; i < 3; i++) {
    const other = await createLiaison();
    await enroll(course, other);
  }
  Object.assign(ids, { course: course.id, session: session.id, enrollment: enrollment.id });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await services?.sequelize.close();
  await server?.stop();
});

async function logIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${server.base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  assert.doesNotMatch(page.url(), /\/login/, `login as ${username}`);
}

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe's serious and critical violations, and form fields without a label, on the page now shown. */
async function audit(page: Page): Promise<{ violations: Finding[]; unlabelled: string[] }> {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            ctx: Document,
            opts: unknown,
          ): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')),
    }));
  });
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea')]
      .filter((el) => !['hidden', 'submit', 'button', 'reset', 'image'].includes((el as HTMLInputElement).type))
      .filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby') && !el.title)
      .map((el) => `${el.tagName.toLowerCase()}[name=${el.getAttribute('name')}]#${el.id}`),
  );
  return { violations: violations.filter((v) => v.impact === 'serious' || v.impact === 'critical'), unlabelled };
}

async function check(page: Page, path: string, name: string, problems: string[]): Promise<void> {
  const res = await page.goto(server.base + path);
  assert.equal(res?.status(), 200, `${path} answers 200`);
  const { violations, unlabelled } = await audit(page);
  for (const v of violations) problems.push(`${name} (${path}): ${v.impact} ${v.id} — ${v.help} at ${v.nodes.join(' | ')}`);
  for (const field of unlabelled) problems.push(`${name} (${path}): field without a label ${field}`);
  await page.screenshot({ path: artifact(`a11y-${name}.png`), fullPage: true });
}

test('the login page, the catalogue, a course page, /me, an attendance sheet and the dashboard have no serious or critical axe violations and no unlabelled field', async () => {
  const problems: string[] = [];
  const anonymous = await browser.newPage({ bypassCSP: true });
  await check(anonymous, '/login', 'login', problems);
  await check(anonymous, '/courses', 'catalogue', problems);
  await check(anonymous, `/courses/${ids.course}`, 'course', problems);
  await anonymous.close();

  const liaison = await browser.newPage({ bypassCSP: true });
  await logIn(liaison, 'a11y-liaison', PASSWORD);
  await check(liaison, `/courses/${ids.course}`, 'course-as-liaison', problems);
  await check(liaison, '/me', 'me', problems);
  await liaison.close();

  const admin = await browser.newPage({ bypassCSP: true });
  await logIn(admin, ADMIN.username, ADMIN.password);
  await check(admin, `/admin/sessions/${ids.session}/attendance`, 'attendance-sheet', problems);
  await check(admin, '/admin', 'dashboard', problems);
  await admin.close();
  assert.deepEqual(problems, []);
});

test('the attendance sheet works from the keyboard alone: Tab to a row, arrows and Space set the mark, and it is saved', async () => {
  const page = await browser.newPage({ bypassCSP: true });
  await logIn(page, ADMIN.username, ADMIN.password);
  await page.goto(`${server.base}/admin/sessions/${ids.session}/attendance`);
  const group = `mark[${ids.enrollment}]`;
  let reached = false;
  for (let i = 0; i < 60 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate((name) => (document.activeElement as HTMLInputElement | null)?.name === name, group);
  }
  assert.ok(reached, `Tab reaches the marks of the first row (${group})`);
  // Move through the statuses with the arrow keys (a radio group), and select with Space.
  const want = async (status: string) => {
    for (let i = 0; i < 6; i++) {
      const value = await page.evaluate(() => (document.activeElement as HTMLInputElement).value);
      if (value === status) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Space');
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement).value), status);
  };
  const saved = async (status: string) => {
    for (let i = 0; i < 50; i++) {
      const mark = await AttendanceMark.findOne({ where: { sessionId: ids.session, enrollmentId: ids.enrollment } });
      if (mark?.status === status) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  };
  await want('present');
  assert.ok(await saved('present'), 'the mark chosen from the keyboard is saved');
  await want('late');
  assert.ok(await saved('late'), 'and a change is saved too');
  // Reloaded, the sheet shows what the keyboard chose.
  await page.reload();
  assert.equal(await page.isChecked(`#mark-${ids.enrollment}-late`), true);
  await page.close();
});
