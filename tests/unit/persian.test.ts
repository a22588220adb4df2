import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatNumber,
  formatPercent,
  maskNationalCode,
  normalizeText,
  searchKey,
  toAsciiDigits,
  toPersianDigits,
} from '../../src/lib/persian';

describe('Persian text', () => {
  it('converts digits both ways', () => {
    assert.equal(toAsciiDigits('۱۲۳٤٥٦'), '123456');
    assert.equal(toPersianDigits('KRM-1405-000123'), 'KRM-۱۴۰۵-۰۰۰۱۲۳');
  });

  it('gives the same Persian digits however often a value is asked for, past what it keeps', () => {
    const digits = (n: number) => String(n).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);
    for (let round = 0; round < 2; round++) {
      for (let n = 0; n < 25_000; n += 7) assert.equal(toPersianDigits(n), digits(n));
      assert.equal(toPersianDigits('1405/09/11'), '۱۴۰۵/۰۹/۱۱');
      assert.equal(toPersianDigits(12.5), '۱۲.۵');
      const long = `${'x'.repeat(30)} 123`;
      assert.equal(toPersianDigits(long), `${'x'.repeat(30)} ۱۲۳`);
      assert.equal(toPersianDigits(null), '');
    }
  });

  it('normalises Arabic letters, strips bidi controls and control characters, keeps ZWNJ', () => {
    assert.equal(normalizeText('\u202eعلي كرماني\u202c'), 'علی کرمانی');
    assert.equal(normalizeText('سلیمانی\u200cنژاد'), 'سلیمانی\u200cنژاد');
    assert.equal(normalizeText('a\u0000b\u2066c'), 'abc');
    assert.equal(normalizeText('  دو   فاصله  '), 'دو فاصله');
  });

  it('gives one search key however a name was typed', () => {
    assert.equal(searchKey('سليماني‌نژاد'), searchKey('سلیمانی نژاد'));
    assert.equal(searchKey('۰۹۱۳'), searchKey('0913'));
  });

  it('writes numbers and percents one way: Persian digits, «٫» for decimals, «٪»', () => {
    assert.equal(formatNumber(87.5), '۸۷٫۵');
    assert.equal(formatNumber(16), '۱۶');
    assert.equal(formatNumber((2 / 3) * 100), '۶۶٫۶۷');
    assert.equal(formatNumber('12.50'), '۱۲٫۵');
    assert.equal(formatNumber(null), '');
    assert.equal(formatPercent(87.5), '۸۷٫۵٪');
    assert.equal(formatPercent(0), '۰٪');
    assert.equal(formatPercent(null), '—');
  });

  it('masks national codes for public pages', () => {
    assert.equal(maskNationalCode('2981234560'), '۲۹۸۱****۶۰');
  });
});
