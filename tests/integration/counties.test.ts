import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createLiaison, nationalCode } from '../helpers/factories';
import { csrfOf, loginAs, postForm, type Agent } from '../helpers/http';
import { AuditEvent, County, User } from '../../src/models';

let t: TestApp;
let admin: Agent;
before(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' });
  admin = await loginAs(t.app, (await createAdmin({ username: 'countyadmin' })).username);
});
after(async () => t.close());

const signUpPage = async () => (await request(t.app).get('/register')).text;

describe('counties', () => {
  it('lists the 25 counties of Kerman with their account counts', async () => {
    await createLiaison({ countySlug: 'sirjan' });
    const res = await admin.get('/admin/counties');
    assert.equal(res.status, 200);
    assert.equal((res.text.match(/action="\/admin\/counties\/\d+\/deactivate"/g) ?? []).length, 25);
    assert.match(res.text, /سیرجان/);
    assert.match(res.text, /href="\/admin\/liaisons\?county=sirjan">۱</);
  });

  it('adds a county, which sign-up then offers; a duplicate or malformed slug is refused', async () => {
    const res = await postForm(admin, '/admin/counties', { name: 'شهرستان آزمايشی', slug: 'Test-County' }, '/admin/counties');
    assert.equal(res.status, 303);
    const county = await County.findOne({ where: { slug: 'test-county' } });
    assert.equal(county?.name, 'شهرستان آزمایشی');
    assert.ok(await AuditEvent.findOne({ where: { action: 'county.create', entityId: county!.id } }));
    assert.match(await signUpPage(), /<option value="test-county">شهرستان آزمایشی<\/option>/);

    const before = await County.count();
    const dup = await postForm(admin, '/admin/counties', { name: 'دوباره', slug: 'test-county' }, '/admin/counties');
    assert.equal(dup.status, 409);
    assert.match(dup.text, /id="slug-error"/);
    assert.match(dup.text, /value="دوباره"/);
    const bad = await postForm(admin, '/admin/counties', { name: 'بد', slug: 'شهر بد' }, '/admin/counties');
    assert.equal(bad.status, 400);
    const empty = await postForm(admin, '/admin/counties', { name: '', slug: 'empty-name' }, '/admin/counties');
    assert.equal(empty.status, 400);
    assert.match(empty.text, /id="name-error"/);
    assert.equal(await County.count(), before);
  });

  it('renames a county', async () => {
    const county = await County.findOne({ where: { slug: 'test-county' } });
    const res = await postForm(admin, `/admin/counties/${county!.id}`, { name: 'نام تازه' }, '/admin/counties');
    assert.equal(res.status, 303);
    assert.equal((await county!.reload()).name, 'نام تازه');
    const empty = await postForm(admin, `/admin/counties/${county!.id}`, { name: ' ' }, '/admin/counties');
    assert.equal(empty.status, 400);
    assert.equal((await county!.reload()).name, 'نام تازه');
  });

  it('deactivates a county: its accounts stay, sign-up no longer offers or accepts it; activates it again', async () => {
    const county = await County.findOne({ where: { slug: 'baft' } });
    const liaison = await createLiaison({ countySlug: 'baft' });
    assert.equal((await postForm(admin, `/admin/counties/${county!.id}/deactivate`, {}, '/admin/counties')).status, 303);
    assert.equal((await county!.reload()).active, false);
    assert.equal((await User.findByPk(liaison.id))!.countyId, county!.id);
    assert.doesNotMatch(await signUpPage(), /value="baft"/);
    const agent = request.agent(t.app);
    const res = await postForm(
      agent,
      '/register',
      {
        fullName: 'رابط بافت',
        fatherName: 'علی',
        nationalCode: nationalCode(8001),
        mobile: '09130008001',
        county: 'baft',
        position: 'رابط',
        username: 'baftliaison',
        password: 'Liaison-Pass-1405',
      },
      '/register',
    );
    assert.equal(res.status, 400);
    assert.match(res.text, /id="county-error"/);
    const filtered = await admin.get('/admin/liaisons?county=baft');
    assert.match(filtered.text, new RegExp(`/admin/liaisons/${liaison.id}"`), 'the list still filters by a deactivated county');

    assert.equal((await postForm(admin, `/admin/counties/${county!.id}/activate`, {}, '/admin/counties')).status, 303);
    assert.match(await signUpPage(), /value="baft"/);
    assert.equal(await AuditEvent.count({ where: { entityType: 'county', entityId: county!.id } }), 2);
  });

  it('answers an unknown county with 404 and keeps liaisons out (403)', async () => {
    assert.equal((await postForm(admin, '/admin/counties/999999/deactivate', {}, '/admin/counties')).status, 404);
    const liaison = await loginAs(t.app, (await createLiaison()).username);
    assert.equal((await liaison.get('/admin/counties')).status, 403);
    const token = await csrfOf(liaison, '/me/profile');
    const county = await County.findOne({ where: { slug: 'bam' } });
    const res = await liaison.post(`/admin/counties/${county!.id}/deactivate`).type('form').send({ _csrf: token });
    assert.equal(res.status, 403);
    assert.equal((await county!.reload()).active, true);
  });
});

describe('every county list', () => {
  it('is in the one Persian order: sign-up, the quota form, the liaison filter and the report filters alike', async () => {
    const slugsIn = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]);
    const optionSlugs = (html: string, selectId: string) => {
      const select = html.slice(html.indexOf(`id="${selectId}"`));
      return slugsIn(select.slice(0, select.indexOf('</select>')), /<option value="([a-z-]+)"/g);
    };
    const lists = {
      'sign-up': optionSlugs(await signUpPage(), 'county'),
      'quota form': slugsIn((await admin.get('/admin/courses/new')).text, /id="quota-([a-z-]+)"/g),
      'liaison filter': optionSlugs((await admin.get('/admin/liaisons')).text, 'county'),
      'report filter': optionSlugs((await admin.get('/admin/reports/counties')).text, 'f-county'),
    };
    const active = (await County.findAll({ where: { active: true } })).map((c) => c.slug);
    for (const [name, slugs] of Object.entries(lists)) {
      assert.deepEqual([...slugs].sort(), [...active].sort(), `${name} lists every active county`);
    }
    const [first, ...others] = Object.values(lists);
    for (const slugs of others) assert.deepEqual(slugs, first);
    // کرمان (ک) before نرماشیر (ن) in the Persian alphabet; by code point ن (U+0646) comes before ک (U+06A9).
    assert.ok(first.indexOf('kerman') < first.indexOf('narmashir'));
  });
});
