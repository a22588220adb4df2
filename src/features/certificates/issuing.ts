import { createHash } from 'node:crypto';
import { QueryTypes, type Sequelize, UniqueConstraintError } from 'sequelize';
import type { Services } from '../../services';
import type { IssuerKeys } from '../../services/issuer-keys';
import type { Settings } from '../../services/settings';
import { Certificate, Enrollment, Notification } from '../../models';
import { ConflictError, FormError, NotFoundError } from '../../lib/errors';
import { jalaliAscii, jalaliYear, todayIso } from '../../lib/jalali';
import { isolatedCode } from '../../lib/persian';
import { type Actor, recordAudit } from '../../services/audit';
import { assertFinished, type CourseEligibility, courseEligibility, type EligibilityRow } from './eligibility';
import { type CertificateFields, DIRECTORATE, OFFICE, printableFields, readTemplate, type Signatory, type Template } from './fields';
import type { PdfRenderer } from '../../services/pdf/renderer';
import { credentialIssuer, type CredentialIssuer, reserveStatusIndexes } from '../credentials/service';
import { groupedCode, newVerificationCode } from './verification-code';

interface IssueContext {
  sequelize: Sequelize;
  config: Pick<Services['config'], 'baseUrl' | 'provinceCode' | 'certificateTemplate'>;
  actor: Actor;
  pdf: PdfRenderer;
  settings: Pick<Settings, 'signatories'>;
  issuerKeys: IssuerKeys;
}

export function formatSerial(provinceCode: string, year: number, number: number): string {
  return `${provinceCode}-${year}-${String(number).padStart(6, '0')}`;
}

/**
 * Takes `count` serial numbers of a Jalali year from its counter. The UPDATE holds the counter's row
 * lock until commit, so concurrent issuers (in any app instance) queue on it and never share a
 * number. Numbers are taken before rendering, because the serial is printed on the PDF and the PDF
 * is rendered outside any transaction: a render that fails leaves a gap, never a repeat.
 */
export async function reserveSerialNumbers(sequelize: Sequelize, year: number, count: number): Promise<number[]> {
  const last = await sequelize.transaction(async (transaction) => {
    await sequelize.query('INSERT INTO certificate_serials (year, last_number) VALUES (:year, 0) ON CONFLICT (year) DO NOTHING', {
      replacements: { year },
      transaction,
    });
    await sequelize.query('UPDATE certificate_serials SET last_number = last_number + :count WHERE year = :year', {
      replacements: { year, count },
      transaction,
    });
    const rows = await sequelize.query<{ last_number: number | string }>('SELECT last_number FROM certificate_serials WHERE year = :year', {
      replacements: { year },
      transaction,
      type: QueryTypes.SELECT,
    });
    return Number(rows[0].last_number);
  });
  return Array.from({ length: count }, (_, i) => last - count + 1 + i);
}

/** Everything that will be printed, from the data as it is now. */
function freezeFields(
  eligibility: CourseEligibility,
  row: EligibilityRow,
  extra: { signatories: Signatory[]; issueDate: string; serial: string; verifyCode: string; verifyUrl: string },
): CertificateFields {
  const { course, sessions } = eligibility;
  const startDate = sessions[0]?.date ?? null;
  const endDate = sessions[sessions.length - 1]?.date ?? null;
  return {
    directorate: DIRECTORATE,
    office: OFFICE,
    fullName: row.user.fullName,
    fatherName: row.user.fatherName,
    nationalCode: row.user.nationalCode,
    county: row.countyName,
    courseTitle: course.title,
    courseCode: course.code,
    hours: Number(course.hours),
    startDate,
    endDate,
    jalaliStartDate: startDate ? jalaliAscii(startDate) : '',
    jalaliEndDate: endDate ? jalaliAscii(endDate) : '',
    attendancePercent: row.summary.percent,
    mark: row.mark,
    signatories: extra.signatories,
    issueDate: extra.issueDate,
    jalaliIssueDate: jalaliAscii(extra.issueDate),
    serial: extra.serial,
    verifyCode: extra.verifyCode,
    verifyUrl: extra.verifyUrl,
  };
}

interface Prepared {
  row: EligibilityRow;
  fields: CertificateFields;
  serialYear: number;
  serialNumber: number;
  code: string;
  template: Template;
  pdf: Buffer;
  sha256: string;
  credential: string;
  statusListIndex: number;
  issuedAt: Date;
  overrideReason: string | null;
}

interface Common {
  template: Template;
  signatories: Signatory[];
  issuedAt: Date;
  year: number;
  serialNumber: number;
  statusListIndex: number;
  issuer: CredentialIssuer;
  overrideReason: string | null;
}

