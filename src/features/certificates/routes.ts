import { actorOf } from '../../services/audit';
import { idParam, indexedFields } from '../../lib/params';
import { type Request, type Response, Router } from 'express';
import multer from 'multer';
import type { Services } from '../../services';
import { LIMITS } from '../../services/rate-limiter';
import { requireLogin, requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError, HttpError, NotFoundError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { isolatedCode, toPersianDigits } from '../../lib/persian';
import { Course, Enrollment } from '../../models';
import { certificatePdf, streamCourseZip, trainingRecordPdf } from './documents';
import { RenderAbortedError } from '../../services/pdf/renderer';
import { courseEligibility, recordMarks } from './eligibility';
import { saveSignatories } from './fields';
import { issueCertificates, reissueCertificate, revokeCertificate } from './issuing';
import { presentEligibility } from './presenter';
import { issueSchema, revokeSchema, signatoriesSchema, verifyLookupSchema } from './schemas';
import { fileDigest, verifyCode, verifyDigest, verifySerial } from './verification';
import { CREDENTIAL_MEDIA_TYPE } from '../credentials/credential';
import { credentialSection, storedCredential } from '../credentials/service';
import { evaluationBeforeCertificate } from '../evaluations/service';

const UPLOAD_LIMIT_BYTES = 5 * 1024 * 1024;
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: UPLOAD_LIMIT_BYTES, files: 1, fields: 5 } });

function sendPdf(res: Response, pdf: Buffer, fileName: string): void {
  res.set('Content-Type', 'application/pdf');
  res.set('Cache-Control', 'no-store');
  res.set('Content-Disposition', `inline; filename="${fileName}"`);
  res.set('X-Content-Type-Options', 'nosniff');
  res.send(pdf);
}

