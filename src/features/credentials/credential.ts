import { createHash, randomBytes } from 'node:crypto';
import { formatNumber, normalizeText } from '../../lib/persian';
import { type CertificateFields, credentialUrl } from '../certificates/fields';
import { groupedCode } from '../certificates/verification-code';
import { OB_CONTEXT, VC_CONTEXT } from './contexts';

export const CREDENTIAL_MEDIA_TYPE = 'application/vc+ld+json';

/** The link to a certificate's credential from the app's own pages: under its code as printed, like its `id`. */
export function credentialPath(code: string): string {
  return `/verify/${encodeURIComponent(groupedCode(code))}/credential.json`;
}

/**
 * Every string of a document as Rabet stores text (ی/ک, ZWNJ kept, NFC, no bidi controls): applied once,
 * to the unsigned credential, because any normalisation after signing breaks the signature.
 */
export function normalizeForSigning<T>(value: T): T {
  if (typeof value === 'string') return normalizeText(value) as T;
  if (Array.isArray(value)) return value.map(normalizeForSigning) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeForSigning(v)])) as T;
  }
  return value;
}

/** The national code as an Open Badges IdentityObject: salted SHA-256, never the code itself. */
export function hashedNationalCode(nationalCode: string, salt: string = randomBytes(16).toString('hex')) {
  return {
    type: 'IdentityObject',
    identityType: 'nationalIdentityNumber',
    hashed: true,
    identityHash: `sha256$${createHash('sha256')
      .update(nationalCode + salt)
      .digest('hex')}`,
    salt,
  };
}

export interface CredentialInput {
  fields: CertificateFields;
  issuer: Record<string, unknown>;
  issuedAt: Date;
  courseId: number;
  minAttendance: number;
  passMark: number | null;
  status: Record<string, unknown>;
  baseUrl: string;
}

/** The course rule in Persian: the attendance rule and, when the course has one, the pass mark. */
export function criteriaNarrative(minAttendance: number, passMark: number | null): string {
  const attendance = `حضور دست‌کم ${formatNumber(minAttendance)}٪ در جلسه‌های برگزارشدهٔ دوره`;
  return passMark === null ? `${attendance}.` : `${attendance} و نمرهٔ دست‌کم ${formatNumber(passMark)}.`;
}

/**
 * The unsigned OpenBadgeCredential of a certificate, from the fields frozen at issue: the achievement is
 * the course, the subject the liaison, valid from the issue date.
 */
export function openBadgeCredential(input: CredentialInput): Record<string, unknown> {
  const { fields } = input;
  const achievementId = `${input.baseUrl}/courses/${input.courseId}#achievement`;
  const results = [
    { id: `${achievementId}-attendance`, type: ['ResultDescription'], name: 'درصد حضور', resultType: 'Percent' },
    ...(fields.mark === null ? [] : [{ id: `${achievementId}-mark`, type: ['ResultDescription'], name: 'نمره', resultType: 'RawScore' }]),
  ];
  const subjectResults = [
    ...(fields.attendancePercent === null
      ? []
      : [{ type: ['Result'], resultDescription: results[0].id, value: String(fields.attendancePercent) }]),
    ...(fields.mark === null ? [] : [{ type: ['Result'], resultDescription: results[1].id, value: String(fields.mark) }]),
  ];
  const credential = {
    '@context': [VC_CONTEXT, OB_CONTEXT],
    id: credentialUrl(fields.verifyUrl),
    type: ['VerifiableCredential', 'OpenBadgeCredential'],
    name: `گواهی‌نامهٔ دورهٔ ${fields.courseTitle}`,
    issuer: input.issuer,
    validFrom: input.issuedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    credentialSubject: {
      type: ['AchievementSubject'],
      name: fields.fullName,
      ...(fields.nationalCode ? { identifier: [hashedNationalCode(fields.nationalCode)] } : {}),
      ...(fields.startDate ? { activityStartDate: fields.startDate } : {}),
      ...(fields.endDate ? { activityEndDate: fields.endDate } : {}),
      ...(subjectResults.length ? { result: subjectResults } : {}),
      achievement: {
        id: achievementId,
        type: ['Achievement'],
        achievementType: 'Course',
        name: fields.courseTitle,
        humanCode: fields.courseCode,
        description: `دورهٔ آموزشی ${fields.courseTitle} (${fields.courseCode})، ${formatNumber(fields.hours)} ساعت آموزشی، برگزارکننده: ${fields.office} ${fields.directorate}`,
        criteria: { narrative: criteriaNarrative(input.minAttendance, input.passMark) },
        resultDescription: results,
        inLanguage: 'fa',
        creator: input.issuer,
      },
    },
    credentialStatus: input.status,
  };
  return normalizeForSigning(credential);
}
