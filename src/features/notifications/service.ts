import { Op, type Sequelize, type Transaction } from 'sequelize';
import { Notification } from '../../models';
import { statements } from '../../db/prepared';
import type { Outbox } from '../../services/outbox';
import { notificationPage, unreadNotifications } from './queries';
import { presentNotification, unreadIdsOf } from './presenter';
import { pagination } from '../courses/presenter';

/** How many unread notifications /me shows among its pending actions; the rest are a link away. */
export const SHOWN_ON_ME = 5;
export const PAGE_SIZE = 20;

/** What users are told: the notification's text and link, the email's subject, and the SMS text if it is worth one. */
export interface News {
  message: string;
  link: string;
  subject: string;
  /** Short, in Persian, with the course title; none: no SMS. */
  sms?: string;
}

/** Someone to tell: a user, and where they can be reached outside the app (null: nowhere). */
export interface Recipient {
  id: number;
  email: string | null;
  mobile: string | null;
}

/**
 * Tells users something: one notification row each (one INSERT whatever their number), an email
 * to those who gave an address and, when the news carries an SMS text, an SMS to those with a
 * mobile — both through the outbox, in one more INSERT, in the caller's transaction, sent after
 * the commit. Plain statements: on SQLite transactions queue one after another.
 */
export async function notifyUsers(sql: Sequelize, outbox: Outbox, userIds: number[], news: News, transaction: Transaction): Promise<void> {
  if (!userIds.length) return;
  const db = statements(sql);
  const rows = await db.all<Recipient>(`SELECT id, email, mobile FROM users WHERE id ${db.inList('userIds')}`, { userIds }, transaction);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  // In the order given, each user once.
  const recipients = [...new Set(userIds)].flatMap((id) => byId.get(id) ?? []);
  await tellUsers(sql, outbox, recipients, news, transaction);
}

/**
 * notifyUsers for users the caller has read already, addresses and all: an enrollment reads its
 * liaison under the course's lock, and each statement there is a trip through the thread pool that
 * every other enrollment waits for (the enrollment rush).
 */
export async function tellUsers(
  sql: Sequelize,
  outbox: Outbox,
  recipients: Recipient[],
  news: News,
  transaction: Transaction,
): Promise<void> {
  if (!recipients.length) return;
  // Prepared statements (src/db/prepared.ts), one text whatever the number of users, the
  // notifications and the outbox's messages sent together.
  const db = statements(sql);
  const { sms } = news;
  await Promise.all([
    db.run(
      `INSERT INTO notifications (user_id, message, link, read_at, created_at) SELECT id, :message, :link, NULL, :now FROM (${db.idRows('userIds')}) ids`,
      { userIds: recipients.map((r) => Number(r.id)), message: news.message, link: news.link, now: new Date() },
      transaction,
    ),
    outbox.queue(
      {
        emails: recipients.flatMap(({ email }) =>
          email ? [{ to: email, subject: news.subject, text: news.message, link: news.link }] : [],
        ),
        sms: sms ? recipients.flatMap(({ mobile }) => (mobile ? [{ to: mobile, kind: news.subject, text: sms }] : [])) : [],
      },
      transaction,
    ),
  ]);
}

/**
 * The liaison says «خواندم»: exactly the notifications the page showed them become read, and only
 * their own (another user's id is ignored). Returns how many changed.
 */
export async function markNotificationsRead(userId: number, ids: number[]): Promise<number> {
  if (!ids.length) return 0;
  const [count] = await Notification.update({ readAt: new Date() }, { where: { userId, id: { [Op.in]: ids }, readAt: null } });
  return count;
}

/** The notifications list (GET /me/notifications): a page, newest first; reading it changes nothing. */
export async function loadNotificationList(sequelize: Sequelize, userId: number, page: number) {
  const { rows, total } = await notificationPage(sequelize, userId, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE });
  const notifications = rows.map(presentNotification);
  return { notifications, unreadIds: unreadIdsOf(notifications), ...pagination(page, total, PAGE_SIZE) };
}

/** The newest unread notifications for /me's pending actions, and how many are unread in all. */
export async function loadUnreadNotifications(sequelize: Sequelize, userId: number) {
  const { rows, total } = await unreadNotifications(sequelize, userId, SHOWN_ON_ME);
  const notifications = rows.map(presentNotification);
  return { notifications, unreadIds: unreadIdsOf(notifications), unreadTotal: total };
}
