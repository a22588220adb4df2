import { z } from 'zod';
import { optionalText, text } from '../../lib/forms';

/** The largest file a course material may be. */
export const MAX_MATERIAL_BYTES = 20 * 1024 * 1024;

const URL_MESSAGE = 'نشانی باید با http:// یا https:// آغاز شود (مانند https://vc.example.ir/room/42).';

/** A link material's address: http(s) only (never javascript:, data: or a local path). */
function webAddress(value: string | null): boolean {
  if (value === null) return true;
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The fields of «add course material» besides the file itself. */
export const materialSchema = z.object({
  title: text({ label: 'عنوان', max: 200 }),
  url: optionalText({ label: 'نشانی', max: 500 }).refine(webAddress, URL_MESSAGE),
});

export const moveSchema = z.object({ direction: z.enum(['up', 'down'], { error: 'جهت جابه‌جایی نامعتبر است.' }) });
