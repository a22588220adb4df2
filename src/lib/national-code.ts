import { verifyIranianNationalId } from '@persian-tools/persian-tools';
import { normalizeCode } from './persian';

/**
 * The one home of the national-code rule (کد ملی), used by sign-up, the admin forms and the import.
 * The checksum decides. The first three digits name a place, but the list of places is neither
 * complete nor stable (a third of checksum-valid codes fall outside it), so it never refuses anyone;
 * it is at most a note for the admin (`hasKnownPlacePrefix`).
 */

/** The typed value as ten ASCII digits: any digits, spaces and dashes dropped, the leading zeros an 8- or 9-digit code lost put back. */
function tenDigits(value: string): string {
  const digits = normalizeCode(value ?? '').replace(/-/g, '');
  return /^\d{8,9}$/.test(digits) ? digits.padStart(10, '0') : digits;
}

function checksumHolds(code: string): boolean {
  const sum = [...code.slice(0, 9)].reduce((acc, d, i) => acc + Number(d) * (10 - i), 0) % 11;
  const check = Number(code[9]);
  return sum < 2 ? check === sum : check === 11 - sum;
}

/** Why a typed national code is refused, or null when it is a valid one. */
export function nationalCodeProblem(value: string): string | null {
  const code = tenDigits(value);
  if (code === '') return 'کد ملی را وارد کنید.';
  if (!/^\d{10}$/.test(code)) return 'کد ملی باید ۱۰ رقم باشد.';
  if (/^(\d)\1{9}$/.test(code)) return 'کد ملی از یک رقم تکراری ساخته نمی‌شود؛ کد کارت ملی خود را وارد کنید.';
  return checksumHolds(code) ? null : 'این کد ملی معتبر نیست؛ رقم‌ها را دوباره بررسی کنید.';
}

/** A valid national code in any digits (8 or 9 digits get their leading zeros); the ten ASCII digits or null. */
export function parseNationalCode(value: string): string | null {
  return nationalCodeProblem(value) === null ? tenDigits(value) : null;
}

/** Whether the code's first three digits are in the published list of place prefixes (a note, never a refusal). */
export function hasKnownPlacePrefix(code: string): boolean {
  return verifyIranianNationalId(code);
}
