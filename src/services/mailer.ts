import nodemailer, { type Transporter } from 'nodemailer';
import type { Transaction } from 'sequelize';
import type { Config } from '../config';
import { OutboxEmail } from '../models';

export interface Email {
  to: string;
  subject: string;
  text: string;
  /** A path in the app, printed after the text as a full address. */
  link?: string;
}

/**
 * Email goes through the outbox: every message is first a row of outbox_emails written in the
 * transaction of the change it tells about, so it is never lost. Once that transaction commits,
 * the row is sent over SMTP when SMTP_URL is set — in the background: the request that caused it
 * neither waits for the mail server nor fails with it; a failure is written into the row. Without
 * SMTP the rows stay queued, for an admin to read at /admin/outbox.
 */
export class Mailer {
  private readonly transport: Transporter | null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly config: Pick<Config, 'smtpUrl' | 'mailFrom' | 'baseUrl'>) {
    this.transport = config.smtpUrl ? nodemailer.createTransport(config.smtpUrl) : null;
  }

  get sends(): boolean {
    return this.transport !== null;
  }

  /** Writes the email into the outbox within transaction; it is sent after the commit. */
  async queue(email: Email, transaction: Transaction): Promise<void> {
    const body = email.link ? `${email.text}\n\n${this.config.baseUrl}${email.link}` : email.text;
    const row = await OutboxEmail.create({ to: email.to, subject: email.subject, body, error: null, sentAt: null }, { transaction });
    transaction.afterCommit(() => this.sendLater(row.id));
  }

  private sendLater(id: number): void {
    if (!this.transport) return;
    const sending = this.send(id).catch((err) => console.error(`outbox email ${id}:`, err));
    this.inFlight.add(sending);
    sending.finally(() => this.inFlight.delete(sending));
  }

  private async send(id: number): Promise<void> {
    const row = await OutboxEmail.findByPk(id);
    if (!row || row.status === 'sent') return;
    try {
      await this.transport!.sendMail({ from: this.config.mailFrom, to: row.to, subject: row.subject, text: row.body });
      await row.update({ status: 'sent', sentAt: new Date(), error: null });
    } catch (err) {
      await row.update({ status: 'failed', error: String((err as Error).message ?? err).slice(0, 500) });
    }
  }

  /**
   * Hands every queued or failed email to the mail server again (after SMTP was configured, or the
   * server came back). Returns how many were handed over; they are sent in the background.
   */
  async resendWaiting(): Promise<number> {
    if (!this.transport) return 0;
    const waiting = await OutboxEmail.findAll({
      where: { status: ['queued', 'failed'] },
      attributes: ['id'],
      order: [['id', 'ASC']],
      limit: 500,
    });
    for (const row of waiting) this.sendLater(row.id);
    return waiting.length;
  }

  /** Resolves when every email handed to the mail server so far has been sent or has failed. */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }
}
