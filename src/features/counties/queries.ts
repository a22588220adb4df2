import { col, fn } from 'sequelize';
import { County, User } from '../../models';
import { comparePersian } from '../../lib/persian';

/** What the county lists read (Sequelize reads; the list is short). Every list of counties is in the one Persian order. */

export interface CountyOption {
  id: number;
  slug: string;
  name: string;
  active: boolean;
}

export interface CountyRow extends CountyOption {
  users: number;
}

const present = (c: County): CountyOption => ({ id: c.id, slug: c.slug, name: c.name, active: c.active });

/** Counties offered at sign-up and in forms: the active ones, in Persian alphabetical order. */
export async function activeCounties(): Promise<CountyOption[]> {
  const rows = await County.findAll({ where: { active: true } });
  return rows.map(present).sort((a, b) => comparePersian(a.name, b.name));
}

/** Every county, active first, for filters and the admin list. */
export async function allCounties(): Promise<CountyOption[]> {
  const rows = await County.findAll();
  return rows.map(present).sort((a, b) => Number(b.active) - Number(a.active) || comparePersian(a.name, b.name));
}

/** The admin's county list, each with how many accounts belong to it. */
export async function listCounties(): Promise<CountyRow[]> {
  const counts = (await User.findAll({
    attributes: ['countyId', [fn('COUNT', col('id')), 'n']],
    group: ['countyId'],
    raw: true,
  })) as unknown as { countyId: number | null; n: number | string }[];
  const byCounty = new Map(counts.map((c) => [c.countyId, Number(c.n)]));
  return (await allCounties()).map((c) => ({ ...c, users: byCounty.get(c.id) ?? 0 }));
}
