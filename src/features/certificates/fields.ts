import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { type Actor, recordAudit } from '../../services/audit';
import type { Settings, Signatory } from '../../services/settings';
import { formatDate } from '../../lib/jalali';
import { formatNumber, toPersianDigits } from '../../lib/persian';

export const DIRECTORATE = 'اداره کل بهزیستی استان کرمان';
export const OFFICE = 'روابط عمومی';

export { DEFAULT_SIGNATORIES, type Signatory } from '../../services/settings';

/** Everything printed on a certificate, frozen at issue (certificates.fields). */
export interface CertificateFields {
  directorate: string;
  office: string;
  fullName: string;
  fatherName: string | null;
  nationalCode: string | null;
  county: string | null;
  courseTitle: string;
  courseCode: string;
  hours: number;
  /** ISO dates of the first and last session, and the same in Jalali (ASCII digits). */
  startDate: string | null;
  endDate: string | null;
  jalaliStartDate: string;
  jalaliEndDate: string;
  attendancePercent: number | null;
  mark: number | null;
  signatories: Signatory[];
  issueDate: string;
  jalaliIssueDate: string;
  serial: string;
  /** The verification code as printed (grouped); absent on certificates issued before it was printed. */
  verifyCode?: string;
  verifyUrl: string;
}

export function parseFields(json: string): CertificateFields {
  return JSON.parse(json) as CertificateFields;
}

/** Sets the names printed under the two signature blocks of certificates issued from now on. */
export async function saveSignatories(sequelize: Sequelize, settings: Settings, actor: Actor, names: string[]): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    const value = await settings.setSignatories(names, transaction);
    await recordAudit(sequelize, actor, 'certificate.signatories', { type: 'setting', id: null }, { signatories: value }, transaction);
  });
}

/** The address of a certificate's signed Open Badges credential, beside its verification page (also its `id`). */
export function credentialUrl(verifyUrl: string): string {
  return `${verifyUrl}/credential.json`;
}

export type PrintedFields = ReturnType<typeof printableFields>;

/** What the Typst template prints (sys.inputs.data): display strings, Persian digits. */
export function printableFields(fields: CertificateFields) {
  return {
    directorate: fields.directorate,
    office: fields.office,
    fullName: fields.fullName,
    fatherName: fields.fatherName ?? '—',
    nationalCode: toPersianDigits(fields.nationalCode ?? '—'),
    county: fields.county ?? '—',
    courseTitle: fields.courseTitle,
    courseCode: fields.courseCode,
    hours: formatNumber(fields.hours),
    startDate: formatDate(fields.startDate),
    endDate: formatDate(fields.endDate),
    percent: fields.attendancePercent === null ? '—' : formatNumber(fields.attendancePercent),
    mark: formatNumber(fields.mark),
    signatories: fields.signatories,
    serial: fields.serial,
    issueDate: formatDate(fields.issueDate),
    verifyCode: fields.verifyCode ?? '',
    verifyUrl: fields.verifyUrl,
    credentialUrl: credentialUrl(fields.verifyUrl),
  };
}

export interface Template {
  source: string;
  /** Which template made a certificate: file name and the start of its SHA-256 (certificates.template). */
  name: string;
}

/** Reads the template file now: an admin's edit applies to the next certificate issued. */
export async function readTemplate(file: string): Promise<Template> {
  const source = await fs.readFile(file, 'utf8');
  const digest = createHash('sha256').update(source).digest('hex').slice(0, 16);
  return { source, name: `${path.basename(file)}@${digest}` };
}
