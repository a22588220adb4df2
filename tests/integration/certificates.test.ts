import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createHeldCourse, type HeldCourseOptions, type HeldLiaison } from '../helpers/factories';
import { loginAs, postForm, type Agent, binary } from '../helpers/http';
import { AuditEvent, Certificate, Course, Enrollment, Notification, User } from '../../src/models';
import { toPersianDigits as toPersian } from '../../src/lib/persian';
import { issueCertificates } from '../../src/features/certificates/issuing';
import { PdfRenderer } from '../../src/services/pdf/renderer';
import { printableFields } from '../../src/features/certificates/fields';
import { projectRoot } from '../../src/config';

let t: TestApp;
let admin: Agent;
let adminId: number;
let templateFile: string;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-cert-test-'));

before(async () => {
  // A copy of the template this test may edit, as an admin would edit the real one.
  templateFile = path.join(tmp, 'certificate.typ');
  fs.copyFileSync(path.join(projectRoot, 'templates', 'certificate.typ'), templateFile);
  t = await createTestApp({ CERTIFICATE_TEMPLATE: templateFile });
  const user = await createAdmin({ username: 'certadmin' });
  adminId = user.id;
  admin = await loginAs(t.app, 'certadmin');
});
after(async () => {
  await t.services.pdf.close();
  await t.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** pdftotext comes with Debian's poppler-utils, which CI installs; without it the text round trips are skipped. */
const noPdftotext = spawnSync('pdftotext', ['-v']).error ? 'pdftotext (poppler-utils) is not installed here; CI installs it' : false;

/** Text of a PDF as pdftotext gives it, with what the acceptance check also strips. */
function pdfText(pdf: Buffer): string {
  const file = path.join(tmp, `x-${Date.now()}-${Math.random()}.pdf`);
  fs.writeFileSync(file, pdf);
  return execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' });
}
const plain = (s: string) => s.normalize('NFKC').replace(/[\u200c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\s]+/g, '');

/** A course whose sessions were held in the past, with these liaisons approved and marked by the admin. */
const heldCourse = (opts: HeldCourseOptions = {}, liaisons: HeldLiaison[] = []) => createHeldCourse(adminId, opts, liaisons);

async function certificatesPage(courseId: number) {
  return admin.get(`/admin/courses/${courseId}/certificates`);
}

async function issue(courseId: number, fields: Record<string, string> = {}) {
  return postForm(admin, `/admin/courses/${courseId}/certificates`, fields, `/admin/courses/${courseId}/certificates`);
}

describe('certificates', () => {
  it('applies the eligibility rule (attendance minimum and pass mark) and refuses before the course ends', async () => {
    const { course, people } = await heldCourse({ passMark: 12, status: 'running' }, [
      { fullName: 'رابط واجد شرایط', present: 5, mark: 15 },
      { fullName: 'رابط کم‌حضور', present: 3, mark: 18 },
      { fullName: 'رابط مردود', present: 5, mark: 10 },
      { fullName: 'رابط بی‌نمره', present: 4, mark: null },
    ]);
    const [good, low, failed, unmarked] = people;
    let page = await certificatesPage(course.id);
    assert.equal(page.status, 200);
    assert.match(page.text, /این دوره هنوز پایان نیافته است/);
    assert.match(page.text, /۶۰٪/);
    assert.equal((await issue(course.id)).status, 409);
    assert.equal(await Certificate.count(), 0);

    await course.update({ status: 'finished' });
    page = await certificatesPage(course.id);
    assert.match(page.text, /حضور کمتر از حداقل دوره/);
    assert.match(page.text, /نمره کمتر از حد قبولی/);
    assert.match(page.text, /نمره ثبت نشده است/);

    const res = await issue(course.id);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/admin/courses/${course.id}/certificates`);
    page = await certificatesPage(course.id);
    assert.match(page.text, /۱ گواهی‌نامه صادر شد/);
    const issued = await Certificate.findAll({ attributes: ['enrollmentId', 'serial', 'status'] });
    assert.deepEqual(
      issued.map((c) => c.enrollmentId),
      [good.enrollment.id],
    );
    assert.match(issued[0].serial, /^KRM-\d{4}-000001$/);
    // Issuing again issues nothing new.
    await issue(course.id);
    assert.equal(await Certificate.count(), 1);

    // Marks entered on the page make the unmarked liaison eligible (4/5 = 80%, mark 14 ≥ 12).
    const marks = await postForm(
      admin,
      `/admin/courses/${course.id}/marks`,
      { [`mark[${unmarked.enrollment.id}]`]: '۱۴', rows: String(unmarked.enrollment.id) },
      `/admin/courses/${course.id}/certificates`,
    );
    assert.equal(marks.status, 303);
    assert.equal(Number((await Enrollment.findByPk(unmarked.enrollment.id))!.mark), 14);
    const badMark = await postForm(
      admin,
      `/admin/courses/${course.id}/marks`,
      { [`mark[${failed.enrollment.id}]`]: '۱۲۰', rows: String(failed.enrollment.id) },
      `/admin/courses/${course.id}/certificates`,
    );
    assert.equal(badMark.status, 400);
    assert.match(badMark.text, /نمره باید عددی از ۰ تا ۱۰۰ باشد/);
    assert.equal((await issue(course.id, { enrollment: String(unmarked.enrollment.id) })).status, 303);

    // A non-eligible one only with a reason, which is recorded.
    const refused = await issue(course.id, { enrollment: String(low.enrollment.id) });
    assert.equal(refused.status, 409);
    assert.match(refused.text, /دلیل را بنویسید/);
    const overridden = await issue(course.id, { enrollment: String(low.enrollment.id), override: 'حضور در دورهٔ جبرانی' });
    assert.equal(overridden.status, 303);
    const override = await Certificate.findOne({ where: { enrollmentId: low.enrollment.id } });
    assert.equal(override?.overrideReason, 'حضور در دورهٔ جبرانی');
    assert.equal(await Certificate.count({ where: { enrollmentId: failed.enrollment.id } }), 0);
    assert.ok(await AuditEvent.findOne({ where: { action: 'certificate.issue', entityId: override!.id } }));
    assert.ok(await Notification.findOne({ where: { userId: low.user.id, link: `/certificates/${override!.id}.pdf` } }));
  });

  it('prints correct Persian: pdftotext gives back a name with ZWNJ, a title with digits and the verification URL', {
    skip: noPdftotext,
  }, async () => {
    const title = 'عکاسی خبری ۲ (ویژه رابطین)';
    const { course, people } = await heldCourse({ title, code: 'AKS-202' }, [{ fullName: 'محمدرضا سلیمانی‌نژاد', present: 5 }]);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const liaison = await loginAs(t.app, people[0].user.username);
    const res = await liaison.get(`/certificates/${certificate.id}.pdf`).buffer(true).parse(binary);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/pdf');
    const pdf = res.body as Buffer;
    assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
    const text = pdfText(pdf);
    assert.ok(plain(text).includes(plain('محمدرضا سلیمانی‌نژاد')), text);
    // pdftotext guesses the direction of a bracket next to a digit on its own (it extracts
    // «خبری ( ۲ویژه»): the words and the digit come back in order; the brackets are left out here.
    const noBrackets = (s: string) => plain(s).replace(/[()]/g, '');
    assert.ok(noBrackets(text).includes(noBrackets(title)), text);
    assert.ok(plain(text).includes(plain('گواهی‌نامه')), 'title');
    assert.ok(plain(text).includes(plain('اداره کل بهزیستی استان کرمان')), 'directorate');
    assert.ok(text.includes(certificate.serial), 'serial');
    // The code, Crockford base 32 (80 bits), is printed grouped and labelled, and the URL carries it the same way.
    assert.match(certificate.code, /^[0-9A-HJKMNP-TV-Z]{16}$/);
    const grouped = certificate.code.match(/.{4}/g)!.join('-');
    assert.ok(text.includes(`http://rabet.test/verify/${grouped}`), text);
    // pdftotext reads the lam-alef ligature of «استعلام» back to front (a poppler quirk of ligatures in RTL).
    assert.match(text, /کد استع(لا|ال)م/);
    assert.ok(text.includes(grouped), text);
    assert.match(certificate.template ?? '', /^certificate\.typ@[0-9a-f]{16}$/);
    const fields = JSON.parse(certificate.fields);
    assert.equal(fields.fullName, 'محمدرضا سلیمانی‌نژاد');
    assert.equal(fields.attendancePercent, 100);
    assert.equal(fields.hours, 12);
    assert.deepEqual(
      fields.signatories.map((s: { title: string }) => s.title),
      ['مدیر روابط عمومی', 'مدیرکل بهزیستی استان کرمان'],
    );

    // /me lists it with the link the acceptance check looks for, and the training record.
    const me = await liaison.get('/me');
    assert.ok(me.text.includes(`href="/certificates/${certificate.id}.pdf"`), 'me link');
    assert.ok(me.text.includes(certificate.serial), 'me serial');
    const record = await liaison.get('/me/record.pdf').buffer(true).parse(binary);
    assert.equal(record.status, 200);
    const recordText = pdfText(record.body as Buffer);
    assert.ok(plain(recordText).includes(plain('شناسنامه آموزشی')), recordText);
    assert.ok(recordText.includes(certificate.serial), recordText);
    assert.ok(plain(recordText).includes(plain('عکاسی خبری')), recordText);
  });

  it('freezes what was printed: renaming the liaison and the course changes neither the PDF nor its hash; a reissue does', async () => {
    const { course, people } = await heldCourse({ title: 'خبرنویسی پیشرفته' }, [{ fullName: 'زهرا کرمانی', present: 5 }]);
    await issue(course.id);
    const first = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const download = async (id: number) => {
      const r = await admin.get(`/certificates/${id}.pdf`).buffer(true).parse(binary);
      assert.equal(r.status, 200);
      return r.body as Buffer;
    };
    const before = await download(first.id);
    assert.equal(createHash('sha256').update(before).digest('hex'), first.sha256);
    await User.update({ fullName: 'زهرا کرمانی‌زاده' }, { where: { id: people[0].user.id } });
    await Course.update({ title: 'خبرنویسی حرفه‌ای' }, { where: { id: course.id } });
    const afterRename = await download(first.id);
    assert.ok(afterRename.equals(before));
    const reread = (await Certificate.findByPk(first.id))!;
    assert.equal(reread.sha256, first.sha256);
    assert.equal(JSON.parse(reread.fields).fullName, 'زهرا کرمانی');
    if (!noPdftotext) {
      assert.ok(plain(pdfText(afterRename)).includes(plain('زهرا کرمانی')));
      assert.ok(!plain(pdfText(afterRename)).includes(plain('کرمانی‌زاده')));
    }

    // A correction is a reissue: new serial, new code, new PDF from the current data; the old one is superseded.
    const res = await postForm(admin, `/admin/certificates/${first.id}/reissue`, {}, `/admin/courses/${course.id}/certificates`);
    assert.equal(res.status, 303);
    const old = (await Certificate.findByPk(first.id))!;
    const fresh = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id, status: 'valid' } }))!;
    assert.equal(old.status, 'superseded');
    assert.equal(old.supersededById, fresh.id);
    assert.notEqual(fresh.serial, old.serial);
    assert.notEqual(fresh.code, old.code);
    const freshPdf = await download(fresh.id);
    assert.equal(JSON.parse(fresh.fields).fullName, 'زهرا کرمانی‌زاده');
    assert.ok(!freshPdf.equals(before));
    if (!noPdftotext) {
      const freshText = plain(pdfText(freshPdf));
      assert.ok(freshText.includes(plain('زهرا کرمانی‌زاده')));
      assert.ok(freshText.includes(plain('خبرنویسی حرفه‌ای')));
    }
    assert.ok(await AuditEvent.findOne({ where: { action: 'certificate.reissue', entityId: fresh.id } }));
  });

  it('lets only the owner and admins download a certificate', async () => {
    const { course, people } = await heldCourse({}, [{ present: 5 }, { present: 5 }]);
    await issue(course.id);
    const [mine] = await Certificate.findAll({ where: { enrollmentId: people[0].enrollment.id } });
    const owner = await loginAs(t.app, people[0].user.username);
    const other = await loginAs(t.app, people[1].user.username);
    assert.equal((await owner.get(`/certificates/${mine.id}.pdf`)).status, 200);
    assert.equal((await admin.get(`/certificates/${mine.id}.pdf`)).status, 200);
    assert.equal((await other.get(`/certificates/${mine.id}.pdf`)).status, 404);
    assert.equal((await other.get('/certificates/999999.pdf')).status, 404);
    const anonymous = await request(t.app).get(`/certificates/${mine.id}.pdf`);
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.location, /^\/login/);
    assert.equal((await other.get(`/admin/courses/${course.id}/certificates`)).status, 403);
    assert.equal((await other.get(`/admin/liaisons/${people[0].user.id}/record.pdf`)).status, 403);
    assert.equal((await admin.get(`/admin/liaisons/${people[0].user.id}/record.pdf`)).status, 200);
    assert.equal((await other.get(`/admin/courses/${course.id}/certificates.zip`)).status, 403);
  });

  it('verifies each status publicly, with the national code masked', async () => {
    const { course, people } = await heldCourse({ title: 'روابط عمومی الکترونیک' }, [
      { fullName: 'علی رضایی‌پور', present: 5 },
      { fullName: 'مریم احمدی', present: 5 },
    ]);
    await issue(course.id);
    const [a, b] = await Promise.all(people.map((p) => Certificate.findOne({ where: { enrollmentId: p.enrollment.id } })));
    const anyone = request.agent(t.app);
    let page = await anyone.get(`/verify/${a!.code}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /این گواهی‌نامه معتبر است/);
    assert.ok(page.text.includes('علی رضایی‌پور'));
    assert.ok(page.text.includes(a!.sha256));
    const code = people[0].user.nationalCode!;
    assert.ok(!page.text.includes(code));
    assert.ok(page.text.includes(`${'۰۱۲۳۴۵۶۷۸۹'[Number(code[0])]}`));
    assert.match(page.text, /[۰-۹]{4}\*\*\*\*[۰-۹]{2}/);

    const grouped = a!.code.match(/.{4}/g)!.join('-');
    const redirect = await anyone.get(`/verify?code=${a!.code}`);
    assert.equal(redirect.status, 303);
    assert.equal(redirect.headers.location, `/verify/${grouped}`);

    const revoke = await postForm(
      admin,
      `/admin/certificates/${b!.id}/revoke`,
      { reason: 'مدرک جعلی' },
      `/admin/courses/${course.id}/certificates`,
    );
    assert.equal(revoke.status, 303);
    page = await anyone.get(`/verify/${b!.code}`);
    assert.match(page.text, /باطل شده است/);
    assert.match(page.text, /مدرک جعلی/);

    await postForm(admin, `/admin/certificates/${a!.id}/reissue`, {}, `/admin/courses/${course.id}/certificates`);
    const fresh = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id, status: 'valid' } }))!;
    page = await anyone.get(`/verify/${a!.code}`);
    assert.match(page.text, /جایگزین شده است/);
    assert.ok(page.text.includes(`href="/verify/${fresh.code.match(/.{4}/g)!.join('-')}"`));

    page = await anyone.get(`/verify/${'A'.repeat(22)}`);
    assert.equal(page.status, 404);
    assert.match(page.text, /گواهی‌نامه‌ای با این مشخصات یافت نشد/);
    assert.ok(!page.text.includes('رضایی'));
    assert.equal((await anyone.get('/verify/%3Cscript%3E')).status, 404);
  });

  it('tells whether an uploaded PDF is byte for byte an issued certificate', async () => {
    const { course, people } = await heldCourse({}, [{ fullName: 'حسین نوری', present: 5 }]);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const anyone = request.agent(t.app);
    const form = await anyone.get('/verify');
    assert.equal(form.status, 200);
    const action = /action="(\/verify\/upload\?_csrf=[^"]+)"/.exec(form.text)![1].replace(/&amp;/g, '&');
    const posted = await anyone.post(action).attach('pdf', Buffer.from(certificate.pdf), 'cert.pdf');
    // Post/redirect/get: the page the browser ends on carries the file's digest, not the CSRF token.
    assert.equal(posted.status, 303);
    assert.equal(posted.headers.location, `/verify?sha256=${certificate.sha256}`);
    const same = await anyone.get(posted.headers.location);
    assert.equal(same.status, 200);
    assert.match(same.text, /بایت‌به‌بایت همان گواهی‌نامهٔ صادرشده/);
    assert.ok(same.text.includes(certificate.serial));
    const changed = Buffer.from(certificate.pdf);
    changed[Math.floor(changed.length / 2)] ^= 1;
    const postedChanged = await anyone.post(action).attach('pdf', changed, 'cert.pdf');
    assert.doesNotMatch(postedChanged.headers.location, /_csrf/);
    const different = await anyone.get(postedChanged.headers.location);
    assert.equal(different.status, 200);
    assert.match(different.text, /با هیچ گواهی‌نامهٔ صادرشده‌ای یکی نیست/);
    const noToken = await request(t.app).post('/verify/upload').attach('pdf', Buffer.from(certificate.pdf), 'cert.pdf');
    assert.equal(noToken.status, 403);
  });

  it('finds a certificate by its code in any case, with spaces or dashes or none, or the whole URL; a legacy code as printed', async () => {
    const { course, people } = await heldCourse({ title: 'خبرنویسی' }, [{ fullName: 'شیدا شاکری', present: 5 }]);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const grouped = certificate.code.match(/.{4}/g)!.join('-');
    const anyone = request.agent(t.app);
    const typed = [
      certificate.code.toLowerCase(),
      grouped.toLowerCase(),
      grouped.replace(/-/g, ' '),
      ` ${grouped} `,
      `http://rabet.test/verify/${grouped}`,
      `https://rabet.test/verify/${grouped.toLowerCase()}?utm=x`,
      certificate.code.replace(/0/g, 'O').replace(/1/g, 'l'),
    ];
    for (const code of typed) {
      const res = await anyone.get('/verify').query({ code });
      assert.equal(res.status, 303, code);
      assert.equal(res.headers.location, `/verify/${grouped}`, code);
    }
    const page = await anyone.get(`/verify/${grouped.toLowerCase()}`);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes('شیدا شاکری'));
    assert.ok(page.text.includes(grouped));
    const miss = await anyone.get('/verify').query({ code: certificate.code.slice(0, 15) + (certificate.code[15] === 'X' ? 'Y' : 'X') });
    assert.equal(miss.status, 404);
    assert.ok(!miss.text.includes('شیدا شاکری'));

    // A certificate issued before these codes keeps its 22-character code, found exactly as printed.
    const legacy = 'AbCdEfGhIjKlMnOpQrStU_';
    await certificate.update({ code: legacy });
    assert.equal((await anyone.get(`/verify/${legacy}`)).status, 200);
    assert.equal((await anyone.get('/verify').query({ code: `http://rabet.test/verify/${legacy}` })).headers.location, `/verify/${legacy}`);
    assert.equal((await anyone.get(`/verify/${legacy.toLowerCase()}`)).status, 404);
  });

  it('finds a certificate by its serial with the holder national code; a wrong pair shows what an unknown serial shows', async () => {
    const { course, people } = await heldCourse({ title: 'عکاسی' }, [
      { fullName: 'شهرام شریفی', present: 5 },
      { fullName: 'زهره کاظمی', present: 5 },
    ]);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const nationalCode = people[0].user.nationalCode!;
    const anyone = request.agent(t.app);
    for (const [serial, code] of [
      [certificate.serial, nationalCode],
      [toPersian(certificate.serial.toLowerCase()), toPersian(nationalCode)],
    ]) {
      const res = await anyone.get('/verify').query({ serial, nationalCode: code });
      assert.equal(res.status, 303, serial);
      assert.equal(res.headers.location, `/verify/${certificate.code.match(/.{4}/g)!.join('-')}`);
    }
    const unknown = await anyone.get('/verify').query({ serial: 'KRM-1300-999999', nationalCode });
    const wrongPair = await anyone.get('/verify').query({ serial: certificate.serial, nationalCode: people[1].user.nationalCode! });
    const noCode = await anyone.get('/verify').query({ serial: certificate.serial });
    for (const res of [unknown, wrongPair, noCode]) {
      assert.equal(res.status, 404);
      assert.ok(!res.text.includes('شهرام شریفی') && !res.text.includes('زهره کاظمی'));
    }
    assert.equal(wrongPair.text.replace(/name="_csrf" value="[^"]*"/g, ''), unknown.text.replace(/name="_csrf" value="[^"]*"/g, ''));
  });

  it('copies out the words as written: a name and a title with word-initial ش and a ZWNJ, none moved or added', {
    skip: noPdftotext,
  }, async () => {
    const fullName = 'شهرام شریفی‌نژاد';
    const title = 'شبکه‌های اجتماعی برای رابطین شهرستان';
    const { course, people } = await heldCourse({ title, code: 'SHB-1' }, [{ fullName, present: 5 }]);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const text = pdfText(Buffer.from(certificate.pdf)).replace(/[\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
    const lines = text.split('\n').map((l) => l.trim());
    // Typst keeps no ZWNJ in the text layer: each word comes back whole, letters in order.
    const withoutZwnj = (s: string) => s.replace(/\u200c/g, '');
    assert.ok(lines.includes(withoutZwnj(fullName)), text);
    assert.ok(lines.includes(withoutZwnj(title)), text);
    assert.ok(lines.includes(withoutZwnj('بدین‌وسیله گواهی می‌شود')), text);
    assert.ok(lines.includes(withoutZwnj('گواهی‌نامه')), text);
    assert.ok(!text.includes('\u200c'), 'no ZWNJ anywhere: none moved into a word, none before a word-initial ش');
  });

  it('never repeats a serial under 50 concurrent issues', async () => {
    const { course, people } = await heldCourse(
      { sessions: 1 },
      Array.from({ length: 50 }, () => ({ present: 1 })),
    );
    const ctx = { ...t.services, actor: { id: adminId } };
    const results = await Promise.all(people.map((p) => issueCertificates(ctx, course.id, { enrollmentId: p.enrollment.id })));
    assert.equal(results.flat().length, 50);
    const rows = await Certificate.findAll({ attributes: ['serial', 'serialNumber', 'code'] });
    assert.equal(new Set(rows.map((r) => r.serial)).size, rows.length);
    assert.equal(new Set(rows.map((r) => r.code)).size, rows.length);
    const numbers = rows.map((r) => r.serialNumber).sort((x, y) => x - y);
    assert.deepEqual(
      numbers,
      Array.from({ length: rows.length }, (_, i) => i + 1),
    );
    // Concurrent bulk issues of the same course give each liaison one valid certificate.
    const again = await Promise.all([issueCertificates(ctx, course.id), issueCertificates(ctx, course.id)]);
    assert.equal(again.flat().length, 0);
  });

  it('zips every valid certificate of a course', async () => {
    const { course, people } = await heldCourse({ code: 'ZIP-1' }, [{ present: 5 }, { present: 5 }, { present: 5 }]);
    await issue(course.id);
    const revoked = (await Certificate.findOne({ where: { enrollmentId: people[2].enrollment.id } }))!;
    await postForm(admin, `/admin/certificates/${revoked.id}/revoke`, { reason: 'اشتباه' }, `/admin/courses/${course.id}/certificates`);
    const res = await admin.get(`/admin/courses/${course.id}/certificates.zip`).buffer(true).parse(binary);
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-type'], 'application/zip');
    const file = path.join(tmp, 'all.zip');
    fs.writeFileSync(file, res.body as Buffer);
    const listing = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n').sort();
    const valid = await Certificate.findAll({ where: { status: 'valid', enrollmentId: people.map((p) => p.enrollment.id) } });
    assert.deepEqual(listing, valid.map((c) => `${c.serial}.pdf`).sort());
    const extracted = execFileSync('unzip', ['-p', file, `${valid[0].serial}.pdf`]);
    assert.ok(extracted.equals(Buffer.from(valid[0].pdf)));
  });

  it('zips the certificates of a course whose code is in Persian letters, naming the file by RFC 5987', async () => {
    const { course } = await heldCourse({ code: 'شبک-۱' }, [{ present: 5 }]);
    await issue(course.id);
    const res = await admin.get(`/admin/courses/${course.id}/certificates.zip`).buffer(true).parse(binary);
    assert.equal(res.status, 200);
    assert.equal((res.body as Buffer).subarray(0, 2).toString(), 'PK');
    assert.equal(res.headers['content-type'], 'application/zip');
    const disposition = res.headers['content-disposition'];
    assert.match(disposition, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    assert.ok(disposition.includes(`filename*=UTF-8''${encodeURIComponent(`certificates-${course.code}.zip`)}`), disposition);
  });

  it('uses an edited template for certificates issued after the edit only', { skip: noPdftotext }, async () => {
    const { course, people } = await heldCourse({}, [{ present: 5 }, { present: 5 }]);
    await issue(course.id, { enrollment: String(people[0].enrollment.id) });
    const source = fs.readFileSync(templateFile, 'utf8');
    const edited = source.replace('بدین‌وسیله گواهی می‌شود', 'بدین‌وسیله با قالب تازه گواهی می‌شود');
    assert.notEqual(edited, source);
    fs.writeFileSync(templateFile, edited);
    try {
      await issue(course.id, { enrollment: String(people[1].enrollment.id) });
    } finally {
      fs.writeFileSync(templateFile, source);
    }
    const [first, second] = await Promise.all(people.map((p) => Certificate.findOne({ where: { enrollmentId: p.enrollment.id } })));
    assert.notEqual(first!.template, second!.template);
    assert.ok(plain(pdfText(Buffer.from(second!.pdf))).includes(plain('با قالب تازه')));
    assert.ok(!plain(pdfText(Buffer.from(first!.pdf))).includes(plain('با قالب تازه')));
  });

  it('prints user values as text, never as Typst code, and refuses a template whose font is missing', { skip: noPdftotext }, async () => {
    const name = '#panic("boom") ]) $x$ // <b>';
    const { course, people } = await heldCourse({ title: '#{ 1 + 1 } «تیتر» \\ test' }, [{ fullName: name, present: 5 }]);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const text = pdfText(Buffer.from(certificate.pdf));
    // Printed as typed (pdftotext moves the leading # of an LTR run inside an RTL line; the code did not run).
    assert.ok(text.includes('panic("boom") ]) $x$ // <b'), text);
    assert.ok(text.includes('1 + 1'), text);
    assert.equal(JSON.parse(certificate.fields).fullName, name);
    const source = fs.readFileSync(templateFile, 'utf8').replace('font: "Vazirmatn"', 'font: "No Such Font"');
    const data = printableFields(JSON.parse(certificate.fields));
    await assert.rejects(t.services.pdf.render({ source, data }), /warning treated as an error.*unknown font family/i);
  });

  it('prints the configured signatories on certificates issued afterwards', { skip: noPdftotext }, async () => {
    const { course, people } = await heldCourse({}, [{ present: 5 }]);
    const saved = await postForm(
      admin,
      `/admin/courses/${course.id}/signatories`,
      { headOfPr: 'زهرا احمدی', directorGeneral: 'حسین محمدی‌فر' },
      `/admin/courses/${course.id}/certificates`,
    );
    assert.equal(saved.status, 303);
    await issue(course.id);
    const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id } }))!;
    const text = plain(pdfText(Buffer.from(certificate.pdf)));
    assert.ok(text.includes(plain('زهرا احمدی')) && text.includes(plain('حسین محمدی‌فر')));
    assert.ok(text.includes(plain('مدیرکل بهزیستی استان کرمان')) && text.includes(plain('مدیر روابط عمومی')));
  });

  it('renders in a child process that is replaced every few renders and after a crash', async () => {
    const renderer = new PdfRenderer({ rendersPerChild: 2, timeoutMs: 30_000 });
    try {
      const source = fs.readFileSync(templateFile, 'utf8');
      const certificate = (await Certificate.findOne({ order: [['id', 'ASC']] }))!;
      const data = printableFields(JSON.parse(certificate.fields));
      const pdfs = await Promise.all(Array.from({ length: 3 }, () => renderer.render({ source, data, qrText: 'x' })));
      assert.ok(pdfs.every((pdf) => pdf.subarray(0, 4).toString() === '%PDF'));
      assert.equal(renderer.childrenStarted, 2);
      (renderer as unknown as { child: { kill(): void } }).child.kill();
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal((await renderer.render({ source, data })).subarray(0, 4).toString(), '%PDF');
      assert.equal(renderer.childrenStarted, 3);
    } finally {
      await renderer.close();
    }
  });

  it('rate-limits verification look-ups per address', async () => {
    const anyone = request(t.app);
    let last = 0;
    for (let i = 0; i < 125 && last !== 429; i++) last = (await anyone.get(`/verify/${'B'.repeat(22)}`)).status;
    assert.equal(last, 429);
  });
});
