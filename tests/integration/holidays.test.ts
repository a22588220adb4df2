import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app';
import { createAdmin, createLiaison } from '../helpers/factories';
import { loginAs, postForm, type Agent } from '../helpers/http';
import { AuditEvent, Holiday } from '../../src/models';
import { isoFromJalali } from '../../src/lib/jalali';

let t: TestApp;
let admin: Agent;
before(async () => {
  t = await createTestApp({ RATE_LIMITS: 'off' });
  admin = await loginAs(t.app, (await createAdmin({ username: 'holidayadmin' })).username);
});
after(async () => t.close());

const rowsOf = (html: string) => (html.match(/action="\/admin\/holidays\/\d+\/delete"/g) ?? []).length;

describe('official holidays', () => {
  it('comes filled for 1405 and 1406 with the holidays fixed by law and the published lunar ones', async () => {
    const y1405 = await admin.get('/admin/holidays?year=1405');
    assert.equal(y1405.status, 200);
    assert.ok(rowsOf(y1405.text) >= 24, `${rowsOf(y1405.text)} rows`);
    for (const [date, title] of [
      [isoFromJalali(1405, 1, 1), 'جشن نوروز'],
      [isoFromJalali(1405, 1, 13), 'روز طبیعت'],
      [isoFromJalali(1405, 3, 6), 'عید سعید قربان'],
      [isoFromJalali(1405, 4, 4), 'عاشورای حسینی'],
      [isoFromJalali(1405, 11, 22), 'پیروزی انقلاب اسلامی'],
      [isoFromJalali(1406, 12, 29), 'روز ملی شدن صنعت نفت'],
    ]) {
      const holiday = await Holiday.findOne({ where: { date } });
      assert.ok(holiday?.title.includes(title), `${date} ${title}`);
    }
    assert.match(y1405.text, /عید سعید قربان/);
    assert.match(y1405.text, /۶ خرداد ۱۴۰۵/);
    const y1406 = await admin.get('/admin/holidays?year=1406');
    assert.ok(rowsOf(y1406.text) >= 24);
    assert.equal(rowsOf((await admin.get('/admin/holidays?year=1410')).text), 0);
  });

  it('lets an admin add a day in any digits, refuses a repeated or impossible one next to the field, and remove a day', async () => {
    const page = '/admin/holidays?year=1407';
    const added = await postForm(admin, page, { date: '۱۴۰۷/۰۷/۰۱', title: 'تعطیلی استانی' }, page);
    assert.equal(added.status, 303);
    assert.equal(added.headers.location, '/admin/holidays?year=1407');
    const holiday = (await Holiday.findOne({ where: { date: isoFromJalali(1407, 7, 1) } }))!;
    assert.equal(holiday.title, 'تعطیلی استانی');
    assert.ok(await AuditEvent.findOne({ where: { action: 'holiday.create', entityId: holiday.id } }));
    const listed = await admin.get(page);
    assert.match(listed.text, /تعطیلی استانی/);

    const before = await Holiday.count();
    const repeated = await postForm(admin, page, { date: '1407/7/1', title: 'دوباره' }, page);
    assert.equal(repeated.status, 409);
    assert.match(repeated.text, /id="date-error"[^>]*>[^<]*پیش‌تر در فهرست تعطیلات است/);
    const impossible = await postForm(admin, page, { date: '1407/07/31', title: 'روز ناموجود' }, page);
    assert.equal(impossible.status, 400);
    assert.match(impossible.text, /id="date-error"/);
    assert.match(impossible.text, /value="روز ناموجود"/, 'the form keeps what was typed');
    assert.equal(await Holiday.count(), before);

    const removed = await postForm(admin, `/admin/holidays/${holiday.id}/delete`, {}, page);
    assert.equal(removed.status, 303);
    assert.equal(await Holiday.findByPk(holiday.id), null);
    assert.ok(await AuditEvent.findOne({ where: { action: 'holiday.delete', entityId: holiday.id } }));
  });

  it('is the admin’s page only', async () => {
    const liaison = await loginAs(t.app, (await createLiaison()).username);
    assert.equal((await liaison.get('/admin/holidays')).status, 403);
  });

  it('marks Fridays and official holidays on the calendars', async () => {
    // Khordad 1405: the grid runs Saturday 1405/02/26 to Friday 1405/04/05, six weeks, six Fridays;
    // the holidays on other days are 6 and 14 Khordad and 3 and 4 Tir (15 Khordad is a Friday).
    const res = await admin.get('/admin/calendar?year=1405&month=3');
    assert.equal(res.status, 200);
    assert.equal((res.text.match(/class="[^"]*\bday-off\b/g) ?? []).length, 6 + 4);
    assert.match(res.text, /title="تعطیل رسمی: عید سعید قربان"/);
    assert.match(res.text, /holiday-title">رحلت امام خمینی؛ عید سعید غدیر خم</);
    const liaison = await loginAs(t.app, (await createLiaison()).username);
    const mine = await liaison.get('/calendar?year=1405&month=1');
    assert.equal(mine.status, 200);
    assert.match(mine.text, /holiday-title">جشن نوروز؛ عید سعید فطر</);
  });
});
