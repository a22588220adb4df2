import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createCourse, createLiaison, createSession } from '../helpers/factories';
import { loginAs, postForm } from '../helpers/http';
import { County, Course } from '../../src/models';

let t: TestApp;
before(async () => {
  t = await createTestApp({ PUBLIC_PAGE_CACHE_MS: '60000', REPORT_CACHE_MS: '60000' });
});
after(async () => t.close());

describe('the anonymous page cache of the catalogue', () => {
  it('serves anonymous visitors the cached page, logged-in users the live one, and empties on a write', async () => {
    const course = await createCourse({ title: 'دورهٔ پیش از تغییر' });
    await createSession(course);
    const first = await request(t.app).get('/courses');
    assert.match(first.text, /دورهٔ پیش از تغییر/);

    await Course.update({ title: 'دورهٔ پس از تغییر', searchKey: 'x' }, { where: { id: course.id } });
    const cached = await request(t.app).get('/courses');
    assert.match(cached.text, /دورهٔ پیش از تغییر/, 'an anonymous visitor within the TTL gets the cached page');

    const liaison = await createLiaison();
    const agent = await loginAs(t.app, liaison.username);
    assert.match((await agent.get('/courses')).text, /دورهٔ پس از تغییر/, 'a logged-in user never gets a cached page');

    const admin = await loginAs(t.app, (await createAdmin()).username);
    await postForm(admin, '/logout', {}, '/admin');
    assert.match((await request(t.app).get('/courses')).text, /دورهٔ پس از تغییر/, 'a write through this instance empties the cache');
  });

  it('keys the cache by the whole address, query included', async () => {
    const course = await createCourse({ title: 'دورهٔ جست‌وجوپذیر', category: 'عکاسی' });
    await createSession(course);
    const all = await request(t.app).get('/courses?category=عکاسی');
    const none = await request(t.app).get('/courses?category=هیچ');
    assert.match(all.text, /دورهٔ جست‌وجوپذیر/);
    assert.doesNotMatch(none.text, /دورهٔ جست‌وجوپذیر/);
  });
});

describe('the report cache', () => {
  it('computes a report once per filter until a write through this instance', async () => {
    const admin = await loginAs(t.app, (await createAdmin()).username);
    const csv = async (agent: typeof admin) => (await agent.get('/admin/reports/counties?format=csv').buffer(true)).text;
    assert.match(await csv(admin), /بردسیر/);
    await County.update({ name: 'بردسیر نو' }, { where: { slug: 'bardsir' } });
    assert.doesNotMatch(await csv(admin), /بردسیر نو/, 'the same filter within the TTL reuses the computed rows');
    await postForm(admin, '/logout', {}, '/admin');
    const fresh = await loginAs(t.app, (await createAdmin()).username);
    assert.match(await csv(fresh), /بردسیر نو/, 'a write empties it');
  });
});
