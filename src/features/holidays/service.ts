import { type Sequelize, UniqueConstraintError } from 'sequelize';
import { FormError, NotFoundError } from '../../lib/errors';
import { formatDate } from '../../lib/jalali';
import { Holiday } from '../../models';
import { type Actor, recordAudit } from '../../services/audit';

const duplicate = (date: string) =>
  new FormError({ date: `${formatDate(date)} پیش‌تر در فهرست تعطیلات است؛ برای تغییر مناسبتش آن را حذف و دوباره وارد کنید.` }, 409);

/** An admin adds an official holiday (one a day), audited. */
export async function addHoliday(sequelize: Sequelize, actor: Actor, input: { date: string; title: string }): Promise<Holiday> {
  if (await Holiday.count({ where: { date: input.date } })) throw duplicate(input.date);
  try {
    return await sequelize.transaction(async (transaction) => {
      const holiday = await Holiday.create(input, { transaction });
      await recordAudit(sequelize, actor, 'holiday.create', { type: 'holiday', id: holiday.id }, input, transaction);
      return holiday;
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw duplicate(input.date);
    throw err;
  }
}

/** An admin takes a day off the list (a holiday announced by mistake or moved), audited. */
export async function removeHoliday(sequelize: Sequelize, actor: Actor, id: number): Promise<{ date: string; title: string }> {
  return sequelize.transaction(async (transaction) => {
    const holiday = await Holiday.findByPk(id, { transaction });
    if (!holiday) throw new NotFoundError('این روز در فهرست تعطیلات نیست.');
    const removed = { date: String(holiday.date).slice(0, 10), title: holiday.title };
    await holiday.destroy({ transaction });
    await recordAudit(sequelize, actor, 'holiday.delete', { type: 'holiday', id }, removed, transaction);
    return removed;
  });
}
