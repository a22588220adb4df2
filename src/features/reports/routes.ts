import { COURSE_STATUS_LABELS, ENROLLMENT_STATUS_LABELS } from '../../lib/statuses';
import { idParam, pageParam } from '../../lib/params';
import { Router } from 'express';
import type { Services } from '../../services';
import { requireRole } from '../../middleware/auth';
import { flash } from '../../middleware/views';
import { BadRequestError } from '../../lib/errors';
import { jalaliMonthRange, jalaliYear, todayIso } from '../../lib/jalali';
import {
  allSessions,
  calendarFeed,
  calendarTokenOf,
  monthGridRange,
  monthView,
  pickMonth,
  regenerateCalendarToken,
  sessionsOf,
} from './calendar';
import { holidaysBetween } from '../holidays/queries';
import { sendTable } from '../../lib/export';
import { COUNTIES_IN_A_LIST, filterQuery, parseReportFilters, resolveCounty } from './filters';
import { countyFinder } from '../counties/names';
import { NOBODY, countyTable, courseTable, monthTable, recordTable } from './presenter';
import { countyReport, courseReport, filterOptions, monthReport, trainingRecord } from './service';
import { evaluationReport, evaluationTable } from './evaluations';
import { MIN_ANSWERS_SHOWN } from '../evaluations/rules';
import { pagination } from '../courses/presenter';
import { Fragments } from '../../middleware/view-engine';

/** Counties on a page of the county report: Kerman's 25 on one, a country's 445 on fifteen. */
const COUNTIES_PER_PAGE = 30;

