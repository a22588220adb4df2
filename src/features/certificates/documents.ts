import { COURSE_STATUS_LABELS, ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import type { CourseStatus } from '../../models/course';
import type { EnrollmentStatus } from '../../models/enrollment';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ZipArchive } from 'archiver';
import { Op } from 'sequelize';
import { Certificate, County, Course, CourseSession, Enrollment, User } from '../../models';
import { NotFoundError } from '../../lib/errors';
import { formatDate, formatDateTime } from '../../lib/jalali';
import { toPersianDigits } from '../../lib/persian';
import type { CurrentUser } from '../../middleware/auth';
import { DIRECTORATE, OFFICE, parseFields } from './fields';
import { formatNumber } from '../../lib/persian';
import type { PdfRenderer, RenderRequester, Reservation } from '../../services/pdf/renderer';

/** The stored PDF, for its owner or an admin; anyone else is told it does not exist. */
export async function certificatePdf(user: CurrentUser, certificateId: number): Promise<{ pdf: Buffer; serial: string }> {
  const certificate = Number.isSafeInteger(certificateId)
    ? await Certificate.findByPk(certificateId, {
        attributes: ['id', 'serial', 'pdf', 'enrollmentId'],
        include: [{ model: Enrollment, as: 'enrollment', attributes: ['userId'] }],
      })
    : null;
  if (!certificate || (user.role !== 'admin' && certificate.enrollment?.userId !== user.id)) {
    throw new NotFoundError('گواهی‌نامه پیدا نشد.');
  }
  return { pdf: certificate.pdf, serial: certificate.serial };
}

/**
 * Streams every valid certificate of a course as one ZIP. PDFs are read one at a time and the next
 * is read only once the archive has taken the previous one, so memory does not grow with the count.
 */
export async function streamCourseZip(courseId: number, out: Writable, onStart: (fileName: string) => void): Promise<void> {
  const course = Number.isSafeInteger(courseId) ? await Course.findByPk(courseId, { attributes: ['id', 'code'] }) : null;
  if (!course) throw new NotFoundError('دوره پیدا نشد.');
  const list = await Certificate.findAll({
    where: { status: 'valid' },
    attributes: ['id', 'serial'],
    include: [{ model: Enrollment, as: 'enrollment', attributes: [], where: { courseId: course.id } }],
    order: [
      ['serialYear', 'ASC'],
      ['serialNumber', 'ASC'],
    ],
    raw: true,
  });
  onStart(`certificates-${course.code.replace(/[\\/]/g, '-')}.zip`);
  const archive = new ZipArchive({ store: true });
  const failed = new Promise<never>((_, reject) => archive.once('error', reject));
  failed.catch(() => undefined);
  archive.pipe(out);
  for (const item of list) {
    const row = await Certificate.findByPk(item.id, { attributes: ['pdf'], raw: true });
    if (!row) continue;
    const entered = once(archive, 'entry');
    archive.append(Buffer.from(row.pdf), { name: `${item.serial}.pdf` });
    await Promise.race([entered, failed]);
  }
  await Promise.race([archive.finalize(), failed]);
}

/** The liaison's training record (شناسنامهٔ آموزشی) as a PDF: every course, its hours, certificate serials. */
export async function trainingRecordPdf(
  renderer: PdfRenderer,
  template: string,
  userId: number,
  requester: RenderRequester = {},
): Promise<{ pdf: Buffer; fileName: string }> {
  // The renderer's place is taken first: a flood of requests is refused before any of them reads the database.
  const slot = renderer.reserve(requester);
  try {
    return await recordDocument(slot, template, userId);
  } finally {
    slot.release();
  }
}

async function recordDocument(slot: Reservation, template: string, userId: number): Promise<{ pdf: Buffer; fileName: string }> {
  const user = Number.isSafeInteger(userId)
    ? await User.findOne({ where: { id: userId, role: { [Op.ne]: 'admin' } }, include: [{ model: County, as: 'county' }] })
    : null;
  if (!user) throw new NotFoundError('رابط پیدا نشد.');
  const enrollments = await Enrollment.findAll({
    where: { userId: user.id, status: { [Op.in]: ['approved', 'pending', 'waitlisted'] } },
    include: [{ model: Course, as: 'course' }],
  });
  const courseIds = enrollments.map((e) => e.courseId);
  const sessions = courseIds.length
    ? await CourseSession.findAll({ where: { courseId: { [Op.in]: courseIds } }, attributes: ['courseId', 'date'] })
    : [];
  const certificates = enrollments.length
    ? await Certificate.findAll({
        where: { enrollmentId: { [Op.in]: enrollments.map((e) => e.id) }, status: 'valid' },
        attributes: ['enrollmentId', 'serial', 'fields'],
      })
    : [];
  const rows = enrollments
    .map((enrollment) => {
      const dates = sessions
        .filter((s) => s.courseId === enrollment.courseId)
        .map((s) => s.date)
        .sort();
      const certificate = certificates.find((c) => c.enrollmentId === enrollment.id);
      const course = enrollment.course!;
      const hours = certificate ? parseFields(certificate.fields).hours : Number(course.hours);
      return { start: dates[0] ?? '', enrollment, course, dates, certificate, hours };
    })
    .sort((a, b) => a.start.localeCompare(b.start));
  const certifiedHours = rows.filter((r) => r.certificate).reduce((sum, r) => sum + r.hours, 0);
  const data = {
    directorate: DIRECTORATE,
    office: OFFICE,
    fullName: user.fullName,
    fatherName: user.fatherName ?? '—',
    nationalCode: toPersianDigits(user.nationalCode ?? '—'),
    county: user.county?.name ?? '—',
    generatedAt: formatDateTime(new Date()),
    certifiedHours: formatNumber(certifiedHours),
    courseCount: toPersianDigits(rows.length),
    certificateCount: toPersianDigits(rows.filter((r) => r.certificate).length),
    rows: rows.map((r, i) => ({
      n: toPersianDigits(i + 1),
      title: r.course.title,
      code: r.course.code,
      dates: r.dates.length ? `${formatDate(r.dates[0])} تا ${formatDate(r.dates[r.dates.length - 1])}` : '—',
      hours: formatNumber(r.hours),
      status:
        r.enrollment.status === 'approved'
          ? (COURSE_STATUS_LABELS[r.course.status as CourseStatus] ?? r.course.status)
          : ENROLLMENT_STATUS_LABELS[r.enrollment.status as EnrollmentStatus],
      serial: r.certificate?.serial ?? '—',
    })),
  };
  const source = await fs.readFile(template, 'utf8');
  const pdf = await slot.render({ source, data });
  return { pdf, fileName: `training-record-${user.id}.pdf` };
}
