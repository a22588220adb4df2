import { digitsArToEn, digitsEnToFa, digitsFaToEn, toPersianChars } from '@persian-tools/persian-tools';

const ZWNJ = '\u200c';
/** Bidi embeddings, overrides, isolates and marks that a paste can carry; ZWNJ (U+200C) is not among them. */
const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g;
// Control characters other than tab and newlines: a NUL byte or an escape has no place in a form field.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** ASCII digits from Persian (۰–۹) or Arabic-Indic (٠–٩) ones; other characters unchanged. */
export function toAsciiDigits(value: string): string {
  return digitsArToEn(digitsFaToEn(value));
}

/**
 * Short texts already put in Persian digits: a page shows the same numbers, dates and times again and
 * again (the national county report: 2,670 numbers), and persian-tools took ~430 ns for each, a lookup
 * ~50 ns (npm run bench, CPU profile). Emptied when full; a pure function of its key.
 */
const persianDigitsKept = new Map<string, string>();
const PERSIAN_DIGITS_KEPT = 10_000;

/** Persian digits for everything shown to people. */
export function toPersianDigits(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  let persian = persianDigitsKept.get(text);
  if (persian === undefined) {
    persian = digitsEnToFa(text);
    if (text.length <= 24) {
      if (persianDigitsKept.size >= PERSIAN_DIGITS_KEPT) persianDigitsKept.clear();
      persianDigitsKept.set(text, persian);
    }
  }
  return persian;
}

// Every way text can break a line: CR, LF, NEL, and the Unicode line and paragraph separators.
const LINE_BREAKS = /\r\n?|[\n\u0085\u2028\u2029]/g;

/**
 * A number as people read it: Persian digits, «٫» as the decimal separator, at most two decimals,
 * no trailing zeros (`87.5` → «۸۷٫۵»); empty for no value. The one number format of pages and PDFs.
 */
export function formatNumber(value: number | string | null | undefined): string {
  if (value === null || value === undefined || value === '' || Number.isNaN(Number(value))) return '';
  return toPersianDigits(String(Math.round(Number(value) * 100) / 100).replace('.', '٫'));
}

/** A percent as people read it: «۸۷٫۵٪», or «—» when there is none (no session held yet). */
export function formatPercent(value: number | string | null | undefined): string {
  const number = formatNumber(value);
  return number ? `${number}٪` : '—';
}

/**
 * What Rabet stores for any single-line text a person typed (a name, a title, a place): Arabic ي/ك
 * as Persian ی/ک, no pasted bidi controls or control characters, ZWNJ kept, line breaks turned into
 * spaces (a CR in a name would inject a line into the iCal feed and break the PDF), whitespace
 * trimmed and runs of spaces folded.
 */
export function normalizeText(value: string): string {
  return normalizeMultilineText(value).replace(/\n/g, ' ').replace(/ {2,}/g, ' ').trim();
}

/** Like normalizeText for a text of several lines (a course description): every line break becomes LF. */
export function normalizeMultilineText(value: string): string {
  return toPersianChars(value.normalize('NFC').replace(BIDI_CONTROLS, '').replace(CONTROL, '').replace(LINE_BREAKS, '\n'))
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .trim();
}

/** Like normalizeText, for a value that is a number, a code or a phone: digits in ASCII, no spaces. */
export function normalizeCode(value: string): string {
  return toAsciiDigits(normalizeText(value)).replace(/\s+/g, '');
}

/**
 * A key on which search compares: normalised, digits ASCII, no ZWNJ or spaces, no Arabic diacritics,
 * lower case. «سليمانی‌نژاد» and «سلیمانی نژاد» share one key.
 */
export function searchKey(value: string): string {
  return toAsciiDigits(normalizeText(value))
    .replace(/[\u064b-\u065f\u0670]/g, '')
    .replace(/\u200c|\u200b|\u200d|\s/g, '')
    .replace(/[أإآ]/g, 'ا')
    .replace(/ة/g, 'ه')
    .toLowerCase();
}

/** A national code masked for public pages, e.g. ۲۹۸۱****۶۰. */
export function maskNationalCode(code: string): string {
  return toPersianDigits(`${code.slice(0, 4)}****${code.slice(-2)}`);
}

export { ZWNJ };

const PERSIAN_ORDER = new Intl.Collator('fa');

/**
 * Sorts Persian names in dictionary order. One collator for the process: `a.localeCompare(b, 'fa')`
 * builds a new one on every comparison, which made sorting a 30-row sheet cost milliseconds.
 */
export function comparePersian(a: string, b: string): number {
  return PERSIAN_ORDER.compare(a, b);
}

/**
 * A Latin code (course code, serial, verification code) inside a Persian sentence of plain text — a flash,
 * a notification, an email: isolated left to right (LRI … PDI), as stored. Pages use views/partials/code.ejs.
 */
export function isolatedCode(code: string): string {
  return `\u2066${code}\u2069`;
}
