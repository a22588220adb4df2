import { NotFoundError } from './errors';

/**
 * The numeric id in a path (`/admin/courses/:id`): a positive whole number in ASCII digits, at most
 * nine of them. Anything else (`abc`, `-1`, `1.5`, `1e3`, 20 digits, a traversal) is a 404.
 */
export function idParam(value: unknown, message?: string): number {
  const id = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new NotFoundError(message);
  return id;
}
