import { z } from 'zod';
import { text } from '../../lib/forms';
import { normalizeCode } from '../../lib/persian';

const slug = z
  .string({ error: 'شناسهٔ لاتین را وارد کنید.' })
  .transform((v) => normalizeCode(v).toLowerCase())
  .pipe(z.string().regex(/^[a-z][a-z0-9-]{1,63}$/, 'شناسهٔ لاتین فقط حروف کوچک انگلیسی، رقم و خط تیره باشد (مانند rafsanjan).'));

export const addCountySchema = z.object({
  name: text({ label: 'نام شهرستان', max: 100 }),
  slug,
});

export const renameCountySchema = z.object({
  name: text({ label: 'نام شهرستان', max: 100 }),
});