export function certificateRoutes(services: Services): Router {
  const router = Router();
  const { sequelize, config, rateLimiter, settings } = services;
  const admin = requireRole('admin');
  const issuing = (req: Request) => ({ ...services, actor: actorOf(req) });

  async function renderCoursePage(req: Request, res: Response, status = 200, extra: Record<string, unknown> = {}) {
    const data = presentEligibility(await courseEligibility(idParam(req.params.id)));
    const signatories = await settings.signatories();
    res.status(status).render('certificates/course', {
      title: `گواهی‌نامه‌های ${data.course.title}`,
      ...data,
      signatories,
      errors: {},
      values: {},
      ...extra,
    });
  }

  router.get('/admin/courses/:id/certificates', admin, (req, res) => renderCoursePage(req, res));

  router.post('/admin/courses/:id/certificates', admin, async (req, res) => {
    try {
      const input = parseForm(issueSchema, req.body);
      const issued = await issueCertificates(issuing(req), idParam(req.params.id), {
        enrollmentId: input.enrollment ?? null,
        overrideReason: input.override,
      });
      flash(
        req,
        issued.length ? 'success' : 'info',
        issued.length
          ? `${toPersianDigits(issued.length)} گواهی‌نامه صادر شد.`
          : 'گواهی‌نامهٔ تازه‌ای صادر نشد: کسی که واجد شرایط و بی‌گواهی‌نامه باشد نماند.',
      );
      res.redirect(303, `/admin/courses/${idParam(req.params.id)}/certificates`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCoursePage(req, res, err.status, { errors: err.fields, values: typedValues(req.body) });
    }
  });

  router.post('/admin/courses/:id/marks', admin, async (req, res) => {
    try {
      const changed = await recordMarks(sequelize, actorOf(req), idParam(req.params.id), indexedFields(req.body, 'mark'));
      flash(req, 'success', `${toPersianDigits(changed)} نمره ثبت شد.`);
      res.redirect(303, `/admin/courses/${idParam(req.params.id)}/certificates`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCoursePage(req, res, err.status, { errors: err.fields, values: indexedFields(req.body, 'mark') });
    }
  });

  router.post('/admin/courses/:id/signatories', admin, async (req, res) => {
    const courseId = idParam(req.params.id);
    if (!(await Course.findByPk(courseId, { attributes: ['id'] }))) throw new NotFoundError();
    const input = parseForm(signatoriesSchema, req.body);
    await saveSignatories(sequelize, settings, actorOf(req), [input.headOfPr ?? '', input.directorGeneral ?? '']);
    flash(req, 'success', 'نام امضاکنندگان برای گواهی‌نامه‌های بعدی ذخیره شد.');
    res.redirect(303, `/admin/courses/${idParam(req.params.id)}/certificates`);
  });

  router.get('/admin/courses/:id/certificates.zip', admin, async (req, res) => {
    await streamCourseZip(idParam(req.params.id), res, (fileName) => {
      // A course code may be in Persian letters: Express writes an ASCII filename and RFC 5987's filename*.
      res.attachment(fileName);
      res.set('Content-Type', 'application/zip');
    });
  });

  async function courseOfCertificate(enrollmentId: number): Promise<number> {
    const enrollment = await Enrollment.findByPk(enrollmentId, { attributes: ['courseId'] });
    return enrollment!.courseId;
  }

  router.post('/admin/certificates/:id/reissue', admin, async (req, res) => {
    const certificate = await reissueCertificate(issuing(req), idParam(req.params.id));
    flash(req, 'success', `گواهی‌نامه با شمارهٔ تازهٔ ${isolatedCode(certificate.serial)} دوباره صادر شد.`);
    res.redirect(303, `/admin/courses/${await courseOfCertificate(certificate.enrollmentId)}/certificates`);
  });

  router.post('/admin/certificates/:id/revoke', admin, async (req, res) => {
    const { reason } = parseForm(revokeSchema, req.body);
    const certificate = await revokeCertificate(issuing(req), idParam(req.params.id), reason);
    flash(req, 'success', `گواهی‌نامهٔ ${isolatedCode(certificate.serial)} باطل شد.`);
    res.redirect(303, `/admin/courses/${await courseOfCertificate(certificate.enrollmentId)}/certificates`);
  });

  router.get('/certificates/:id.pdf', requireLogin, async (req, res) => {
    const id = idParam(req.params.id);
    const evaluateFirst = await evaluationBeforeCertificate(sequelize, services.evaluationSettings, req.user!, id);
    if (evaluateFirst) {
      flash(req, 'info', 'برای دریافت گواهی‌نامه، نخست به ارزشیابی این دوره پاسخ دهید.');
      return res.redirect(303, `/courses/${evaluateFirst}/evaluation`);
    }
    const { pdf, serial } = await certificatePdf(req.user!, id);
    sendPdf(res, pdf, `${serial}.pdf`);
  });

  /** A training record rendered for the user asking, in their own lane of the renderer; dropped if they leave. */
  async function sendRecord(req: Request, res: Response, userId: number): Promise<void> {
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    try {
      const { pdf, fileName } = await trainingRecordPdf(services.pdf, services.config.recordTemplate, userId, {
        owner: `user:${req.user!.id}`,
        signal: gone.signal,
      });
      sendPdf(res, pdf, fileName);
    } catch (err) {
      if (!(err instanceof RenderAbortedError)) throw err;
    }
  }

  router.get('/me/record.pdf', requireRole('liaison', 'instructor'), (req, res) => sendRecord(req, res, req.user!.id));

  router.get('/admin/liaisons/:id/record.pdf', admin, (req, res) => sendRecord(req, res, idParam(req.params.id)));

  // Public verification, rate-limited per address.
  async function withinLimit(req: Request): Promise<void> {
    if (!(await rateLimiter.take(`verify:ip:${req.ip}`, LIMITS.verificationsPerIp))) {
      throw new HttpError(429, 'استعلام‌های این نشانی بیش از حد مجاز است؛ یک دقیقهٔ دیگر دوباره تلاش کنید.');
    }
  }

  // What a verification shows (a name, a national code) stays out of every HTTP cache, shared or not.
  router.use('/verify', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/verify', async (req, res) => {
    const lookup = verifyLookupSchema.parse(req.query);
    if (lookup.kind === 'none') return res.render('certificates/verify', { title: 'استعلام گواهی‌نامه', upload: null, errors: {} });
    await withinLimit(req);
    if (lookup.kind === 'file') {
      const upload = { sha256: lookup.sha256, certificate: await verifyDigest(sequelize, lookup.sha256) };
      return res.render('certificates/verify', { title: 'استعلام گواهی‌نامه', upload, errors: {} });
    }
    const certificate =
      lookup.kind === 'code' ? await verifyCode(sequelize, lookup.code) : await verifySerial(sequelize, lookup.serial, lookup.nationalCode);
    // A certificate found lands on its own page, under its code as printed; a miss says only that.
    if (certificate) return res.redirect(303, `/verify/${certificate.code}`);
    res.status(404).render('certificates/verified', { title: 'استعلام گواهی‌نامه', certificate });
  });

  router.get('/verify/:code', async (req, res) => {
    await withinLimit(req);
    const code = String(req.params.code);
    // What the page shows, kept while the database is unchanged (a certificate's QR code is scanned again and again).
    const { certificate, credential } = await services.pageReads.remember(
      `verify:${code}`,
      async () => {
        const certificate = await verifyCode(sequelize, code);
        const credential = certificate
          ? await credentialSection(
              { sequelize, config, issuerKeys: services.issuerKeys, checks: services.credentialChecks },
              certificate.code,
              { credential: certificate.credentialJson, statusList: certificate.statusList },
            )
          : null;
        return { certificate, credential };
      },
      (found) => found.certificate !== null,
    );
    res.status(certificate ? 200 : 404).render('certificates/verified', { title: 'استعلام گواهی‌نامه', certificate, credential });
  });

  router.get('/verify/:code/credential.json', async (req, res) => {
    await withinLimit(req);
    const credential = await storedCredential(sequelize, String(req.params.code));
    if (!credential) throw new NotFoundError('برای این کد، مدرک دیجیتال امضاشده‌ای نیست.');
    res.set('Content-Type', `${CREDENTIAL_MEDIA_TYPE}; charset=utf-8`);
    res.set('Content-Disposition', `inline; filename="credential-${String(req.params.code)}.json"`);
    res.set('Access-Control-Allow-Origin', '*');
    res.send(credential);
  });

  router.post('/verify/upload', async (req, res) => {
    await withinLimit(req);
    await new Promise<void>((resolve, reject) =>
      upload.single('pdf')(req, res, (err: unknown) => {
        const e = err as { code?: string } | undefined;
        if (e?.code === 'LIMIT_FILE_SIZE') reject(new HttpError(413, 'حجم فایل بیش از ۵ مگابایت است.'));
        else if (err) reject(new HttpError(400, 'فایل فرستاده‌شده خوانده نشد.'));
        else resolve();
      }),
    );
    if (!req.file) {
      return res
        .status(400)
        .render('certificates/verify', { title: 'استعلام گواهی‌نامه', upload: null, errors: { pdf: 'فایل PDF گواهی‌نامه را انتخاب کنید.' } });
    }
    // Post/redirect/get: the address bar shows the file's digest, never the form's CSRF token.
    res.redirect(303, `/verify?sha256=${fileDigest(req.file.buffer)}`);
  });

  return router;
}
