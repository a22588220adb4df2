import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasKnownPlacePrefix, nationalCodeProblem, parseNationalCode } from '../../src/lib/national-code';

function withCheckDigit(nine: string): string {
  const sum = [...nine].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
  return nine + String(sum < 2 ? sum : 11 - sum);
}

describe('national code', () => {
  it('lets the checksum decide, whatever the place prefix', () => {
    for (const code of ['7822182625', '8675244967']) {
      assert.equal(parseNationalCode(code), code);
      assert.equal(hasKnownPlacePrefix(code), false, 'a prefix outside the list is only a note');
    }
    assert.equal(parseNationalCode('۰۴۹۹۳۷۰۸۹۹'), '0499370899');
    assert.equal(hasKnownPlacePrefix('0499370899'), true);
    assert.equal(parseNationalCode('2981234578'), null);
  });

  it('accepts every checksum-valid code of a sample, refuses every other check digit', () => {
    for (let n = 0; n < 2000; n++) {
      const nine = String((n * 7919 + 12345) % 1e9).padStart(9, '0');
      const valid = withCheckDigit(nine);
      if (/^(\d)\1{9}$/.test(valid)) continue;
      assert.equal(parseNationalCode(valid), valid, valid);
      const wrong = nine + String((Number(valid[9]) + 1) % 10);
      assert.equal(parseNationalCode(wrong), null, wrong);
    }
  });

  it('refuses codes of one repeated digit, checksum or not', () => {
    for (let d = 0; d <= 9; d++) {
      assert.match(nationalCodeProblem(String(d).repeat(10)) ?? '', /تکراری/);
    }
  });

  it('puts back the leading zeros of an 8- or 9-digit code', () => {
    const ten = withCheckDigit('004575948');
    assert.equal(parseNationalCode(ten.slice(1)), ten);
    assert.equal(parseNationalCode(ten.slice(2)), ten);
    assert.equal(parseNationalCode('۱۲۳'), null);
    assert.equal(nationalCodeProblem(''), 'کد ملی را وارد کنید.');
  });
});
