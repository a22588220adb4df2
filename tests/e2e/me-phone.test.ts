import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { AttendanceMark, type Enrollment, Notification, type User } from '../../src/models';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { createCourse, createLiaison, createSession, enroll as enrollIn, PASSWORD } from '../helpers/factories';
import { artifact, launchBrowser, startServer, type RunningServer } from './server';

/** The liaison's /me on a 375-pixel phone: nothing wider than the screen, every button on it, the navigation collapsed. */
// With the other test results; `UPDATE_DOCS_SCREENSHOT=1 npm run test:e2e` refreshes the committed docs/me-phone.png.
const SCREENSHOT = path.resolve(
  __dirname,
  process.env.UPDATE_DOCS_SCREENSHOT ? '../../docs/me-phone.png' : '../../test-results/me-phone.png',
);
let server: RunningServer;
let browser: Browser;
let services: Services;
let liaison: User;

const enroll = (courseId: number, user: User, status: Enrollment['status'] = 'approved', waitlistPosition: number | null = null) =>
  enrollIn({ id: courseId }, user, { status, waitlistPosition });

before(async () => {
  server = await startServer();
  services = createServices(loadConfig({ DATABASE_URL: server.databaseUrl }));
  const today = todayIso();
  liaison = await createLiaison({ username: 'phone-liaison', fullName: 'فاطمه سلیمانی‌نژاد کرمانی' });

  // A course under way with a long title, ten sessions held and one this evening.
  const running = await createCourse({
    title: 'روابط عمومی الکترونیک و شبکه‌های اجتماعی برای رابطین شهرستان‌ها',
    status: 'running',
    code: 'PRV-1405-07',
  });
  const held = [];
  for (let i = 10; i >= 1; i--) held.push(await createSession(running, { date: addDaysIso(today, -i * 3) }));
  await createSession(running, { date: today, startTime: '23:00', endTime: '23:59', topic: 'تولید محتوای کوتاه برای شبکه‌های اجتماعی' });
  const mine = await enroll(running.id, liaison);
  await services.sequelize.query('UPDATE enrollments SET created_at = :at WHERE id = :id', {
    replacements: { at: new Date(Date.now() - 40 * 86_400_000), id: mine.id },
  });
  for (const [i, s] of held.entries()) {
    await AttendanceMark.create({
      sessionId: s.id,
      enrollmentId: mine.id,
      status: i === 4 ? 'absent' : i === 7 ? 'late' : 'present',
      note: null,
      recordedBy: null,
      recordedAt: new Date(),
    });
  }
  // One he can still cancel, one he waits for, and a finished one for the training record.
  const upcoming = await createCourse({ title: 'مهارت‌های نگارش خبر و گزارش برای رسانه‌های محلی', code: 'PRV-1405-12' });
  await createSession(upcoming, { date: addDaysIso(today, 9) });
  await enroll(upcoming.id, liaison);
  const full = await createCourse({ title: 'عکاسی خبری', code: 'PRV-1405-15', capacity: 1 });
  await createSession(full, { date: addDaysIso(today, 12) });
  await enroll(full.id, liaison, 'waitlisted', 2);
  const finished = await createCourse({ title: 'مبانی ارتباطات سازمانی و افکار عمومی', status: 'finished', code: 'PRV-1404-03' });
  await createSession(finished, { date: addDaysIso(today, -90) });
  await enroll(finished.id, liaison);
  for (const message of [
    'ثبت‌نام شما در دورهٔ «مهارت‌های نگارش خبر و گزارش برای رسانه‌های محلی» تأیید شد.',
    'ظرفیت دورهٔ «عکاسی خبری» تکمیل است؛ شما در فهرست انتظار هستید، نوبت ۲.',
  ]) {
    await Notification.create({ userId: liaison.id, message, link: '/me', readAt: null });
  }
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await services?.sequelize.close();
  await server?.stop();
});

async function phone(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 375, height: 812 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'fa-IR',
  });
  const page = await context.newPage();
  await page.goto(`${server.base}/login`);
  await page.getByLabel('نام کاربری').fill(liaison.username);
  await page.getByLabel('گذرواژه').fill(PASSWORD);
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL(`${server.base}/me`);
  return page;
}

/** How wide the page is, and which visible buttons stand (even partly) off the screen. */
function fit(page: Page) {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const off = [...document.querySelectorAll<HTMLElement>('button, input[type=submit], a.btn')]
      .filter((e) => e.offsetParent !== null)
      .filter((e) => {
        const r = e.getBoundingClientRect();
        return r.left < -1 || r.right > vw + 1;
      })
      .map((e) => e.textContent?.trim());
    return { scrollWidth: document.documentElement.scrollWidth, vw, off };
  });
}

test('/me at 375 px: the next session first, no horizontal scroll, every button on screen, the navigation collapsed', async () => {
  const page = await phone();
  const { scrollWidth, vw, off } = await fit(page);
  assert.equal(vw, 375);
  assert.ok(scrollWidth <= vw, `page ${scrollWidth}px wide on a ${vw}px screen`);
  assert.deepEqual(off, [], 'buttons off screen');

  // The navigation: collapsed behind its toggle, with the unread count outside it.
  assert.equal(await page.locator('#main-nav').isVisible(), false);
  assert.equal(await page.getByRole('link', { name: 'کارتابل من' }).isVisible(), false);
  assert.match((await page.locator('#nav-notifications').textContent()) ?? '', /اعلان‌ها\s*۲/);
  const first = await page.locator('h2').first().textContent();
  assert.equal(first?.trim(), 'جلسهٔ بعدی من');
  assert.ok(await page.getByText('تولید محتوای کوتاه برای شبکه‌های اجتماعی').isVisible());
  const top = await page.getByRole('link', { name: 'ثبت حضور با کد جلسه' }).boundingBox();
  assert.ok(top && top.y + top.height <= 812, 'the check-in button is on the first screen');

  // Cards, a cancel button on the two not yet started (approved, waitlisted); the finished course only in the record.
  assert.equal(await page.locator('article.card').count(), 3);
  assert.equal(await page.getByRole('button', { name: 'انصراف' }).count(), 2);
  assert.ok(await page.locator('#me-record-title ~ *').getByText('مبانی ارتباطات سازمانی و افکار عمومی').first().isVisible());
  await page.screenshot({ path: SCREENSHOT, fullPage: true });

  await page.getByRole('button', { name: 'فهرست پیوندها' }).click();
  await page.locator('#main-nav.collapse.show').waitFor({ state: 'visible' });
  assert.ok(await page.getByRole('button', { name: 'خروج' }).isVisible());
  assert.deepEqual((await fit(page)).off, [], 'the open navigation fits too');
  await page.screenshot({ path: artifact('me-phone-nav-open.png') });

  // «خواندم» marks the two shown; the count leaves the navigation.
  await page.getByRole('button', { name: 'خواندم' }).click();
  await page.waitForURL(`${server.base}/me`);
  assert.equal((await page.locator('#nav-notifications').textContent())?.trim(), 'اعلان‌ها');
  assert.equal(await Notification.count({ where: { userId: liaison.id, readAt: null } }), 0);
});
