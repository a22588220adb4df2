import { z } from 'zod';
import { BadRequestError, FormError } from '../../lib/errors';
import { normalizeCode, normalizeText } from '../../lib/persian';
import type { AttendanceStatus } from '../../models/attendance-mark';
import { STATUSES, type MarkEntry } from './service';

const status = z.enum(STATUSES);
const note = z.string().max(500, 'توضیح حداکثر ۵۰۰ نویسه باشد.');

/**
 * The values of `name[<enrollmentId>]` fields, by enrollment id: an object keyed by id
 * (`{mark: {"12": "present"}}` from the form parser, also the JSON of the sheet's script), or flat
 * keys (`{"mark[12]": "present"}`).
 */
function fieldValues(body: Record<string, unknown>, name: string): Map<number, unknown> {
  const values = new Map<number, unknown>();
  const raw = body[name];
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw)) {
      if (!/^\d{1,9}$/.test(key)) throw new BadRequestError();
      values.set(Number(key), value);
    }
  } else if (raw !== undefined) {
    throw new BadRequestError();
  }
  const flat = new RegExp(`^${name}\\[(\\d{1,9})\\]$`);
  for (const [key, value] of Object.entries(body)) {
    const match = flat.exec(key);
    if (match) values.set(Number(match[1]), value);
  }
  return values;
}

/**
 * The marks posted to a sheet (the form, or the JSON of its script): `mark[<id>]` one of the four
 * statuses (an empty value leaves the row as it is), `note[<id>]` free text, `allPresent` marks every
 * approved liaison present (only then is `approvedIds` asked: a one-mark save needs no list). Throws
 * FormError with the offending field on a bad value.
 */
export async function parseMarks(body: unknown, approvedIds: () => Promise<number[]>): Promise<{ entries: MarkEntry[]; source: 'sheet' | 'paper' }> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const marks = fieldValues(b, 'mark');
  const notes = fieldValues(b, 'note');
  const allPresent = b.allPresent !== undefined && b.allPresent !== false && b.allPresent !== '';
  const entries = new Map<number, MarkEntry>();
  const errors: Record<string, string> = {};
  for (const [id, value] of marks) {
    if (value === '' || value === undefined || value === null) continue;
    const parsed = status.safeParse(typeof value === 'string' ? value.trim() : value);
    if (!parsed.success) errors[`mark[${id}]`] = 'وضعیت حضور را از گزینه‌ها انتخاب کنید.';
    else entries.set(id, { enrollmentId: id, status: parsed.data as AttendanceStatus });
  }
  for (const [id, value] of notes) {
    const parsed = note.safeParse(typeof value === 'string' ? normalizeText(value) : value);
    if (!parsed.success) {
      errors[`note[${id}]`] = parsed.error.issues[0]?.message ?? 'توضیح نامعتبر است.';
      continue;
    }
    const entry = entries.get(id) ?? { enrollmentId: id };
    entry.note = parsed.data === '' ? null : parsed.data;
    entries.set(id, entry);
  }
  if (Object.keys(errors).length) throw new FormError(errors);
  if (allPresent) {
    for (const id of await approvedIds()) entries.set(id, { ...(entries.get(id) ?? { enrollmentId: id }), status: 'present' });
  }
  return { entries: [...entries.values()], source: b.source === 'paper' ? 'paper' : 'sheet' };
}

export const checkInSchema = z.object({
  session: z.string({ error: 'شمارهٔ جلسه را وارد کنید.' }).transform(normalizeCode).pipe(z.string().regex(/^\d{1,9}$/, 'شمارهٔ جلسه نامعتبر است.')).transform(Number),
  code: z.string({ error: 'کد حضور را وارد کنید.' }).transform(normalizeCode).pipe(z.string().regex(/^\d{6}$/, 'کد حضور شش رقم است.')),
});
