import { fn, col, UniqueConstraintError } from 'sequelize';
import { comparePersian } from '../../lib/persian';
import type { Sequelize } from 'sequelize';
import { County, User } from '../../models';
import { FormError, NotFoundError } from '../../lib/errors';
import { recordAudit, type Actor } from '../../services/audit';

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

export async function findCountyBySlug(slug: string): Promise<County | null> {
  return County.findOne({ where: { slug } });
}

const DUPLICATE_SLUG = 'شهرستانی با این شناسه هست.';

export async function addCounty(sequelize: Sequelize, actor: Actor, input: { name: string; slug: string }): Promise<County> {
  if (await County.findOne({ where: { slug: input.slug } })) throw new FormError({ slug: DUPLICATE_SLUG }, 409);
  try {
    return await sequelize.transaction(async (transaction) => {
      const county = await County.create({ name: input.name, slug: input.slug, nameEn: null, active: true }, { transaction });
      await recordAudit(
        sequelize,
        actor,
        'county.create',
        { type: 'county', id: county.id },
        { name: input.name, slug: input.slug },
        transaction,
      );
      return county;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw new FormError({ slug: DUPLICATE_SLUG }, 409);
    throw err;
  }
}

export async function renameCounty(sequelize: Sequelize, actor: Actor, id: number, name: string): Promise<County> {
  return sequelize.transaction(async (transaction) => {
    const county = await County.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!county) throw new NotFoundError('شهرستان پیدا نشد.');
    const before = county.name;
    await county.update({ name }, { transaction });
    await recordAudit(sequelize, actor, 'county.rename', { type: 'county', id }, { from: before, to: name }, transaction);
    return county;
  });
}

/** A deactivated county keeps its accounts and history; it is only no longer offered at sign-up. */
export async function setCountyActive(sequelize: Sequelize, actor: Actor, id: number, active: boolean): Promise<County> {
  return sequelize.transaction(async (transaction) => {
    const county = await County.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    if (!county) throw new NotFoundError('شهرستان پیدا نشد.');
    await county.update({ active }, { transaction });
    await recordAudit(sequelize, actor, active ? 'county.activate' : 'county.deactivate', { type: 'county', id }, null, transaction);
    return county;
  });
}
