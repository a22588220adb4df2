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

  it('exports every county, whatever page is asked for', async () => {
    const total = await County.count({ where: { active: true } });
    const csv = await admin.get('/admin/reports/counties?year=all&page=2&format=csv');
    assert.equal(csv.status, 200);
    assert.equal(csv.text.trim().split('\n').length, total + 1);
  });
});