/** Renders the certificate and signs its credential from its frozen fields; no transaction is open meanwhile. */
async function prepare(ctx: IssueContext, eligibility: CourseEligibility, row: EligibilityRow, common: Common): Promise<Prepared> {
  const code = newVerificationCode();
  const serial = formatSerial(ctx.config.provinceCode, common.year, common.serialNumber);
  const verifyCode = groupedCode(code);
  const verifyUrl = `${ctx.config.baseUrl}/verify/${verifyCode}`;
  const fields = freezeFields(eligibility, row, {
    signatories: common.signatories,
    issueDate: todayIso(common.issuedAt),
    serial,
    verifyCode,
    verifyUrl,
  });
  const pdf = await ctx.pdf.render({ source: common.template.source, data: printableFields(fields), qrText: verifyUrl });
  const credential = await common.issuer.signCertificate({
    fields,
    issuedAt: common.issuedAt,
    courseId: eligibility.course.id,
    minAttendance: Number(eligibility.course.minAttendance),
    passMark: eligibility.passMark,
    statusIndex: common.statusListIndex,
  });
  return {
    row,
    fields,
    serialYear: common.year,
    serialNumber: common.serialNumber,
    code,
    template: common.template,
    pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    credential,
    statusListIndex: common.statusListIndex,
    issuedAt: common.issuedAt,
    overrideReason: common.overrideReason,
  };
}

/**
 * Stores a rendered certificate in one short transaction, with its notification and audit event.
 * Returns null when the enrollment got a valid certificate meanwhile (another admin issued it).
 * With `supersedes`, that certificate (still valid) becomes superseded by the new one.
 */
async function store(
  ctx: IssueContext,
  issuer: CredentialIssuer,
  prepared: Prepared,
  supersedes: Certificate | null = null,
): Promise<Certificate | null> {
  const enrollmentId = prepared.row.enrollment.id;
  try {
    return await ctx.sequelize.transaction(async (transaction) => {
      await Enrollment.findByPk(enrollmentId, { attributes: ['id'], transaction, lock: transaction.LOCK.UPDATE });
      const current = await Certificate.findOne({ where: { enrollmentId, status: 'valid' }, attributes: ['id'], transaction });
      if (supersedes ? current?.id !== supersedes.id : current) return null;
      const now = new Date();
      if (supersedes) {
        await Certificate.update(
          { status: 'superseded', statusReason: 'صدور دوباره', statusChangedAt: now },
          { where: { id: supersedes.id }, transaction },
        );
      }
      const certificate = await Certificate.create(
        {
          enrollmentId,
          serial: prepared.fields.serial,
          serialYear: prepared.serialYear,
          serialNumber: prepared.serialNumber,
          code: prepared.code,
          issuedAt: prepared.issuedAt,
          issuedBy: ctx.actor.id,
          fields: JSON.stringify(prepared.fields),
          template: prepared.template.name,
          pdf: prepared.pdf,
          sha256: prepared.sha256,
          status: 'valid',
          statusReason: null,
          statusChangedAt: null,
          supersededById: null,
          overrideReason: prepared.overrideReason,
          credential: prepared.credential,
          statusListIndex: prepared.statusListIndex,
        },
        { transaction },
      );
      if (supersedes) {
        await Certificate.update({ supersededById: certificate.id }, { where: { id: supersedes.id }, transaction });
        await issuer.resignLists([supersedes.statusListIndex], transaction);
      }
      await Notification.create(
        {
          userId: prepared.row.user.id,
          message: `گواهی‌نامهٔ دورهٔ «${prepared.fields.courseTitle}» صادر شد (شمارهٔ ${isolatedCode(prepared.fields.serial)}).`,
          link: `/certificates/${certificate.id}.pdf`,
          readAt: null,
        },
        { transaction },
      );
      await recordAudit(
        ctx.sequelize,
        ctx.actor,
        supersedes ? 'certificate.reissue' : 'certificate.issue',
        { type: 'certificate', id: certificate.id },
        {
          serial: certificate.serial,
          enrollmentId,
          sha256: certificate.sha256,
          template: certificate.template,
          overrideReason: prepared.overrideReason,
          supersedes: supersedes?.id ?? null,
        },
        transaction,
      );
      return certificate;
    });
  } catch (err) {
    // The one-valid-certificate-per-enrollment index: someone else stored one first.
    if (err instanceof UniqueConstraintError && !supersedes) return null;
    throw err;
  }
}

async function issueRows(
  ctx: IssueContext,
  eligibility: CourseEligibility,
  rows: EligibilityRow[],
  overrideReason: string | null,
): Promise<Certificate[]> {
  if (!rows.length) return [];
  const template = await readTemplate(ctx.config.certificateTemplate);
  const signatories = await ctx.settings.signatories();
  const issuedAt = new Date();
  const year = jalaliYear(todayIso(issuedAt));
  const numbers = await reserveSerialNumbers(ctx.sequelize, year, rows.length);
  const statusIndexes = await reserveStatusIndexes(ctx.sequelize, rows.length);
  const issuer = await credentialIssuer(ctx);
  await issuer.ensureLists(statusIndexes);
  const common = (i: number): Common => ({
    template,
    signatories,
    issuedAt,
    year,
    serialNumber: numbers[i],
    statusListIndex: statusIndexes[i],
    issuer,
    overrideReason,
  });
  const issued: Certificate[] = [];
  // Render the next certificate while the previous one is being stored.
  let next = prepare(ctx, eligibility, rows[0], common(0));
  for (let i = 0; i < rows.length; i++) {
    const prepared = await next;
    if (i + 1 < rows.length) {
      next = prepare(ctx, eligibility, rows[i + 1], common(i + 1));
      next.catch(() => undefined);
    }
    const certificate = await store(ctx, issuer, prepared);
    if (certificate) issued.push(certificate);
  }
  return issued;
}

