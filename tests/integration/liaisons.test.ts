import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import ExcelJS from 'exceljs';
import { createTestApp, type TestApp } from '../helpers/app';
import { countyBySlug, createAdmin, createLiaison, nationalCode, PASSWORD } from '../helpers/factories';
import { csrfOf, loginAs, postForm, type Agent } from '../helpers/http';
import { AuditEvent, County, RateLimit, Setting, User } from '../../src/models';
import { Settings } from '../../src/services/settings';
import { LIMITS } from '../../src/services/rate-limiter';
import { parseNationalCode } from '../../src/lib/national-code';
import { toPersianDigits } from '../../src/lib/persian';

const SIGN_UP_PASSWORD = 'Liaison-Pass-1405';
let t: TestApp;
let admin: Agent;
let n = 0;

before(async () => {
  t = await createTestApp();
  admin = await loginAs(t.app, (await createAdmin({ username: 'liaisonadmin' })).username);
});
after(async () => t.close());
// Each test signs up from the same address; the per-address limit has a test of its own.
beforeEach(async () => {
  await RateLimit.destroy({ where: {} });
});

function signUpFields(overrides: Record<string, string> = {}): Record<string, string> {
  n += 1;
  return {
    fullName: `رابط ثبت‌نامی ${n}`,
    fatherName: 'حسین',
    nationalCode: nationalCode(700 + n),
    mobile: `0913${String(n).padStart(7, '0')}`,
    county: 'kerman',
    position: 'رابط روابط عمومی',
    username: `signup${n}`,
    password: SIGN_UP_PASSWORD,
    ...overrides,
  };
}

async function signUp(fields: Record<string, string>) {
  return postForm(request.agent(t.app), '/register', fields, '/register');
}

async function canLogIn(username: string, password: string): Promise<boolean> {
  const res = await postForm(request.agent(t.app), '/login', { username, password });
  return res.status === 303 && !res.headers.location.startsWith('/login');
}

const persian = (ascii: string) => toPersianDigits(ascii);

