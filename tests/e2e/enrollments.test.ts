import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { createCourse, createLiaison, createSession, PASSWORD } from '../helpers/factories';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';

let server: RunningServer;
let browser: Browser;
let db: Services;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // the test's own connection to the server's database, for the factories
  db = createServices(loadConfig({ NODE_ENV: 'test', DATABASE_URL: server.databaseUrl }));
});
after(async () => {
  await db?.sequelize.close();
  await browser?.close();
  await server?.stop();
});

async function logIn(username: string, password = PASSWORD, home = '/me'): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'fa-IR' })).newPage();
  await page.goto(`${server.base}/login`);
  await page.getByLabel('نام کاربری').fill(username);
  await page.getByLabel('گذرواژه').fill(password);
  await page.getByRole('button', { name: 'ورود' }).click();
  await page.waitForURL(`${server.base}${home}`);
  return page;
}

describe('enrolling, the waitlist and promotion in the browser', () => {
  it('a liaison enrolls, a second is waitlisted in the full course, the first cancels, the second is promoted', async () => {
    const course = await createCourse({ capacity: 1, title: 'مهارت‌های خبرنویسی' });
    await createSession(course, { date: addDaysIso(todayIso(), 5) });
    const [a, b] = [await createLiaison({ fullName: 'سارا مرادی' }), await createLiaison({ fullName: 'علی کرمانی' })];

    const first = await logIn(a.username);
    await first.goto(`${server.base}/courses/${course.id}`);
    await first.getByRole('button', { name: 'ثبت‌نام در دوره' }).click();
    await first.waitForURL(`${server.base}/courses/${course.id}`);
    assert.ok(await first.getByRole('status').filter({ hasText: 'ثبت‌نام شما در دورهٔ «مهارت‌های خبرنویسی» تأیید شد.' }).isVisible());

    const second = await logIn(b.username);
    await second.goto(`${server.base}/courses/${course.id}`);
    await second.getByRole('button', { name: 'ثبت‌نام در فهرست انتظار' }).click();
    await second.waitForURL(`${server.base}/courses/${course.id}`);
    assert.ok(await second.getByRole('status').filter({ hasText: 'شما در فهرست انتظار هستید، نوبت ۱.' }).isVisible());
    await second.goto(`${server.base}/me`);
    const row = second.locator('article', { hasText: 'مهارت‌های خبرنویسی' });
    assert.equal((await row.locator('.badge').first().textContent())?.trim(), 'در فهرست انتظار (نوبت ۱)');
    await second.screenshot({ path: artifact('enrollments-waitlisted.png'), fullPage: true });

    await first.goto(`${server.base}/me`);
    first.once('dialog', (dialog) => dialog.accept());
    await first.locator('article', { hasText: 'مهارت‌های خبرنویسی' }).getByRole('button', { name: 'انصراف' }).click();
    await first.waitForURL(`${server.base}/me`);
    assert.ok(await first.getByRole('status').filter({ hasText: 'لغو شد' }).isVisible());
    assert.equal(
      (await first.locator('article', { hasText: 'مهارت‌های خبرنویسی' }).locator('.badge').first().textContent())?.trim(),
      'لغوشده',
    );

    await second.reload();
    assert.equal((await row.locator('.badge').first().textContent())?.trim(), 'تأییدشده');
    assert.ok(await second.getByText('جایی در دورهٔ «مهارت‌های خبرنویسی» خالی شد و ثبت‌نام شما از فهرست انتظار تأیید شد.').isVisible());
    await second.screenshot({ path: artifact('enrollments-promoted.png'), fullPage: true });
  });

  it('the admin sees the lists by status with counties and rejects with a reason', async () => {
    const course = await createCourse({ capacity: 1, title: 'ارتباط با رسانه‌ها' });
    await createSession(course, { date: addDaysIso(todayIso(), 5) });
    const a = await createLiaison({ fullName: 'مینا رستمی', countySlug: 'bam' });
    const b = await createLiaison({ fullName: 'حسین نیک‌نام', countySlug: 'sirjan' });
    for (const user of [a, b]) {
      const page = await logIn(user.username);
      await page.goto(`${server.base}/courses/${course.id}`);
      await page.locator(`form[action="/courses/${course.id}/enroll"] button`).click();
      await page.waitForURL(`${server.base}/courses/${course.id}`);
    }
    const admin = await logIn(ADMIN.username, ADMIN.password, '/admin');
    await admin.goto(`${server.base}/admin/courses/${course.id}/enrollments`);
    const approved = admin.locator('section', { has: admin.getByRole('heading', { name: /^تأییدشده/ }) });
    assert.ok(await approved.getByText('مینا رستمی').isVisible());
    assert.ok(await approved.getByText('بم').isVisible());
    await admin.screenshot({ path: artifact('enrollments-admin.png'), fullPage: true });
    const row = admin.locator('tr', { hasText: 'مینا رستمی' });
    await row.getByLabel('دلیل رد').fill('خارج از گروه هدف');
    await row.getByRole('button', { name: 'رد' }).click();
    await admin.waitForURL(`${server.base}/admin/courses/${course.id}/enrollments`);
    const ended = admin.locator('section', { has: admin.getByRole('heading', { name: /ردشده و لغوشده/ }) });
    assert.ok(await ended.getByText('خارج از گروه هدف').isVisible());
    assert.ok(await approved.getByText('حسین نیک‌نام').isVisible(), 'the waitlisted liaison took the seat');
  });
});
