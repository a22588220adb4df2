import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin } from '../helpers/factories';
import { loginAs, type Agent } from '../helpers/http';
import { County } from '../../src/models';
import { toPersianDigits } from '../../src/lib/persian';

/**
 * The county report of a country (hundreds of counties) comes a page of 30 at a time, so that its
 * page costs what a province's does; the counties that sent nobody and the exports cover them all.
 */
describe('the county report in pages', () => {
  let t: TestApp;
  let admin: Agent;
  before(async () => {
    t = await createTestApp();
    await County.bulkCreate(Array.from({ length: 40 }, (_, i) => ({ slug: `extra-${i}`, name: `شهرستان افزوده ${i}` })));
    await createAdmin({ username: 'pages-admin' });
    admin = await loginAs(t.app, 'pages-admin');
  });
  after(() => t.close());

  const shownRows = (html: string) => (html.match(/<th scope="row">/g) ?? []).length;

  it('shows 30 counties a page, with links between the pages that keep the filters', async () => {
    const total = await County.count({ where: { active: true } });
    assert.ok(total > 60, `${total} counties`);
    const pages = Math.ceil(total / 30);
    const first = await admin.get('/admin/reports/counties?year=all');
    assert.equal(first.status, 200);
    assert.equal(shownRows(first.text), 30);
    assert.match(first.text, /href="\/admin\/reports\/counties\?year=all&amp;page=2"/);
    assert.ok(first.text.includes(`صفحهٔ ${toPersianDigits(1)} از ${toPersianDigits(pages)}`));
    // Every county, on whichever page, is named once among those that sent nobody (none did).
    assert.ok(first.text.includes(`(${toPersianDigits(total)}):`));
    const last = await admin.get(`/admin/reports/counties?year=all&page=${pages}`);
    assert.equal(shownRows(last.text), total - (pages - 1) * 30);
    // A page past the end shows the last; the pages together show every county once.
    const past = await admin.get(`/admin/reports/counties?year=all&page=${pages + 5}`);
    assert.equal(shownRows(past.text), total - (pages - 1) * 30);
    const names = new Set<string>();
    for (let page = 1; page <= pages; page++) {
      const html = (await admin.get(`/admin/reports/counties?year=all&page=${page}`)).text;
      for (const m of html.matchAll(/<th scope="row">([^<]+)<\/th>/g)) names.add(m[1]);
    }
    assert.equal(names.size, total);
  });

  it('asks for the county by name when there are too many to list, and finds it as typed', async () => {
    const field = (html: string) => /<input id="f-county"[^>]*>/.exec(html)?.[0] ?? '';
    const all = await admin.get('/admin/reports/counties?year=all');
    assert.equal(all.status, 200);
    assert.doesNotMatch(all.text, /<select id="f-county"/);
    assert.match(field(all.text), /name="county"/);
    // Typed with an Arabic kaf and spaces, as some keyboards give it, or as its slug in capitals: the
    // report is Kerman's alone, as with its slug.
    const bySlug = await admin.get('/admin/reports/courses?year=all&county=kerman');
    const table = (html: string) => /<table[\s\S]*<\/table>/.exec(html)?.[0];
    for (const typed of [' \u0643رمان ', 'KERMAN']) {
      const byName = await admin.get(`/admin/reports/courses?year=all&county=${encodeURIComponent(typed)}`);
      assert.equal(byName.status, 200, typed);
      assert.match(field(byName.text), /value="کرمان"/, typed);
      assert.ok(byName.text.includes('href="/admin/reports/courses?year=all&amp;county=kerman&amp;format=csv"'), typed);
      assert.equal(table(byName.text), table(bySlug.text));
    }
    // Part of one county's name finds it; part of several, or of none, is said beside the field.
    const part = await admin.get(`/admin/reports/counties?year=all&county=${encodeURIComponent('افزوده ۱۷')}`);
    assert.match(field(part.text), /value="شهرستان افزوده 17"/);
    for (const [typed, said] of [
      ['افزوده', 'در نام چند شهرستان هست'],
      ['ناکجاآباد', 'شهرستانی با نام «ناکجاآباد» پیدا نشد'],
    ]) {
      const page = await admin.get(`/admin/reports/counties?year=all&county=${encodeURIComponent(typed)}`);
      assert.equal(page.status, 200);
      assert.match(field(page.text), /is-invalid/);
      assert.ok(page.text.includes(said), typed);
      assert.equal(shownRows(page.text), 30, 'every county is reported');
      const csv = await admin.get(`/admin/reports/counties?year=all&county=${encodeURIComponent(typed)}&format=csv`);
      assert.equal(csv.status, 400);
    }
  });

  it('exports every county, whatever page is asked for', async () => {
    const total = await County.count({ where: { active: true } });
    const csv = await admin.get('/admin/reports/counties?year=all&page=2&format=csv');
    assert.equal(csv.status, 200);
    assert.equal(csv.text.trim().split('\n').length, total + 1);
  });
});

