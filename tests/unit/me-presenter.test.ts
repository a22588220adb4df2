import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { presentMyPage } from '../../src/features/me/presenter';
import type { MyEnrollmentRow } from '../../src/features/enrollments/queries';

const NOW = new Date('2026-12-02T04:30:00Z'); // 08:00 in Tehran, 1405/09/11
const TODAY = '2026-12-02';

function row(id: number, overrides: Partial<MyEnrollmentRow> = {}): MyEnrollmentRow {
  return {
    id,
    status: 'approved',
    waitlist_position: null,
    reason: null,
    created_at: '2026-11-01T00:00:00Z',
    course_id: 100 + id,
    code: `T-${id}`,
    title: `دورهٔ ${id}`,
    course_status: 'open',
    delivery: 'in-person',
    place: 'سالن',
    first_start: null,
    last_date: null,
    next_id: null,
    next_date: null,
    next_start: null,
    next_end: null,
    next_topic: null,
    ...overrides,
  };
}
const session = (id: number, date: string, start = '10:00') => ({
  next_id: id,
  next_date: date,
  next_start: start,
  next_end: '12:00',
  next_topic: `جلسهٔ ${id}`,
  first_start: `${date} ${start}`,
  last_date: date,
});

function page(enrollments: MyEnrollmentRow[]) {
  const empty = { notifications: [], unreadIds: '', unreadTotal: 0 };
  const record = { rows: [], totals: { courses: 0, certified: 0, certifiedHours: 0, attendedHours: 0 } };
  return presentMyPage({ enrollments, attendance: new Map(), notifications: empty, certificates: {}, record, teaching: [] }, NOW);
}

describe('/me presenter', () => {
  it('the next session is the soonest of the approved courses, never a waitlisted or pending one', () => {
    const p = page([
      row(1, { ...session(11, '2026-12-09') }),
      row(2, { status: 'waitlisted', waitlist_position: 3, ...session(12, TODAY, '09:00') }),
      row(3, { ...session(13, '2026-12-05') }),
      row(4, { status: 'pending', ...session(14, '2026-12-03') }),
    ]);
    assert.equal(p.next?.courseId, 103);
    assert.equal(p.next?.today, false);
    assert.equal(p.checkInToday, false);
    assert.deepEqual(
      p.waiting.map((w) => w.statusText),
      ['در فهرست انتظار (نوبت ۳)', 'در انتظار تأیید'],
    );
  });

  it('orders the cards by what comes soonest, a course without sessions last, and flags a session today', () => {
    const p = page([row(1), row(2, { ...session(21, '2026-12-20') }), row(3, { ...session(22, TODAY, '18:00') })]);
    assert.deepEqual(
      p.courses.map((c) => c.id),
      [3, 2, 1],
    );
    assert.equal(p.next?.today, true);
    assert.equal(p.checkInToday, true);
  });

  it('nothing ahead: no next session', () => {
    assert.equal(page([row(1, { status: 'cancelled' })]).next, null);
  });
});
