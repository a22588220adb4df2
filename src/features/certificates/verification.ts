import { createHash } from 'node:crypto';
import { Op } from 'sequelize';
import { Certificate } from '../../models';
import { formatDateTime } from '../../lib/jalali';
import { parseNationalCode } from '../../lib/national-code';
import { maskNationalCode, normalizeCode } from '../../lib/persian';
import { parseFields, printableFields, type PrintedFields } from './fields';
import { codeCandidates, groupedCode } from './verification-code';

/** The printed fields as on the PDF, with the national code masked, and the certificate's state. */
export interface VerifiedCertificate extends PrintedFields {
  status: 'valid' | 'revoked' | 'superseded';
  code: string;
  sha256: string;
  revokedReason: string | null;
  statusChangedAt: string | null;
  /** The certificate that superseded this one: its code (for its verification page) and serial. */
  supersededBy: { code: string; serial: string } | null;
}

/** What the public verification page shows: the frozen fields, the national code masked. */
async function present(certificate: Certificate): Promise<VerifiedCertificate> {
  const fields = parseFields(certificate.fields);
  let supersededBy: VerifiedCertificate['supersededBy'] = null;
  if (certificate.status === 'superseded' && certificate.supersededById) {
    const next = await Certificate.findByPk(certificate.supersededById, { attributes: ['code', 'serial'] });
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
    statusChangedAt: certificate.statusChangedAt ? formatDateTime(certificate.statusChangedAt) : null,
    supersededBy,
  };
}

const PUBLIC_ATTRIBUTES = ['id', 'serial', 'code', 'fields', 'sha256', 'status', 'statusReason', 'statusChangedAt', 'supersededById'];

/** The certificate with this verification code (typed in any case, grouped or not, or as the whole URL), or null. */
export async function verifyCode(typed: string): Promise<VerifiedCertificate | null> {
  const codes = codeCandidates(typed);
  if (!codes.length) return null;
  const certificate = await Certificate.findOne({ where: { code: { [Op.in]: codes } }, attributes: PUBLIC_ATTRIBUTES });
  return certificate ? present(certificate) : null;
}

/**
 * The certificate with this serial whose holder has this national code, or null: a wrong pair is
 * answered exactly as an unknown serial, so the look-up tells nothing about either half.
 */
export async function verifySerial(typedSerial: string, typedNationalCode: string): Promise<VerifiedCertificate | null> {
  const serial = normalizeCode(typedSerial).toUpperCase();
  const nationalCode = parseNationalCode(typedNationalCode);
  if (!/^[A-Z0-9-]{5,40}$/.test(serial) || !nationalCode) return null;
  const certificate = await Certificate.findOne({ where: { serial }, attributes: PUBLIC_ATTRIBUTES });
  if (!certificate || parseFields(certificate.fields).nationalCode !== nationalCode) return null;
  return present(certificate);
}

/** The certificate whose stored PDF has this SHA-256 digest, or null (where an upload's check lands). */
export async function verifyDigest(sha256: string): Promise<VerifiedCertificate | null> {
  const certificate = await Certificate.findOne({ where: { sha256 }, attributes: PUBLIC_ATTRIBUTES });
  return certificate ? present(certificate) : null;
}

/** The SHA-256 digest of an uploaded file, which verifyDigest looks up (equal digests, equal bytes). */
export function fileDigest(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
