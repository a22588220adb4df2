import { QueryTypes, type Sequelize } from 'sequelize';
import type { Course } from '../../models';
import type { EnrollmentStatus } from '../../models/enrollment';
import { nowTime, todayIso } from '../../lib/jalali';
import { CURRENT_COURSE_SQL } from '../attendance/queries';

/** What the enrollment pages read: plain rows, no model instances. */

export interface MyEnrollmentRow {
  id: number;
  status: EnrollmentStatus;
  waitlist_position: number | null;
  reason: string | null;
  created_at: Date | string;
  course_id: number;
  code: string;
  title: string;
  course_status: Course['status'];
  delivery: Course['delivery'];
  place: string | null;
  first_start: string | null;
  last_date: string | null;
  next_id: number | null;
  next_date: string | null;
  next_start: string | null;
  next_end: string | null;
  next_topic: string | null;
}

/**
 * The liaison's enrollments in courses under way (finished ones are the training record's), newest
 * first, each with its course's first session, last day and next session not yet over, in one query.
 */
export function myCurrentEnrollments(sql: Sequelize, userId: number, now: Date = new Date()): Promise<MyEnrollmentRow[]> {
  return sql.query<MyEnrollmentRow>(
    `SELECT e.id, e.status, e.waitlist_position, e.reason, e.created_at,
            c.id AS course_id, c.code, c.title, c.status AS course_status, c.delivery, c.place,
            (SELECT MIN(CAST(s.date AS VARCHAR(10)) || ' ' || s.start_time) FROM course_sessions s WHERE s.course_id = c.id) AS first_start,
            (SELECT CAST(MAX(s.date) AS VARCHAR(10)) FROM course_sessions s WHERE s.course_id = c.id) AS last_date,
            ns.id AS next_id, CAST(ns.date AS VARCHAR(10)) AS next_date, ns.start_time AS next_start, ns.end_time AS next_end, ns.topic AS next_topic
       FROM enrollments e
       JOIN courses c ON c.id = e.course_id
       LEFT JOIN course_sessions ns ON ns.id = (
         SELECT s.id FROM course_sessions s
          WHERE s.course_id = c.id AND (s.date > :today OR (s.date = :today AND s.end_time > :time))
          ORDER BY s.date, s.start_time, s.id LIMIT 1)
      WHERE e.user_id = :userId AND ${CURRENT_COURSE_SQL}
      ORDER BY e.created_at DESC, e.id DESC`,
    { type: QueryTypes.SELECT, replacements: { userId, today: todayIso(now), time: nowTime(now) } },
  );
}
