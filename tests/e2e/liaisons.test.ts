import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';

let server: RunningServer;
let browser: Browser;
before(async () => {
  server = await startServer({ AUTO_ACTIVATE: '0' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

describe('a liaison signs up in the browser and is activated', () => {
  it('signs up (Persian digits), waits, is activated by the admin, then logs in', async () => {
    const liaison = await browser.newPage({ locale: 'fa-IR' });
    await liaison.goto(`${server.base}/register`);
    await liaison.getByLabel('نام و نام خانوادگی', { exact: true }).fill('فاطمه رحيمي‌زاده');
    await liaison.getByLabel('نام پدر', { exact: true }).fill('حسین');
    await liaison.getByLabel('کد ملی', { exact: true }).fill('۲۹۸۱۲۳۴۵۶۰');
    await liaison.getByLabel('تلفن همراه', { exact: true }).fill('۰۹۱۳۱۲۳۴۵۶۷');
    await liaison.getByLabel('شهرستان', { exact: true }).selectOption({ label: 'رفسنجان' });
    await liaison.getByLabel('واحد / سمت', { exact: true }).fill('رابط روابط عمومی');
    await liaison.getByLabel('نام کاربری', { exact: true }).fill('fatemeh.r');
    await liaison.getByLabel('گذرواژه', { exact: true }).fill('short');
    await liaison.getByRole('button', { name: 'ثبت‌نام' }).click();
    // A refused form keeps what was typed and says why next to the field.
    assert.ok(await liaison.getByText('گذرواژه دست‌کم ۱۲ نویسه باشد.').isVisible());
    assert.equal(await liaison.getByLabel('نام کاربری', { exact: true }).inputValue(), 'fatemeh.r');
    await liaison.getByLabel('گذرواژه', { exact: true }).fill('Fatemeh-Pass-1405');
    await liaison.getByRole('button', { name: 'ثبت‌نام' }).click();
    await liaison.waitForURL(/\/register\/done/);
    assert.ok(await liaison.getByText('در انتظار تأیید مدیر').isVisible());
    await liaison.screenshot({ path: artifact('liaison-signed-up.png') });

    const admin = await browser.newPage({ locale: 'fa-IR' });
    await admin.goto(`${server.base}/login`);
    await admin.getByLabel('نام کاربری').fill(ADMIN.username);
    await admin.getByLabel('گذرواژه').fill(ADMIN.password);
    await admin.getByRole('button', { name: 'ورود' }).click();
    await admin.waitForURL(`${server.base}/admin`);
    await admin.goto(`${server.base}/admin/liaisons`);
    await admin.getByLabel('جست‌وجو').fill('رحیمی زاده');
    await admin.getByRole('button', { name: 'برو' }).click();
    await admin.getByRole('link', { name: 'فاطمه رحیمی‌زاده' }).click();
    assert.ok(await admin.getByText('در انتظار تأیید').first().isVisible());
    await admin.getByRole('button', { name: 'فعال کردن', exact: true }).click();
    assert.ok(await admin.getByText('حساب فعال شد').isVisible());
    await admin.screenshot({ path: artifact('admin-liaison-activated.png'), fullPage: true });

    await liaison.goto(`${server.base}/login`);
    await liaison.getByLabel('نام کاربری').fill('fatemeh.r');
    await liaison.getByLabel('گذرواژه').fill('Fatemeh-Pass-1405');
    await liaison.getByRole('button', { name: 'ورود' }).click();
    await liaison.waitForURL(`${server.base}/me`);
    assert.ok(await liaison.getByText('فاطمه رحیمی‌زاده').first().isVisible());
  });
});
