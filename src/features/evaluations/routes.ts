import { Router, type Request, type Response } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { ConflictError, FormError, NotFoundError, type FieldErrors } from '../../lib/errors';
import { sendTable } from '../../lib/export';
import { parseForm } from '../../lib/forms';
import { idParam } from '../../lib/params';
import { actorOf } from '../../services/audit';
import { courseAnswers, evaluationCourse } from './queries';
import { answersTable, presentResults } from './presenter';
import { SCALE_LABELS, SCORES } from './rules';
import { TEMPLATE_ROWS, evaluationSettingsSchema, parseTemplateForm } from './schemas';
import { answerEvaluation, evaluationFor, saveTemplate, setRequiredForCertificate } from './service';

/** What the liaison typed into the evaluation form, to put back when it is refused. */
function typedAnswer(body: unknown): Record<string, string> {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const out: Record<string, string> = {};
  const q = b.q && typeof b.q === 'object' ? (b.q as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(q)) if (typeof v === 'string') out[`q[${k}]`] = v;
  for (const [k, v] of Object.entries(b)) if (typeof v === 'string' && k !== '_csrf') out[k] = v;
  return out;
}

/** The evaluation survey: the liaison's form, the admin's results and the template. */
export function evaluationRoutes(services: Services): Router {
  const { sequelize, evaluationSettings } = services;
  const router = Router();
  const liaison = requireRole('liaison');
  const admin = requireRole('admin');

  async function renderForm(
    req: Request,
    res: Response,
    status = 200,
    errors: FieldErrors = {},
    values: Record<string, string> = {},
    alert: string | null = null,
  ) {
    const data = await evaluationFor(sequelize, evaluationSettings, idParam(req.params.id), req.user!);
    res.status(status).render('evaluations/form', {
      title: `ارزشیابی دورهٔ ${data.course.title}`,
      ...data,
      scores: SCORES,
      scaleLabels: SCALE_LABELS,
      errors,
      values,
      alert,
    });
  }

  router.get('/courses/:id/evaluation', liaison, (req, res) => renderForm(req, res));

  router.post('/courses/:id/evaluation', liaison, async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await answerEvaluation(sequelize, evaluationSettings, id, req.user!, req.body);
      flash(req, 'success', 'سپاس! پاسخ شما بی‌نام ثبت شد.');
      res.redirect(303, `/courses/${id}/evaluation`);
    } catch (err) {
      if (err instanceof FormError) return renderForm(req, res, err.status, err.fields, typedAnswer(req.body));
      if (err instanceof ConflictError) return renderForm(req, res, 409, {}, {}, err.message);
      throw err;
    }
  });

  router.get('/admin/courses/:id/evaluation', admin, async (req, res) => {
    const course = await evaluationCourse(sequelize, idParam(req.params.id));
    if (!course) throw new NotFoundError('دوره پیدا نشد.');
    const questions = course.questions ?? (await evaluationSettings.template());
    const format = req.query.format === 'csv' ? 'csv' : req.query.format === 'xlsx' ? 'xlsx' : null;
    const answers = await courseAnswers(sequelize, course.id, format !== null);
    const results = presentResults(questions, answers);
    if (format) {
      if (!results.shown) throw new ConflictError(`پاسخ‌ها از ${results.minAnswers} پاسخ به بالا دریافت‌شدنی است تا هیچ پاسخی ردیابی نشود.`);
      return sendTable(res, format, answersTable(course, questions, answers.rows));
    }
    res.render('evaluations/results', { title: `نتیجهٔ ارزشیابی ${course.title}`, course, ...results });
  });

  router.get('/admin/evaluation', admin, async (_req, res) => {
    res.render('evaluations/template', {
      title: 'فرم ارزشیابی دوره‌ها',
      template: await evaluationSettings.template(),
      requiredForCertificate: await evaluationSettings.requiredForCertificate(),
      rows: TEMPLATE_ROWS,
      errors: {},
      values: null,
    });
  });

  router.post('/admin/evaluation/template', admin, async (req, res) => {
    try {
      await saveTemplate(sequelize, evaluationSettings, actorOf(req), parseTemplateForm(req.body));
      flash(req, 'success', 'فرم ارزشیابی ذخیره شد؛ دوره‌هایی که ارزشیابی‌شان از این پس باز شود آن را می‌پرسند.');
      res.redirect(303, '/admin/evaluation');
    } catch (err) {
      if (!(err instanceof FormError)) throw err;
      res.status(err.status).render('evaluations/template', {
        title: 'فرم ارزشیابی دوره‌ها',
        template: await evaluationSettings.template(),
        requiredForCertificate: await evaluationSettings.requiredForCertificate(),
        rows: TEMPLATE_ROWS,
        errors: err.fields,
        values: req.body ?? {},
      });
    }
  });

  router.post('/admin/evaluation/settings', admin, async (req, res) => {
    const { requiredForCertificate } = parseForm(evaluationSettingsSchema, req.body);
    await setRequiredForCertificate(sequelize, evaluationSettings, actorOf(req), requiredForCertificate);
    flash(
      req,
      'success',
      requiredForCertificate
        ? 'از این پس رابطین پیش از دریافت گواهی‌نامه به ارزشیابی دوره پاسخ می‌دهند.'
        : 'دریافت گواهی‌نامه دیگر به پاسخ ارزشیابی بسته نیست.',
    );
    res.redirect(303, '/admin/evaluation');
  });

  return router;
}
