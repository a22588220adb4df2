import { COURSE_STATUS_LABELS } from '../../lib/statuses';
import { actorOf } from '../../services/audit';
import { idParam } from '../../lib/params';
import { Router, type Response } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { ConflictError, FormError, type FieldErrors } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { isolatedCode, toPersianDigits } from '../../lib/persian';
import {
  adminListQuery,
  announcementSchema,
  catalogueQuery,
  courseSchema,
  deleteSessionSchema,
  duplicateSchema,
  seriesSchema,
  sessionSchema,
  statusSchema,
} from './schemas';
import {
  addSession,
  addSessionSeries,
  changeCourseStatus,
  createCourse,
  deleteSession,
  duplicateCourse,
  TRANSITIONS,
  updateCourse,
  updateSession,
} from './service';
import {
  catalogue,
  catalogueCategories,
  countiesForQuotas,
  courseForAdmin,
  courseForEdit,
  listCoursesForAdmin,
  publicCourse,
  sessionForEdit,
} from './queries';
import { courseFormValues } from './presenter';
import { announceToCourse } from './announcements';
import { todayIso, jalaliAscii, addDaysIso } from '../../lib/jalali';
import { visibleMaterials } from '../materials/queries';
import { Fragments } from '../../middleware/view-engine';

const admin = requireRole('admin');

/** What the user typed, including the `quota[...]` fields and the weekday checkboxes. */
function formValues(body: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = typedValues(body);
  const raw = (body ?? {}) as Record<string, unknown>;
  if (raw.quota && typeof raw.quota === 'object') values.quota = typedValues(raw.quota);
  if (Array.isArray(raw.weekdays)) values.weekdays = raw.weekdays.filter((d) => typeof d === 'string');
  else if (typeof raw.weekdays === 'string') values.weekdays = [raw.weekdays];
  return values;
}

async function renderCourseForm(
  res: Response,
  options: { course?: { id: number; title: string }; values: Record<string, unknown>; errors?: FieldErrors; status?: number },
) {
  const counties = await countiesForQuotas();
  const editing = options.course ?? null;
  res.status(options.status ?? 200).render('courses/form', {
    title: editing ? `ویرایش دوره «${editing.title}»` : 'دورهٔ تازه',
    editing,
    action: editing ? `/admin/courses/${editing.id}/edit` : '/admin/courses',
    values: options.values,
    errors: options.errors ?? {},
    counties,
  });
}

type CourseForms = 'session' | 'series' | 'duplicate' | 'announcement';

/** The admin course page; a refused form on it comes back with its messages and what was typed. */
async function renderCoursePage(
  res: Response,
  id: number,
  options: { status?: number; alert?: string; form?: CourseForms; errors?: FieldErrors; values?: Record<string, unknown> } = {},
) {
  const data = await courseForAdmin(id);
  const forms: Record<CourseForms, { errors: FieldErrors; values: Record<string, unknown> }> = {
    session: { errors: {}, values: {} },
    series: { errors: {}, values: {} },
    duplicate: { errors: {}, values: {} },
    announcement: { errors: {}, values: {} },
  };
  if (options.form) forms[options.form] = { errors: options.errors ?? {}, values: options.values ?? {} };
  res.status(options.status ?? 200).render('courses/show', {
    title: data.course.title,
    ...data,
    forms,
    alert: options.alert ?? null,
    statusLabels: COURSE_STATUS_LABELS,
    nextStatuses: TRANSITIONS[data.course.status],
  });
}

