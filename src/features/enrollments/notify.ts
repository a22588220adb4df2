import type { Sequelize, Transaction } from 'sequelize';
import type { Outbox } from '../../services/outbox';
import { type News, notifyUsers, type Recipient, tellUsers } from '../notifications/service';
import { toPersianDigits } from '../../lib/persian';
import { clipText, SMS_DETAIL_MAX, smsTitle } from '../../lib/sms-text';

export type EnrollmentChange =
  | { kind: 'approved' }
  | { kind: 'pending' }
  | { kind: 'waitlisted'; position: number }
  | { kind: 'promoted'; status: 'approved' | 'pending' }
  | { kind: 'moved'; position: number }
  | { kind: 'rejected'; reason: string }
  | { kind: 'cancelled'; byAdmin: boolean; reason: string | null }
  | { kind: 'course-cancelled' }
  | { kind: 'session-cancelled'; when: string; reason: string };

export function changeMessage(courseTitle: string, change: EnrollmentChange): string {
  const course = `دورهٔ «${courseTitle}»`;
  switch (change.kind) {
    case 'approved':
      return `ثبت‌نام شما در ${course} تأیید شد.`;
    case 'pending':
      return `درخواست ثبت‌نام شما در ${course} ثبت شد و در انتظار تأیید مدیر سامانه است.`;
    case 'waitlisted':
      return `ظرفیت ${course} تکمیل است؛ شما در فهرست انتظار هستید، نوبت ${toPersianDigits(change.position)}.`;
    case 'promoted':
      return change.status === 'approved'
        ? `جایی در ${course} خالی شد و ثبت‌نام شما از فهرست انتظار تأیید شد.`
        : `جایی در ${course} خالی شد؛ درخواست شما از فهرست انتظار بیرون آمد و در انتظار تأیید مدیر سامانه است.`;
    case 'moved':
      return `نوبت شما در فهرست انتظار ${course} اکنون ${toPersianDigits(change.position)} است.`;
    case 'rejected':
      return `درخواست ثبت‌نام شما در ${course} رد شد. دلیل: ${change.reason}`;
    case 'cancelled':
      return change.byAdmin
        ? `ثبت‌نام شما در ${course} به دست مدیر سامانه لغو شد.${change.reason ? ` دلیل: ${change.reason}` : ''}`
        : `ثبت‌نام شما در ${course} لغو شد.`;
    case 'course-cancelled':
      return `${course} لغو شد و برگزار نمی‌شود. دوره‌های دیگر را در فهرست دوره‌ها ببینید.`;
    case 'session-cancelled':
      return `جلسهٔ ${change.when} ${course} لغو شد و برگزار نمی‌شود. دلیل: ${change.reason}`;
  }
}

/** The changes a liaison is also told by SMS: a place won or lost, not a waitlist shuffle or a request received. */
const TOLD_BY_SMS = new Set<EnrollmentChange['kind']>([
  'approved',
  'waitlisted',
  'promoted',
  'rejected',
  'cancelled',
  'course-cancelled',
  'session-cancelled',
]);

/** The SMS of a change: the notification's words under the app's name, with the title and a reason clipped (src/lib/sms-text.ts). */
export function smsText(courseTitle: string, change: EnrollmentChange): string {
  const short = 'reason' in change && change.reason ? { ...change, reason: clipText(change.reason, SMS_DETAIL_MAX) } : change;
  return `سامانهٔ رابط: ${changeMessage(smsTitle(courseTitle), short)}`;
}

/**
 * Tells the liaison about a change to their enrollment: a notification on /me, an email when they
 * gave an address and, for the changes that matter, an SMS (both through the outbox, sent after the
 * commit). The liaison as the caller read them, addresses and all.
 */
export function notifyEnrollmentChange(
  sequelize: Sequelize,
  outbox: Outbox,
  liaison: Recipient,
  courseTitle: string,
  change: EnrollmentChange,
  transaction: Transaction,
): Promise<void> {
  return tellUsers(sequelize, outbox, [liaison], enrollmentNews(courseTitle, change), transaction);
}

/** The same news for several liaisons at once (everyone in a cancelled course), in one INSERT. */
export function notifyEnrollmentChanges(
  sequelize: Sequelize,
  outbox: Outbox,
  userIds: number[],
  courseTitle: string,
  change: EnrollmentChange,
  transaction: Transaction,
): Promise<void> {
  return notifyUsers(sequelize, outbox, userIds, enrollmentNews(courseTitle, change), transaction);
}

function enrollmentNews(courseTitle: string, change: EnrollmentChange): News {
  return {
    message: changeMessage(courseTitle, change),
    link: '/me',
    subject: 'سامانهٔ رابط: وضعیت ثبت‌نام شما',
    sms: TOLD_BY_SMS.has(change.kind) ? smsText(courseTitle, change) : undefined,
  };
}
