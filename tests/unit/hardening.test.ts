import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { neutraliseFormula, toCsv } from '../../src/lib/export';
import { loginDelayMs } from '../../src/services/rate-limiter';
import { MAX_PAGE, pageParam } from '../../src/lib/params';
import { normalizeMultilineText, normalizeText } from '../../src/lib/persian';
import { escapeText } from '../../src/features/reports/ics';
import { configWarnings, loadConfig } from '../../src/config';
import { PdfRenderer, RenderAbortedError } from '../../src/services/pdf/renderer';

describe('the export rule against formulas (OWASP)', () => {
  it('neutralises every text that a spreadsheet would run', () => {
    for (const risky of ['=1+2', '+98 رابط', '-2+3', '@SUM(1)', '\tx', '\rx', '=HYPERLINK("x")']) {
      assert.equal(neutraliseFormula(risky), `'${risky}`);
    }
    for (const safe of ['علی', '-12', '-3.5', '1405/09/06', '', "'=already"]) assert.equal(neutraliseFormula(safe), safe);
  });

  it('writes a BOM, CRLF lines and numbers as they are', () => {
    const csv = toCsv({
      fileName: 'x',
      sheetName: 'x',
      columns: [
        { header: 'n', value: (r: { n: number; s: string }) => r.n },
        { header: 's', value: (r) => r.s },
      ],
      rows: [{ n: -4, s: '=A1' }],
    });
    assert.equal(csv.toString('utf8'), "\uFEFFn,s\r\n-4,'=A1\r\n");
  });
});

describe('hostile input rules', () => {
  it('slows an account down progressively, never past three seconds', () => {
    assert.equal(loginDelayMs(0), 0);
    assert.equal(loginDelayMs(5), 0);
    assert.ok(loginDelayMs(6) > 0 && loginDelayMs(7) > loginDelayMs(6));
    assert.equal(loginDelayMs(10_000), 3000);
  });

  it('clamps a page number', () => {
    assert.equal(pageParam('99999999999999999999'), MAX_PAGE);
    assert.equal(pageParam('۳'), 3);
    for (const bad of [undefined, '', 'abc', '-1', '0', '1.5', ['2']]) assert.equal(pageParam(bad), 1);
  });

  it('turns line breaks of a single-line field into spaces, and keeps them in a multi-line one', () => {
    assert.equal(normalizeText('علی\rX-INJECTED:1'), 'علی X-INJECTED:1');
    assert.equal(normalizeText('a\r\nb\nc\u2028d'), 'a b c d');
    assert.equal(normalizeMultilineText('a\r\nb\rc \n d'), 'a\nb\nc\nd');
  });

  it('escapes a bare CR in iCalendar text', () => {
    assert.equal(escapeText('a\rb\r\nc\nd'), 'a\\nb\\nc\\nd');
  });
});

describe('configuration', () => {
  it('runs in production without SESSION_SECRET (a stored one is used) but refuses a short one', () => {
    assert.equal(loadConfig({ NODE_ENV: 'production' }).sessionSecret, '');
    assert.throws(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'short' }));
    assert.equal(loadConfig({}).host, '');
    assert.equal(loadConfig({ HOST: '127.0.0.1' }).host, '127.0.0.1');
    assert.equal(loadConfig({}).sessionMaxHours, 12);
  });

  it('warns when BASE_URL is https but no proxy is trusted', () => {
    assert.match(configWarnings(loadConfig({ BASE_URL: 'https://rabet.example' })).join(' '), /TRUST_PROXY/);
    assert.deepEqual(configWarnings(loadConfig({ BASE_URL: 'https://rabet.example', TRUST_PROXY: '1' })), []);
  });
});

describe('the PDF renderer', () => {
  it('does not render for a client that has gone', async () => {
    const renderer = new PdfRenderer();
    const gone = new AbortController();
    gone.abort();
    await assert.rejects(renderer.render({ source: '', data: {} }, { owner: 'user:1', signal: gone.signal }), RenderAbortedError);
    assert.equal(renderer.childrenStarted, 0);
    await renderer.close();
  });
});
