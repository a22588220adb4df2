import { QueryTypes } from 'sequelize';
import { addDaysIso, nowTime, todayIso, weekdayName } from '../../lib/jalali';
import { every } from '../../lib/schedule';
import { toPersianDigits } from '../../lib/persian';
import { clipText, SMS_DETAIL_MAX, smsTitle } from '../../lib/sms-text';
import type { Services } from '../../services';
import { recordAudit, type Actor } from '../../services/audit';

/** How often each instance looks for reminders due; they go out within this long after the hour the admin set. */
const CHECK_EVERY_MS = 5 * 60_000;

interface DueReminder {
  session_id: number;
  user_id: number;
  mobile: string;
  start_time: string;
  title: string;
  place: string | null;
  delivery: string;
}

/** The reminder's SMS: short, in Persian, with the course title, the day and hour and the place (clipped: src/lib/sms-text.ts). */
export function reminderText(r: { title: string; date: string; start: string; place: string | null; online: boolean }): string {
  const where = r.online ? ' (برخط)' : r.place ? ` در ${clipText(r.place, SMS_DETAIL_MAX)}` : '';
  return `سامانهٔ رابط، یادآوری: فردا ${weekdayName(r.date)} ساعت ${toPersianDigits(r.start)} جلسهٔ «${smsTitle(r.title)}»${where}.`;
}

/**
 * From the hour the admin set (Tehran time), queues an SMS reminder for every session of tomorrow
 * to each approved liaison of its course who has a mobile and has not turned reminders off. Every
 * instance runs this every few minutes: the outbox's unique key `reminder:<session>:<liaison>` lets
 * one reminder per liaison and session through, whoever queues it and however often. Returns how
 * many were new.
 */
export async function queueSessionReminders(
  { sequelize, outbox, settings }: Pick<Services, 'sequelize' | 'outbox' | 'settings'>,
  now: Date = new Date(),
): Promise<number> {
  if (Number(nowTime(now).slice(0, 2)) < (await settings.reminderHour())) return 0;
  const tomorrow = addDaysIso(todayIso(now), 1);
  const due = await sequelize.query<DueReminder>(
    `SELECT s.id AS session_id, u.id AS user_id, u.mobile, s.start_time, c.title, c.place, c.delivery
       FROM course_sessions s
       JOIN courses c ON c.id = s.course_id AND c.status IN ('open', 'running')
       JOIN enrollments e ON e.course_id = c.id AND e.status = 'approved'
       JOIN users u ON u.id = e.user_id AND u.status = 'active' AND u.sms_reminders = :on AND u.mobile IS NOT NULL
      WHERE s.date = :tomorrow
        AND NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.dedupe_key = 'reminder:' || s.id || ':' || u.id)
      ORDER BY s.id, u.id`,
    { type: QueryTypes.SELECT, replacements: { tomorrow, on: true } },
  );
  for (let i = 0; i < due.length; i += 200) {
    await sequelize.transaction(async (transaction) => {
      await outbox.queueSms(
        due.slice(i, i + 200).map((r) => ({
          to: r.mobile,
          kind: 'یادآوری جلسه',
          text: reminderText({ title: r.title, date: tomorrow, start: r.start_time, place: r.place, online: r.delivery === 'online' }),
          dedupeKey: `reminder:${r.session_id}:${r.user_id}`,
        })),
        transaction,
      );
    });
  }
  return due.length;
}

/** Looks for reminders due now and every few minutes; returns the function that stops it. */
export function scheduleReminders(services: Services, log: (err: unknown) => void = console.error): () => void {
  return every(CHECK_EVERY_MS, () => queueSessionReminders(services), log);
}

/** An admin sets the hour (Tehran time) from which reminders for the next day's sessions go out. */
export async function changeReminderHour(
  { sequelize, settings }: Pick<Services, 'sequelize' | 'settings'>,
  actor: Actor,
  hour: number,
): Promise<void> {
  await sequelize.transaction(async (transaction) => {
    await settings.setReminderHour(hour, transaction);
    await recordAudit(sequelize, actor, 'settings.reminder-hour', { type: 'setting', id: null }, { hour }, transaction);
  });
}
