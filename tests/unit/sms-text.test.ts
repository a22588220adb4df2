import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clipText, SMS_PAGE, smsPages, smsTitle } from '../../src/lib/sms-text';
import { changeMessage, smsText, type EnrollmentChange } from '../../src/features/enrollments/notify';
import { reminderText } from '../../src/features/notifications/reminders';
import { recoveryCodeText } from '../../src/features/auth/recovery';
import { ACTIVATED } from '../../src/features/liaisons/service';

const longTitle =
  'دورهٔ جامع آموزش مهارت‌های ارتباطی، روابط عمومی دیجیتال، تولید محتوای چندرسانه‌ای و مدیریت بحران رسانه‌ای برای رابطین شهرستان‌ها';
const longReason = 'ظرفیت این دوره برای شهرستان شما پیش‌تر با رابطان دیگر پر شده بود و '.repeat(7);
const changes: EnrollmentChange[] = [
  { kind: 'approved' },
  { kind: 'waitlisted', position: 12 },
  { kind: 'promoted', status: 'approved' },
  { kind: 'promoted', status: 'pending' },
  { kind: 'rejected', reason: longReason },
  { kind: 'cancelled', byAdmin: true, reason: longReason },
  { kind: 'course-cancelled' },
];

test('a long course title or reason does not turn an SMS into many pages; the notification keeps them whole', () => {
  for (const change of changes) {
    const sms = smsText(longTitle, change);
    assert.ok(smsPages(sms) <= 3, `${change.kind}: ${[...sms].length} characters`);
    assert.match(sms, /^سامانهٔ رابط: /);
    assert.match(sms, /«دورهٔ جامع آموزش مهارت‌های/, 'the title, clipped, is still there');
    assert.ok(changeMessage(longTitle, change).includes(longTitle), 'the notification on /me names the whole course');
  }
  const reminder = reminderText({
    title: longTitle,
    date: '2026-12-05',
    start: '09:00',
    place: 'سالن همایش‌های طبقهٔ سوم ساختمان شمارهٔ دو اداره کل فرهنگ و ارشاد اسلامی',
    online: false,
  });
  assert.ok(smsPages(reminder) <= 2, reminder);
});

test('the everyday SMS fit one page with an ordinary course title', () => {
  const title = 'روابط عمومی دیجیتال';
  assert.equal(smsPages(smsText(title, { kind: 'approved' })), 1);
  assert.ok(smsPages(smsText(title, { kind: 'course-cancelled' })) <= 2);
  assert.equal(smsPages(ACTIVATED.sms), 1, ACTIVATED.sms);
  assert.equal(smsPages(recoveryCodeText('123456')), 1, recoveryCodeText('123456'));
  assert.ok([...recoveryCodeText('123456')].length <= SMS_PAGE);
});

test('clipText cuts at a word, marks the cut, and leaves a short text as it is', () => {
  assert.equal(clipText('روابط عمومی', 32), 'روابط عمومی');
  const clipped = smsTitle(longTitle);
  assert.ok([...clipped].length <= 32);
  assert.ok(clipped.endsWith('…'));
  assert.ok(longTitle.startsWith(clipped.slice(0, -1)), 'cut at a word, nothing rewritten');
  assert.equal(clipText('الف'.repeat(20), 10).length, 10, 'one long word is cut inside it');
});
