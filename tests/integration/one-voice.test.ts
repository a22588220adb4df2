import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { closeServices, createServices, type Services } from '../../src/services';
import { createApp } from '../../src/app';
import { comparePersian } from '../../src/lib/persian';
import { csrfOf, type Agent } from '../helpers/http';

/**
 * Every page of the demo data speaks one way (issue 12): numbers in Persian digits with «٫» and «٪», Latin codes
 * (course codes, serials, verification codes) only through views/partials/code.ejs, and every county list in the
 * one Persian order. The demo seed (`npm run seed -- --scale demo`) fills a scratch SQLite database; the test walks
 * every page an admin and a liaison can reach from the home page, by the links the pages give.
 */

const root = path.resolve(__dirname, '../..');
let dir: string;
let services: Services;
let app: ReturnType<typeof createApp>;
let password: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-voice-'));
  const databaseUrl = `sqlite:${path.join(dir, 'demo.db')}`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--scale', 'demo'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, ADMIN_USERNAME: 'voice-admin', ADMIN_PASSWORD: 'Voice-Admin-1405' },
    encoding: 'utf8',
  });
  password = /demo-liaison\s+password (\S+)/.exec(out)![1];
  services = createServices(
    loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      BASE_URL: 'http://rabet.test',
      SESSION_SECRET: 'test-secret-that-is-long-enough-0123456789',
      PUBLIC_PAGE_CACHE_MS: '0',
      REPORT_CACHE_MS: '0',
    }),
  );
  app = createApp(services);
});

after(async () => {
  await closeServices(services);
  fs.rmSync(dir, { recursive: true, force: true });
});

async function login(username: string): Promise<Agent> {
  const agent = request.agent(app);
  const csrf = await csrfOf(agent);
  const res = await agent.post('/login').type('form').send({ _csrf: csrf, username, password });
  assert.equal(res.status, 303, `${username} logs in`);
  return agent;
}

const SKIP = /\/logout|\.pdf|\.zip|\.ics|\.json|format=|\/vendor\/|\/css\/|\/js\/|\/fonts\//;

/** Every HTML page reachable from the start pages, at most `perShape` of each path shape (ids folded). */
async function walk(agent: Agent, start: string[], perShape = 4): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  const shapes = new Map<string, number>();
  const queue = [...start];
  while (queue.length) {
    const url = queue.shift()!;
    if (pages.has(url)) continue;
    const res = await agent.get(url);
    assert.ok(res.status < 500, `${url} answers ${res.status}`);
    if (!String(res.headers['content-type'] ?? '').includes('text/html')) continue;
    pages.set(url, res.text);
    for (const [, href] of res.text.matchAll(/href="(\/[^"#]*)"/g)) {
      const link = href.replace(/&amp;/g, '&');
      if (link.startsWith('//') || SKIP.test(link) || pages.has(link)) continue;
      const shape = link.split('?')[0].replace(/\d+/g, 'N');
      const seen = shapes.get(shape) ?? 0;
      if (seen >= perShape) continue;
      shapes.set(shape, seen + 1);
      queue.push(link);
    }
  }
  return pages;
}

/** What a reader sees: the page's text without scripts, styles, tags, and without the codes the partial isolates. */
function readerText(html: string): { text: string; codes: string[] } {
  const body = html.replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>|<textarea[\s\S]*?<\/textarea>/g, ' ');
  const codes = [...body.matchAll(/<bdi dir="ltr" class="code">([^<]*)<\/bdi>/g)].map((m) => m[1]);
  const text = body
    .replace(/<bdi dir="ltr" class="code">[^<]*<\/bdi>/g, ' ')
    .replace(/<code[\s\S]*?<\/code>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ');
  return { text, codes };
}

function problemsOf(url: string, html: string): string[] {
  const problems: string[] = [];
  const { text, codes } = readerText(html);
  const context = (i: number) => text.slice(Math.max(0, i - 20), i + 20).replace(/\s+/g, ' ');
  for (const m of text.matchAll(/[۰-۹][.,][۰-۹]|[0-9۰-۹]\s*%/g))
    problems.push(`${url}: a number not in the one format: «${context(m.index!)}»`);
  for (const m of text.matchAll(/(?<![\u2066\w])[A-Z]{2,}-[0-9۰-۹]{2,}/g))
    problems.push(`${url}: a code outside the code partial: «${context(m.index!)}»`);
  // (A code in stored plain text — a notification — is isolated by isolatedCode: LRI … PDI.)
  // Latin digits a reader sees, other than in addresses (http…/…?code=…) and in the codes the partial prints.
  for (const m of text.matchAll(/(?<![\w/:.?=&-])[0-9]+(?![\w/:.-])/g))
    problems.push(`${url}: Latin digits in Persian text: «${context(m.index!)}»`);
  for (const code of codes) if (/[۰-۹]/.test(code)) problems.push(`${url}: a code printed with Persian digits: ${code}`);
  for (const [, options] of html.matchAll(/<select[^>]*name="county[^"]*"[^>]*>([\s\S]*?)<\/select>/g)) {
    const names = [...options.matchAll(/<option[^>]*value="[^"]+"[^>]*>([^<]*)<\/option>/g)].map((m) => m[1].trim());
    const sorted = [...names].sort(comparePersian);
    if (names.join('|') !== sorted.join('|')) problems.push(`${url}: counties out of the Persian order: ${names.join('، ')}`);
  }
  return problems;
}

describe('every page of the demo data, one voice', () => {
  for (const [who, start] of [
    ['demo-admin', ['/', '/admin', '/admin/courses', '/admin/reports', '/admin/liaisons', '/admin/outbox', '/courses', '/calendar']],
    ['demo-liaison', ['/', '/me', '/courses', '/calendar', '/me/profile', '/me/notifications']],
  ] as const) {
    it(`numbers, codes and county lists one way on every page ${who} reaches`, async () => {
      const agent = await login(who);
      const pages = await walk(agent, [...start]);
      assert.ok(pages.size >= (who === 'demo-admin' ? 40 : 6), `${who} walked ${pages.size} pages`);
      const problems = [...pages].flatMap(([url, html]) => problemsOf(url, html));
      assert.deepEqual(problems, []);
    });
  }
});
