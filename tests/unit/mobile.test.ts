import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMobile } from '../../src/lib/mobile';

describe('mobile numbers', () => {
  it('stores every way people type a mobile as 09xxxxxxxxx', () => {
    for (const typed of [
      '09131234567',
      '+989131234567',
      '00989131234567',
      '989131234567',
      '9131234567',
      '۰۹۱۳۱۲۳۴۵۶۷',
      '+۹۸۹۱۳۱۲۳۴۵۶۷',
      '۰۰۹۸۹۱۳۱۲۳۴۵۶۷',
      '٠٩١٣١٢٣٤٥٦٧',
      ' 0913 123 4567 ',
      '0913-123-4567',
      '(+98) 913 123 4567',
    ]) {
      assert.equal(parseMobile(typed), '09131234567', typed);
    }
  });

  it('refuses what is not an Iranian mobile', () => {
    for (const typed of [
      '',
      '0913123456',
      '091312345678',
      '08131234567',
      '+18131234567',
      '+98813123456',
      '0913abc4567',
      '00989131234567890',
    ]) {
      assert.equal(parseMobile(typed), null, typed);
    }
  });
});
