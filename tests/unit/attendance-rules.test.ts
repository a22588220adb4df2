import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CODE_WINDOW_MS, checkInIsOpen, checkInWindow, codeIsValid, currentCode } from '../../src/features/attendance/check-in-codes';
import { indexedFields, parseId } from '../../src/lib/params';
import { BadRequestError } from '../../src/lib/errors';

const session = { date: '2026-12-02', startTime: '10:00', endTime: '12:00' };
const window = { opensMinutesBefore: 15, closesMinutesAfter: 30 };
// Tehran is UTC+03:30: 10:00 there is 06:30Z.
const at = (utc: string) => new Date(`2026-12-02T${utc}:00Z`);

describe('the self check-in window', () => {
  it('runs from 15 minutes before the start to 30 minutes after the end, both ends included', () => {
    const { from, to } = checkInWindow(session, window);
    assert.equal(from.toISOString(), '2026-12-02T06:15:00.000Z');
    assert.equal(to.toISOString(), '2026-12-02T09:00:00.000Z');
    assert.equal(checkInIsOpen(session, window, at('06:14')), false);
    assert.equal(checkInIsOpen(session, window, at('06:15')), true);
    assert.equal(checkInIsOpen(session, window, at('07:00')), true);
    assert.equal(checkInIsOpen(session, window, at('09:00')), true);
    assert.equal(checkInIsOpen(session, window, at('09:01')), false);
  });

  it('follows the configured minutes', () => {
    assert.equal(checkInIsOpen(session, { opensMinutesBefore: 0, closesMinutesAfter: 0 }, at('06:29')), false);
    assert.equal(checkInIsOpen(session, { opensMinutesBefore: 60, closesMinutesAfter: 0 }, at('05:30')), true);
  });
});

describe('check-in codes', () => {
  it('accept the current and the previous 45-second code only', () => {
    const secret = 'a'.repeat(64);
    const now = new Date('2026-12-02T07:00:10Z');
    assert.ok(codeIsValid(secret, currentCode(secret, now).code, now));
    assert.ok(codeIsValid(secret, currentCode(secret, new Date(now.getTime() - CODE_WINDOW_MS)).code, now));
    const old = currentCode(secret, new Date(now.getTime() - 2 * CODE_WINDOW_MS)).code;
    const valid = new Set([currentCode(secret, now).code, currentCode(secret, new Date(now.getTime() - CODE_WINDOW_MS)).code]);
    if (!valid.has(old)) assert.equal(codeIsValid(secret, old, now), false);
    assert.equal(codeIsValid(secret, '12345', now), false);
  });
});

describe('ids and per-row fields', () => {
  it('an id is a positive whole number of at most nine ASCII digits', () => {
    assert.equal(parseId('12'), 12);
    for (const bad of ['0', '00', '-1', '1.5', '1e3', 'abc', '1234567890', '', ' 1', '۱۲', undefined, 12])
      assert.equal(parseId(bad), null, String(bad));
  });

  it('reads mark[<id>] nested or flat, and refuses a key that is not an id', () => {
    assert.deepEqual(
      [...indexedFields({ mark: { 3: 'present' }, 'mark[7]': 'none', note: { 3: 'x' } }, 'mark')],
      [
        [3, 'present'],
        [7, 'none'],
      ],
    );
    assert.deepEqual([...indexedFields({}, 'mark')], []);
    assert.throws(() => indexedFields({ mark: { 0: 'present' } }, 'mark'), BadRequestError);
    assert.throws(() => indexedFields({ 'mark[x]': 'present' }, 'mark'), BadRequestError);
    assert.throws(() => indexedFields({ mark: 'present' }, 'mark'), BadRequestError);
  });
});
