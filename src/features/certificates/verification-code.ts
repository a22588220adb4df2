import { randomBytes } from 'node:crypto';
import { toAsciiDigits } from '../../lib/persian';

/**
 * The verification code (کد استعلام): 80 random bits in Crockford's base 32, sixteen characters
 * that can be read aloud and typed (no I, L, O or U), printed in four groups of four and stored
 * without the dashes. Certificates issued before it carry a 22-character base64url code, which is
 * still found exactly as printed.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const LENGTH = 16;
const LEGACY_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;

export function newVerificationCode(): string {
  const bytes = randomBytes((LENGTH * 5) / 8);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let code = '';
  for (let i = LENGTH - 1; i >= 0; i--) code += ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)];
  return code;
}

/** `7K2M-9XQ4-HB3T-0RZC` for a new code; a legacy code as it is. */
export function groupedCode(code: string): string {
  return isCrockford(code) ? (code.match(/.{4}/g) ?? []).join('-') : code;
}

function isCrockford(code: string): boolean {
  return code.length === LENGTH && [...code].every((c) => ALPHABET.includes(c));
}

/**
 * The stored codes a typed value may stand for: the value as printed (a legacy code is case
 * sensitive) and its Crockford reading — any case, spaces and dashes ignored, O read as 0, I and L
 * as 1, digits in any script. A whole verification URL (or one with `?code=`) gives its code.
 */
export function codeCandidates(typed: string): string[] {
  let value = toAsciiDigits(String(typed ?? '')).trim();
  const inUrl = /\/verify\/([^/?#\s]+)/.exec(value) ?? /[?&]code=([^&#\s]+)/.exec(value);
  if (inUrl) {
    try {
      value = decodeURIComponent(inUrl[1]);
    } catch {
      value = inUrl[1];
    }
  }
  const candidates = new Set<string>();
  if (LEGACY_PATTERN.test(value)) candidates.add(value);
  const crockford = value
    .toUpperCase()
    .replace(/[\s\-‐-―_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (isCrockford(crockford)) candidates.add(crockford);
  return [...candidates];
}
