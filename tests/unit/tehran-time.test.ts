import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatDateTime, nowTime, tehranInstant, todayIso } from '../../src/lib/jalali';

/**
 * Iran's summer time as the tz database (2024b and later) records it, from `zdump -v Asia/Tehran`:
 * +04:30 from these UTC instants (start inclusive, end exclusive); +03:30 at every other time
 * from 2015 to 2030, summer time having been abolished from 2023.
 */
const SUMMERS: [string, string][] = [
  ['2015-03-21T20:30Z', '2015-09-21T19:30Z'],
  ['2016-03-20T20:30Z', '2016-09-20T19:30Z'],
  ['2017-03-21T20:30Z', '2017-09-21T19:30Z'],
  ['2018-03-21T20:30Z', '2018-09-21T19:30Z'],
  ['2019-03-21T20:30Z', '2019-09-21T19:30Z'],
  ['2020-03-20T20:30Z', '2020-09-20T19:30Z'],
  ['2021-03-21T20:30Z', '2021-09-21T19:30Z'],
  ['2022-03-21T20:30Z', '2022-09-21T19:30Z'],
];
const summers = SUMMERS.map(([from, to]) => [Date.parse(from), Date.parse(to)]);

function expectedOffsetMinutes(utcMs: number): number {
  return summers.some(([from, to]) => utcMs >= from && utcMs < to) ? 270 : 210;
}

/** Wall-clock time of a UTC instant under the expected offset, as [iso, HH:mm]. */
function expectedWall(utcMs: number): [string, string] {
  const wall = new Date(utcMs + expectedOffsetMinutes(utcMs) * 60_000).toISOString();
  return [wall.slice(0, 10), wall.slice(11, 16)];
}

describe('Tehran time through the IANA zone', () => {
  it('turns UTC instants every 2½ hours of 2015–2030, and every half hour of each change day, into the wall clock the tz database gives, and back', () => {
    const start = Date.parse('2015-01-01T00:00Z');
    const end = Date.parse('2031-01-01T00:00Z');
    const changeDays = summers.flat().map((t) => t - (t % 86_400_000));
    const instants: number[] = [];
    for (let t = start; t < end; t += 150 * 60_000) instants.push(t);
    for (const day of changeDays) for (let t = day; t < day + 86_400_000; t += 30 * 60_000) instants.push(t);
    let checked = 0;
    for (const t of instants) {
      const [iso, time] = expectedWall(t);
      const instant = new Date(t);
      assert.equal(todayIso(instant), iso, new Date(t).toISOString());
      assert.equal(nowTime(instant), time, new Date(t).toISOString());
      // The autumn change repeats 23:00–23:59: the wall time gives back its first occurrence.
      const back = tehranInstant(iso, time).getTime();
      const repeated = back !== t && expectedOffsetMinutes(back) === 270 && expectedOffsetMinutes(t) === 210;
      if (!repeated) assert.equal(back, t, `${iso} ${time}`);
      checked += 1;
    }
    assert.ok(checked > 56_000);
  });

  it('reads summer dates before 2023 at +04:30 and every date since at +03:30', () => {
    assert.equal(tehranInstant('2019-07-01', '09:00').toISOString(), '2019-07-01T04:30:00.000Z');
    assert.equal(tehranInstant('2022-09-21', '12:00').toISOString(), '2022-09-21T07:30:00.000Z');
    assert.equal(tehranInstant('2019-01-10', '09:00').toISOString(), '2019-01-10T05:30:00.000Z');
    assert.equal(tehranInstant('2023-07-01', '09:00').toISOString(), '2023-07-01T05:30:00.000Z');
    assert.equal(tehranInstant('2030-07-01', '09:00').toISOString(), '2030-07-01T05:30:00.000Z');
    assert.equal(formatDateTime('2019-07-01T04:30:00Z'), '۱۳۹۸/۰۴/۱۰ ساعت ۰۹:۰۰');
  });

  it('reads a skipped spring hour with the winter offset and a repeated autumn hour as its first occurrence', () => {
    assert.equal(tehranInstant('2015-03-22', '00:30').toISOString(), '2015-03-21T21:00:00.000Z');
    assert.equal(tehranInstant('2015-09-21', '23:30').toISOString(), '2015-09-21T19:00:00.000Z');
  });
});
