import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { createTestApp } from '../helpers/app';
import { createAdmin, createHeldCourse } from '../helpers/factories';
import { loginAs, postForm, type Agent, binary } from '../helpers/http';
import { verifyWithSecondLine } from '../helpers/second-verifier';
import { Certificate } from '../../src/models';
import { groupedCode } from '../../src/features/certificates/verification-code';
import { projectRoot } from '../../src/config';
import { createApp } from '../../src/app';
import { setUpModels } from '../../src/models';
import { closeServices, createServices } from '../../src/services';

/** `npm run verify-credential -- files…`, as an auditor runs it (no network, no database). */
function verifyCommand(files: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-credential.ts', ...files], {
    cwd: projectRoot,
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: 'sqlite:/nonexistent/never-opened.db' },
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

/** An app, its admin, and a way for the second verifier to fetch the app's own documents. */
async function setUp(env: Record<string, string> = {}) {
  const t = await createTestApp(env);
  const user = await createAdmin({ username: 'obadmin' });
  const admin = await loginAs(t.app, 'obadmin');
  const base = new URL(t.config.baseUrl);
  const fetchOwn = async (url: string) => {
    const u = new URL(url);
    if (u.host !== base.host) throw new Error(`refused ${url}: not the app's`);
    const res = await request(t.app).get(u.pathname);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    return JSON.parse(res.text);
  };
  return { t, admin, adminId: user.id, fetchOwn };
}

async function issueOne(app: { admin: Agent; adminId: number }, fullName: string, title = 'عکاسی خبری ۲') {
  const { course, people } = await createHeldCourse(app.adminId, { title, passMark: 12 }, [{ fullName, present: 5, mark: 17 }]);
  const res = await postForm(app.admin, `/admin/courses/${course.id}/certificates`, {}, `/admin/courses/${course.id}/certificates`);
  assert.equal(res.status, 303);
  const certificate = (await Certificate.findOne({ where: { enrollmentId: people[0].enrollment.id, status: 'valid' } }))!;
  return { course, person: people[0], certificate };
}

