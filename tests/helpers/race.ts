import assert from 'node:assert/strict';
import type { Agent } from './http';
import { Enrollment, type User } from '../../src/models';
import { toPersianDigits } from '../../src/lib/persian';

/**
 * After everyone enrolled at once in a course of `capacity` seats: every answer a redirect, exactly
 * `capacity` approved, the rest waitlisted at positions 1…n without gaps, and each liaison's next
 * page telling them what the database holds.
 */
export async function assertRaceOutcome(
  courseId: number,
  capacity: number,
  people: { user: User; agent: Agent }[],
  statuses: number[],
): Promise<void> {
  assert.deepEqual([...new Set(statuses)], [303], `statuses: ${statuses.join(',')}`);
  const rows = await Enrollment.findAll({ where: { courseId } });
  assert.equal(rows.length, people.length);
  assert.equal(rows.filter((r) => r.status === 'approved').length, capacity);
  const positions = rows
    .filter((r) => r.status === 'waitlisted')
    .map((r) => r.waitlistPosition!)
    .sort((a, b) => a - b);
  assert.deepEqual(
    positions,
    Array.from({ length: people.length - capacity }, (_, i) => i + 1),
  );
  const byUser = new Map(rows.map((r) => [r.userId, r]));
  await Promise.all(
    people.map(async (p) => {
      const row = byUser.get(p.user.id)!;
      const page = (await p.agent.get('/me')).text;
      const told =
        row.status === 'approved'
          ? /role="status">[^<]*تأیید شد/
          : new RegExp(`role="status">[^<]*نوبت ${toPersianDigits(row.waitlistPosition!)}\\.`);
      assert.match(page, told, `${p.user.username}: ${row.status} ${row.waitlistPosition}`);
    }),
  );
}
