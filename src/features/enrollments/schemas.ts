import { z } from 'zod';
import { choice, optionalText, text } from '../../lib/forms';

export const enrollByHandSchema = z.object({
  username: text({ label: 'نام کاربری رابط', max: 64 }),
});

export const reasonSchema = z.object({
  reason: text({ label: 'دلیل', max: 500 }),
});

export const optionalReasonSchema = z.object({
  reason: optionalText({ label: 'دلیل', max: 500 }),
});

export const moveSchema = z.object({
  direction: choice(['up', 'down'], 'جهت جابه‌جایی'),
  reason: text({ label: 'دلیل جابه‌جایی', max: 500 }),
});

export const listQuerySchema = z.object({
  q: z.string().max(200).optional().catch(undefined),
  format: z.enum(['html', 'csv', 'xlsx']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).optional().catch(undefined),
});
