import { instantOf } from '../../db/prepared';
import type { NotificationRow } from './queries';

export interface NotificationView {
  id: number;
  message: string;
  link: string | null;
  at: Date;
  unread: boolean;
}

/** A notification as the pages show it. */
export function presentNotification(row: NotificationRow): NotificationView {
  return { id: row.id, message: row.message, link: row.link, at: instantOf(row.created_at), unread: !row.read_at };
}

/** The ids a «خواندم» form sends back: exactly the unread notifications the page showed. */
export function unreadIdsOf(notifications: NotificationView[]): string {
  return notifications
    .filter((n) => n.unread)
    .map((n) => n.id)
    .join(',');
}
