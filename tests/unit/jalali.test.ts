import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  addDaysIso,
  formatDate,
  formatLongDate,
  jalaliMonthRange,
  parseJalaliDate,
  parseTime,
  todayIso,
  weekdayFromSaturday,
} from '../../src/lib/jalali';

describe('Jalali dates', () => {
  it('refuses days that do not exist', () => {
    for (const bad of ['1404/12/30', '1404/07/31', '1404/13/01', '1404/00/10', '1404/01/00', '14040101', 'فردا', '']) {
      assert.equal(parseJalaliDate(bad), null, bad);
    }
  });

  it('accepts the leap day of a leap year and every kind of digit', () => {
    assert.equal(parseJalaliDate('1403/12/30'), '2025-03-20');
    assert.equal(parseJalaliDate('۱۴۰۵/۰۹/۰۶'), '2026-11-27');
    assert.equal(parseJalaliDate('١٤٠٥/٠٩/٠٦'), '2026-11-27');
    assert.equal(parseJalaliDate(' 1405-9-6 '), '2026-11-27');
  });

  it('formats with Persian digits, weekday and month name', () => {
    assert.equal(formatDate('2026-11-27'), '۱۴۰۵/۰۹/۰۶');
    assert.equal(formatLongDate('2026-11-28'), 'شنبه ۷ آذر ۱۴۰۵');
    assert.equal(weekdayFromSaturday('2026-11-28'), 0);
  });

  it('knows month lengths, including Esfand of a non-leap year', () => {
    assert.deepEqual(jalaliMonthRange(1404, 12), { from: '2026-02-20', to: '2026-03-20' });
    assert.deepEqual(jalaliMonthRange(1405, 1), { from: '2026-03-21', to: '2026-04-20' });
  });

  it('takes today in Tehran, not in UTC', () => {
    assert.equal(todayIso(new Date('2026-11-27T21:00:00Z')), '2026-11-28'); // 00:30 in Tehran
    assert.equal(todayIso(new Date('2026-11-27T20:00:00Z')), '2026-11-27');
    assert.equal(addDaysIso('2026-03-20', 1), '2026-03-21');
  });

  it('parses times in any digits', () => {
    assert.equal(parseTime('۹:۵'), '09:05');
    assert.equal(parseTime('16:00'), '16:00');
    assert.equal(parseTime('24:00'), null);
    // As the series form's example reads («ساعت ۱۶ تا ۱۸»): an hour alone.
    assert.equal(parseTime('9'), '09:00');
    assert.equal(parseTime('۱۶'), '16:00');
    assert.equal(parseTime('٠٩'), '09:00');
    assert.equal(parseTime('9.30'), '09:30');
    assert.equal(parseTime('24'), null);
    assert.equal(parseTime('930'), null);
    assert.equal(parseTime('ساعت چهار'), null);
  });
});
