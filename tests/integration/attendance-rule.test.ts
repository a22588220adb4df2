import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { QueryTypes } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { createCourse, createLiaisons, createSession, enroll } from '../helpers/factories';
import { AttendanceMark, type Course, type CourseSession, Enrollment } from '../../src/models';
import type { AttendanceStatus } from '../../src/models/attendance-mark';
import { addDaysIso, todayIso } from '../../src/lib/jalali';
import { attendanceSummaries } from '../../src/features/attendance/summary';
import { dialectOf, enrollmentAttendanceSql, select, tehranNowMinute } from '../../src/features/reports/sql';

/*
 * The attendance rule has one home in TypeScript (attendance/summary.ts) and is repeated in SQL for
 * the reports (reports/sql.ts) and in the triggers that keep attendance_totals. This runs all three
 * on random courses — sessions held and ahead, liaisons enrolled before and after some sessions,
 * any mix of marks and no marks, excused counted or not — and asks that they agree.
 */

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => t?.close());

/** A small seeded generator (mulberry32), so that a failure can be replayed with its seed. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)],
  };
}

const STATUSES: readonly (AttendanceStatus | null)[] = ['present', 'late', 'excused', 'absent', null];
const minutesOf = (hm: string) => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

describe('the attendance rule in TypeScript, in the report SQL and in the triggers', () => {
  for (const seed of [1405, 2026, 7, 99]) {
    it(`agree on random courses (seed ${seed})`, async () => {
      const r = random(seed);
      const today = todayIso();
      const courses: Course[] = [];
      const sessionsOf = new Map<number, CourseSession[]>();
      const liaisons = await createLiaisons(8, `rule${seed}-`);
      for (let c = 0; c < 3; c++) {
        const course = await createCourse({ status: 'running', countExcused: r.next() < 0.5, minAttendance: r.pick([50, 75, 80, 100]) });
        const sessions: CourseSession[] = [];
        for (let s = 0; s < r.int(1, 6); s++) {
          const start = r.int(8, 16);
          // Most held (in the past), some ahead; times with minutes so that the minutes arithmetic is exercised.
          const date = addDaysIso(today, r.next() < 0.75 ? -r.int(1, 40) : r.int(1, 20));
          sessions.push(
            await createSession(course, {
              date,
              startTime: `${String(start).padStart(2, '0')}:${r.pick(['00', '15', '30'])}`,
              endTime: `${String(start + r.int(1, 3)).padStart(2, '0')}:${r.pick(['00', '45'])}`,
            }),
          );
        }
        courses.push(course);
        sessionsOf.set(course.id, sessions);
        for (const liaison of liaisons) {
          if (r.next() < 0.25) continue;
          const createdAt = new Date(Date.now() - r.int(0, 45) * 86_400_000);
          const enrollment = await enroll(course, liaison, { createdAt });
          for (const session of sessions) {
            const status = r.pick(STATUSES);
            if (status)
              await AttendanceMark.create({
                sessionId: session.id,
                enrollmentId: enrollment.id,
                status,
                note: null,
                recordedBy: null,
                recordedAt: new Date(),
              });
          }
        }
      }

      const sql = t.services.sequelize;
      const rows = await select<{ enrollment_id: number; counted: number; attended: number }>(
        sql,
        enrollmentAttendanceSql(dialectOf(sql), ':courses'),
        {
          courses: courses.map((c) => c.id),
          today,
          nowMinute: tehranNowMinute(),
        },
      );
      const fromSql = new Map(
        rows.map((row) => [Number(row.enrollment_id), { counted: Number(row.counted), attended: Number(row.attended) }]),
      );
      let compared = 0;
      for (const course of courses) {
        const approved = await Enrollment.findAll({ where: { courseId: course.id, status: 'approved' } });
        const summaries = await attendanceSummaries(course, approved);
        for (const e of approved) {
          const s = summaries.get(e.id)!;
          assert.deepEqual(
            fromSql.get(e.id),
            { counted: s.counted, attended: s.present + s.late + (course.countExcused ? s.excused : 0) },
            `seed ${seed}, enrollment ${e.id}`,
          );
          compared++;
        }
      }
      assert.ok(compared >= 6, `compared ${compared} enrollments`);

      // The triggers' totals: marks by status and the minutes of the sessions present or late at.
      const totals = await sql.query<{
        enrollment_id: number;
        present: number;
        late: number;
        excused: number;
        absent: number;
        present_minutes: number;
      }>('SELECT enrollment_id, present, late, excused, absent, present_minutes FROM attendance_totals WHERE course_id IN (:courses)', {
        type: QueryTypes.SELECT,
        replacements: { courses: courses.map((c) => c.id) },
      });
      const sessionById = new Map([...sessionsOf.values()].flat().map((s) => [s.id, s]));
      for (const total of totals) {
        const marks = await AttendanceMark.findAll({ where: { enrollmentId: total.enrollment_id } });
        const count = (status: AttendanceStatus) => marks.filter((m) => m.status === status).length;
        const minutes = marks
          .filter((m) => m.status === 'present' || m.status === 'late')
          .reduce(
            (sum, m) => sum + minutesOf(sessionById.get(m.sessionId)!.endTime) - minutesOf(sessionById.get(m.sessionId)!.startTime),
            0,
          );
        assert.deepEqual(
          [Number(total.present), Number(total.late), Number(total.excused), Number(total.absent), Number(total.present_minutes)],
          [count('present'), count('late'), count('excused'), count('absent'), minutes],
          `seed ${seed}, totals of enrollment ${total.enrollment_id}`,
        );
      }
    });
  }
});
