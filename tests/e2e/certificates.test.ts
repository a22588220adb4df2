import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import type { Browser } from 'playwright-core';
import { ADMIN, artifact, launchBrowser, startServer, type RunningServer } from './server';
import { loadConfig } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { AttendanceMark, Certificate } from '../../src/models';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { createCourse, createLiaison, createSession, enroll, PASSWORD } from '../helpers/factories';

let server: RunningServer;
let browser: Browser;
let services: Services;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  // The test writes its rows straight into the running app's database.
  services = createServices(loadConfig({ NODE_ENV: 'test', DATABASE_URL: server.databaseUrl }));
});
after(async () => {
  await services?.sequelize.close();
  await browser?.close();
  await server?.stop();
});

describe('certificates in the browser', () => {
  it('an admin issues, the liaison downloads, anyone verifies by code and by file', async () => {
    const liaison = await createLiaison({ username: 'e2eliaison', fullName: 'محمدرضا سلیمانی‌نژاد' });
    const course = await createCourse({
      title: 'عکاسی خبری ۲ (ویژه رابطین)',
      code: 'AKS-202',
      status: 'running',
      enrollOpens: addDaysIso(todayIso(), -20),
      enrollCloses: addDaysIso(todayIso(), -15),
    });
    const session = await createSession(course, { date: addDaysIso(todayIso(), -3), startTime: '09:00', endTime: '11:00' });
    const enrollment = await enroll(course, liaison);
    await AttendanceMark.create({
      sessionId: session.id,
      enrollmentId: enrollment.id,
      status: 'present',
      note: null,
      recordedBy: null,
      recordedAt: new Date(),
    });
    await course.update({ status: 'finished' });

    const adminPage = await browser.newPage({ locale: 'fa-IR' });
    await adminPage.goto(`${server.base}/login`);
    await adminPage.getByLabel('نام کاربری').fill(ADMIN.username);
    await adminPage.getByLabel('گذرواژه').fill(ADMIN.password);
    await adminPage.getByRole('button', { name: 'ورود' }).click();
    await adminPage.waitForURL(`${server.base}/admin`);
    await adminPage.goto(`${server.base}/admin/courses/${course.id}/certificates`);
    assert.ok(await adminPage.getByText('واجد شرایط', { exact: true }).isVisible());
    adminPage.once('dialog', (dialog) => void dialog.accept());
    await adminPage.getByRole('button', { name: /صدور گواهی‌نامه برای همه/ }).click();
    await adminPage.getByText('۱ گواهی‌نامه صادر شد.').waitFor();
    await adminPage.screenshot({ path: artifact('certificates-admin.png'), fullPage: true });
    const certificate = (await Certificate.findOne({ where: { enrollmentId: enrollment.id } }))!;
    assert.ok(await adminPage.getByRole('link', { name: certificate.serial }).isVisible());

    const liaisonPage = await browser.newPage({ locale: 'fa-IR' });
    await liaisonPage.goto(`${server.base}/login`);
    await liaisonPage.getByLabel('نام کاربری').fill(liaison.username);
    await liaisonPage.getByLabel('گذرواژه').fill(PASSWORD);
    await liaisonPage.getByRole('button', { name: 'ورود' }).click();
    await liaisonPage.waitForURL(`${server.base}/me`);
    // Also linked from the notification of the enrollments section: count the certificates section only.
    const link = liaisonPage.locator(`section[aria-labelledby="my-certificates"] a[href="/certificates/${certificate.id}.pdf"]`);
    assert.equal(await link.count(), 1);
    const pdf = await liaisonPage.request.get(`${server.base}/certificates/${certificate.id}.pdf`);
    assert.equal(pdf.headers()['content-type'], 'application/pdf');
    const bytes = await pdf.body();
    assert.ok(bytes.equals(Buffer.from(certificate.pdf)));

    const publicPage = await browser.newPage({ locale: 'fa-IR' });
    await publicPage.goto(`${server.base}/verify`);
    await publicPage.getByRole('textbox', { name: 'کد استعلام' }).fill(certificate.code);
    await publicPage.getByRole('button', { name: 'استعلام', exact: true }).click();
    await publicPage.waitForURL(`${server.base}/verify/${certificate.code.match(/.{4}/g)!.join('-')}`);
    assert.ok(await publicPage.getByText('این گواهی‌نامه معتبر است').isVisible());
    assert.ok(await publicPage.getByText('محمدرضا سلیمانی‌نژاد').isVisible());
    await publicPage.screenshot({ path: artifact('certificates-verify.png'), fullPage: true });

    const file = artifact('certificate-e2e.pdf');
    fs.writeFileSync(file, bytes);
    await publicPage.goto(`${server.base}/verify`);
    await publicPage.getByLabel(/فایل PDF گواهی‌نامه/).setInputFiles(file);
    await publicPage.getByRole('button', { name: 'بررسی فایل' }).click();
    await publicPage.getByText(/بایت‌به‌بایت همان گواهی‌نامهٔ صادرشده/).waitFor();
    // The page the upload lands on names the file by its digest; the form's CSRF token stays out of the address bar.
    assert.match(publicPage.url(), /\/verify\?sha256=[0-9a-f]{64}$/);
  });
});
