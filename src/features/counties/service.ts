import { UniqueConstraintError } from 'sequelize';
import type { Sequelize } from 'sequelize';
import { County } from '../../models';
import { FormError, NotFoundError } from '../../lib/errors';
import { recordAudit, type Actor } from '../../services/audit';

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