export function courseRoutes({ sequelize, outbox, publicPages, pageReads }: Services): Router {
  const router = Router();

  // ---- admin: courses ----

  router.get('/admin/courses', admin, async (req, res) => {
    const query = adminListQuery.parse(req.query);
    const list = await listCoursesForAdmin(sequelize, query);
    res.render('courses/index', { title: 'دوره‌ها', query, ...list, statusLabels: COURSE_STATUS_LABELS });
  });

  router.get('/admin/courses/new', admin, async (_req, res) => {
    const today = todayIso();
    await renderCourseForm(res, {
      values: {
        enrollOpens: jalaliAscii(today),
        enrollCloses: jalaliAscii(addDaysIso(today, 7)),
        minAttendance: '80',
        approval: 'auto',
        delivery: 'in-person',
      },
    });
  });

  router.post('/admin/courses', admin, async (req, res) => {
    try {
      const input = parseForm(courseSchema, req.body);
      const course = await createCourse(sequelize, input, actorOf(req));
      flash(req, 'success', 'دوره ساخته شد. اکنون جلسه‌های آن را بگذارید.');
      res.redirect(303, `/admin/courses/${course.id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCourseForm(res, { values: formValues(req.body), errors: err.fields, status: err.status });
    }
  });

  router.get('/admin/courses/:id', admin, async (req, res) => {
    await renderCoursePage(res, idParam(req.params.id));
  });

  router.get('/admin/courses/:id/edit', admin, async (req, res) => {
    const { course, instructorUsername, quotas } = await courseForEdit(idParam(req.params.id));
    await renderCourseForm(res, {
      course: { id: course.id, title: course.title },
      values: courseFormValues(course, instructorUsername, quotas),
    });
  });

  router.post('/admin/courses/:id/edit', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const input = parseForm(courseSchema, req.body);
      await updateCourse(sequelize, outbox, id, input, actorOf(req));
      flash(req, 'success', 'تغییرات دوره ذخیره شد.');
      res.redirect(303, `/admin/courses/${id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      const { course } = await courseForEdit(id);
      await renderCourseForm(res, {
        course: { id, title: course.title },
        values: formValues(req.body),
        errors: err.fields,
        status: err.status,
      });
    }
  });

  router.post('/admin/courses/:id/duplicate', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const input = parseForm(duplicateSchema, req.body);
      const copy = await duplicateCourse(sequelize, id, input, actorOf(req));
      flash(req, 'success', `رونوشت دوره با کد ${isolatedCode(copy.code)} به‌صورت پیش‌نویس ساخته شد.`);
      res.redirect(303, `/admin/courses/${copy.id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCoursePage(res, id, { status: err.status, form: 'duplicate', errors: err.fields, values: formValues(req.body) });
    }
  });

  router.post('/admin/courses/:id/status', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { status } = parseForm(statusSchema, req.body);
      await changeCourseStatus(sequelize, outbox, id, status, actorOf(req));
      flash(req, 'success', `وضعیت دوره «${COURSE_STATUS_LABELS[status]}» شد.`);
      res.redirect(303, `/admin/courses/${id}`);
    } catch (err) {
      if (err instanceof ConflictError) return renderCoursePage(res, id, { status: 409, alert: err.message });
      if (err instanceof FormError) return renderCoursePage(res, id, { status: 400, alert: err.fields.status ?? err.message });
      throw err;
    }
  });

  router.post('/admin/courses/:id/announcements', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { message } = parseForm(announcementSchema, req.body);
      const told = await announceToCourse(sequelize, outbox, id, message, actorOf(req));
      flash(
        req,
        told ? 'success' : 'warning',
        told ? `پیام برای ${toPersianDigits(told)} رابط فرستاده شد.` : 'این دوره رابطی ندارد؛ پیامی فرستاده نشد.',
      );
      res.redirect(303, `/admin/courses/${id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCoursePage(res, id, { status: err.status, form: 'announcement', errors: err.fields, values: formValues(req.body) });
    }
  });

  // ---- admin: sessions ----

  router.post('/admin/courses/:id/sessions', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const input = parseForm(sessionSchema, req.body);
      await addSession(sequelize, id, input, actorOf(req));
      flash(req, 'success', 'جلسه افزوده شد.');
      res.redirect(303, `/admin/courses/${id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCoursePage(res, id, { status: err.status, form: 'session', errors: err.fields, values: formValues(req.body) });
    }
  });

  router.post('/admin/courses/:id/sessions/series', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const input = parseForm(seriesSchema, req.body);
      const sessions = await addSessionSeries(sequelize, id, input, actorOf(req));
      flash(req, 'success', `${toPersianDigits(sessions.length)} جلسه افزوده شد.`);
      res.redirect(303, `/admin/courses/${id}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      await renderCoursePage(res, id, { status: err.status, form: 'series', errors: err.fields, values: formValues(req.body) });
    }
  });

  router.get('/admin/sessions/:id', admin, async (req, res) => {
    const data = await sessionForEdit(idParam(req.params.id));
    const { session } = data;
    const values = { date: jalaliAscii(session.date), start: session.startTime, end: session.endTime, topic: session.topic ?? '' };
    res.render('courses/session', { title: 'ویرایش جلسه', ...data, values, errors: {} });
  });

  router.post('/admin/sessions/:id', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const input = parseForm(sessionSchema, req.body);
      const session = await updateSession(sequelize, id, input, actorOf(req));
      flash(req, 'success', 'جلسه ویرایش شد.');
      res.redirect(303, `/admin/courses/${session.courseId}`);
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      const data = await sessionForEdit(id);
      res.status(err.status).render('courses/session', { title: 'ویرایش جلسه', ...data, values: formValues(req.body), errors: err.fields });
    }
  });

  router.post('/admin/sessions/:id/delete', admin, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { reason } = parseForm(deleteSessionSchema, req.body);
      const courseId = await deleteSession(sequelize, outbox, id, reason, actorOf(req));
      flash(req, 'success', reason ? 'جلسه لغو شد و به رابطین دوره خبر داده شد.' : 'جلسه حذف شد.');
      res.redirect(303, `/admin/courses/${courseId}`);
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof FormError)) throw err;
      const { course } = await sessionForEdit(id);
      const alert = err instanceof FormError ? (err.fields.reason ?? err.message) : err.message;
      await renderCoursePage(res, course.id, { status: err.status, alert });
    }
  });

  // ---- the public catalogue ----

  router.get('/courses', publicPages.serve, async (req, res) => {
    const query = catalogueQuery.parse(req.query);
    const userId = req.user?.id ?? null;
    // The page's courses as this user sees them, with their cards rendered once beside them (`kept`).
    const { list, categories, kept } = await pageReads.remember(`catalogue:${userId}:${JSON.stringify(query)}`, async () => {
      const [list, categories] = await Promise.all([catalogue(sequelize, query, userId), catalogueCategories(sequelize)]);
      return { list, categories, kept: new Fragments(1) };
    });
    res.render('courses/catalogue', { title: 'دوره‌های آموزشی', query, categories, ...list, kept });
  });

  router.get('/courses/:id', publicPages.serve, async (req, res) => {
    const data = await publicCourse(sequelize, idParam(req.params.id), req.user?.id ?? null);
    const materials = await visibleMaterials(sequelize, data.course.id, req.user);
    res.render('courses/public', { title: data.course.title, ...data, materials });
  });

  return router;
}
