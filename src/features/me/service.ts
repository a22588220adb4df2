import type { Sequelize } from 'sequelize';
import type { CurrentUser } from '../../middleware/auth';
import { loadMyAttendance, loadMyTeaching } from '../attendance/service';
import { loadMyCertificates } from '../certificates/me-section';
import { myCurrentEnrollments } from '../enrollments/queries';
import { loadUnreadNotifications } from '../notifications/service';
import { loadMyRecord } from '../reports/service';
import { pendingEvaluations } from '../evaluations/queries';
import { certificatesHeldForEvaluation } from '../evaluations/service';
import type { EvaluationSettings } from '../../services/settings';
import type { MyPageParts } from './presenter';

/**
 * What the liaison's own page, /me, reads: what comes next and what is waiting for them, the courses
 * under way, their certificates and the training record (finished courses). Reads only: opening the
 * page marks nothing read. Every part is bounded by what is current, never by the years behind.
 * presentMyPage shapes it for the page.
 */
export async function loadMyPageParts(
  sequelize: Sequelize,
  user: CurrentUser,
  evaluationSettings: EvaluationSettings,
  now: Date = new Date(),
): Promise<MyPageParts> {
  // The parts load side by side: one's queries run while another's rows are being shaped.
  const [enrollments, attendance, notifications, certificates, record, teaching, evaluations] = await Promise.all([
    myCurrentEnrollments(sequelize, user.id, now),
    loadMyAttendance(sequelize, user, now),
    loadUnreadNotifications(sequelize, user.id),
    certificatesHeldForEvaluation(sequelize, evaluationSettings, user, now).then((held) => loadMyCertificates(sequelize, user, held)),
    loadMyRecord(sequelize, user),
    loadMyTeaching(sequelize, user, now),
    pendingEvaluations(sequelize, user.id, now),
  ]);
  return { enrollments, attendance, notifications, certificates, record: record.record, teaching, evaluations };
}
