import { Bitstring } from '@digitalbazaar/bitstring';
import { VC_CONTEXT } from './contexts';

/** Bits in one status list: 16 KiB, the smallest size the Bitstring Status List spec allows for herd privacy. */
export const LIST_LENGTH = 131_072;

export function statusListUrl(baseUrl: string, listId: number): string {
  return `${baseUrl}/credentials/status/${listId}`;
}

/** Which list and which bit a certificate's status index falls on (lists are numbered from 1). */
export function listPosition(statusIndex: number): { listId: number; bit: number } {
  return { listId: Math.floor(statusIndex / LIST_LENGTH) + 1, bit: statusIndex % LIST_LENGTH };
}

/** listPosition's listId in SQL, of an integer column holding a status index (integer division on both databases). */
export function listIdSql(statusIndexColumn: string): string {
  return `(${statusIndexColumn} / ${LIST_LENGTH} + 1)`;
}

export function statusListRange(listId: number): { from: number; to: number } {
  return { from: (listId - 1) * LIST_LENGTH, to: listId * LIST_LENGTH - 1 };
}

/** The credentialStatus of the certificate with this status index. */
export function statusEntry(baseUrl: string, statusIndex: number): Record<string, unknown> {
  const { listId, bit } = listPosition(statusIndex);
  const list = statusListUrl(baseUrl, listId);
  return {
    id: `${list}#${bit}`,
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: String(bit),
    statusListCredential: list,
  };
}

/** The unsigned BitstringStatusListCredential with these bits set (revoked or superseded certificates). */
export async function statusListCredential(
  baseUrl: string,
  listId: number,
  issuerDid: string,
  setBits: number[],
  now: Date = new Date(),
): Promise<Record<string, unknown>> {
  const bits = new Bitstring({ length: LIST_LENGTH });
  for (const bit of setBits) bits.set(bit, true);
  const id = statusListUrl(baseUrl, listId);
  return {
    '@context': [VC_CONTEXT],
    id,
    type: ['VerifiableCredential', 'BitstringStatusListCredential'],
    issuer: issuerDid,
    validFrom: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      id: `${id}#list`,
      type: 'BitstringStatusList',
      statusPurpose: 'revocation',
      encodedList: `u${await bits.encodeBits()}`,
    },
  };
}

/** Whether the bit at `index` of a multibase (u…) gzip-compressed list is set. */
export async function listBit(encodedList: string, index: number): Promise<boolean> {
  if (!encodedList.startsWith('u')) throw new Error('encodedList must be multibase base64url (u…)');
  const buffer = await Bitstring.decodeBits({ encoded: encodedList.slice(1) });
  if (index >= buffer.length * 8) throw new Error('statusListIndex is beyond the list');
  return new Bitstring({ buffer }).get(index);
}
