import { BadRequestError, NotFoundError } from './errors';
import { normalizeCode } from './persian';

/**
 * A record id as typed in a path or a field key: a positive whole number in ASCII digits, at most
 * nine of them; null for anything else (`abc`, `0`, `-1`, `1.5`, `1e3`, 20 digits, a traversal).
 */
export function parseId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) return null;
  const id = Number(value);
  return id > 0 ? id : null;
}

/** The numeric id in a path (`/admin/courses/:id`): anything but a valid id is a 404. */
export function idParam(value: unknown, message?: string): number {
  const id = parseId(value);
  if (id === null) throw new NotFoundError(message);
  return id;
}

/** The last page number any list accepts; a list this long is searched, not paged through. */
export const MAX_PAGE = 100_000;

/**
 * The `page` of a list's query string, in any digits: 1 when absent or not a whole number, at most
 * MAX_PAGE (`page=99999999999999999999` must not reach the database as an offset).
 */
export function pageParam(value: unknown): number {
  const n = typeof value === 'string' ? Number(normalizeCode(value)) : 1;
  return Number.isInteger(n) && n >= 1 ? Math.min(n, MAX_PAGE) : 1;
}

/**
 * The values of `name[<id>]` fields by id, the one reader of every per-row form (the attendance
 * sheet's `mark[<enrollmentId>]` and `note[…]`, the certificates page's `mark[…]`): an object keyed
 * by id (`{mark: {"12": "present"}}` from the form parser, which never builds arrays, and the JSON of
 * the sheet's script), or flat keys (`{"mark[12]": "present"}`). A key that is not an id is a 400.
 */
export function indexedFields(body: unknown, name: string): Map<number, unknown> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const values = new Map<number, unknown>();
  const put = (key: string, value: unknown) => {
    const id = parseId(key);
    if (id === null) throw new BadRequestError();
    values.set(id, value);
  };
  const nested = b[name];
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) {
    for (const [key, value] of Object.entries(nested)) put(key, value);
  } else if (nested !== undefined) {
    throw new BadRequestError();
  }
  const prefix = `${name}[`;
  for (const [key, value] of Object.entries(b)) {
    if (key.startsWith(prefix) && key.endsWith(']')) put(key.slice(prefix.length, -1), value);
  }
  return values;
}
