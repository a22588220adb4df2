import { NotFoundError } from './errors';
import { normalizeCode } from './persian';

/**
 * The numeric id in a path (`/admin/courses/:id`): a positive whole number in ASCII digits, at most
 * nine of them. Anything else (`abc`, `-1`, `1.5`, `1e3`, 20 digits, a traversal) is a 404.
 */
export function idParam(value: unknown, message?: string): number {
  const id = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFoundError(message);
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
