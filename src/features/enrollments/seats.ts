import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Course } from '../../models';
import { statements } from '../../db/prepared';
import type { EnrollmentStatus } from '../../models/enrollment';

/**
 * What a seat is, in one place: every page (the catalogue, the course page, the admin's course and
 * enrollment lists, the dashboard), the enroll rule and the capacity form read it from here.
 *
 * - A seat is held by an approved enrollment and by one awaiting an admin's review (pending, in a
 *   course with manual approval): a pending request is not turned away later for want of room.
 * - Free seats = capacity − held, never below zero. A newcomer gets a seat (approved, or pending for
 *   review) while one is free, in the course and within their county's quota; otherwise the waitlist.
 * - An approval needs room among approved enrollments only (`canApprove`).
 * - Capacity and quotas cannot be lowered below what is held (courses/service.ts `updateCourse`).
 *
 * What the database enforces itself (triggers of migrations/20261127030000-enrollment-guards.ts),
 * side by side with the rule above:
 * | rule                               | app (this module)                   | triggers `enrollments_guard`            |
 * |------------------------------------|-------------------------------------|-----------------------------------------|
 * | course capacity                    | approved + pending <= capacity      | approved <= capacity (enrollment_over_capacity) |
 * | county quota                       | approved + pending of county <= quota | approved of county <= quota (enrollment_over_quota) |
 * | approving one more                 | approved < capacity, < quota        | the same: the trigger refuses it         |
 * The triggers hold the narrower invariant of DESIGN.md (approved never exceeds capacity or quota,
 * whatever writes the rows); the app keeps pending requests inside the seats too, which only makes it
 * stricter. tests/unit/enrollment-rules.test.ts checks the free-seat rule; the enrollment-race tests check the
 * triggers against concurrent approvals.
 */

/** Enrollments that hold a seat: approved ones, and in a course with manual approval those awaiting review. */
export const HOLDING: EnrollmentStatus[] = ['approved', 'pending'];
/** HOLDING as an SQL list, for queries that count seats in the database. */
export const HOLDING_SQL = `(${HOLDING.map((s) => `'${s}'`).join(', ')})`;

interface SeatRow {
  kind: 'held' | 'quota' | 'waitlist';
  county_id: number | string | null;
  status: string | null;
  n: number | string;
}

/** A course's (`:courseId`) held seats by county and status, its quotas and its waitlist's last place, as rows. */
const SEAT_ROWS = `SELECT 'held' AS kind, county_id, status, COUNT(*) AS n FROM enrollments
    WHERE course_id = :courseId AND status IN ${HOLDING_SQL} GROUP BY county_id, status
   UNION ALL
   SELECT 'quota' AS kind, county_id, NULL AS status, quota AS n FROM course_quotas WHERE course_id = :courseId
   UNION ALL
   SELECT 'waitlist' AS kind, NULL AS county_id, NULL AS status, COALESCE(MAX(waitlist_position), 0) AS n FROM enrollments
    WHERE course_id = :courseId AND status = 'waitlisted'`;

/**
 * SEAT_ROWS as one JSON value (SQLite), for a statement that reads the seats beside other columns
 * (lockCourseForEnrolling): Seats.fromJson reads it.
 */
export const SEATS_JSON = `(SELECT json_group_array(json_array(kind, county_id, status, n)) FROM (${SEAT_ROWS}))`;

/** Free seats of a course: capacity less the seats held, never below zero. */
export function freeSeats(capacity: number | string, held: number | string | null | undefined): number {
  return Math.max(0, Number(capacity) - Number(held ?? 0));
}

/** How many seats of a course are held, overall and per county, against its capacity and quotas. */
export class Seats {
  private constructor(
    private readonly capacity: number,
    private readonly quotas: Map<number, number>,
    private readonly held: { total: number; byCounty: Map<number, number> },
    private readonly approved: { total: number; byCounty: Map<number, number> },
    /** The last place on the course's waitlist, 0 when nobody waits. */
    private readonly lastWaitlisted: number,
  ) {}

