import { z } from 'zod';
import { jalaliDate, text } from '../../lib/forms';

/** POST /admin/holidays: a Jalali date (any digits) and what the day is for. */
export const addHolidaySchema = z.object({
  date: jalaliDate('تاریخ'),
  title: text({ label: 'مناسبت', max: 200 }),
});

/** GET /admin/holidays?year=: a Jalali year, or the current one. */
export const holidayYearSchema = z.object({
  year: z
    .unknown()
    .optional()
    .transform((v) => {
      const year = Number(v);
      return Number.isInteger(year) && year >= 1300 && year <= 1500 ? year : null;
    }),
});