describe('sign-up', () => {
  it('offers the active counties in a select and every field with a label', async () => {
    const res = await request(t.app).get('/register');
    assert.equal(res.status, 200);
    for (const name of ['fullName', 'fatherName', 'nationalCode', 'mobile', 'position', 'username', 'password']) {
      assert.match(res.text, new RegExp(`<label for="${name}"`), name);
      assert.match(res.text, new RegExp(`name="${name}"`), name);
    }
    assert.match(res.text, /<select id="county" name="county"/);
    assert.match(res.text, /<option value="bam">بم<\/option>/);
  });

  it('stores a national code typed in Persian digits in ASCII, pending, and refuses the same code typed in ASCII (409)', async () => {
    await t.services.settings.setAutoActivate(false);
    const code = nationalCode(1);
    const fields = signUpFields({ nationalCode: persian(code), mobile: persian('09131112233'), fullName: 'یوسف رحيمي‌فر' });
    const res = await signUp(fields);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/register/done?status=pending');
    const done = await request(t.app).get(res.headers.location);
    assert.match(done.text, /در انتظار تأیید/);
    const user = await User.findOne({ where: { username: fields.username } });
    assert.ok(user);
    assert.equal(user.nationalCode, code);
    assert.equal(user.mobile, '09131112233');
    assert.equal(user.fullName, 'یوسف رحیمی‌فر', 'Arabic ي stored as Persian ی, ZWNJ kept');
    assert.equal(user.status, 'pending');
    assert.equal(user.role, 'liaison');
    assert.ok(user.searchKey.includes('رحیمیفر') && user.searchKey.includes(code));
    assert.equal((await countyBySlug('kerman')).id, user.countyId);
    assert.ok(await AuditEvent.findOne({ where: { action: 'user.sign-up', entityId: user.id } }));

    const before = await User.count();
    const again = await signUp(signUpFields({ nationalCode: code }));
    assert.equal(again.status, 409);
    assert.match(again.text, /با این کد ملی قبلاً حسابی ساخته شده است/);
    assert.match(again.text, /id="nationalCode-error"/);
    assert.equal(await User.count(), before);
  });

  it('accepts checksum-valid codes whatever their place prefix, and a 9-digit code with its leading zero', async () => {
    for (const code of ['7822182625', '8675244967']) {
      const res = await signUp(signUpFields({ nationalCode: code }));
      assert.equal(res.status, 303, code);
      assert.ok(await User.findOne({ where: { nationalCode: code } }));
    }
    const valid = '0845759485';
    assert.equal(parseNationalCode(valid), valid);
    // Typed without its leading zero, in Persian digits.
    assert.equal((await signUp(signUpFields({ nationalCode: '۸۴۵۷۵۹۴۸۵' }))).status, 303);
    assert.ok(await User.findOne({ where: { nationalCode: valid } }));
  });

  const refusals: [string, Record<string, string>, string, RegExp][] = [
    ['1111111111', { nationalCode: '1111111111' }, 'nationalCode', /یک رقم تکراری/],
    ['a national code with a bad check digit', { nationalCode: '2981234578' }, 'nationalCode', /کد ملی معتبر نیست/],
    ['a national code of seven digits', { nationalCode: '۲۹۸۱۲۳۴' }, 'nationalCode', /۱۰ رقم/],
    ['a mobile that is not 09xxxxxxxxx', { mobile: '0813123456' }, 'mobile', /شمارهٔ همراه/],
    ['a password shorter than 12 characters', { password: 'Short-1405' }, 'password', /دست‌کم ۱۲ نویسه/],
    ['a county that does not exist', { county: 'atlantis' }, 'county', /شهرستان را از فهرست انتخاب کنید/],
    ['an empty father name', { fatherName: '  ' }, 'fatherName', /نام پدر را وارد کنید/],
  ];
  for (const [what, overrides, field, message] of refusals) {
    it(`refuses ${what} (400), keeps what was typed, stores nothing`, async () => {
      const before = await User.count();
      const fields = signUpFields(overrides);
      const res = await signUp(fields);
      assert.equal(res.status, 400);
      assert.match(res.text, message);
      assert.match(res.text, new RegExp(`id="${field}-error"`));
      assert.match(res.text, new RegExp(`value="${fields.fullName}"`), 'the form keeps what was typed');
      assert.doesNotMatch(res.text, new RegExp(SIGN_UP_PASSWORD), 'but never the password');
      assert.equal(await User.count(), before);
    });
  }

  it('refuses a username already taken, however its case and digits were typed (409)', async () => {
    const first = signUpFields({ username: 'kazemi1405' });
    assert.equal((await signUp(first)).status, 303);
    const before = await User.count();
    const res = await signUp(signUpFields({ username: 'Kazemi۱۴۰۵' }));
    assert.equal(res.status, 409);
    assert.match(res.text, /این نام کاربری گرفته شده است/);
    assert.equal(await User.count(), before);
  });

  it('keeps a pending liaison out until an admin activates them, then lets them in', async () => {
    await t.services.settings.setAutoActivate(false);
    const fields = signUpFields();
    assert.equal((await signUp(fields)).status, 303);
    assert.equal(await canLogIn(fields.username, SIGN_UP_PASSWORD), false);
    const user = await User.findOne({ where: { username: fields.username } });
    const res = await postForm(admin, `/admin/liaisons/${user!.id}/activate`, {}, `/admin/liaisons/${user!.id}`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, `/admin/liaisons/${user!.id}`);
    assert.equal(await canLogIn(fields.username, SIGN_UP_PASSWORD), true);
    assert.ok(await AuditEvent.findOne({ where: { action: 'user.activate', entityId: user!.id } }));
  });

  it('activates sign-ups at once when the admin turns the setting on, and waits again when off', async () => {
    const page = await admin.get('/admin/settings');
    assert.equal(page.status, 200);
    assert.match(page.text, /<label class="form-check-label" for="autoActivate">/);
    assert.equal((await postForm(admin, '/admin/settings', { autoActivate: '1' }, '/admin/settings')).status, 303);
    assert.equal(await t.services.settings.autoActivate(), true);
    const on = signUpFields();
    const res = await signUp(on);
    assert.equal(res.headers.location, '/register/done?status=active');
    assert.match((await request(t.app).get(res.headers.location)).text, /href="\/login"/);
    assert.equal(await canLogIn(on.username, SIGN_UP_PASSWORD), true);

    assert.equal((await postForm(admin, '/admin/settings', {}, '/admin/settings')).status, 303);
    assert.equal(await t.services.settings.autoActivate(), false);
    const off = signUpFields();
    assert.equal((await signUp(off)).headers.location, '/register/done?status=pending');
    assert.equal(await canLogIn(off.username, SIGN_UP_PASSWORD), false);
    assert.ok(await AuditEvent.findOne({ where: { action: 'settings.auto-activate' } }));
  });

  it('takes the auto-activation default from AUTO_ACTIVATE until an admin sets it', async () => {
    await Setting.destroy({ where: { key: 'autoActivate' } });
    assert.equal(await new Settings({ autoActivate: true, reminderHour: 18 }).autoActivate(), true);
    assert.equal(await new Settings({ autoActivate: false, reminderHour: 18 }).autoActivate(), false);
  });

  it('rate-limits sign-ups per address with a Persian 429', async () => {
    const taken = signUpFields();
    assert.equal((await signUp(taken)).status, 303);
    // Attempts 2..20 of the allowed 20 are answered (duplicates, 409); the 21st is refused.
    for (let i = 0; i < LIMITS.signUpsPerIp.max - 1; i++) assert.equal((await signUp({ ...taken, username: `other${i}x` })).status, 409);
    const res = await signUp(signUpFields());
    assert.equal(res.status, 429);
    assert.match(res.text, /ثبت‌نام‌های زیادی/);
  });
});

