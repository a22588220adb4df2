import type { Certificate } from '../../models';
import type { CertificateStatus } from '../../models/certificate';
import { formatDate, formatDateTime, todayIso } from '../../lib/jalali';
import type { CourseEligibility } from './eligibility';
import { formatNumber, formatPercent, toPersianDigits } from '../../lib/persian';

export const STATUS_LABELS: Record<CertificateStatus, string> = {
  valid: 'معتبر',
  revoked: 'باطل‌شده',
  superseded: 'جایگزین‌شده',
};
export const STATUS_BADGES: Record<CertificateStatus, string> = {
  valid: 'success',
  revoked: 'danger',
  superseded: 'secondary',
};

export function presentCertificate(
  certificate: Pick<Certificate, 'id' | 'serial' | 'code' | 'status' | 'issuedAt' | 'statusReason' | 'overrideReason'> &
    Partial<Pick<Certificate, 'reissueReason'>>,
) {
  const status = certificate.status as CertificateStatus;
  return {
    id: certificate.id,
    serial: certificate.serial,
    code: certificate.code,
    status,
    statusLabel: STATUS_LABELS[status],
    badge: STATUS_BADGES[status],
    issueDate: formatDate(todayIso(new Date(certificate.issuedAt))),
    statusReason: certificate.statusReason,
    overrideReason: certificate.overrideReason,
    reissueReason: certificate.status === 'valid' ? (certificate.reissueReason ?? null) : null,
  };
}

/** The admin's eligibility and certificates page of one course. */
export function presentEligibility(data: CourseEligibility) {
  const { course, sessions, passMark, rows } = data;
  return {
    course: {
      id: course.id,
      code: course.code,
      title: course.title,
      status: course.status,
      finished: course.status === 'finished',
      minAttendance: formatPercent(course.minAttendance),
      passMark: passMark === null ? null : formatNumber(passMark),
      hours: formatNumber(Number(course.hours)),
      sessionCount: toPersianDigits(sessions.length),
      start: sessions.length ? formatDate(sessions[0].date) : '',
      end: sessions.length ? formatDate(sessions[sessions.length - 1].date) : '',
    },
    rows: rows.map((row) => ({
      enrollmentId: row.enrollment.id,
      fullName: row.user.fullName,
      username: row.user.username,
      county: row.countyName ?? '—',
      percent: row.summary.percent === null ? '—' : formatPercent(row.summary.percent),
      attended: toPersianDigits(row.summary.present + row.summary.late),
      counted: toPersianDigits(row.summary.counted),
      unmarked: row.summary.unmarked,
      markValue: row.mark === null ? '' : String(row.mark),
      mark: row.mark === null ? '—' : formatNumber(row.mark),
      eligible: row.eligible,
      reason: row.reason,
      certificate: row.validCertificate ? presentCertificate(row.validCertificate) : null,
      history: row.certificates.filter((c) => c !== row.validCertificate).map(presentCertificate),
    })),
    eligibleWithout: rows.filter((r) => r.eligible && !r.validCertificate).length,
    validCount: rows.filter((r) => r.validCertificate).length,
    generatedAt: formatDateTime(new Date()),
  };
}