describe('Open Badges 3.0 credentials', () => {
  let app: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    app = await setUp();
  });
  after(async () => {
    await app.t.close();
  });

  it('issues a signed OpenBadgeCredential with each certificate, which the second implementation verifies, and revocation sets its bit', async () => {
    const name = 'محمدرضا سلیمانی‌نژاد';
    const { person, certificate } = await issueOne(app, name);
    const anyone = request(app.t.app);
    const res = await anyone.get(`/verify/${certificate.code}/credential.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^application\/vc\+ld\+json/);
    assert.equal(res.text, certificate.credential, 'served exactly as stored');
    const credential = JSON.parse(res.text);
    assert.deepEqual(credential.type, ['VerifiableCredential', 'OpenBadgeCredential']);
    assert.deepEqual(credential['@context'], [
      'https://www.w3.org/ns/credentials/v2',
      'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
    ]);
    assert.match(credential.issuer.id, /^did:key:z6Mk/);
    assert.equal(credential.issuer.name, 'اداره کل بهزیستی استان کرمان');
    assert.equal(credential.credentialSubject.name, name);
    const achievement = credential.credentialSubject.achievement;
    assert.equal(achievement.name, 'عکاسی خبری ۲');
    assert.match(achievement.criteria.narrative, /حضور دست‌کم ۸۰٪/);
    assert.match(achievement.criteria.narrative, /نمرهٔ دست‌کم ۱۲/);
    assert.match(achievement.description, /۱۲ ساعت آموزشی/);
    assert.equal(credential.validFrom, certificate.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    assert.equal(credential.proof.type, 'DataIntegrityProof');
    assert.equal(credential.proof.cryptosuite, 'eddsa-rdfc-2022');
    // The national code only as a salted hash.
    const nationalCode = person.user.nationalCode!;
    assert.ok(!res.text.includes(nationalCode));
    const [identity] = credential.credentialSubject.identifier;
    assert.equal(
      identity.identityHash,
      `sha256$${createHash('sha256')
        .update(nationalCode + identity.salt)
        .digest('hex')}`,
    );

    let result = await verifyWithSecondLine(credential, app.fetchOwn);
    assert.deepEqual([result.verified, result.statusChecked, result.revoked], [true, true, false], result.errors.join('; '));

    const forged = structuredClone(credential);
    forged.credentialSubject.name = name.replace('ی', 'ي');
    assert.equal((await verifyWithSecondLine(forged, app.fetchOwn)).verified, false);

    // Every link names the code as printed (grouped), like the credential's own id.
    const printed = groupedCode(certificate.code);
    assert.equal(credential.id, `${app.t.config.baseUrl}/verify/${printed}/credential.json`);
    const page = await anyone.get(`/verify/${certificate.code}`);
    assert.ok(page.text.includes(`href="/verify/${printed}/credential.json"`));
    assert.match(page.text, /امضای دیجیتال مدرک \(Data Integrity، eddsa-rdfc-2022\) درست است/);
    assert.match(page.text, /این مدرک باطل نشده است/);

    const liaison = await loginAs(app.t.app, person.user.username);
    const me = await liaison.get('/me');
    assert.match(me.text, new RegExp(`href="/verify/${printed}/credential.json"[^>]*>افزودن به کیف پول`));
    const pdf = await liaison.get(`/certificates/${certificate.id}.pdf`).buffer(true).parse(binary);
    const text = spawnSync('pdftotext', ['-', '-'], { input: pdf.body as Buffer, encoding: 'utf8' });
    if (!text.error)
      assert.ok(text.stdout.replace(/\s+/g, '').includes(`/verify/${printed}/credential.json`), 'the PDF names its credential');

    const revoke = await postForm(app.admin, `/admin/certificates/${certificate.id}/revoke`, { reason: 'آزمون ابطال' }, '/');
    assert.equal(revoke.status, 303);
    result = await verifyWithSecondLine(credential, app.fetchOwn);
    assert.deepEqual([result.verified, result.revoked], [false, true]);
    assert.equal((await Certificate.findByPk(certificate.id))!.credential, certificate.credential, 'never re-signed');
    const status = await anyone.get(credential.credentialStatus.statusListCredential.replace(app.t.config.baseUrl, ''));
    assert.match(status.headers['cache-control'], /max-age=60/);
    const revokedPage = await anyone.get(`/verify/${certificate.code}`);
    assert.match(revokedPage.text, /این مدرک باطل یا جایگزین شده است/);
  });

  it('sets the old credential’s bit on a reissue; the new one verifies', async () => {
    const { certificate } = await issueOne(app, 'کیانا آقایی');
    const old = JSON.parse(certificate.credential!);
    await postForm(app.admin, `/admin/certificates/${certificate.id}/reissue`, {}, '/');
    const fresh = (await Certificate.findOne({ where: { enrollmentId: certificate.enrollmentId, status: 'valid' } }))!;
    assert.notEqual(fresh.code, certificate.code);
    assert.deepEqual((await verifyWithSecondLine(old, app.fetchOwn)).revoked, true);
    const now = await verifyWithSecondLine(JSON.parse(fresh.credential!), app.fetchOwn);
    assert.equal(now.verified, true, now.errors.join('; '));
  });

  it('verifies a credential file offline with npm run verify-credential, and the status list file when given', async () => {
    const { certificate } = await issueOne(app, 'نگار آذری‌نیا');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-ob-cli-'));
    try {
      const credential = JSON.parse(certificate.credential!);
      const file = (name: string, body: string) => {
        fs.writeFileSync(path.join(dir, name), body);
        return path.join(dir, name);
      };
      const credentialFile = file('credential.json', JSON.stringify(credential, null, 2));
      let run = verifyCommand([credentialFile]);
      assert.equal(run.status, 0, run.out);
      assert.match(run.out, /signature: {2}valid/);
      assert.match(run.out, /status: {5}not checked \(offline\)/);

      const forged = structuredClone(credential);
      forged.credentialSubject.achievement.name = 'عکاسی خبری ۳';
      run = verifyCommand([file('forged.json', JSON.stringify(forged))]);
      assert.equal(run.status, 1, run.out);
      assert.match(run.out, /NOT VERIFIED/);

      await postForm(app.admin, `/admin/certificates/${certificate.id}/revoke`, { reason: 'آزمون' }, '/');
      const list = await request(app.t.app).get(`/credentials/status/1`);
      run = verifyCommand([credentialFile, file('status.json', list.text)]);
      assert.equal(run.status, 1, run.out);
      assert.match(run.out, /status: {5}REVOKED/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('remembers a verify page’s check, and a revocation made on another instance shows on this one at once', async () => {
    const { certificate } = await issueOne(app, 'الهام شهبازی');
    const anyone = request(app.t.app);
    const checks = app.t.services.credentialChecks;
    const before = checks.size;
    assert.match((await anyone.get(`/verify/${certificate.code}`)).text, /این مدرک باطل نشده است/);
    assert.equal(checks.size, before + 1, 'the check is remembered');
    assert.match((await anyone.get(`/verify/${certificate.code}`)).text, /این مدرک باطل نشده است/);
    assert.equal(checks.size, before + 1, 'and answered again from memory');

    // A second instance on the same database (its own services, its own caches) revokes the certificate.
    const other = createServices(app.t.config);
    try {
      await loginAs(createApp(other), 'obadmin').then((admin) =>
        postForm(admin, `/admin/certificates/${certificate.id}/revoke`, { reason: 'ابطال از نمونهٔ دیگر' }, '/'),
      );
    } finally {
      setUpModels(app.t.services.sequelize);
      await closeServices(other);
    }
    assert.equal((await Certificate.findByPk(certificate.id))!.status, 'revoked');
    const page = await anyone.get(`/verify/${certificate.code}`);
    assert.match(page.text, /این مدرک باطل یا جایگزین شده است/, 'this instance sees the revocation on its next view');
    assert.doesNotMatch(page.text, /این مدرک باطل نشده است/);
  });

  it('keeps the issuer key out of every page and document', async () => {
    const { certificate } = await issueOne(app, 'سارا کرمانی');
    const [row] = await app.t.services.sequelize.query<{ secret_key_multibase: string }>('SELECT secret_key_multibase FROM issuer_keys', {
      type: QueryTypes.SELECT,
    });
    const anyone = request(app.t.app);
    for (const path of [`/verify/${certificate.code}`, `/verify/${certificate.code}/credential.json`, '/credentials/status/1']) {
      const res = await anyone.get(path);
      assert.equal(res.status, 200, path);
      assert.ok(!res.text.includes(row.secret_key_multibase), path);
    }
    assert.equal((await anyone.get('/.well-known/did.json')).status, 404, 'no did:web without https');
    assert.equal((await anyone.get(`/verify/${'A'.repeat(22)}/credential.json`)).status, 404);
    assert.equal((await anyone.get('/credentials/status/99')).status, 404);
  });
});

describe('Open Badges 3.0 with an https BASE_URL', () => {
  let app: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    app = await setUp({ BASE_URL: 'https://rabet.example.ir', HTTPS: 'off', ISSUER_KEY_SEED: '1f'.repeat(32) });
  });
  after(async () => {
    await app.t.close();
  });

  it('issues as did:web with /.well-known/did.json listing the configured key, and the second implementation resolves it', async () => {
    const { certificate } = await issueOne(app, 'آرمان کاظمی');
    const credential = JSON.parse(certificate.credential!);
    assert.equal(credential.issuer.id, 'did:web:rabet.example.ir');
    const did = await request(app.t.app).get('/.well-known/did.json');
    assert.equal(did.status, 200);
    const document = JSON.parse(did.text);
    assert.equal(document.id, 'did:web:rabet.example.ir');
    assert.ok(document.assertionMethod.includes(credential.proof.verificationMethod));
    const [row] = await app.t.services.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM issuer_keys', { type: QueryTypes.SELECT });
    assert.equal(Number(row.n), 0, 'a configured key is not stored');
    const result = await verifyWithSecondLine(credential, app.fetchOwn);
    assert.equal(result.verified, true, result.errors.join('; '));
  });
});

describe('Open Badges 3.0: rotating a did:web issuer key', () => {
  let app: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    app = await setUp({ BASE_URL: 'https://rabet.example.ir', HTTPS: 'off' });
  });
  after(async () => {
    await app.t.close();
  });

  it('signs with the new key while the DID document keeps the old one, so earlier credentials still verify', async () => {
    const before = JSON.parse((await issueOne(app, 'بهار آزادی')).certificate.credential!);
    const newKey = await app.t.services.issuerKeys.rotate();
    const after = JSON.parse((await issueOne(app, 'امید کاویانی')).certificate.credential!);
    assert.equal(after.issuer.id, before.issuer.id);
    assert.equal(after.proof.verificationMethod, `did:web:rabet.example.ir#${newKey}`);
    assert.notEqual(before.proof.verificationMethod, after.proof.verificationMethod);
    const document = JSON.parse((await request(app.t.app).get('/.well-known/did.json')).text);
    assert.equal(document.verificationMethod.length, 2);
    for (const credential of [before, after]) {
      const result = await verifyWithSecondLine(credential, app.fetchOwn);
      assert.equal(result.verified, true, result.errors.join('; '));
    }
  });
});
