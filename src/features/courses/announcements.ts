import { QueryTypes, type Sequelize } from 'sequelize';
import { Course } from '../../models';
import type { EnrollmentStatus } from '../../models/enrollment';
import { NotFoundError } from '../../lib/errors';
import { recordAudit, type Actor } from '../../services/audit';
import type { Outbox } from '../../services/outbox';
import { notifyUsers } from '../notifications/service';
import { smsTitle } from '../../lib/sms-text';

/** Who hears a course's announcements: every liaison still in it — approved, awaiting approval or on the waitlist. */
export const ANNOUNCED_TO: EnrollmentStatus[] = ['approved', 'pending', 'waitlisted'];

/**
 * An admin writes to a course's liaisons: a notification on /me, an SMS to each mobile and an
 * email to each address, all in one transaction through the outbox. Returns how many liaisons.
 */
export async function announceToCourse(
  sequelize: Sequelize,
  outbox: Outbox,
  courseId: number,
  message: string,
  actor: Actor,
): Promise<number> {
  return sequelize.transaction(async (transaction) => {
    const course = await Course.findByPk(courseId, { attributes: ['id', 'title'], transaction });
    if (!course) throw new NotFoundError('این دوره پیدا نشد.');
    const rows = await sequelize.query<{ user_id: number }>(
      'SELECT user_id FROM enrollments WHERE course_id = :courseId AND status IN (:statuses)',
      {
        type: QueryTypes.SELECT,
        replacements: { courseId, statuses: ANNOUNCED_TO },
        transaction,
      },
    );
    const userIds = rows.map((r) => Number(r.user_id));
    const title = `دورهٔ «${course.title}»`;
    await notifyUsers(
      sequelize,
      outbox,
      userIds,
      {
        message: `پیام ${title}: ${message}`,
        link: `/courses/${course.id}`,
        subject: `سامانهٔ رابط: پیام ${title}`,
        sms: `سامانهٔ رابط، «${smsTitle(course.title)}»: ${message}`,
      },
      transaction,
    );
    await recordAudit(
      sequelize,
      actor,
      'course.announce',
      { type: 'course', id: course.id },
      { message, recipients: userIds.length },
      transaction,
    );
    return userIds.length;
  });
}