describe('admin list of liaisons', () => {
  let soleimani: User;
  before(async () => {
    soleimani = await createLiaison({ fullName: 'محمدرضا سلیمانی‌نژاد', nationalCode: nationalCode(4242) });
    await createLiaison({ fullName: 'زهرا احمدی' });
    await createLiaison({ fullName: 'کاظم کرمانی', countySlug: 'bam' });
  });

  const idsOn = (html: string) => [...html.matchAll(/href="\/admin\/liaisons\/(\d+)"/g)].map((m) => Number(m[1]));

  it('finds a liaison typed with Arabic ي and ك, with or without ZWNJ, and leaves out the others', async () => {
    for (const q of ['سليماني', 'سلیمانی نژاد', 'سلیمانی‌نژاد', 'سليمانينژاد']) {
      const res = await admin.get(`/admin/liaisons?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(idsOn(res.text), [soleimani.id], q);
      assert.doesNotMatch(res.text, /زهرا احمدی/);
    }
    const kaf = await admin.get(`/admin/liaisons?q=${encodeURIComponent('كاظم')}`);
    assert.match(kaf.text, /کاظم کرمانی/);
    assert.doesNotMatch(kaf.text, /سلیمانی/);
  });

  it('finds a liaison by national code typed in Persian digits', async () => {
    const res = await admin.get(`/admin/liaisons?q=${encodeURIComponent(persian(nationalCode(4242)))}`);
    assert.deepEqual(idsOn(res.text), [soleimani.id]);
  });

  it('takes % and _ in a search literally', async () => {
    const res = await admin.get(`/admin/liaisons?q=${encodeURIComponent('%')}`);
    assert.equal(res.status, 200);
    assert.deepEqual(idsOn(res.text), []);
  });

  it('filters by county and by status', async () => {
    const bam = await admin.get('/admin/liaisons?county=bam');
    assert.match(bam.text, /کاظم کرمانی/);
    assert.doesNotMatch(bam.text, /زهرا احمدی/);
    const pending = await createLiaison({ fullName: 'منتظر تأیید', status: 'pending' });
    const res = await admin.get('/admin/liaisons?status=pending');
    assert.ok(idsOn(res.text).includes(pending.id));
    assert.doesNotMatch(res.text, /زهرا احمدی/);
  });

  it('shows 25 a page and links the next page', async () => {
    for (let i = 0; i < 30; i++) await createLiaison({ fullName: `صفحه‌بندی ${i}`, countySlug: 'anar' });
    const first = await admin.get('/admin/liaisons?county=anar');
    assert.equal(idsOn(first.text).length, 25);
    assert.match(first.text, /href="\/admin\/liaisons\?county=anar&amp;page=2"/);
    const second = await admin.get('/admin/liaisons?county=anar&page=2');
    assert.equal(idsOn(second.text).length, 5);
    assert.equal(new Set([...idsOn(first.text), ...idsOn(second.text)]).size, 30);
  });

  it('is closed to liaisons (403)', async () => {
    const liaison = await loginAs(t.app, (await createLiaison()).username);
    for (const path of ['/admin/liaisons', `/admin/liaisons/${soleimani.id}`, '/admin/liaisons/import', '/admin/settings']) {
      assert.equal((await liaison.get(path)).status, 403, path);
    }
    const token = await csrfOf(liaison, '/me/profile');
    const res = await liaison.post(`/admin/liaisons/${soleimani.id}/disable`).type('form').send({ _csrf: token });
    assert.equal(res.status, 403);
    assert.equal((await User.findByPk(soleimani.id))!.status, 'active');
  });
});

describe('admin account management', () => {
  it('creates an instructor with a made-up password shown once, which logs in', async () => {
    const res = await postForm(
      admin,
      '/admin/liaisons/new',
      {
        role: 'instructor',
        fullName: 'مدرس تازه',
        fatherName: 'رضا',
        nationalCode: nationalCode(901),
        mobile: '09120000001',
        email: 'Teacher@Example.com',
        county: 'kerman',
        position: 'مدرس خبرنویسی',
        username: 'teacher1',
        password: '',
      },
      '/admin/liaisons/new',
    );
    assert.equal(res.status, 201);
    const password = /data-testid="password">([^<]+)</.exec(res.text)?.[1];
    assert.ok(password && password.length >= 12);
    const user = await User.findOne({ where: { username: 'teacher1' } });
    assert.equal(user?.role, 'instructor');
    assert.equal(user?.status, 'active');
    assert.equal(user?.email, 'teacher@example.com');
    assert.equal(await canLogIn('teacher1', password), true);
    assert.ok(await AuditEvent.findOne({ where: { action: 'user.create', entityId: user!.id } }));
  });

  it('edits an account; a national code another account has is refused (409)', async () => {
    const other = await createLiaison();
    const user = await createLiaison({ fullName: 'پیش از ویرایش' });
    const form = await admin.get(`/admin/liaisons/${user.id}/edit`);
    assert.match(form.text, /value="پیش از ویرایش"/);
    const fields = {
      role: 'liaison',
      fullName: 'پس از ویرایش',
      fatherName: 'علی',
      nationalCode: other.nationalCode!,
      mobile: '09130000000',
      county: 'bam',
      position: 'کارشناس',
      username: user.username,
    };
    const dup = await postForm(admin, `/admin/liaisons/${user.id}/edit`, fields, `/admin/liaisons/${user.id}/edit`);
    assert.equal(dup.status, 409);
    assert.equal((await User.findByPk(user.id))!.fullName, 'پیش از ویرایش');
    const ok = await postForm(
      admin,
      `/admin/liaisons/${user.id}/edit`,
      { ...fields, nationalCode: nationalCode(902) },
      `/admin/liaisons/${user.id}/edit`,
    );
    assert.equal(ok.status, 303);
    const saved = await User.findByPk(user.id);
    assert.equal(saved!.fullName, 'پس از ویرایش');
    assert.equal(saved!.countyId, (await countyBySlug('bam')).id);
    assert.ok(saved!.searchKey.includes('پسازویرایش'));
  });

  it('disables an account, which can no longer log in, and resets a password', async () => {
    const user = await createLiaison();
    assert.equal((await postForm(admin, `/admin/liaisons/${user.id}/disable`, {}, `/admin/liaisons/${user.id}`)).status, 303);
    assert.equal(await canLogIn(user.username, PASSWORD), false);
    await postForm(admin, `/admin/liaisons/${user.id}/activate`, {}, `/admin/liaisons/${user.id}`);
    const short = await postForm(admin, `/admin/liaisons/${user.id}/password`, { password: 'short' }, `/admin/liaisons/${user.id}`);
    assert.equal(short.status, 400);
    assert.equal(await canLogIn(user.username, PASSWORD), true);
    const res = await postForm(
      admin,
      `/admin/liaisons/${user.id}/password`,
      { password: 'Brand-New-Pass-1405' },
      `/admin/liaisons/${user.id}`,
    );
    assert.equal(res.status, 303);
    assert.equal(await canLogIn(user.username, PASSWORD), false);
    assert.equal(await canLogIn(user.username, 'Brand-New-Pass-1405'), true);
    const generated = await postForm(admin, `/admin/liaisons/${user.id}/password`, {}, `/admin/liaisons/${user.id}`);
    const password = /data-testid="password">([^<]+)</.exec(generated.text)?.[1];
    assert.ok(password);
    assert.equal(await canLogIn(user.username, password), true);
    assert.equal(await AuditEvent.count({ where: { action: 'user.password.reset', entityId: user.id } }), 2);
  });

  it('does not manage admin accounts through these pages', async () => {
    const other = await createAdmin();
    assert.equal((await admin.get(`/admin/liaisons/${other.id}`)).status, 404);
  });
});

describe('profile', () => {
  it('lets a liaison edit their details in any digits, not their national code', async () => {
    const user = await createLiaison({ fullName: 'نام قدیمی' });
    const agent = await loginAs(t.app, user.username);
    const page = await agent.get('/me/profile');
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(persian(user.nationalCode!)));
    const bad = await postForm(
      agent,
      '/me/profile',
      { fullName: 'نام تازه', fatherName: 'علی', mobile: '12345', email: '', county: 'bam', position: 'رابط' },
      '/me/profile',
    );
    assert.equal(bad.status, 400);
    assert.match(bad.text, /id="mobile-error"/);
    assert.match(bad.text, /value="نام تازه"/);
    const res = await postForm(
      agent,
      '/me/profile',
      {
        fullName: 'نام تازه',
        fatherName: 'علی',
        mobile: '۰۹۱۷۱۲۳۴۵۶۷',
        email: 'me@example.com',
        county: 'bam',
        position: 'رابط',
        nationalCode: nationalCode(999),
      },
      '/me/profile',
    );
    assert.equal(res.status, 303);
    const saved = await User.findByPk(user.id);
    assert.equal(saved!.fullName, 'نام تازه');
    assert.equal(saved!.mobile, '09171234567');
    assert.equal(saved!.email, 'me@example.com');
    assert.equal(saved!.nationalCode, user.nationalCode);
    assert.equal(saved!.countyId, (await countyBySlug('bam')).id);
  });

  it('changes the password only with the current one and a new one of 12 characters', async () => {
    const user = await createLiaison();
    const agent = await loginAs(t.app, user.username);
    const wrong = await postForm(
      agent,
      '/me/password',
      { currentPassword: 'not-it-at-all', newPassword: 'Another-Pass-1405', confirmPassword: 'Another-Pass-1405' },
      '/me/profile',
    );
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /گذرواژهٔ فعلی نادرست است/);
    const short = await postForm(
      agent,
      '/me/password',
      { currentPassword: PASSWORD, newPassword: 'short', confirmPassword: 'short' },
      '/me/profile',
    );
    assert.equal(short.status, 400);
    assert.equal(await canLogIn(user.username, PASSWORD), true);
    const ok = await postForm(
      agent,
      '/me/password',
      { currentPassword: PASSWORD, newPassword: 'Another-Pass-1405', confirmPassword: 'Another-Pass-1405' },
      '/me/profile',
    );
    assert.equal(ok.status, 303);
    assert.equal(await canLogIn(user.username, 'Another-Pass-1405'), true);
    assert.equal(await canLogIn(user.username, PASSWORD), false);
  });

  it('ends the other sessions of a user whose password changes, keeping the one that changed it', async () => {
    const user = await createLiaison();
    const here = await loginAs(t.app, user.username);
    const elsewhere = await loginAs(t.app, user.username);
    assert.equal((await elsewhere.get('/me')).status, 200);
    const ok = await postForm(
      here,
      '/me/password',
      { currentPassword: PASSWORD, newPassword: 'Another-Pass-1405', confirmPassword: 'Another-Pass-1405' },
      '/me/profile',
    );
    assert.equal(ok.status, 303);
    assert.equal((await here.get('/me')).status, 200, 'the session that changed the password stays');
    const gone = await elsewhere.get('/me');
    assert.equal(gone.status, 303);
    assert.match(gone.headers.location, /^\/login/);

    // An admin's reset logs the account out everywhere.
    const admin = await createAdmin();
    const adminAgent = await loginAs(t.app, admin.username);
    const reset = await postForm(
      adminAgent,
      `/admin/liaisons/${user.id}/password`,
      { password: 'Reset-By-Admin-1405' },
      `/admin/liaisons/${user.id}`,
    );
    assert.equal(reset.status, 303);
    assert.equal((await here.get('/me')).status, 303);
  });

  it('keeps a deactivated county on the profile of a liaison who has it', async () => {
    const county = await County.create({ slug: 'old-county', name: 'شهرستان قدیمی', nameEn: null, active: false });
    const user = await createLiaison();
    await user.update({ countyId: county.id });
    const agent = await loginAs(t.app, user.username);
    const page = await agent.get('/me/profile');
    assert.match(page.text, /<option value="old-county" selected>شهرستان قدیمی \(غیرفعال\)/);
    const res = await postForm(
      agent,
      '/me/profile',
      { fullName: 'بی‌تغییر شهرستان', fatherName: 'علی', mobile: '09130000001', county: 'old-county', position: 'رابط' },
      '/me/profile',
    );
    assert.equal(res.status, 303);
  });
});

describe('import from a file', () => {
  async function upload(agent: Agent, content: Buffer, name: string) {
    const token = await csrfOf(agent, '/admin/liaisons/import');
    return agent.post(`/admin/liaisons/import?_csrf=${encodeURIComponent(token)}`).attach('file', content, name);
  }

  async function confirm(agent: Agent, mode: 'all' | 'good') {
    const page = await agent.get('/admin/liaisons/import');
    const preview = /name="preview" value="([^"]+)"/.exec(page.text)?.[1] ?? 'none';
    return postForm(agent, '/admin/liaisons/import/confirm', { preview, mode }, '/admin/liaisons/import');
  }

  it('previews a CSV with Persian headers, reports each bad row with its line, and stores nothing from it', async () => {
    const existing = await createLiaison();
    const csv = [
      'نام و نام خانوادگی,نام پدر,کد ملی,تلفن همراه,شهرستان,سمت,نام کاربری',
      `علی واردشده,حسن,${nationalCode(3001)},09131230001,کرمان,رابط,imported1`,
      `بد کد ملی,حسن,1234567890,09131230002,bam,رابط,imported2`,
      `تکراری در فایل,حسن,${nationalCode(3001)},09131230003,بم,رابط,imported3`,
      `شهرستان ناشناخته,حسن,${nationalCode(3004)},09131230004,آتلانتیس,رابط,imported4`,
      `در سامانه هست,حسن,${existing.nationalCode},09131230005,kerman,رابط,imported5`,
      `مريم وارد شده,حسن,${persian(nationalCode(3006))},۹۱۳۱۲۳۰۰۰۶,رفسنجان,رابط,`,
    ].join('\r\n');
    const before = await User.count();
    const res = await upload(admin, Buffer.from(`\uFEFF${csv}`), 'liaisons.csv');
    assert.equal(res.status, 303);
    const page = await admin.get('/admin/liaisons/import');
    assert.match(page.text, /۲ سطر درست · ۴ سطر نادرست/);
    assert.match(page.text, /سطر ۳<\/td><td>[^<]*کد ملی/);
    assert.match(page.text, /سطر ۴<\/td><td>کد ملی تکراری است \(همان کد در سطر ۲\)/);
    assert.match(page.text, /سطر ۵<\/td><td>شهرستان «آتلانتیس» شناخته نشد/);
    assert.match(page.text, /سطر ۶<\/td><td>حسابی با این کد ملی از پیش در سامانه هست/);
    const all = await confirm(admin, 'all');
    assert.equal(all.status, 400);
    assert.equal(await User.count(), before);

    const good = await confirm(admin, 'good');
    assert.equal(good.status, 200);
    assert.equal(await User.count(), before + 2);
    const ali = await User.findOne({ where: { username: 'imported1' } });
    assert.equal(ali?.status, 'active');
    const maryam = await User.findOne({ where: { nationalCode: nationalCode(3006) } });
    assert.equal(maryam?.username, nationalCode(3006), 'an empty username becomes the national code');
    assert.equal(maryam?.fullName, 'مریم وارد شده');
    assert.equal(maryam?.mobile, '09131230006');
    assert.equal(maryam?.countyId, (await countyBySlug('rafsanjan')).id);
    const password = /<bdi>imported1<\/bdi><\/td><td><code dir="ltr">([^<]+)</.exec(good.text)?.[1];
    assert.ok(password);
    assert.equal(await canLogIn('imported1', password), true);
    assert.match(good.text, /href="data:text\/csv;charset=utf-8,/);
    assert.equal(await AuditEvent.count({ where: { action: 'user.import' } }), 2);
    // The preview is used once.
    assert.equal((await confirm(admin, 'good')).status, 409);
    assert.equal(await User.count(), before + 2);
  });

  it('imports a clean XLSX file with English headers at once, restoring leading zeros Excel dropped', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('liaisons');
    // A valid code that starts with two zeros: typed into Excel as a number, it loses them.
    const body = '001234567';
    const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
    const valid = parseNationalCode(body + String(sum < 2 ? sum : 11 - sum));
    assert.ok(valid);
    sheet.addRow(['fullName', 'fatherName', 'nationalCode', 'mobile', 'county', 'position', 'username']);
    sheet.addRow(['رابط اکسل', 'محمود', Number(nationalCode(3102)), 9131230100, 'bam', 'رابط', 'excel1']);
    sheet.addRow(['صفر آغازین', 'محمود', Number(valid), '09131230101', 'زرند', 'رابط', 'excel2']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    assert.equal((await upload(admin, buffer, 'liaisons.xlsx')).status, 303);
    const page = await admin.get('/admin/liaisons/import');
    assert.doesNotMatch(page.text, /سطرهای نادرست/);
    const res = await confirm(admin, 'all');
    assert.equal(res.status, 200);
    const user = await User.findOne({ where: { username: 'excel1' } });
    assert.equal(user?.mobile, '09131230100');
    assert.equal(user?.countyId, (await countyBySlug('bam')).id);
    assert.equal((await User.findOne({ where: { username: 'excel2' } }))?.nationalCode, valid);
  });

  it('refuses a file without the needed columns, and an upload without the CSRF token', async () => {
    const res = await upload(admin, Buffer.from('name,phone\nفلان,0913\n'), 'x.csv');
    assert.equal(res.status, 400);
    assert.match(res.text, /کد ملی/);
    assert.match(res.text, /id="file-error"/);
    const forged = await admin.post('/admin/liaisons/import?_csrf=forged').attach('file', Buffer.from('a,b\n1,2\n'), 'x.csv');
    assert.equal(forged.status, 403);
  });
});
