import { actorOf } from '../../services/audit';
import { Router, type Request, type Response } from 'express';
import QRCode from 'qrcode';
import type { Sequelize } from 'sequelize';
import type { Services } from '../../services';
import { requireLogin, requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { Fragments, type Keep } from '../../middleware/view-engine';
import { FormError, HttpError } from '../../lib/errors';
import { parseForm, typedValues } from '../../lib/forms';
import { idParam, indexedFields } from '../../lib/params';
import { toPersianDigits } from '../../lib/persian';
import { ATTENDANCE_STATUS_LABELS } from '../../lib/statuses';
import {
  MESSAGES,
  STATUSES,
  approvedEnrollmentIds,
  assertTakesAttendance,
  courseForAttendance,
  loadMatrix,
  loadSheet,
  marksAreFrozen,
  marksAreOpen,
  presentSession,
  readSessionForAttendance,
  recordAttendance,
  selfCheckIn,
  sessionForAttendance,
  type SheetCourse,
  type SheetSession,
} from './service';
import { checkInSchema, parseMarks } from './schemas';
import { CODE_WINDOW_MS, checkInSecret, checkInWindow, currentCode } from './check-in-codes';

async function renderSheet(
  sequelize: Sequelize,
  req: Request,
  res: Response,
  session: SheetSession,
  course: SheetCourse,
  extra: {
    status?: number;
    errors?: Record<string, string>;
    message?: string | null;
    values?: Record<string, unknown>;
    /** The rows, when they were read already. */
    rows?: Awaited<ReturnType<typeof loadSheet>>;
    /** Where the rows, rendered, may be kept and found (nothing typed, no errors): beside the rows they were rendered from. */
    kept?: Fragments;
  } = {},
) {
  const rows = extra.rows ?? (await loadSheet(sequelize, session));
  const fromPaper = req.query.from === 'paper' || req.body?.source === 'paper';
  const open = marksAreOpen(session) && !(course.status === 'cancelled') && !(marksAreFrozen(course) && req.user!.role !== 'admin');
  // The rows are most of the sheet's rendering; kept, they are rendered once for each way they can look (open or not).
  const keepRows: Keep | null = extra.kept ? { in: extra.kept, key: String(open) } : null;
  res.status(extra.status ?? 200).render('attendance/sheet', {
    title: `حضور و غیاب · ${course.title}`,
    session: presentSession(session, course),
    rows,
    statuses: STATUSES,
    statusLabels: ATTENDANCE_STATUS_LABELS,
    open,
    keepRows,
    frozen: marksAreFrozen(course),
    fromPaper,
    errors: extra.errors ?? {},
    message: extra.message ?? null,
    values: extra.values ?? {},
    scripts: ['/js/attendance.js'],
  });
}

/** What a refused sheet post typed, to put back on the re-rendered sheet. */
function postedValues(body: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {
    reason: typeof (body as { reason?: unknown })?.reason === 'string' ? (body as { reason: string }).reason : '',
  };
  for (const name of ['mark', 'note']) {
    try {
      values[name] = Object.fromEntries(indexedFields(body, name));
    } catch {
      values[name] = {};
    }
  }
  return values;
}

async function checkInPayload(services: Services, session: SheetSession) {
  const secret = await checkInSecret(services.sequelize, session.id);
  const { code, expiresInMs } = currentCode(secret);
  const url = `${services.config.baseUrl}/check-in?code=${code}`;
  const qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 320 });
  return { code, codeFa: toPersianDigits(code), url, qr, expiresInMs, windowMs: CODE_WINDOW_MS };
}