  /** Where a newcomer joins the waitlist: after the last one waiting (places run 1, 2, 3… in the order enrollments were committed). */
  nextWaitlistPlace(): number {
    return this.lastWaitlisted + 1;
  }

  static async of(sequelize: Sequelize, course: Pick<Course, 'id' | 'capacity'>, transaction: Transaction): Promise<Seats> {
    // One prepared statement (src/db/prepared.ts), held seats, quotas and the waitlist's last place
    // together: every enrollment reads these under the course's lock, in the transaction the other writes wait for.
    return Seats.fromRows(await statements(sequelize).all<SeatRow>(SEAT_ROWS, { courseId: course.id }, transaction), course.capacity);
  }

  /** The seats read as SEATS_JSON, in the statement that read the course (lockCourseForEnrolling). */
  static fromJson(json: string, capacity: number): Seats {
    const rows = (JSON.parse(json) as [SeatRow['kind'], SeatRow['county_id'], SeatRow['status'], SeatRow['n']][]).map(
      ([kind, county_id, status, n]) => ({ kind, county_id, status, n }),
    );
    return Seats.fromRows(rows, capacity);
  }

  private static fromRows(rows: SeatRow[], capacity: number): Seats {
    const quotas = rows.filter((r) => r.kind === 'quota').map((q) => ({ countyId: Number(q.county_id), quota: Number(q.n) }));
    const held = { total: 0, byCounty: new Map<number, number>() };
    const approved = { total: 0, byCounty: new Map<number, number>() };
    const add = (into: typeof held, county: number | null, n: number) => {
      into.total += n;
      if (county !== null) into.byCounty.set(county, (into.byCounty.get(county) ?? 0) + n);
    };
    for (const row of rows) {
      if (row.kind !== 'held') continue;
      const county = row.county_id === null ? null : Number(row.county_id);
      add(held, county, Number(row.n));
      if (row.status === 'approved') add(approved, county, Number(row.n));
    }
    const lastWaitlisted = Number(rows.find((r) => r.kind === 'waitlist')?.n ?? 0);
    return new Seats(capacity, new Map(quotas.map((q) => [q.countyId, q.quota])), held, approved, lastWaitlisted);
  }

  private fits(counts: { total: number; byCounty: Map<number, number> }, countyId: number | null): boolean {
    if (counts.total >= this.capacity) return false;
    const quota = countyId === null ? undefined : this.quotas.get(countyId);
    return quota === undefined || (counts.byCounty.get(countyId!) ?? 0) < quota;
  }

  /** A new enrollment from this county would find a seat (nothing held beyond capacity or quota). */
  hasRoomFor(countyId: number | null): boolean {
    return this.fits(this.held, countyId);
  }

  /** One more approval from this county stays within capacity and quota (what the database guards). */
  canApprove(countyId: number | null): boolean {
    return this.fits(this.approved, countyId);
  }

  anyRoom(): boolean {
    return this.held.total < this.capacity;
  }

  take(countyId: number | null, status: EnrollmentStatus): void {
    const bump = (counts: typeof this.held) => {
      counts.total += 1;
      if (countyId !== null) counts.byCounty.set(countyId, (counts.byCounty.get(countyId) ?? 0) + 1);
    };
    if (HOLDING.includes(status)) bump(this.held);
    if (status === 'approved') bump(this.approved);
  }
}

/** Seats held per county (HOLDING statuses), for the capacity and quota form of a course. */
export async function heldByCounty(sequelize: Sequelize, courseId: number, transaction: Transaction): Promise<Map<number | null, number>> {
  const rows = await sequelize.query<{ county_id: number | null; n: number | string }>(
    `SELECT county_id, COUNT(*) AS n FROM enrollments WHERE course_id = :courseId AND status IN ${HOLDING_SQL} GROUP BY county_id`,
    { replacements: { courseId }, type: QueryTypes.SELECT, transaction },
  );
  return new Map(rows.map((r) => [r.county_id === null ? null : Number(r.county_id), Number(r.n)]));
}
