import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';
import { loadConfig } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { createCourse, createLiaison, createSession, enroll, issuedCertificate } from '../helpers/factories';
import { addDaysIso, todayIso } from '../../src/lib/jalali';

// The screenshot goes with the other test results; `UPDATE_DOCS_SCREENSHOT=1 npm run test:e2e`
// refreshes the committed one in docs/ (a plain run no longer rewrites a tracked file).
const SCREENSHOT = path.resolve(
  __dirname,
  process.env.UPDATE_DOCS_SCREENSHOT ? '../../docs/dashboard.png' : '../../test-results/dashboard.png',
);

let server: RunningServer;
let browser: Browser;
let db: Services;

/** Some courses, sessions this week and enrollments from several counties, written straight into the server's database. */
async function fillDashboard(): Promise<void> {
  const today = todayIso();
  const counties: [string, number][] = [
    ['kerman', 9],
    ['bam', 6],
    ['rafsanjan', 5],
    ['sirjan', 4],
    ['jiroft', 3],
    ['zarand', 2],
    ['shahr-e-babak', 1],
  ];
  const liaisons = [];
  for (const [slug, n] of counties) for (let i = 0; i < n; i++) liaisons.push(await createLiaison({ countySlug: slug }));
  for (let i = 0; i < 3; i++) await createLiaison({ countySlug: 'kerman', status: 'pending' });
  const news = await createCourse({ code: 'KRM-1405-01', title: 'خبرنویسی و تنظیم خبر', capacity: 25, status: 'running' });
  const photo = await createCourse({
    code: 'KRM-1405-02',
    title: 'عکاسی خبری با تلفن همراه',
    capacity: 15,
    status: 'open',
    approval: 'manual',
  });
  const social = await createCourse({
    code: 'KRM-1405-03',
    title: 'روابط عمومی الکترونیک و شبکه‌های اجتماعی',
    capacity: 20,
    status: 'open',
  });
  await createSession(news, { date: today, startTime: '09:00', endTime: '11:00', topic: 'لید و تیتر' });
  await createSession(news, { date: addDaysIso(today, 2), startTime: '09:00', endTime: '11:00', topic: 'گزارش خبری' });
  await createSession(photo, { date: addDaysIso(today, 1), startTime: '14:00', endTime: '16:00', topic: 'کادربندی' });
  await createSession(social, { date: addDaysIso(today, 9), startTime: '10:00', endTime: '12:00', topic: 'تولید محتوا' });
  let index = 0;
  for (const user of liaisons) {
    const course = [news, news, photo, social][index % 4];
    const status = course === photo && index % 3 === 0 ? 'pending' : 'approved';
    const e = await enroll(course, user, { status });
    if (index < 4) {
      await issuedCertificate(e, { serial: `KRM-1405-00000${index + 1}` });
    }
    index++;
  }
}

before(async () => {
  server = await startServer();
  db = createServices(
    loadConfig({ NODE_ENV: 'test', DATABASE_URL: server.databaseUrl, SESSION_SECRET: 'e2e-secret-that-is-long-enough-0123456789' }),
  );
  await fillDashboard();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await db?.sequelize.close();
  await server?.stop();
});

describe('admin dashboard in the browser', () => {
  it('shows courses, sessions, pending work and the county chart in Persian, right to left', async () => {
    const page = await browser.newPage({ locale: 'fa-IR', viewport: { width: 1280, height: 900 } });
    await page.goto(`${server.base}/login`);
    await page.getByLabel('نام کاربری').fill(ADMIN.username);
    await page.getByLabel('گذرواژه').fill(ADMIN.password);
    await page.getByRole('button', { name: 'ورود' }).click();
    await page.waitForURL(`${server.base}/admin`);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.ok(await page.getByRole('heading', { name: 'پیشخوان مدیر' }).isVisible());
    assert.ok(await page.getByRole('link', { name: 'خبرنویسی و تنظیم خبر' }).first().isVisible());
    const chart = page.getByRole('img', { name: /نمودار ثبت‌نام‌های هر شهرستان/ });
    assert.ok(await chart.isVisible());
    const box = await chart.boundingBox();
    assert.ok(box && box.width > 300 && box.height > 200, 'the chart has room to be read');
    // The county names stand at the chart's right edge, the longest bar (Kerman) is drawn right to left.
    const kerman = page.locator('svg text', { hasText: /^کرمان$/ });
    const kermanBox = await kerman.boundingBox();
    assert.ok(kermanBox && box && kermanBox.x > box.x + box.width * 0.7, 'labels on the right');
    const text = (await page.locator('main').textContent()) ?? '';
    assert.match(text, /[۰-۹]/);
    assert.doesNotMatch(text.replace(/KRM-[\d-]+/g, ''), /\d/, 'no Latin digits on the page');
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // The county report and the calendar, one click away.
    await page.getByRole('link', { name: 'گزارش شهرستان‌ها' }).first().click();
    await page.waitForURL(/\/admin\/reports\/counties/);
    const bam = page.getByRole('row', { name: /^بم/ });
    assert.match((await bam.textContent()) ?? '', /۶/);
    await page.screenshot({ path: artifact('report-counties.png'), fullPage: true });
    await page.goto(`${server.base}/admin/calendar`);
    assert.ok(
      await page
        .getByRole('link', { name: /خبرنویسی و تنظیم خبر/ })
        .first()
        .isVisible(),
    );
    await page.screenshot({ path: artifact('calendar.png'), fullPage: true });
    await page.close();
  });
});
