import { activeCounties, type CountyOption } from '../counties/queries';

/** Active counties, plus the one an account already has should it have been deactivated since. */
export async function countyChoices(current: CountyOption | null = null): Promise<CountyOption[]> {
  const counties = await activeCounties();
  return current && !counties.some((c) => c.id === current.id) ? [current, ...counties] : counties;
}