/**
 * Issues certificates of a finished course: to every eligible liaison without a valid certificate,
 * or to one enrollment — and to a non-eligible one only with the admin's recorded reason.
 */
export async function issueCertificates(
  ctx: IssueContext,
  courseId: number,
  options: { enrollmentId?: number | null; overrideReason?: string | null } = {},
): Promise<Certificate[]> {
  const only = options.enrollmentId ?? null;
  const eligibility = await courseEligibility(courseId, only ? { enrollmentIds: [only] } : {});
  assertFinished(eligibility.course);
  if (only === null) {
    return issueRows(
      ctx,
      eligibility,
      eligibility.rows.filter((r) => r.eligible && !r.validCertificate),
      null,
    );
  }
  const row = eligibility.rows[0];
  if (!row) throw new NotFoundError('ثبت‌نام تأییدشده‌ای با این شناسه در این دوره نیست.');
  if (row.validCertificate) throw new ConflictError(`این رابط گواهی‌نامهٔ معتبر دارد (${isolatedCode(row.validCertificate.serial)}).`);
  const overrideReason = options.overrideReason || null;
  if (!row.eligible && !overrideReason) {
    throw new FormError({ override: 'این رابط شرایط گواهی‌نامه را ندارد؛ برای صدور، دلیل را بنویسید.' }, 409);
  }
  return issueRows(ctx, eligibility, [row], row.eligible ? null : overrideReason);
}

export async function findCertificate(id: number): Promise<Certificate> {
  const certificate = Number.isSafeInteger(id) ? await Certificate.findByPk(id, { attributes: { exclude: ['pdf', 'credential'] } }) : null;
  if (!certificate) throw new NotFoundError('گواهی‌نامه پیدا نشد.');
  return certificate;
}

/**
 * A correction: a new certificate (new serial, new code, new PDF) from the data as it is now; the
 * old one becomes superseded by it.
 */
export async function reissueCertificate(ctx: IssueContext, certificateId: number): Promise<Certificate> {
  const old = await findCertificate(certificateId);
  if (old.status !== 'valid') throw new ConflictError('فقط گواهی‌نامهٔ معتبر دوباره صادر می‌شود.');
  const enrollment = await Enrollment.findByPk(old.enrollmentId, { attributes: ['id', 'courseId'] });
  const eligibility = await courseEligibility(enrollment!.courseId, { enrollmentIds: [old.enrollmentId] });
  const row = eligibility.rows[0];
  if (!row) throw new ConflictError('ثبت‌نام این گواهی‌نامه دیگر تأییدشده نیست.');
  const template = await readTemplate(ctx.config.certificateTemplate);
  const issuedAt = new Date();
  const year = jalaliYear(todayIso(issuedAt));
  const [serialNumber] = await reserveSerialNumbers(ctx.sequelize, year, 1);
  const [statusListIndex] = await reserveStatusIndexes(ctx.sequelize, 1);
  const issuer = await credentialIssuer(ctx);
  await issuer.ensureLists([statusListIndex]);
  const prepared = await prepare(ctx, eligibility, row, {
    template,
    signatories: await ctx.settings.signatories(),
    issuedAt,
    year,
    serialNumber,
    statusListIndex,
    issuer,
    overrideReason: old.overrideReason,
  });
  const certificate = await store(ctx, issuer, prepared, old);
  if (!certificate) throw new ConflictError('این گواهی‌نامه همین حالا تغییر کرد؛ صفحه را دوباره باز کنید.');
  return certificate;
}

/** Revokes a valid certificate: its bit in the status list is set and the list re-signed, in one transaction. */
export async function revokeCertificate(
  ctx: Pick<IssueContext, 'sequelize' | 'actor' | 'config' | 'issuerKeys'>,
  certificateId: number,
  reason: string,
): Promise<Certificate> {
  const issuer = await credentialIssuer(ctx);
  return ctx.sequelize.transaction(async (transaction) => {
    const certificate = await Certificate.findByPk(certificateId, {
      attributes: { exclude: ['pdf', 'credential'] },
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
    if (!certificate) throw new NotFoundError('گواهی‌نامه پیدا نشد.');
    if (certificate.status !== 'valid') throw new ConflictError('فقط گواهی‌نامهٔ معتبر باطل می‌شود.');
    await certificate.update({ status: 'revoked', statusReason: reason, statusChangedAt: new Date() }, { transaction });
    await issuer.resignLists([certificate.statusListIndex], transaction);
    await recordAudit(
      ctx.sequelize,
      ctx.actor,
      'certificate.revoke',
      { type: 'certificate', id: certificate.id },
      { serial: certificate.serial, reason },
      transaction,
    );
    return certificate;
  });
}
