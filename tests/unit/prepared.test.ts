import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantOf, isUniqueViolation, sqliteDate } from '../../src/db/prepared';

test('a stored timestamp is read as the instant it names, on both databases', () => {
  const now = new Date('2026-12-02T05:50:07.123Z');
  assert.equal(instantOf(sqliteDate(now)).getTime(), now.getTime());
  assert.equal(instantOf(now), now);
  assert.equal(instantOf('2026-12-02 05:50:00.123 +03:30').toISOString(), '2026-12-02T02:20:00.123Z');
  assert.equal(instantOf('2026-12-02 05:50:00').toISOString(), '2026-12-02T05:50:00.000Z');
  assert.equal(instantOf('2026-12-02T05:50:00.5Z').toISOString(), '2026-12-02T05:50:00.500Z');
  assert.equal(instantOf('2026-12-02').toISOString(), '2026-12-02T00:00:00.000Z');
});

test('a unique-key loss is recognised however the driver reports it', () => {
  assert.ok(isUniqueViolation({ name: 'SequelizeUniqueConstraintError' }));
  assert.ok(isUniqueViolation({ code: '23505', message: 'duplicate key value violates unique constraint' }));
  assert.ok(isUniqueViolation(new Error('SQLITE_CONSTRAINT: UNIQUE constraint failed: enrollments.course_id, enrollments.user_id')));
  assert.ok(!isUniqueViolation(new Error('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed')));
  assert.ok(!isUniqueViolation({ code: '23503' }));
  assert.ok(!isUniqueViolation(null));
});