export function reportRoutes({ sequelize, config, reports, evaluationSettings }: Services): Router {
  const router = Router();
  const admin = requireRole('admin');
  /**
   * The filters' choices (years, categories, counties), kept as long as the reports are, with each
   * report's filter form rendered once for each query (`forms`; views/reports/_filters.ejs): a
   * country's 445 counties made it a fifth of the county report's time. The finder of a typed county
   * is built with them, once (its names' keys took 1–2 ms of each request that typed one).
   */
  const filterChoices = () =>
    reports.remember('filter-options', async () => {
      const options = await filterOptions(sequelize);
      return {
        ...options,
        typedCounty: options.counties.length > COUNTIES_IN_A_LIST,
        findCounty: countyFinder(options.counties),
        forms: new Fragments(200),
      };
    });
  /**
   * A report's filters and the form's choices, with a county given by its name found (resolveCounty).
   * Where the form asks for the county by name, one not found is left out: the page reports every
   * county and says why beside the field (`countyField`). An export refuses it, and so does a page
   * whose form lists the counties (nothing typed could give it).
   */
  const readFilters = async (query: unknown) => {
    const filters = parseReportFilters(query);
    const options = await filterChoices();
    const county = resolveCounty(filters.county, options.findCounty);
    if (county.error && (filters.format !== 'html' || !options.typedCounty)) throw new BadRequestError(county.error);
    const countyField = { typed: county.error ? filters.county : null, error: county.error };
    return { filters: { ...filters, county: county.slug }, options, countyField };
  };

  router.get('/admin/reports', admin, (_req, res) => res.redirect(303, '/admin/reports/courses'));

  router.get('/admin/reports/courses', admin, async (req, res) => {
    const { filters, options, countyField } = await readFilters(req.query);
    const rows = await reports.remember(`courses?${filterQuery(filters)}`, () => courseReport({ sql: sequelize, filters }));
    if (filters.format !== 'html') return sendTable(res, filters.format, courseTable(rows, filters));
    res.render('reports/courses', {
      title: 'گزارش دوره‌ها',
      filters,
      query: filterQuery(filters),
      options,
      countyField,
      rows,
      statusLabels: COURSE_STATUS_LABELS,
      action: '/admin/reports/courses',
    });
  });

  router.get('/admin/reports/counties', admin, async (req, res) => {
    const { filters, options, countyField } = await readFilters(req.query);
    // The rows, the counties among them that sent nobody, and their pages rendered once beside them (`kept`).
    const { rows, silent, kept } = await reports.remember(`counties?${filterQuery(filters)}`, async () => {
      const rows = await countyReport({ sql: sequelize, filters });
      return { rows, silent: rows.filter((r) => r.sentNobody).map((r) => r.name), kept: new Fragments(20) };
    });
    if (filters.format !== 'html') return sendTable(res, filters.format, countyTable(rows, filters));
    // A page of counties (a province's all on one; a page past the end shows the last); the exports
    // and the counties that sent nobody cover them all.
    const at = pagination(pageParam(req.query.page), rows.length, COUNTIES_PER_PAGE);
    const page = Math.min(at.page, at.pages);
    res.render('reports/counties', {
      title: 'گزارش شهرستان‌ها',
      filters,
      query: filterQuery(filters),
      options,
      countyField,
      rows: rows.slice((page - 1) * COUNTIES_PER_PAGE, page * COUNTIES_PER_PAGE),
      silent,
      ...at,
      page,
      nobody: NOBODY,
      kept,
      action: '/admin/reports/counties',
    });
  });

  router.get('/admin/reports/months', admin, async (req, res) => {
    const { filters, options, countyField } = await readFilters(req.query);
    const year = filters.year ?? jalaliYear(todayIso());
    const months = (filters.month ? [filters.month] : [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]).map((month) => ({
      month,
      ...jalaliMonthRange(year, month),
    }));
    const rows = await reports.remember(`months?${filterQuery({ ...filters, year })}`, () =>
      monthReport({ sql: sequelize, filters }, months),
    );
    if (filters.format !== 'html') return sendTable(res, filters.format, monthTable(rows, year));
    res.render('reports/months', {
      title: 'گزارش ماهانه',
      filters: { ...filters, year },
      query: filterQuery({ ...filters, year }),
      options,
      countyField,
      rows,
      year,
      action: '/admin/reports/months',
    });
  });

  router.get('/admin/reports/evaluations', admin, async (req, res) => {
    const filters = parseReportFilters(req.query);
    const by = req.query.by === 'instructor' ? 'instructor' : req.query.by === 'category' ? 'category' : 'course';
    const template = await evaluationSettings.template();
    const report = await reports.remember(`evaluations?${filterQuery(filters)}`, () => evaluationReport(sequelize, filters, template));
    if (filters.format !== 'html') return sendTable(res, filters.format, evaluationTable(report, by, filters));
    res.render('reports/evaluations', {
      title: 'گزارش ارزشیابی دوره‌ها',
      filters,
      query: filterQuery(filters),
      options: await filterChoices(),
      report,
      minAnswers: MIN_ANSWERS_SHOWN,
      action: '/admin/reports/evaluations',
    });
  });

  router.get('/admin/liaisons/:id/record', admin, async (req, res) => {
    const id = idParam(req.params.id);
    const filters = parseReportFilters({ year: 'all', ...req.query });
    const record = await trainingRecord({ sql: sequelize, filters }, id);
    if (filters.format !== 'html') return sendTable(res, filters.format, recordTable(record));
    res.render('reports/record', {
      title: `شناسنامهٔ آموزشی ${record.liaison.fullName}`,
      filters,
      query: filterQuery(filters),
      options: await filterChoices(),
      record,
      statusLabels: ENROLLMENT_STATUS_LABELS,
      action: `/admin/liaisons/${id}/record`,
    });
  });

  router.get('/admin/calendar', admin, async (req, res) => {
    const { year, month } = pickMonth(req.query);
    const range = monthGridRange(year, month);
    const view = monthView(year, month, await allSessions(sequelize, range.from, range.to), await holidaysBetween(range.from, range.to));
    res.render('calendar/month', { title: 'تقویم جلسه‌ها', view, base: '/admin/calendar', courseLink: '/admin/courses/' });
  });

  router.get('/calendar', requireRole('liaison', 'instructor'), async (req, res) => {
    const { year, month } = pickMonth(req.query);
    const range = monthGridRange(year, month);
    const user = req.user!;
    const view = monthView(
      year,
      month,
      await sessionsOf(sequelize, user.id, range.from, range.to),
      await holidaysBetween(range.from, range.to),
    );
    const upcoming = (await sessionsOf(sequelize, user.id, todayIso(), null)).slice(0, 10);
    const token = await calendarTokenOf(user.id);
    res.render('calendar/mine', {
      title: 'تقویم من',
      view,
      base: '/calendar',
      courseLink: '/courses/',
      upcoming,
      feedUrl: token ? `${config.baseUrl}/calendar/${token}.ics` : null,
    });
  });

  router.post('/calendar/token', requireRole('liaison', 'instructor'), async (req, res) => {
    const hadOne = Boolean(await calendarTokenOf(req.user!.id));
    await regenerateCalendarToken(req.user!.id);
    flash(req, 'success', hadOne ? 'نشانی تازهٔ تقویم ساخته شد؛ نشانی پیشین دیگر کار نمی‌کند.' : 'نشانی تقویم شما ساخته شد.');
    res.redirect(303, '/calendar');
  });

  router.get('/calendar/:token.ics', async (req, res) => {
    const token = String(req.params.token);
    if (!token) throw new BadRequestError();
    const body = await calendarFeed(sequelize, token, config.baseUrl);
    res.set('Cache-Control', 'private, max-age=300');
    res.type('text/calendar; charset=utf-8').send(body);
  });

  return router;
}
