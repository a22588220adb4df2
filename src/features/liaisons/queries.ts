import { Op, type Sequelize, type WhereOptions } from 'sequelize';
import { County, User } from '../../models';
import type { Role, UserStatus } from '../../models/user';
import { NotFoundError } from '../../lib/errors';
import { searchKey } from '../../lib/persian';

/** What the account pages read (Sequelize reads; none is hot). */

export const PAGE_SIZE = 25;

/** The accounts an admin manages: liaisons and instructors, never admins. */
const MANAGED_ROLES: Role[] = ['liaison', 'instructor'];

/** An account an admin manages, with its county; 404 for an admin's own kind or an unknown id. */
export async function findAccount(id: number): Promise<User> {
  const user = Number.isSafeInteger(id) && id > 0 ? await User.findByPk(id, { include: [{ model: County, as: 'county' }] }) : null;
  if (!user || !MANAGED_ROLES.includes(user.role)) throw new NotFoundError('این حساب پیدا نشد.');
  return user;
}

export interface AccountFilter {
  q?: string;
  county?: string;
  status?: UserStatus;
  role?: Role;
  page?: number;
}

/** LIKE with the pattern's own % _ \ taken literally, the same on SQLite and PostgreSQL. */
function containsKey(sequelize: Sequelize, column: string, key: string) {
  const pattern = `%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sequelize.literal(`${column} LIKE ${sequelize.escape(pattern)} ESCAPE '\\'`);
}

/**
 * The admin's account list: `q` matches name, username, national code or mobile however they are
 * spelled (ی/ي, ک/ك, ZWNJ, any digits), filtered by county and status, 25 a page, newest first.
 */
export async function searchAccounts(sequelize: Sequelize, filter: AccountFilter) {
  const where: WhereOptions[] = [{ role: filter.role ? filter.role : { [Op.in]: MANAGED_ROLES } }];
  const key = filter.q ? searchKey(filter.q) : '';
  if (key) where.push(containsKey(sequelize, '"User"."search_key"', key) as unknown as WhereOptions);
  if (filter.status) where.push({ status: filter.status });
  let county: County | null = null;
  if (filter.county) {
    county = await County.findOne({ where: { slug: filter.county } });
    where.push({ countyId: county ? county.id : -1 });
  }
  const total = await User.count({ where: { [Op.and]: where } });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(filter.page ?? 1, pages);
  const rows = await User.findAll({
    where: { [Op.and]: where },
    include: [{ model: County, as: 'county' }],
    order: [
      ['createdAt', 'DESC'],
      ['id', 'DESC'],
    ],
    limit: PAGE_SIZE,
    offset: (page - 1) * PAGE_SIZE,
  });
  return { rows, total, page, pages };
}
