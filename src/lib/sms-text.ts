/**
 * How long an SMS is: a Persian text (UCS-2) fits 70 characters in one page and goes as pages of
 * 67 beyond that, each paid for. Texts sent by SMS clip what people typed (a course title, a
 * reason, a place) so that a long one does not turn a message into many pages.
 */
export const SMS_PAGE = 70;
const MULTIPART_PAGE = 67;
/** A course title in an SMS: at most this many characters, cut at a word with «…». */
export const SMS_TITLE_MAX = 32;
/** A reason or a place in an SMS. */
export const SMS_DETAIL_MAX = 40;

/** The text on one line, at most max characters: cut at the last word that fits, with «…». */
export function clipText(text: string, max: number): string {
  const chars = [...text.replace(/\s+/g, ' ').trim()];
  if (chars.length <= max) return chars.join('');
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** A course title as an SMS names it. */
export function smsTitle(title: string): string {
  return clipText(title, SMS_TITLE_MAX);
}

/** How many pages the provider sends (and bills) for a Persian text. */
export function smsPages(text: string): number {
  const length = [...text].length;
  return length <= SMS_PAGE ? 1 : Math.ceil(length / MULTIPART_PAGE);
}
