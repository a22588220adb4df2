import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { instantOf, statements } from '../../db/prepared';
import { formatDateTime } from '../../lib/jalali';
import { parseNationalCode } from '../../lib/national-code';
import { maskNationalCode, normalizeCode } from '../../lib/persian';
import { parseFields, printableFields, type PrintedFields } from './fields';
import { codeCandidates, groupedCode } from './verification-code';
import { listIdSql, listPosition } from '../credentials/status-list';

/** The printed fields as on the PDF, with the national code masked, and the certificate's state. */
export interface VerifiedCertificate extends PrintedFields {
  status: 'valid' | 'revoked' | 'superseded';
  code: string;
  sha256: string;
  revokedReason: string | null;
  statusChangedAt: string | null;
  /** The certificate that superseded this one: its code (for its verification page) and serial. */
  supersededBy: { code: string; serial: string } | null;
  /** Its signed Open Badges credential as stored (public at /verify/:code/credential.json), read with it. */
  credentialJson: string | null;
  /** The signed status list its credential points to (id and stored text), read with it: the credential's check loads it. */
  statusList: { id: number; json: string | null } | null;
}

/** The columns the public pages read of a certificate: never its PDF; its signed credential (public too) for the verify page's check. */
interface PublicRow {
  id: number;
  serial: string;
  code: string;
  fields: string;
  sha256: string;
  status: VerifiedCertificate['status'];
  statusReason: string | null;
  statusChangedAt: string | Date | null;
  supersededById: number | null;
  credential: string | null;
  statusListIndex: number | string | null;
  statusList: string | null;
}

/**
 * The certificate a verification names, read as a prepared statement (src/db/prepared.ts): the
 * verify page is opened by anyone holding a printed code, and through the model each of its two
 * reads cost ~0.5 ms of CPU. With it, the status list its credential points to (listPosition), which
 * the credential's check reads: one trip to the database instead of two. `where` names one column
 * of a unique key.
 */
function findPublic(sequelize: Sequelize, where: string, params: Record<string, string>) {
  return statements(sequelize).get<PublicRow>(
    `SELECT c.id, c.serial, c.code, c.fields, c.sha256, c.status, c.status_reason AS "statusReason", c.status_changed_at AS "statusChangedAt",
            c.superseded_by_id AS "supersededById", c.credential, c.status_list_index AS "statusListIndex",
            (SELECT sl.credential FROM status_lists sl WHERE sl.id = ${listIdSql('c.status_list_index')}) AS "statusList"
       FROM certificates c WHERE c.${where} LIMIT 1`,
    params,
  );
}

/** What the public verification page shows: the frozen fields, the national code masked. */
async function present(sequelize: Sequelize, certificate: PublicRow): Promise<VerifiedCertificate> {
  const fields = parseFields(certificate.fields);
  let supersededBy: VerifiedCertificate['supersededBy'] = null;
  if (certificate.status === 'superseded' && certificate.supersededById) {
    const next = await statements(sequelize).get<{ code: string; serial: string }>('SELECT code, serial FROM certificates WHERE id = :id', {
      id: Number(certificate.supersededById),
    });
    if (next) supersededBy = { code: groupedCode(next.code), serial: next.serial };
  }
  return {
    ...printableFields(fields),
    nationalCode: fields.nationalCode ? maskNationalCode(fields.nationalCode) : '—',
    serial: certificate.serial,
    status: certificate.status,
    code: groupedCode(certificate.code),
    sha256: certificate.sha256,
    revokedReason: certificate.status === 'revoked' ? certificate.statusReason : null,
    statusChangedAt: certificate.statusChangedAt ? formatDateTime(instantOf(certificate.statusChangedAt)) : null,
    supersededBy,
    credentialJson: certificate.credential ?? null,
    statusList:
      certificate.statusListIndex === null
        ? null
        : { id: listPosition(Number(certificate.statusListIndex)).listId, json: certificate.statusList ?? null },
  };
}

/** The certificate with this verification code (typed in any case, grouped or not, or as the whole URL), or null. */
export async function verifyCode(sequelize: Sequelize, typed: string): Promise<VerifiedCertificate | null> {
  const codes = codeCandidates(typed);
  if (!codes.length) return null;
  // At most two readings of what was typed (verification-code.ts): a legacy code and a Crockford one.
  const certificate = await findPublic(sequelize, 'code IN (:first, :second)', { first: codes[0], second: codes[1] ?? codes[0] });
  return certificate ? present(sequelize, certificate) : null;
}

/**
 * The certificate with this serial whose holder has this national code, or null: a wrong pair is
 * answered exactly as an unknown serial, so the look-up tells nothing about either half.
 */
export async function verifySerial(
  sequelize: Sequelize,
  typedSerial: string,
  typedNationalCode: string,
): Promise<VerifiedCertificate | null> {
  const serial = normalizeCode(typedSerial).toUpperCase();
  const nationalCode = parseNationalCode(typedNationalCode);
  if (!/^[A-Z0-9-]{5,40}$/.test(serial) || !nationalCode) return null;
  const certificate = await findPublic(sequelize, 'serial = :serial', { serial });
  if (!certificate || parseFields(certificate.fields).nationalCode !== nationalCode) return null;
  return present(sequelize, certificate);
}

/** The certificate whose stored PDF has this SHA-256 digest, or null (where an upload's check lands). */
export async function verifyDigest(sequelize: Sequelize, sha256: string): Promise<VerifiedCertificate | null> {
  const certificate = await findPublic(sequelize, 'sha256 = :sha256', { sha256 });
  return certificate ? present(sequelize, certificate) : null;
}

/** The SHA-256 digest of an uploaded file, which verifyDigest looks up (equal digests, equal bytes). */
export function fileDigest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
