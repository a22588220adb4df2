import type { Config } from '../config';
import { toPersianDigits } from '../lib/persian';
import { type Channel, type Delivery, type OutgoingRow, PermanentSendError } from './outbox';

/** How long an attempt waits for the provider: a provider that hangs fails the attempt, which is tried again later. */
export const TIMEOUT_MS = 15_000;

/**
 * Kavenegar's refusals that trying again will not change, with what they mean as Kavenegar's
 * documentation words them: the message fails at once with this reason. Any other answer (409 the
 * provider busy, 429 and 451 too many requests, an HTTP 5xx, no answer, a malformed answer) is a
 * failed attempt, tried again later.
 */
export const KAVENEGAR_REFUSALS: Record<number, string> = {
  400: 'پارامترهای درخواست ناقص است',
  401: 'حساب کاربری سامانهٔ پیامک غیرفعال شده است',
  402: 'عملیات ناموفق بود',
  403: 'کلید API (KAVENEGAR_API_KEY) معتبر نیست',
  404: 'متد نامشخص است',
  405: 'روش درخواست (GET/POST) نادرست است',
  406: 'پارامترهای اجباری خالی فرستاده شده است',
  407: 'دسترسی به این سرویس برای حساب ممکن نیست',
  411: 'شمارهٔ گیرنده نامعتبر است',
  412: 'شمارهٔ فرستنده (KAVENEGAR_SENDER) نامعتبر است',
  413: 'متن پیامک خالی یا بلندتر از اندازهٔ مجاز است',
  414: 'حجم درخواست بیش از اندازهٔ مجاز است',
  416: 'نشانی IP این سرور با تنظیمات حساب سامانهٔ پیامک نمی‌خواند',
  417: 'تاریخ فرستادن نادرست است',
  418: 'اعتبار حساب سامانهٔ پیامک کافی نیست',
  420: 'نوشتن پیوند در متن پیامک برای این حساب محدود شده است',
  422: 'متن پیامک نویسهٔ نامناسب دارد',
  426: 'این روش فرستادن به سرویس پیشرفته نیاز دارد',
  427: 'فرستادن از این خط به مجوز دسترسی نیاز دارد',
  501: 'این حساب فقط به شمارهٔ صاحب حساب پیامک آزمایشی می‌فرستد',
};

/** An answer of the provider that is not a success; the outbox keeps its reason and tries again later. */
export class ProviderError extends Error {}

/**
 * The SMS channel of the outbox through Kavenegar's REST API, as Kavenegar documents it:
 * `POST {base}/v1/{API_KEY}/sms/send.json` with the form fields receptor, sender and message; a
 * success answers `return.status` 200 with the message id in `entries[].messageid`. `localid` is
 * the outbox row's id: Kavenegar does not send a message again whose localid it has seen, so a
 * row sent by an instance that died before recording it is not sent twice when taken again.
 * Every failure is recorded with a reason in Persian (the outbox page shows it).
 */
export class KavenegarChannel implements Channel {
  constructor(private readonly settings: { apiUrl: string; apiKey: string; sender: string; timeoutMs?: number }) {}

  async send(message: OutgoingRow): Promise<Delivery> {
    const { apiUrl, apiKey, sender, timeoutMs = TIMEOUT_MS } = this.settings;
    const url = `${apiUrl}/v1/${encodeURIComponent(apiKey)}/sms/send.json`;
    const form = new URLSearchParams({ receptor: message.to, sender, message: message.body, localid: String(message.id) });
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(timeoutMs) });
      text = await response.text();
    } catch (err) {
      const name = (err as Error)?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new ProviderError(`سامانهٔ پیامک در ${toPersianDigits(Math.ceil(timeoutMs / 1000))} ثانیه پاسخ نداد.`);
      }
      const cause = ((err as { cause?: { code?: string; message?: string } })?.cause?.code ?? (err as Error)?.message ?? '').slice(0, 100);
      throw new ProviderError(`به سامانهٔ پیامک وصل نشد (${cause}).`);
    }
    let answer: { return?: { status?: number; message?: string }; entries?: { messageid?: number | string }[] } | null = null;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = null;
    }
    const status = answer?.return?.status;
    const said = `${status ?? response.status} ${answer?.return?.message ?? text.slice(0, 200)}`.trim().slice(0, 400);
    if (typeof status === 'number' && KAVENEGAR_REFUSALS[status]) {
      throw new PermanentSendError(`سامانهٔ پیامک نپذیرفت: ${KAVENEGAR_REFUSALS[status]} (پاسخ: ${said})`);
    }
    if (!response.ok || status !== 200) {
      const why = answer ? 'پیامک را نپذیرفت' : response.ok ? 'پاسخی نامفهوم داد' : 'در دسترس نبود';
      throw new ProviderError(`سامانهٔ پیامک ${why}؛ دوباره تلاش می‌شود (پاسخ: HTTP ${response.status} ${said}).`);
    }
    const id = answer?.entries?.[0]?.messageid;
    return { providerId: id === undefined ? null : String(id), answer: said };
  }
}

/** The SMS channel the configuration asks for, or null (SMS_PROVIDER=outbox: SMS wait in the outbox). */
export function smsChannel(config: Pick<Config, 'smsProvider' | 'kavenegarApiKey' | 'kavenegarSender' | 'smsApiUrl'>): Channel | null {
  if (config.smsProvider !== 'kavenegar' || !config.kavenegarApiKey || !config.kavenegarSender) return null;
  return new KavenegarChannel({ apiUrl: config.smsApiUrl, apiKey: config.kavenegarApiKey, sender: config.kavenegarSender });
}
