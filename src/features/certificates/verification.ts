import { createHash } from 'node:crypto';
import { Certificate } from '../../models';
import { formatDate, formatDateTime } from '../../lib/jalali';
import { maskNationalCode } from '../../lib/persian';
import { parseFields, persianNumber } from './fields';

export const CODE_PATTERN = /^[A-Za-z0-9_-]{10,64}$/;

export interface VerifiedCertificate {
  status: 'valid' | 'revoked' | 'superseded';
  serial: string;
  code: string;
  issueDate: string;
  sha256: string;
  fullName: string;
  fatherName: string;
  nationalCode: string;
  county: string;
  courseTitle: string;
  courseCode: string;
  hours: string;
  startDate: string;
  endDate: string;
  attendancePercent: string;
  mark: string;
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
    status: certificate.status,
    serial: certificate.serial,
    code: certificate.code,
    issueDate: formatDate(fields.issueDate),
    sha256: certificate.sha256,
    fullName: fields.fullName,
    fatherName: fields.fatherName ?? '—',
    nationalCode: fields.nationalCode ? maskNationalCode(fields.nationalCode) : '—',
    county: fields.county ?? '—',
    courseTitle: fields.courseTitle,
    courseCode: fields.courseCode,
    hours: persianNumber(fields.hours),
    startDate: formatDate(fields.startDate),
    endDate: formatDate(fields.endDate),
    attendancePercent: fields.attendancePercent === null ? '—' : persianNumber(fields.attendancePercent),
    mark: persianNumber(fields.mark),
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
