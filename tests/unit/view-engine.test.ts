import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ejs from 'ejs';
import { Fragments, createViewEngine, escapeHtml } from '../../src/middleware/view-engine';

function viewsDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-views-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

function render(cache: boolean, file: string, data: object): Promise<Buffer> {
  const engine = createViewEngine(cache);
  return new Promise((resolve, reject) => engine(file, data, (err, page) => (err ? reject(err) : resolve(page!))));
}

const FILES = {
  'page.ejs': `<%- include('partials/head', { title }) %>
<ul>
<%_ rows.forEach((row, i) => { _%>
  <li data-i="<%= i %>"><%= row.name %> · <%= fa(row.n) %><%- include('partials/badge', { status: row.status }) %></li>
<%_ }) _%>
</ul>
<% if (note) { %><p><%= note %></p><% } %>
<%- include('partials/foot') %>`,
  'partials/head.ejs': `<!doctype html><title><%= title %></title><body data-user="<%= user %>">`,
  'partials/badge.ejs': `<span class="badge-<%= status %>"><%= labels[status] %></span>`,
  'partials/foot.ejs': `<footer><%= title %> — <%= typeof missing === 'undefined' ? 'none' : missing %></footer></body>`,
};

test('escapes exactly as EJS does', () => {
  for (const value of [
    '',
    'plain',
    'a & b',
    '<script>"x"</script>',
    "it's",
    'رابط «کرمان»',
    0,
    12.5,
    -3,
    true,
    null,
    undefined,
    { toString: () => '<o>' },
  ])
    assert.equal(escapeHtml(value), ejs.escapeXML(value as string), String(value));
});

test('renders as EJS renders: includes with their data, trimmed tags, escaping, both with and without the view cache', async () => {
  const dir = viewsDir(FILES);
  const data = {
    title: 'فهرست <آزمون>',
    user: 'a"b',
    note: 'یادداشت & نکته',
    rows: Array.from({ length: 30 }, (_, i) => ({ name: `رابط ${i} <b>`, n: i, status: i % 2 ? 'present' : 'absent' })),
    labels: { present: 'حاضر', absent: 'غایب' },
    fa: (n: number) => String(n).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]),
  };
  const expected = await ejs.renderFile(path.join(dir, 'page.ejs'), data);
  assert.match(expected, /<span class="badge-present">حاضر<\/span>/);
  for (const cache of [true, false]) {
    const page = await render(cache, path.join(dir, 'page.ejs'), data);
    assert.equal(page.toString('utf8'), expected, `view cache ${cache ? 'on' : 'off'}`);
  }
});

test('a page far past 64,000 characters comes out whole and in order', async () => {
  const dir = viewsDir(FILES);
  const rows = Array.from({ length: 3000 }, (_, i) => ({ name: `رابط شمارهٔ ${i}`, n: i, status: 'present' }));
  const data = { title: 'بزرگ', user: 'u', note: '', rows, labels: { present: 'حاضر' }, fa: String };
  const expected = await ejs.renderFile(path.join(dir, 'page.ejs'), data);
  assert.ok(expected.length > 200_000);
  const page = await render(true, path.join(dir, 'page.ejs'), data);
  assert.equal(page.toString('utf8'), expected);
});

test('a template error names the template and line when the views are not cached', async () => {
  const dir = viewsDir({ 'broken.ejs': 'one\ntwo\n<%= nothing.here %>\nfour' });
  await assert.rejects(render(false, path.join(dir, 'broken.ejs'), {}), (err: Error) => {
    assert.match(err.message, /broken\.ejs:3/);
    return true;
  });
  await assert.rejects(render(true, path.join(dir, 'broken.ejs'), {}), /nothing is not defined/);
});

test('without `with`, a template sees its locals by name as under `with`, and keeps `with` where it cannot', async () => {
  const dir = viewsDir({
    // A local named like a word that cannot be declared, a local the template shadows with a const of
    // its own, one it assigns to, and one it is not given (typeof, and a global's name).
    'names.ejs': `<% const title = 'inner ' + outer; count = count + 1; %><%= title %>|<%= count %>|<%= typeof absent %>|<%= Math.max(1, 2) %>|<%- include('child') %>`,
    'child.ejs': `<%= outer %>/<%= typeof count %>`,
    // A var of a local's name cannot sit beside the locals declared as block constants: compiled with `with`.
    'var.ejs': `<% var outer = 'replaced'; %><%= outer %>`,
  });
  const data = { outer: 'بیرون', count: 1, default: 'a reserved word', 'not-a-name': 'x' };
  for (const file of ['names.ejs', 'var.ejs']) {
    const expected = await ejs.renderFile(path.join(dir, file), data);
    for (const cache of [true, false]) {
      const page = await render(cache, path.join(dir, file), data);
      assert.equal(page.toString('utf8'), expected, `${file}, view cache ${cache ? 'on' : 'off'}`);
    }
  }
  assert.equal((await render(true, path.join(dir, 'names.ejs'), data)).toString('utf8'), 'inner بیرون|2|undefined|2|بیرون/number');
  // The same template given other names is compiled for them: a name not given is looked up outside again.
  await assert.rejects(render(true, path.join(dir, 'names.ejs'), { outer: 'o' }), /count is not defined/);
});

test('a page goes out as the same UTF-8 bytes, Persian and characters outside the BMP alike', async () => {
  const dir = viewsDir({ 'u.ejs': '<% for (let i = 0; i < 4000; i++) { %><%= text %><% } %>' });
  const text = 'رابط «کرمان» 😀 ۱۴۰۵ & ';
  const page = await render(true, path.join(dir, 'u.ejs'), { text });
  assert.deepEqual(page, Buffer.from(escapeHtml(text).repeat(4000), 'utf8'));
});

test('an include kept in Fragments is rendered once for its key, written as it was, and others are rendered for their own keys', async () => {
  const dir = viewsDir({
    'page.ejs': `<p><%= user %></p><%- include('part', null, keep && { in: keep, key }) %>`,
    'part.ejs': `<%_ renders.n++ _%><ul><%_ for (const r of rows) { _%><li><%= r %></li><%_ } _%></ul>`,
  });
  const fragments = new Fragments(2);
  const renders = { n: 0 };
  const page = async (user: string, key: string, rows: string[], keep: Fragments | null = fragments) =>
    (await render(true, path.join(dir, 'page.ejs'), { user, rows, key, keep, renders })).toString();
  assert.equal(await page('الف', 'open', ['یک', '<b>']), '<p>الف</p><ul><li>یک</li><li>&lt;b&gt;</li></ul>');
  // The same key: the kept part, whatever the rows given now; what is the request's own still renders.
  assert.equal(await page('ب', 'open', ['سه']), '<p>ب</p><ul><li>یک</li><li>&lt;b&gt;</li></ul>');
  assert.equal(renders.n, 1);
  assert.equal(await page('ب', 'closed', ['سه']), '<p>ب</p><ul><li>سه</li></ul>');
  assert.equal(renders.n, 2);
  // Past `max` kept, they are dropped and rendered again.
  await page('ب', 'third', ['چهار']);
  assert.equal(await page('ب', 'open', ['پنج']), '<p>ب</p><ul><li>پنج</li></ul>');
  assert.equal(renders.n, 4);
  // Nothing to keep it in: rendered every time.
  assert.equal(await page('ب', 'open', ['شش'], null), '<p>ب</p><ul><li>شش</li></ul>');
  assert.equal(renders.n, 5);
});
