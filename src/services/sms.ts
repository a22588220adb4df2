import type { Config } from '../config';
import type { Channel, Delivery, OutgoingRow } from './outbox';

const TIMEOUT_MS = 15_000;

/** An answer of the provider that is not a success; the outbox keeps it and tries again later. */
export class ProviderError extends Error {}

/**
 * The SMS channel of the outbox through Kavenegar's REST API, as Kavenegar documents it:
 * `POST {base}/v1/{API_KEY}/sms/send.json` with the form fields receptor, sender and message; a
 * success answers `return.status` 200 with the message id in `entries[].messageid`. `localid` is
 * the outbox row's id: Kavenegar does not send a message again whose localid it has seen, so a
 * row sent by an instance that died before recording it is not sent twice when taken again.
 */
export class KavenegarChannel implements Channel {
  constructor(private readonly settings: { apiUrl: string; apiKey: string; sender: string }) {}

  async send(message: OutgoingRow): Promise<Delivery> {
    const { apiUrl, apiKey, sender } = this.settings;
    const url = `${apiUrl}/v1/${encodeURIComponent(apiKey)}/sms/send.json`;
    const form = new URLSearchParams({ receptor: message.to, sender, message: message.body, localid: String(message.id) });
    const response = await fetch(url, { method: 'POST', body: form, signal: AbortSignal.timeout(TIMEOUT_MS) });
    const text = await response.text();
    let answer: { return?: { status?: number; message?: string }; entries?: { messageid?: number | string }[] } | null = null;
    try {
      answer = JSON.parse(text);
    } catch {
      answer = null;
    }
    const status = answer?.return?.status;
    const said = `${status ?? response.status} ${answer?.return?.message ?? text.slice(0, 200)}`.trim().slice(0, 500);
    if (!response.ok || status !== 200) throw new ProviderError(`Kavenegar: ${said}`);
    const id = answer?.entries?.[0]?.messageid;
    return { providerId: id === undefined ? null : String(id), answer: said };
  }
}

/** The SMS channel the configuration asks for, or null (SMS_PROVIDER=outbox: SMS wait in the outbox). */
export function smsChannel(config: Pick<Config, 'smsProvider' | 'kavenegarApiKey' | 'kavenegarSender' | 'smsApiUrl'>): Channel | null {
  if (config.smsProvider !== 'kavenegar' || !config.kavenegarApiKey || !config.kavenegarSender) return null;
  return new KavenegarChannel({ apiUrl: config.smsApiUrl, apiKey: config.kavenegarApiKey, sender: config.kavenegarSender });
}