export function attendanceRoutes(services: Services): Router {
  const router = Router();
  const staff = requireRole('admin', 'instructor');

  router.get('/admin/sessions/:id/attendance', staff, async (req, res) => {
    const id = idParam(req.params.id);
    // The session, its course and its rows, kept while the database is unchanged (a sheet is opened again and again in class).
    // The rows rendered are kept with them (`kept`), and go when they go.
    const { session, course, rows, kept } = await services.pageReads.remember(`sheet:${id}`, async () => {
      const found = await readSessionForAttendance(services.sequelize, id);
      return { ...found, rows: await loadSheet(services.sequelize, found.session), kept: new Fragments(2) };
    });
    assertTakesAttendance(req.user!, course);
    await renderSheet(services.sequelize, req, res, session, course, { rows, kept });
  });

  /**
   * A sheet's post, parsed and saved: the session, its course and who may take it are read and
   * checked inside the save's transaction (recordAttendance). `refusal` gives what a refused post
   * is answered with: to someone who takes the course's attendance, the error with the session and
   * course read again; to anyone else only the 403 or 404 that reading them throws.
   */
  const saveMarks = async (req: Request, sessionId: number) => {
    const { entries, source, reason } = await parseMarks(req.body, () => approvedEnrollmentIds(services.sequelize, sessionId));
    return recordAttendance(services.sequelize, actorOf(req), sessionId, entries, {
      user: req.user!,
      source,
      reason,
      byAdmin: req.user!.role === 'admin',
    });
  };
  const refusal = async (req: Request, err: unknown) => {
    if (!(err instanceof HttpError) || err.status === 403 || err.status === 404) throw err;
    return { err, ...(await sessionForAttendance(services.sequelize, req.user!, req.params.id as string)) };
  };

  router.post('/admin/sessions/:id/attendance', staff, async (req, res) => {
    const sessionId = idParam(req.params.id);
    try {
      const outcome = await saveMarks(req, sessionId);
      const saved = outcome.created + outcome.changed + outcome.cleared;
      flash(req, 'success', saved ? `حضور و غیاب ذخیره شد (${toPersianDigits(saved)} مورد).` : 'تغییری برای ذخیره نبود.');
      res.redirect(303, `/admin/sessions/${sessionId}/attendance`);
    } catch (thrown) {
      const { err, session, course } = await refusal(req, thrown);
      await renderSheet(services.sequelize, req, res, session, course, {
        status: err.status,
        errors: err instanceof FormError ? err.fields : {},
        message: err.message,
        values: postedValues(req.body),
      });
    }
  });

  /** The sheet's script: one tap, one save (JSON in, JSON out). */
  router.post('/admin/sessions/:id/attendance/marks', staff, async (req, res) => {
    try {
      const outcome = await saveMarks(req, idParam(req.params.id));
      res.json({
        ok: true,
        created: outcome.created,
        changed: outcome.changed,
        cleared: outcome.cleared,
        marks: outcome.marks,
        message: 'ذخیره شد',
      });
    } catch (thrown) {
      const { err } = await refusal(req, thrown);
      res.status(err.status).json({ ok: false, error: err.message, fields: err instanceof FormError ? err.fields : {} });
    }
  });

  router.get('/admin/courses/:id/attendance', staff, async (req, res) => {
    const course = await courseForAttendance(req.user!, req.params.id as string);
    const matrix = await loadMatrix(services.sequelize, course);
    res.render('attendance/matrix', {
      title: `ماتریس حضور · ${course.title}`,
      course: {
        id: course.id,
        code: course.code,
        title: course.title,
        minAttendance: course.minAttendance,
        countExcused: course.countExcused,
      },
      ...matrix,
      statusLabels: ATTENDANCE_STATUS_LABELS,
    });
  });

  router.get('/admin/sessions/:id/sign-in-sheet', staff, async (req, res) => {
    const { session, course } = await sessionForAttendance(services.sequelize, req.user!, req.params.id as string);
    const rows = await loadSheet(services.sequelize, session);
    res.render('attendance/sign-in-sheet', {
      title: `برگهٔ حضور · ${course.title}`,
      session: presentSession(session, course),
      rows,
      blankRows: 5,
      scripts: ['/js/attendance.js'],
    });
  });

  router.get('/admin/sessions/:id/check-in', staff, async (req, res) => {
    const { session, course } = await sessionForAttendance(services.sequelize, req.user!, req.params.id as string);
    res.render('attendance/check-in', {
      title: `حضور با کد · ${course.title}`,
      session: presentSession(session, course),
      checkInTimes: checkInWindow(session, {
        opensMinutesBefore: services.config.checkInOpensMinutesBefore,
        closesMinutesAfter: services.config.checkInClosesMinutesAfter,
      }),
      checkIn: await checkInPayload(services, session),
      scripts: ['/js/attendance.js'],
    });
  });

  router.get('/admin/sessions/:id/check-in/code', staff, async (req, res) => {
    const { session } = await sessionForAttendance(services.sequelize, req.user!, req.params.id as string);
    res.json(await checkInPayload(services, session));
  });

  router.get('/check-in', requireLogin, (req, res) => {
    const values = { code: typeof req.query.code === 'string' ? req.query.code : '' };
    res.render('attendance/self-check-in', { title: 'ثبت حضور با کد', values, errors: {}, message: null });
  });

  router.post('/check-in', requireRole('liaison'), async (req, res) => {
    const values = typedValues(req.body);
    try {
      const input = parseForm(checkInSchema, req.body);
      const done = await selfCheckIn(services, { ...req.user!, ip: req.ip ?? null }, { code: input.code });
      flash(req, 'success', `حضور شما در جلسهٔ «${done.courseTitle}» ثبت شد.`);
      res.redirect(303, '/me');
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const message = err instanceof FormError ? (err.fields.code ?? err.message) : err.message;
      res.status(err.status).render('attendance/self-check-in', {
        title: 'ثبت حضور با کد',
        values,
        errors: err instanceof FormError ? err.fields : {},
        message,
        polite: err.message === MESSAGES.alreadyMarked,
      });
    }
  });

  return router;
}
