import { QueryTypes, type Sequelize } from 'sequelize';
import { statements } from '../../db/prepared';

/** What the notification pages read: plain rows, newest first. */

export interface NotificationRow {
  id: number;
  message: string;
  link: string | null;
  created_at: Date | string;
  read_at: Date | string | null;
}

/** A page of the user's notifications, newest first, with how many there are in all. */
export async function notificationPage(sql: Sequelize, userId: number, { limit, offset }: { limit: number; offset: number }) {
  const [rows, [{ total }]] = await Promise.all([
    sql.query<NotificationRow>(
      'SELECT id, message, link, created_at, read_at FROM notifications WHERE user_id = :userId ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset',
      { type: QueryTypes.SELECT, replacements: { userId, limit, offset } },
    ),
    sql.query<{ total: number | string }>('SELECT COUNT(*) AS total FROM notifications WHERE user_id = :userId', {
      type: QueryTypes.SELECT,
      replacements: { userId },
    }),
  ]);
  return { rows, total: Number(total) };
}

/** The user's newest unread notifications (at most `limit`) and how many are unread in all. */
export async function unreadNotifications(sql: Sequelize, userId: number, limit: number) {
  // One statement: the newest unread and, on each row, how many are unread in all.
  const rows = await statements(sql).all<NotificationRow & { total: number | string }>(
    `SELECT id, message, link, created_at, read_at, COUNT(*) OVER () AS total
       FROM notifications WHERE user_id = :userId AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT :limit`,
    { userId, limit },
  );
  return { rows, total: rows.length ? Number(rows[0].total) : 0 };
}

/**
 * The unread count the navigation shows, as a subquery of the one query every logged-in request
 * already makes for its user (findSessionUser): no second round trip per page.
 */
export const UNREAD_COUNT_SQL = '(SELECT COUNT(*) FROM notifications n WHERE n.user_id = users.id AND n.read_at IS NULL)';
