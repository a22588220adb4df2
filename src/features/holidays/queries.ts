import { Op } from 'sequelize';
import { jalaliYearRange } from '../../lib/jalali';
import { Holiday } from '../../models';

export interface HolidayRow {
  id: number;
  date: string;
  title: string;
}

const present = (h: Holiday): HolidayRow => ({ id: h.id, date: String(h.date).slice(0, 10), title: h.title });

/** The official holidays between two ISO dates (inclusive), by day: what calendars mark. */
export async function holidaysBetween(from: string, to: string): Promise<Map<string, string>> {
  const rows = await Holiday.findAll({ where: { date: { [Op.between]: [from, to] } }, attributes: ['id', 'date', 'title'] });
  return new Map(rows.map(present).map((h) => [h.date, h.title]));
}

/** The official holidays of a Jalali year, in date order: the admin's yearly list. */
export async function holidaysOfYear(year: number): Promise<HolidayRow[]> {
  const { from, to } = jalaliYearRange(year);
  const rows = await Holiday.findAll({ where: { date: { [Op.between]: [from, to] } }, order: [['date', 'ASC']] });
  return rows.map(present);
}
