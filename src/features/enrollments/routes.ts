import { actorOf } from '../../services/audit';
import { idParam, pageParam } from '../../lib/params';
import { type Request, type Response, Router } from 'express';
import type { Services } from '../../services';
import { requireLogin, requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { FormError, HttpError, NotFoundError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { pagerLinks } from '../../lib/pager';
import { toPersianDigits } from '../../lib/persian';
import { Enrollment } from '../../models';
import { changeMessage } from './notify';
import { sendTable } from '../../lib/export';
import { enrollmentTable } from './export';
import { listCourseEnrollments, listOutbox } from './queries';
import { enrollByHandSchema, listQuerySchema, moveSchema, optionalReasonSchema, reasonSchema } from './schemas';
import {
  approveEnrollment,
  cancelEnrollment,
  enrollByHand,
  enrollInCourse,
  moveOnWaitlist,
  rejectEnrollment,
  type EnrollmentOutcome,
} from './service';

/** Enrollment rules differ for an admin and the liaison themself: the actor carries the role. */
const enrollmentActor = (req: Request) => ({ ...actorOf(req), role: req.user!.role });

/** What the liaison is told once the request succeeded (the notification says the same). */
function outcomeMessage(o: EnrollmentOutcome): string {
  if (o.status === 'waitlisted') return changeMessage(o.courseTitle, { kind: 'waitlisted', position: o.waitlistPosition ?? 0 });
  if (o.status === 'approved' || o.status === 'pending') return changeMessage(o.courseTitle, { kind: o.status });
  return changeMessage(o.courseTitle, { kind: 'cancelled', byAdmin: false, reason: null });
}

const listPath = (courseId: number) => `/admin/courses/${courseId}/enrollments`;

/**
 * Runs an admin's action on a course's enrollment list; a refused form (400) or a conflict (409)
 * shows the list again with the message next to the form it came from, nothing stored.
 */
async function adminAction(req: Request, res: Response, formId: string, courseIdOf: () => Promise<number>, action: () => Promise<string>) {
  try {
    const message = await action();
    flash(req, 'success', message);
    res.redirect(303, listPath(await courseIdOf()));
  } catch (err) {
    if (!(err instanceof HttpError) || (err.status !== 400 && err.status !== 409)) throw err;
    const courseId = await courseIdOf();
    const list = await listCourseEnrollments(courseId, '', 1);
    res.status(err.status).render('enrollments/admin-list', {
      title: `ثبت‌نام‌های ${list.course.title}`,
      ...list,
      ...pagerLinks(listPath(courseId), {}, list),
      formId,
      errors: err instanceof FormError ? err.fields : {},
      alert: err instanceof FormError ? null : err.message,
      values: typedValues(req.body),
    });
  }
}

export function enrollmentRoutes({ sequelize, outbox }: Services): Router {
  const router = Router();

  router.post('/courses/:id/enroll', requireLogin, async (req, res) => {
    const courseId = idParam(req.params.id);
    const outcome = await enrollInCourse(sequelize, outbox, { courseId, actor: enrollmentActor(req) });
    flash(req, outcome.status === 'waitlisted' ? 'warning' : 'success', outcomeMessage(outcome));
    res.redirect(303, `/courses/${courseId}`);
  });

  router.post('/enrollments/:id/cancel', requireLogin, async (req, res) => {
    const actor = enrollmentActor(req);
    const { reason } = actor.role === 'admin' ? parseForm(optionalReasonSchema, req.body ?? {}) : { reason: null };
    const outcome = await cancelEnrollment(sequelize, outbox, { enrollmentId: idParam(req.params.id), actor, reason });
    flash(req, 'success', `ثبت‌نام در دورهٔ «${outcome.courseTitle}» لغو شد.`);
    res.redirect(303, actor.role === 'admin' ? listPath(outcome.courseId) : '/me');
  });

  const onlyAdmin = requireRole('admin');

  router.get('/admin/courses/:id/enrollments', onlyAdmin, async (req, res) => {
    const { q, format, page } = listQuerySchema.parse(req.query);
    const courseId = idParam(req.params.id);
    const list = await listCourseEnrollments(courseId, q ?? '', format === 'csv' || format === 'xlsx' ? undefined : (page ?? 1));
    const rows = [...list.approved, ...list.pending, ...list.waitlisted, ...list.ended];
    if (format === 'csv' || format === 'xlsx') return sendTable(res, format, enrollmentTable(list.course, rows));
    res.render('enrollments/admin-list', {
      title: `ثبت‌نام‌های ${list.course.title}`,
      ...list,
      ...pagerLinks(listPath(courseId), { q }, list),
      formId: null,
      errors: {},
      alert: null,
      values: {},
    });
  });

  router.post('/admin/courses/:id/enrollments', onlyAdmin, async (req, res) => {
    const courseId = idParam(req.params.id);
    await adminAction(
      req,
      res,
      'enroll',
      async () => courseId,
      async () => {
        const { username } = parseForm(enrollByHandSchema, req.body ?? {});
        const outcome = await enrollByHand(sequelize, outbox, { courseId, username, actor: enrollmentActor(req) });
        return outcome.status === 'waitlisted'
          ? `رابط «${username}» در فهرست انتظار ثبت شد (نوبت ${toPersianDigits(outcome.waitlistPosition)}).`
          : `رابط «${username}» در دوره ثبت‌نام و تأیید شد.`;
      },
    );
  });

  const enrollmentCourse = async (id: number) => {
    const enrollment = await Enrollment.findByPk(id, { attributes: ['id', 'courseId'] });
    if (!enrollment) throw new NotFoundError('این ثبت‌نام پیدا نشد.');
    return enrollment.courseId;
  };

  /** An admin's action on one enrollment: its form errors re-render the course's list with the form marked. */
  const onEnrollment = (action: string, run: (req: Request, enrollmentId: number) => Promise<string>) =>
    router.post(`/admin/enrollments/:id/${action}`, onlyAdmin, async (req, res) => {
      const enrollmentId = idParam(req.params.id);
      await adminAction(
        req,
        res,
        `e${enrollmentId}`,
        () => enrollmentCourse(enrollmentId),
        () => run(req, enrollmentId),
      );
    });

  onEnrollment('approve', async (req, enrollmentId) => {
    const { reason } = parseForm(optionalReasonSchema, req.body ?? {});
    await approveEnrollment(sequelize, outbox, { enrollmentId, actor: enrollmentActor(req), reason });
    return 'ثبت‌نام تأیید شد.';
  });

  onEnrollment('reject', async (req, enrollmentId) => {
    const { reason } = parseForm(reasonSchema, req.body ?? {});
    await rejectEnrollment(sequelize, outbox, { enrollmentId, actor: enrollmentActor(req), reason });
    return 'ثبت‌نام رد شد و به رابط خبر داده شد.';
  });

  onEnrollment('move', async (req, enrollmentId) => {
    const { direction, reason } = parseForm(moveSchema, req.body ?? {});
    const outcome = await moveOnWaitlist(sequelize, outbox, { enrollmentId, actor: enrollmentActor(req), direction, reason });
    return `نوبت رابط در فهرست انتظار اکنون ${toPersianDigits(outcome.waitlistPosition)} است.`;
  });

  router.get('/admin/outbox', onlyAdmin, async (req, res) => {
    const page = pageParam(req.query.page);
    res.render('enrollments/outbox', {
      title: 'صندوق پیام‌های خروجی',
      smtp: outbox.sends('email'),
      sms: outbox.sends('sms'),
      ...(await listOutbox(outbox, page)),
    });
  });

  router.post('/admin/outbox/resend', onlyAdmin, async (req, res) => {
    if (!outbox.sends('email') && !outbox.sends('sms')) {
      flash(req, 'warning', 'نه SMTP پیکربندی شده است (SMTP_URL) و نه سامانهٔ پیامک (SMS_PROVIDER)؛ پیام‌ها در صف می‌مانند.');
    } else {
      const count = await outbox.resendFailed();
      flash(req, 'success', `${toPersianDigits(count)} پیام ناموفق دوباره در صف فرستادن گذاشته شد.`);
    }
    res.redirect(303, '/admin/outbox');
  });

  return router;
}
