import type { CurrentUser } from '../../middleware/auth';

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

export const meSections: MeSection[] = [];
