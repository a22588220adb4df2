import { format as formatJalali, isValid, newDate } from 'date-fns-jalali';
import { toAsciiDigits, toPersianDigits } from './persian';

/**
 * Calendar dates are stored as ISO strings (`2026-11-27`) and shown in the Jalali calendar.
 * Instants are stored in UTC and shown in Asia/Tehran.
 */
export const TIME_ZONE = 'Asia/Tehran';

const MONTHS = ['فروردین', 'اردیبهشت', 'خرداد', 'تیر', 'مرداد', 'شهریور', 'مهر', 'آبان', 'آذر', 'دی', 'بهمن', 'اسفند'];
/** Indexed by JavaScript's getDay(): Sunday first. */
const WEEKDAYS = ['یکشنبه', 'دوشنبه', 'سه‌شنبه', 'چهارشنبه', 'پنجشنبه', 'جمعه', 'شنبه'];
/** The week starts on Saturday. */
export const WEEKDAYS_FROM_SATURDAY = ['شنبه', 'یکشنبه', 'دوشنبه', 'سه‌شنبه', 'چهارشنبه', 'پنجشنبه', 'جمعه'];

export interface JalaliParts {
  year: number;
  month: number;
  day: number;
}

function isoFromLocalDate(date: Date): string {
  const y = date.getFullYear();
  const m = String(date.getMonth() + 1).padStart(2, '0');
  const d = String(date.getDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}

function localDateFromIso(iso: string): Date {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return new Date(y, m - 1, d, 12);
}

/**
 * Parses a Jalali date `yyyy/mm/dd` (also `-` or `.` between parts, any digits) into an ISO date.
 * Returns null for anything that is not a real day: 1404/12/30 (1404 is not leap), 1404/07/31, 1404/13/01.
 */
export function parseJalaliDate(input: string): string | null {
  const match = /^\s*(\d{4})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*$/.exec(toAsciiDigits(input ?? ''));
  if (!match) return null;
  const [year, month, day] = match.slice(1).map(Number);
  if (year < 1300 || year > 1500 || month < 1 || month > 12 || day < 1 || day > 31) return null;
  const date = newDate(year, month - 1, day);
  if (!isValid(date)) return null;
  // newDate rolls 1404/12/30 over into 1405/01/01: a real day keeps its parts.
  const back = formatJalali(date, 'yyyy/M/d').split('/').map(Number);
  if (back[0] !== year || back[1] !== month || back[2] !== day) return null;
  return isoFromLocalDate(date);
}

/** Jalali parts of an ISO date. */
export function jalaliParts(iso: string): JalaliParts {
  const [year, month, day] = formatJalali(localDateFromIso(iso), 'yyyy/M/d').split('/').map(Number);
  return { year, month, day };
}

/** ISO date of Jalali parts (month 1–12); throws on an impossible date. */
export function isoFromJalali(year: number, month: number, day: number): string {
  const iso = parseJalaliDate(`${year}/${month}/${day}`);
  if (!iso) throw new RangeError(`not a Jalali date: ${year}/${month}/${day}`);
  return iso;
}

/**
 * Pages show the same few hundred dates over and over: remember each conversion (a bounded map,
 * emptied when full) instead of running the calendar arithmetic for every cell.
 */
function memo(fn: (iso: string) => string): (iso: string) => string {
  const cache = new Map<string, string>();
  return (iso) => {
    let value = cache.get(iso);
    if (value === undefined) {
      if (cache.size >= 20_000) cache.clear();
      value = fn(iso);
      cache.set(iso, value);
    }
    return value;
  };
}

const asciiOf = memo((iso) => formatJalali(localDateFromIso(iso), 'yyyy/MM/dd'));
const persianOf = memo((iso) => toPersianDigits(asciiOf(iso)));

/** `1405/09/06` with ASCII digits: for form values and exports meant for machines. */
export function jalaliAscii(iso: string | null | undefined): string {
  return iso ? asciiOf(String(iso).slice(0, 10)) : '';
}

/** `۱۴۰۵/۰۹/۰۶`. */
export function formatDate(iso: string | null | undefined): string {
  return iso ? persianOf(String(iso).slice(0, 10)) : '';
}

const longOf = memo((iso) => {
  const { year, month, day } = jalaliParts(iso);
  return `${WEEKDAYS[localDateFromIso(iso).getDay()]} ${toPersianDigits(day)} ${MONTHS[month - 1]} ${toPersianDigits(year)}`;
});
const weekdayOf = memo((iso) => WEEKDAYS[localDateFromIso(iso).getDay()]);

/** `شنبه ۶ آذر ۱۴۰۵`. */
export function formatLongDate(iso: string | null | undefined): string {
  return iso ? longOf(String(iso).slice(0, 10)) : '';
}

export function weekdayName(iso: string): string {
  return weekdayOf(String(iso).slice(0, 10));
}

/** 0 for Saturday … 6 for Friday. */
export function weekdayFromSaturday(iso: string): number {
  return (localDateFromIso(iso).getDay() + 1) % 7;
}

export function monthName(month: number): string {
  return MONTHS[month - 1];
}

/** Built once: making an Intl.DateTimeFormat costs far more than using one (npm run bench). */
const TEHRAN_PARTS = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * The parts of the minutes asked most recently: a page asks for "now" and for the same few instants
 * many times (each course's state, each row's time), and `formatToParts` costs ~8 µs a call
 * (3.4% of the logged-in catalogue's time). A minute has one answer; the map is emptied when full.
 */
const partsByMinute = new Map<number, { iso: string; time: string }>();

/** Date and time parts of an instant in Tehran. */
function tehranParts(instant: Date): { iso: string; time: string } {
  const minute = Math.floor(instant.getTime() / 60_000);
  const known = partsByMinute.get(minute);
  if (known) return known;
  const parts = TEHRAN_PARTS.formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const found = { iso: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` };
  if (Number.isNaN(minute)) return found;
  if (partsByMinute.size >= 4096) partsByMinute.clear();
  partsByMinute.set(minute, found);
  return found;
}

/** Today's ISO date in Tehran. */
export function todayIso(now: Date = new Date()): string {
  return tehranParts(now).iso;
}

/** The current time in Tehran, `HH:mm`. */
export function nowTime(now: Date = new Date()): string {
  return tehranParts(now).time;
}

/** `۱۴۰۵/۰۹/۰۶ ساعت ۱۴:۳۰` for an instant. */
export function formatDateTime(instant: Date | string | null | undefined): string {
  if (!instant) return '';
  const { iso, time } = tehranParts(new Date(instant));
  return `${formatDate(iso)} ساعت ${toPersianDigits(time)}`;
}

/** `1405/09/06 14:30` (Tehran time, ASCII digits) for an instant: exports meant for machines. */
export function jalaliDateTimeAscii(instant: Date | string | null | undefined): string {
  if (!instant) return '';
  const { iso, time } = tehranParts(new Date(instant));
  return `${jalaliAscii(iso)} ${time}`;
}

/**
 * A time as `HH:mm` or null. Accepts `H`, `HH`, `H:mm` and `HH:mm` in any digits (`9` is 09:00,
 * `۹:۵` is 09:05), also with `.` or `٫` between hours and minutes, as people type it.
 */
export function parseTime(input: string): string | null {
  const match = /^\s*(\d{1,2})\s*(?:[:.٫]\s*(\d{1,2}))?\s*$/.exec(toAsciiDigits(input ?? ''));
  if (!match) return null;
  const [h, m] = [Number(match[1]), Number(match[2] ?? 0)];
  if (h > 23 || m > 59) return null;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** Adds days to an ISO date. */
export function addDaysIso(iso: string, days: number): string {
  const date = localDateFromIso(iso);
  date.setDate(date.getDate() + days);
  return isoFromLocalDate(date);
}

/** The Jalali year of an ISO date. */
export function jalaliYear(iso: string): number {
  return jalaliParts(iso).year;
}

/** ISO dates of the first and last day of a Jalali month. */
export function jalaliMonthRange(year: number, month: number): { from: string; to: string } {
  const from = isoFromJalali(year, month, 1);
  const next = month === 12 ? isoFromJalali(year + 1, 1, 1) : isoFromJalali(year, month + 1, 1);
  return { from, to: addDaysIso(next, -1) };
}

/** ISO dates of the first and last day of a Jalali year. */
export function jalaliYearRange(year: number): { from: string; to: string } {
  return { from: isoFromJalali(year, 1, 1), to: addDaysIso(isoFromJalali(year + 1, 1, 1), -1) };
}

/** Minutes Tehran's wall clock is ahead of UTC at an instant, from the tz database (Iran kept summer time until 2022). */
export function tehranOffsetMinutes(instant: Date): number {
  const { iso, time } = tehranParts(instant);
  const wall = Date.parse(`${iso}T${time}:00Z`);
  return Math.round((wall - Math.floor(instant.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * The instant a Tehran wall-clock time on an ISO date stands for, through the IANA zone Asia/Tehran:
 * +03:30, or +04:30 in the summers up to 2022. Of the offsets in force half a day either side, the
 * one that gives back the same wall time wins; a time the autumn change repeats is its first
 * occurrence, a time the spring change skipped is read with the offset in force before it.
 */
export function tehranInstant(iso: string, time: string): Date {
  const wall = Date.parse(`${iso}T${time}:00Z`);
  const earlier = tehranOffsetMinutes(new Date(wall - HALF_DAY));
  const later = tehranOffsetMinutes(new Date(wall + HALF_DAY));
  const fits = [earlier, later].filter((offset) => tehranOffsetMinutes(new Date(wall - offset * 60_000)) === offset);
  const offset = fits.length ? Math.max(...fits) : earlier;
  return new Date(wall - offset * 60_000);
}

const HALF_DAY = 12 * 60 * 60_000;
