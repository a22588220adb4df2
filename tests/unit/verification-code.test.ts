import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { codeCandidates, groupedCode, newVerificationCode } from '../../src/features/certificates/verification-code';

describe('verification code', () => {
  it('is 16 Crockford base-32 characters (80 bits), printed in groups of four', () => {
    const codes = new Set(Array.from({ length: 2000 }, () => newVerificationCode()));
    assert.equal(codes.size, 2000);
    for (const code of codes) assert.match(code, /^[0-9A-HJKMNP-TV-Z]{16}$/);
    // Every character of the alphabet turns up: the 80 bits are spread over all 16 places.
    assert.equal(new Set([...codes].join('')).size, 32);
    assert.equal(groupedCode('7K2M9XQ4HB3T0RZC'), '7K2M-9XQ4-HB3T-0RZC');
    assert.equal(groupedCode('AbCdEfGhIjKlMnOpQrStU_'), 'AbCdEfGhIjKlMnOpQrStU_');
  });

  it('reads a typed code in any case, spacing and digits, or out of a URL', () => {
    for (const typed of [
      '7k2m-9xq4-hb3t-0rzc',
      ' 7K2M 9XQ4 HB3T 0RZC ',
      '7K2M9XQ4HB3TORZC',
      '۷K2M-9XQ4-HB3T-0RZC',
      'https://rabet.example/verify/7k2m-9xq4-hb3t-0rzc?x=1',
      'https://rabet.example/verify?code=7K2M-9XQ4-HB3T-0RZC',
    ]) {
      assert.ok(codeCandidates(typed).includes('7K2M9XQ4HB3T0RZC'), typed);
    }
    assert.deepEqual(codeCandidates('AbCdEfGhIjKlMnOpQrStU_'), ['AbCdEfGhIjKlMnOpQrStU_']);
    assert.deepEqual(codeCandidates('<script>'), []);
    assert.deepEqual(codeCandidates(''), []);
  });
});