/** With the reports kept (as in production), each report's filter form is kept for its query, and shows that query. */
describe('the reports’ filter forms, kept', () => {
  let t: TestApp;
  let admin: Agent;
  before(async () => {
    t = await createTestApp({ REPORT_CACHE_MS: '600000' });
    await createAdmin({ username: 'forms-admin' });
    admin = await loginAs(t.app, 'forms-admin');
  });
  after(() => t.close());

  const selectedCounty = (html: string) => {
    const select = /<select id="f-county"[\s\S]*?<\/select>/.exec(html)?.[0] ?? '';
    return /<option value="([a-z0-9-]+)" selected>/.exec(select)?.[1] ?? null;
  };
  const formAction = (html: string) => /<form method="get" action="([^"]+)"/.exec(html)?.[1];

  it("the county report's pages are kept each for itself, beside the report's rows", async () => {
    await County.bulkCreate(Array.from({ length: 10 }, (_, i) => ({ slug: `kept-${i}`, name: `شهرستان نگه‌داشته ${i}` })));
    const total = await County.count({ where: { active: true } });
    assert.ok(total > 30 && total <= 40, `${total} counties: two pages, still listed in the filter`);
    const namesOn = (html: string) => [...html.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    const seen = new Set<string>();
    // Each page twice, in turn: the second of each is served from what was kept.
    for (let i = 0; i < 2; i++) {
      for (const page of [1, 2]) {
        const html = (await admin.get(`/admin/reports/counties?year=all&page=${page}`)).text;
        const names = namesOn(html);
        assert.equal(names.length, page === 1 ? 30 : total - 30, `page ${page}`);
        assert.ok(html.includes(`صفحهٔ ${toPersianDigits(page)} از ${toPersianDigits(2)}`), `page ${page} says which it is`);
        for (const name of names) seen.add(name);
      }
    }
    assert.equal(seen.size, total);
  });

  it('each report and query has its own: the county chosen, the action and the export links', async () => {
    const [a, b] = (await County.findAll({ where: { active: true }, order: [['id', 'ASC']], limit: 2 })).map((c) => c.slug);
    for (let i = 0; i < 2; i++) {
      for (const slug of [a, b]) {
        const page = await admin.get(`/admin/reports/counties?year=all&county=${slug}`);
        assert.equal(page.status, 200);
        assert.equal(selectedCounty(page.text), slug);
        assert.equal(formAction(page.text), '/admin/reports/counties');
        assert.ok(page.text.includes(`href="/admin/reports/counties?year=all&amp;county=${slug}&amp;format=csv"`));
      }
      const courses = await admin.get(`/admin/reports/courses?year=all&county=${a}`);
      assert.equal(formAction(courses.text), '/admin/reports/courses');
      assert.equal(selectedCounty(courses.text), a);
      assert.equal(selectedCounty((await admin.get('/admin/reports/counties?year=all')).text), null);
    }
  });
});
