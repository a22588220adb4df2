import crypto from 'node:crypto';
import type { Sequelize } from 'sequelize';
import {
  addDaysIso,
  jalaliMonthRange,
  jalaliParts,
  monthName,
  todayIso,
  weekdayFromSaturday,
  WEEKDAYS_FROM_SATURDAY,
} from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian';
import { NotFoundError } from '../../lib/errors';
import { User } from '../../models';
import { buildCalendar, type CalendarEvent } from './ics';
import { isoDate } from './service';
import { num, select } from './sql';

export interface CalendarSession {
  id: number;
  courseId: number;
  title: string;
  code: string;
  date: string;
  start: string;
  end: string;
  topic: string | null;
  place: string | null;
  link: string | null;
  courseStatus: string;
}

export interface MonthView {
  year: number;
  month: number;
  label: string;
  weekdays: string[];
  weeks: {
    iso: string;
    day: number;
    inMonth: boolean;
    today: boolean;
    friday: boolean;
    holiday: string | null;
    sessions: CalendarSession[];
  }[][];
  prev: { year: number; month: number };
  next: { year: number; month: number };
  count: number;
}

/** The Jalali month asked for (defaults to this one); out-of-range values fall back to this month. */
export function pickMonth(query: { year?: unknown; month?: unknown }, now: Date = new Date()): { year: number; month: number } {
  const current = jalaliParts(todayIso(now));
  const year = Number(query.year);
  const month = Number(query.month);
  if (Number.isInteger(year) && year >= 1300 && year <= 1500 && Number.isInteger(month) && month >= 1 && month <= 12)
    return { year, month };
  return { year: current.year, month: current.month };
}

const SESSION_COLUMNS = `s.id, s.course_id, c.title, c.code, s.date, s.start_time, s.end_time, s.topic, c.place, c.link, c.status AS course_status`;

function presentSession(r: Record<string, unknown>): CalendarSession {
  return {
    id: num(r.id),
    courseId: num(r.course_id),
    title: String(r.title),
    code: String(r.code),
    date: isoDate(r.date)!,
    start: String(r.start_time),
    end: String(r.end_time),
    topic: (r.topic as string | null) ?? null,
    place: (r.place as string | null) ?? null,
    link: (r.link as string | null) ?? null,
    courseStatus: String(r.course_status),
  };
}

/** Every session of every course (cancelled courses left out) between two ISO dates. */
export async function allSessions(sequelize: Sequelize, from: string, to: string): Promise<CalendarSession[]> {
  const rows = await select<Record<string, unknown>>(
    sequelize,
    `SELECT ${SESSION_COLUMNS} FROM course_sessions s JOIN courses c ON c.id = s.course_id
    WHERE s.date BETWEEN :from AND :to AND c.status <> 'cancelled'
    ORDER BY s.date, s.start_time, s.id`,
    { from, to },
  );
  return rows.map(presentSession);
}

/**
 * A liaison's sessions: those of the courses they are approved in (not cancelled). A finished
 * course has nothing ahead: a session of it dated after today (left from before finishing required
 * every session held) is not listed.
 */
export async function sessionsOf(sequelize: Sequelize, userId: number, from: string | null, to: string | null): Promise<CalendarSession[]> {
  const rows = await select<Record<string, unknown>>(
    sequelize,
    `SELECT ${SESSION_COLUMNS} FROM enrollments e
    JOIN courses c ON c.id = e.course_id
    JOIN course_sessions s ON s.course_id = e.course_id
    WHERE e.user_id = :userId AND e.status = 'approved' AND c.status <> 'cancelled'
      AND NOT (c.status = 'finished' AND s.date > :today)
      ${from ? 'AND s.date >= :from' : ''} ${to ? 'AND s.date <= :to' : ''}
    ORDER BY s.date, s.start_time, s.id`,
    { userId, from, to, today: todayIso() },
  );
  return rows.map(presentSession);
}

/** The days a month grid shows, first Saturday to last Friday: the range to read sessions and holidays for. */
export function monthGridRange(year: number, month: number): { from: string; to: string } {
  const { from, to } = jalaliMonthRange(year, month);
  return { from: addDaysIso(from, -weekdayFromSaturday(from)), to: addDaysIso(to, 6 - weekdayFromSaturday(to)) };
}

/**
 * A month grid, weeks from Saturday to Friday, with each day's sessions; Fridays and the official
 * holidays given (ISO date → what the day is for) are marked as days off.
 */
export function monthView(
  year: number,
  month: number,
  sessions: CalendarSession[],
  holidays: Map<string, string> = new Map(),
  now: Date = new Date(),
): MonthView {
  const { from, to } = jalaliMonthRange(year, month);
  const today = todayIso(now);
  const byDay = new Map<string, CalendarSession[]>();
  for (const s of sessions) byDay.set(s.date, [...(byDay.get(s.date) ?? []), s]);
  const weeks: MonthView['weeks'] = [];
  let day = addDaysIso(from, -weekdayFromSaturday(from));
  while (day <= to) {
    const week = [];
    for (let i = 0; i < 7; i++) {
      week.push({
        iso: day,
        day: jalaliParts(day).day,
        inMonth: day >= from && day <= to,
        today: day === today,
        friday: i === 6,
        holiday: holidays.get(day) ?? null,
        sessions: byDay.get(day) ?? [],
      });
      day = addDaysIso(day, 1);
    }
    weeks.push(week);
  }
  return {
    year,
    month,
    label: `${monthName(month)} ${toPersianDigits(year)}`,
    weekdays: WEEKDAYS_FROM_SATURDAY,
    weeks,
    prev: month === 1 ? { year: year - 1, month: 12 } : { year, month: month - 1 },
    next: month === 12 ? { year: year + 1, month: 1 } : { year, month: month + 1 },
    count: sessions.filter((s) => s.date >= from && s.date <= to).length,
  };
}

/** A new secret for the liaison's calendar feed (160 random bits); the old address stops working. */
export async function regenerateCalendarToken(userId: number): Promise<string> {
  const token = crypto.randomBytes(20).toString('base64url');
  await User.update({ calendarToken: token }, { where: { id: userId } });
  return token;
}

export async function calendarTokenOf(userId: number): Promise<string | null> {
  const user = await User.findByPk(userId, { attributes: ['id', 'calendarToken'] });
  return user?.calendarToken ?? null;
}

/** The iCalendar feed behind a secret token: every session of the courses its owner is approved in. */
export async function calendarFeed(sequelize: Sequelize, token: string, baseUrl: string, now: Date = new Date()): Promise<string> {
  if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) throw new NotFoundError();
  const user = await User.findOne({ where: { calendarToken: token, status: 'active' }, attributes: ['id', 'fullName'] });
  if (!user) throw new NotFoundError();
  // A year back and everything ahead keeps the feed small while phones still show recent history.
  const sessions = await sessionsOf(sequelize, user.id, addDaysIso(todayIso(now), -365), null);
  const host = new URL(baseUrl).host;
  const events: CalendarEvent[] = sessions.map((s) => ({
    uid: `session-${s.id}@${host}`,
    date: s.date,
    start: s.start,
    end: s.end,
    summary: s.title,
    location: s.place ?? s.link,
    description: [s.topic, `کد دوره: ${s.code}`].filter(Boolean).join('\n'),
    url: `${baseUrl.replace(/\/$/, '')}/courses/${s.courseId}`,
  }));
  return buildCalendar(`دوره‌های آموزشی رابط · ${user.fullName}`, events, now);
}
