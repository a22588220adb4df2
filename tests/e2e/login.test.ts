import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';

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

describe('login and logout in the browser', () => {
  it('logs the admin in and out on a right-to-left Persian page', async () => {
    const page = await browser.newPage({ locale: 'fa-IR' });
    await page.goto(`${server.base}/login`);
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    assert.equal(await page.getAttribute('html', 'lang'), 'fa');
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    assert.match(font, /Vazirmatn/);
    await page.screenshot({ path: artifact('login.png') });
    await page.getByLabel('نام کاربری').fill(ADMIN.username);
    await page.getByLabel('گذرواژه').fill(ADMIN.password);
    await page.getByRole('button', { name: 'ورود' }).click();
    await page.waitForURL(`${server.base}/admin`);
    assert.ok(await page.getByRole('button', { name: 'خروج' }).isVisible());
    await page.screenshot({ path: artifact('admin-home.png'), fullPage: true });
    await page.getByRole('button', { name: 'خروج' }).click();
    await page.waitForURL(`${server.base}/login`);
    await page.goto(`${server.base}/admin`);
    assert.match(page.url(), /\/login\?next=/);
  });

  it('shows a wrong password as a Persian message', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.base}/login`);
    await page.getByLabel('نام کاربری').fill(ADMIN.username);
    await page.getByLabel('گذرواژه').fill('not-the-password');
    await page.getByRole('button', { name: 'ورود' }).click();
    assert.ok(await page.getByText('نام کاربری یا گذرواژه نادرست است.').isVisible());
  });
});
