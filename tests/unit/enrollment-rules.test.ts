import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { freeSeats, HOLDING, HOLDING_SQL } from '../../src/features/enrollments/seats';
import {
  enrollmentState,
  hasStartedBy,
  refusalOf,
  takesEnrollment,
  windowHasPassed,
  type EnrollmentStateInput,
} from '../../src/features/enrollments/state';
import { MESSAGES } from '../../src/features/enrollments/rules';

// 2026-12-02 10:00 in Tehran (+03:30, no summer time since 2022).
const now = new Date('2026-12-02T06:30:00Z');
const course = (overrides: Partial<EnrollmentStateInput> = {}): EnrollmentStateInput => ({
  status: 'open',
  enrollOpens: '2026-11-28',
  enrollCloses: '2026-12-05',
  firstSession: { date: '2026-12-06', startTime: '09:00' },
  freeSeats: 3,
  ...overrides,
});

describe('seats', () => {
  it('approved and pending enrollments hold a seat; waitlisted, rejected and cancelled do not', () => {
    assert.deepEqual([...HOLDING].sort(), ['approved', 'pending']);
    assert.equal(HOLDING_SQL, "('approved', 'pending')");
  });

  it('free seats are capacity less held, never below zero, whatever the numbers arrive as', () => {
    assert.equal(freeSeats(20, 7), 13);
    assert.equal(freeSeats('5', '5'), 0);
    assert.equal(freeSeats(3, 4), 0);
    assert.equal(freeSeats(3, null), 3);
  });
});

describe('whether a course has started', () => {
  it("starts at its first session's start (Tehran), or when marked running", () => {
    assert.equal(hasStartedBy({ status: 'open' }, { date: '2026-12-02', startTime: '10:00' }, now), true);
    assert.equal(hasStartedBy({ status: 'open' }, { date: '2026-12-02', startTime: '10:01' }, now), false);
    assert.equal(hasStartedBy({ status: 'open' }, null, now), false);
    assert.equal(hasStartedBy({ status: 'running' }, { date: '2027-01-01', startTime: '10:00' }, now), true);
    assert.equal(hasStartedBy({ status: 'finished' }, null, now), true);
  });
});

describe('the enrollment state of a course', () => {
  it('is open inside its window with seats, full without, and both take an enrollment', () => {
    assert.equal(enrollmentState(course(), now), 'open');
    assert.equal(enrollmentState(course({ freeSeats: 0 }), now), 'full');
    assert.equal(enrollmentState(course({ freeSeats: undefined }), now), 'open');
    assert.ok(takesEnrollment('open') && takesEnrollment('full'));
    assert.equal(refusalOf('full'), null);
  });

  it('is not yet open before its first day and closed after its last (Tehran days, both inclusive)', () => {
    assert.equal(enrollmentState(course({ enrollOpens: '2026-12-03' }), now), 'not-yet-open');
    assert.equal(enrollmentState(course({ enrollOpens: '2026-12-02' }), now), 'open');
    assert.equal(enrollmentState(course({ enrollCloses: '2026-12-02' }), now), 'open');
    assert.equal(enrollmentState(course({ enrollCloses: '2026-12-01' }), now), 'closed');
    assert.equal(refusalOf('closed'), MESSAGES.closed);
    assert.equal(refusalOf('not-yet-open'), MESSAGES.notOpen);
    // 23:59 in Tehran on the 1st is still the 1st; 00:00 on the 2nd is past a window closing on the 1st
    assert.equal(windowHasPassed({ enrollCloses: '2026-12-01' }, new Date('2026-12-01T20:29:00Z')), false);
    assert.equal(windowHasPassed({ enrollCloses: '2026-12-01' }, new Date('2026-12-01T20:30:00Z')), true);
  });

  it('is started once the first session began, even inside the window; draft, finished and cancelled say so', () => {
    assert.equal(enrollmentState(course({ firstSession: { date: '2026-12-02', startTime: '09:00' } }), now), 'started');
    assert.equal(refusalOf('started'), MESSAGES.started);
    assert.equal(enrollmentState(course({ status: 'draft' }), now), 'draft');
    assert.equal(enrollmentState(course({ status: 'running' }), now), 'started');
    assert.equal(enrollmentState(course({ status: 'finished' }), now), 'finished');
    assert.equal(enrollmentState(course({ status: 'cancelled' }), now), 'cancelled');
    for (const state of ['draft', 'not-yet-open', 'closed', 'started', 'finished', 'cancelled'] as const) {
      assert.equal(takesEnrollment(state), false, state);
      assert.ok(refusalOf(state), state);
    }
  });
});
