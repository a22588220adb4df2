import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config';
import type { Channel, Delivery, OutgoingRow } from './outbox';

/** The email channel of the outbox: SMTP (SMTP_URL) through nodemailer. */
export class SmtpChannel implements Channel {
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    this.transport = nodemailer.createTransport(smtpUrl);
  }

  async send(message: OutgoingRow): Promise<Delivery> {
    const info = await this.transport.sendMail({ from: this.from, to: message.to, subject: message.subject, text: message.body });
    return { providerId: info.messageId ?? null, answer: String(info.response ?? '').slice(0, 500) || null };
  }
}

/** The email channel the configuration asks for, or null without SMTP_URL (emails then wait in the outbox). */
export function emailChannel(config: Pick<Config, 'smtpUrl' | 'mailFrom'>): Channel | null {
  return config.smtpUrl ? new SmtpChannel(config.smtpUrl, config.mailFrom) : null;
}
