import type { Request } from 'express';
import type { Actor } from '../../services/audit';
import { activeCounties, type CountyOption } from '../counties/service';

/** Who is acting, for the audit trail. */
export const actorOf = (req: Request): Actor & { id: number } => ({ id: req.user!.id, ip: req.ip ?? null });

/** Active counties, plus the one an account already has should it have been deactivated since. */
export async function countyChoices(current: CountyOption | null = null): Promise<CountyOption[]> {
  const counties = await activeCounties();
  return current && !counties.some((c) => c.id === current.id) ? [current, ...counties] : counties;
}
