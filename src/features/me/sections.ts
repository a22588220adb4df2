import { loadMyAttendance } from '../attendance/service';
import type { CurrentUser } from '../../middleware/auth';
import { loadMyEnrollments } from '../enrollments/presenter';
import { loadMyCertificates } from '../certificates/me-section';
import { loadMyRecord } from '../reports/service';

/**
 * The liaison's own page (/me) is made of sections, each owned by its feature: enrollments,
 * attendance, certificates, the training record. A feature adds its section here; the page renders
 * them in this order, each view under views/ given what its load returned.
 */
export interface MeSection {
  /** The view to include, relative to views/, e.g. 'me/enrollments'. */
  view: string;
  load(user: CurrentUser): Promise<Record<string, unknown>>;
}

export const meSections: MeSection[] = [{ view: 'me/enrollments', load: loadMyEnrollments }, { view: 'me/attendance', load: loadMyAttendance }, { view: 'me/certificates', load: loadMyCertificates }, { view: 'me/record', load: loadMyRecord }];
