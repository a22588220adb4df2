import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';
import { isoFromJalali, jalaliAscii, jalaliParts, nowTime, todayIso } from '../../src/lib/jalali';
import { toAsciiDigits, toPersianDigits } from '../../src/lib/persian';

let server: RunningServer;
let browser: Browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the Jalali picker of a date field, moves `monthsAhead` months on and clicks a day of that month. */
async function pickDay(page: Page, label: string, monthsAhead: number, day: number | 'today'): Promise<string> {
  const field = page.getByLabel(label, { exact: true });
  await field.fill('');
  await field.click();
  const picker = page.locator('jdp-container');
  await picker.waitFor({ state: 'visible' });
  for (let i = 0; i < monthsAhead; i++) await picker.locator('.jdp-months .jdp-icon-plus').click();
  const cell =
    day === 'today'
      ? picker.locator('.jdp-day.today')
      : picker.locator('.jdp-day:not(.not-in-month)', { hasText: new RegExp(`^${toPersianDigits(day)}$`) });
  await cell.click();
  await picker.waitFor({ state: 'hidden' });
  return toAsciiDigits(await field.inputValue());
}

describe('an admin sets up a course in the browser', () => {
  it('creates a course and a series of sessions with the date picker, opens it, and finds it in the catalogue', async () => {
    const today = jalaliParts(todayIso());
    const next = today.month === 12 ? { year: today.year + 1, month: 1 } : { year: today.year, month: today.month + 1 };
    const pad = (n: number) => String(n).padStart(2, '0');
    const jalali = (day: number) => `${next.year}/${pad(next.month)}/${pad(day)}`;

    // The browser in a zone whose date is not Tehran's now (UTC−12 until Tehran's 14:30, UTC+14 from
    // then): the picker's «today» must still be Tehran's.
    const tehranHour = Number(nowTime().slice(0, 2)) + Number(nowTime().slice(3)) / 60;
    const page = await browser.newPage({ locale: 'fa-IR', timezoneId: tehranHour < 14.5 ? 'Etc/GMT+12' : 'Pacific/Kiritimati' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.base}/login`);
    await page.getByLabel('نام کاربری').fill(ADMIN.username);
    await page.getByLabel('گذرواژه').fill(ADMIN.password);
    await page.getByRole('button', { name: 'ورود' }).click();
    await page.waitForURL(`${server.base}/admin`);

    await page.getByRole('link', { name: 'مدیریت دوره‌ها' }).click();
    await page.getByRole('link', { name: 'دورهٔ تازه' }).click();
    await page.getByLabel('کد دوره').fill('E2E-101');
    await page.getByLabel('عنوان دوره').fill('کارگاه خبرنویسی ویژهٔ رابطین');
    await page.getByLabel('دسته').fill('خبرنویسی');
    await page.getByLabel('ظرفیت (نفر)').fill('۲۵');
    await page.getByLabel('ساعت آموزشی').fill('۱۶');
    assert.equal(await pickDay(page, 'آغاز ثبت‌نام', 0, 'today'), jalaliAscii(todayIso()));
    assert.equal(await pickDay(page, 'پایان ثبت‌نام', 1, 1), jalali(1));
    await page.getByLabel('محل برگزاری').fill('سالن اجتماعات اداره کل');
    await page.getByRole('button', { name: 'ساخت دوره' }).click();
    await page.waitForURL(/\/admin\/courses\/\d+$/);
    assert.ok(await page.getByText('دوره ساخته شد').isVisible());

    // Every Saturday and Monday from day 2 to day 29 of next month, 16:00–18:00.
    assert.equal(await pickDay(page, 'از تاریخ', 1, 2), jalali(2));
    // The empty «تا تاریخ» picker opens on the month chosen in «از تاریخ», not on today's.
    assert.equal(await pickDay(page, 'تا تاریخ', 0, 29), jalali(29));
    // The picker writes Persian digits, as every field shows them.
    assert.equal(await page.getByLabel('تا تاریخ', { exact: true }).inputValue(), toPersianDigits(jalali(29)));
    await page.getByLabel('شنبه', { exact: true }).check();
    await page.getByLabel('دوشنبه', { exact: true }).check();
    await page.locator('#series-start').fill('16:00');
    await page.locator('#series-end').fill('18:00');
    await page.locator('#series-topic').fill('کارگاه عملی');
    await page.getByRole('button', { name: 'ساخت جلسه‌ها' }).click();
    await page.waitForURL(/\/admin\/courses\/\d+$/);

    const expected: string[] = [];
    const from = new Date(`${isoFromJalali(next.year, next.month, 2)}T12:00:00Z`);
    const until = new Date(`${isoFromJalali(next.year, next.month, 29)}T12:00:00Z`);
    for (const d = from; d <= until; d.setUTCDate(d.getUTCDate() + 1)) {
      if (d.getUTCDay() === 6 || d.getUTCDay() === 1) expected.push(d.toISOString().slice(0, 10));
    }
    assert.ok(await page.getByText(`${toPersianDigits(expected.length)} جلسه افزوده شد.`).isVisible());
    const rows = page.locator('#sessions + p + .table-responsive tbody tr');
    assert.equal(await rows.count(), expected.length);
    const weekdays = await rows.locator('td:nth-child(3)').allTextContents();
    assert.ok(
      weekdays.every((w) => w === 'شنبه' || w === 'دوشنبه'),
      weekdays.join(','),
    );
    assert.equal(await page.locator('a[href^="/admin/sessions/"][href$="/attendance"]').count(), expected.length);

    await page.getByRole('button', { name: 'باز کردن ثبت‌نام' }).click();
    await page.waitForURL(/\/admin\/courses\/\d+$/);
    assert.ok(await page.locator('.badge', { hasText: 'ثبت‌نام باز' }).isVisible());
    await page.screenshot({ path: artifact('course-admin.png'), fullPage: true });

    await page.locator('nav.navbar a[href="/courses"]').click();
    await page.waitForURL(`${server.base}/courses`);
    const card = page.locator('article', { hasText: 'کارگاه خبرنویسی ویژهٔ رابطین' });
    assert.ok(await card.isVisible());
    assert.ok(await card.getByText('۲۵ جای خالی از ۲۵').isVisible());
    await page.screenshot({ path: artifact('course-catalogue.png'), fullPage: true });
    await card.getByRole('link').click();
    assert.ok(await page.getByText('کارگاه عملی').first().isVisible());
    assert.deepEqual(errors, []);
  });
});
