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
import { presentMyPage } from './presenter';

/**
 * The liaison's own page, /me: what comes next and what is waiting for them, the courses under way
 * as cards, their certificates and the training record (finished courses). Reads only: opening the
 * page marks nothing read. Every part is bounded by what is current, never by the years behind.
 */
export async function loadMyPage(sequelize: Sequelize, user: CurrentUser, evaluationSettings: EvaluationSettings, now: Date = new Date()) {
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
  return presentMyPage({ enrollments, attendance, notifications, certificates, record: record.record, teaching, evaluations }, now);
}
