import { normalizeCode } from './persian';

/**
 * The one home of the mobile-number rule, used by sign-up, the admin forms, the profile and the
 * import: Iranian mobiles are stored as 09xxxxxxxxx. Accepted as people type and paste them: 09…,
 * +989…, 00989…, 989…, or 9… without its zero, in Persian, Arabic-Indic or ASCII digits, with
 * spaces, dashes or parentheses between the digits.
 */
export function parseMobile(value: string): string | null {
  const digits = normalizeCode(value ?? '').replace(/[-()]/g, '');
  const local = digits.replace(/^(\+98|0098|98|)(?=9\d{9}$)/, '0');
  return /^09\d{9}$/.test(local) ? local : null;
}
