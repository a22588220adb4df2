import { createHash } from 'node:crypto';
import { Certificate } from '../../models';
import { formatDateTime } from '../../lib/jalali';
import { maskNationalCode } from '../../lib/persian';
import { parseFields, printableFields, type PrintedFields } from './fields';

export const CODE_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;

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
    if (next) supersededBy = { code: next.code, serial: next.serial };
  }
  return {
    ...printableFields(fields),
    nationalCode: fields.nationalCode ? maskNationalCode(fields.nationalCode) : '—',
    serial: certificate.serial,
    status: certificate.status,
    code: certificate.code,
    sha256: certificate.sha256,
    revokedReason: certificate.status === 'revoked' ? certificate.statusReason : null,
    statusChangedAt: certificate.statusChangedAt ? formatDateTime(certificate.statusChangedAt) : null,
    supersededBy,
  };
}

const PUBLIC_ATTRIBUTES = ['id', 'serial', 'code', 'fields', 'sha256', 'status', 'statusReason', 'statusChangedAt', 'supersededById'];

/** The certificate with this verification code, or null. */
export async function verifyCode(code: string): Promise<VerifiedCertificate | null> {
  if (!CODE_PATTERN.test(code)) return null;
  const certificate = await Certificate.findOne({ where: { code }, attributes: PUBLIC_ATTRIBUTES });
  return certificate ? present(certificate) : null;
}

/** Whether these bytes are exactly a certificate that was issued (by SHA-256, then byte for byte). */
export async function verifyUpload(bytes: Buffer): Promise<{ sha256: string; certificate: VerifiedCertificate | null }> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const candidates = await Certificate.findAll({ where: { sha256 }, attributes: [...PUBLIC_ATTRIBUTES, 'pdf'] });
  const match = candidates.find((c) => Buffer.from(c.pdf).equals(bytes));
  return { sha256, certificate: match ? await present(match) : null };
}
