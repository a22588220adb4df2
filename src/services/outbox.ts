import crypto from 'node:crypto';
import os from 'node:os';
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { OutboxMessage } from '../models';
import { type Params, statements } from '../db/prepared';
import type { OutboxChannel } from '../models/outbox-message';

/** An email to queue. */
export interface Email {
  to: string;
  subject: string;
  text: string;
  /** A path in the app, printed after the text as a full address. */
  link?: string;
}

/** An SMS to queue: `to` a mobile 09xxxxxxxxx; `kind` what it is, for the outbox page. */
export interface Sms {
  to: string;
  kind: string;
  text: string;
  /** Queued at most once with this key, whoever queues it again (a reminder per liaison and session). */
  dedupeKey?: string;
  /** The text carries a one-time secret (a recovery code): see shownBody. */
  secret?: boolean;
}

/** A claimed row as a channel sends it. */
export interface OutgoingRow {
  id: number;
  channel: OutboxChannel;
  to: string;
  subject: string;
  body: string;
  attempts: number;
}

/** What the provider answered for a message it took. */
export interface Delivery {
  providerId: string | null;
  answer: string | null;
}

/**
 * A refusal that trying again will not change (an invalid number, no credit, a wrong API key): the
 * message is marked failed at once with this reason, for an admin to read and send again from the
 * outbox once the cause is fixed.
 */
export class PermanentSendError extends Error {}

/**
 * A way out: SMTP for email, an SMS provider for SMS. A throw is a failed attempt, tried again
 * later; a PermanentSendError fails the message at once.
 */
export interface Channel {
  send(message: OutgoingRow): Promise<Delivery>;
}

/** How long a claim lasts: an instance that died mid-send leaves a row that another takes again after this. */
export const LEASE_MS = 2 * 60_000;
/** After this many attempts a message is marked failed; an admin can send it again from the outbox. */
export const MAX_ATTEMPTS = 15;
const POLL_MS = 5_000;
const BATCH = 20;
const AT_ONCE = 5;
/** Messages written by one INSERT at most (six parameters each). */
const INSERT_ROWS = 200;

/** The wait before attempt n + 1 after n failed ones: 10 s, 20 s, 40 s… at most half an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30 * 60_000, 10_000 * 2 ** Math.max(0, attempts - 1));
}

interface NewMessage {
  channel: OutboxChannel;
  to: string;
  subject: string;
  body: string;
  dedupeKey: string | null;
  secret: boolean;
}

/**
 * Every message to a person goes through the outbox, whatever its channel: first a row of
 * outbox_messages written in the transaction of the change it tells about, so that it is never
 * lost and never sent for a change that was rolled back. A worker (every instance runs one) then
 * claims due rows — a guarded UPDATE that sets claimed_by and a lease, claimed_until, on rows no
 * live claim holds — sends them, and marks them sent with the provider's id and answer, or records
 * the error and the time of the next attempt (backoff). A claim whose lease ran out (its instance
 * died) is taken again. A channel that is not configured (no SMTP, SMS_PROVIDER=outbox) sends
 * nothing: its messages wait in the outbox, for an admin to read at /admin/outbox.
 */
export class Outbox {
  /** This instance, as claims name it. */
  readonly instance = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  private claims = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private kickQueued = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly channels: Partial<Record<OutboxChannel, Channel | null>>,
    private readonly baseUrl: string,
    private readonly log: (err: unknown) => void = (err) => console.error('outbox:', err),
  ) {}

  /** Whether messages of this channel are sent (otherwise they wait in the outbox). */
  sends(channel: OutboxChannel): boolean {
    return Boolean(this.channels[channel]);
  }

  private get sending(): OutboxChannel[] {
    return (['email', 'sms'] as const).filter((c) => this.sends(c));
  }

  /**
   * The text of a message as the outbox page shows it: a message carrying a one-time secret keeps
   * it readable only while its channel sends nothing (an admin relays it by hand); once a provider
   * sends the channel, the secret's digits are hidden from whoever reads the outbox.
   */
  shownBody(message: { channel: OutboxChannel; body: string; secret: boolean }): string {
    if (!message.secret || !this.sends(message.channel)) return message.body;
    return message.body.replace(/[0-9۰-۹٠-٩]{4,}/g, (digits) => '•'.repeat(digits.length));
  }

  /** Writes an email into the outbox within transaction; it is sent after the commit. */
  queueEmail(email: Email, transaction: Transaction): Promise<void> {
    return this.queue({ emails: [email] }, transaction);
  }

  /** Writes SMS into the outbox within transaction; a message whose dedupeKey is already there is skipped. */
  queueSms(messages: Sms[], transaction: Transaction): Promise<void> {
    return this.queue({ sms: messages }, transaction);
  }

  /** Writes emails and SMS into the outbox within transaction, in one statement for up to 200 of them; sent after the commit. */
  async queue({ emails = [], sms = [] }: { emails?: Email[]; sms?: Sms[] }, transaction: Transaction): Promise<void> {
    const messages: NewMessage[] = [
      ...emails.map((email) => ({
        channel: 'email' as const,
        to: email.to,
        subject: email.subject,
        body: email.link ? `${email.text}\n\n${this.baseUrl}${email.link}` : email.text,
        dedupeKey: null,
        secret: false,
      })),
      ...sms.map((m) => ({
        channel: 'sms' as const,
        to: m.to,
        subject: m.kind,
        body: m.text,
        dedupeKey: m.dedupeKey ?? null,
        secret: Boolean(m.secret),
      })),
    ];
    for (let i = 0; i < messages.length; i += INSERT_ROWS) await this.insert(messages.slice(i, i + INSERT_ROWS), transaction);
  }

  private async insert(messages: NewMessage[], transaction: Transaction): Promise<void> {
    if (!messages.length) return;
    // A prepared statement (src/db/prepared.ts), one text per number of rows (up to INSERT_ROWS).
    const replacements: Params = { now: new Date() };
    const values = messages.map((m, i) => {
      Object.assign(replacements, {
        [`c${i}`]: m.channel,
        [`t${i}`]: m.to,
        [`s${i}`]: m.subject,
        [`b${i}`]: m.body,
        [`k${i}`]: m.dedupeKey,
        [`x${i}`]: m.secret,
      });
      return `(:c${i}, :t${i}, :s${i}, :b${i}, 'queued', 0, :k${i}, :x${i}, :now)`;
    });
    await statements(this.sequelize).run(
      `INSERT INTO outbox_messages (channel, "to", subject, body, status, attempts, dedupe_key, secret, created_at)
       VALUES ${values.join(', ')} ON CONFLICT (dedupe_key) DO NOTHING`,
      replacements,
      transaction,
    );
    transaction.afterCommit(() => this.kick());
  }

  /** Sends what is due every few seconds, and at once after a commit that queued something. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
    this.kick();
  }

  /** Stops the worker; resolves when the pass under way has ended. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.idle();
  }

  /** Resolves when no pass of the worker is under way. */
  async idle(): Promise<void> {
    let seen: Promise<unknown> | null = null;
    while (seen !== this.chain) {
      seen = this.chain;
      await seen;
    }
  }

  private kick(): void {
    if (!this.timer || this.kickQueued) return;
    this.kickQueued = true;
    this.enqueue(() => {
      this.kickQueued = false;
      return this.sendDue(() => new Date());
    }).catch(this.log);
  }

  /**
   * Sends every message due at `at` (default: now) that a configured channel takes, after the pass
   * under way; resolves with how many were sent. Tests drive the outbox with it.
   */
  drain(at?: Date): Promise<number> {
    return this.enqueue(() => this.sendDue(at ? () => at : () => new Date()));
  }

  private enqueue(pass: () => Promise<number>): Promise<number> {
    const run = this.chain.then(pass);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async sendDue(clock: () => Date): Promise<number> {
    let sent = 0;
    for (let pass = 0; pass < 50; pass++) {
      const rows = await this.claim(clock());
      if (!rows.length) break;
      for (let i = 0; i < rows.length; i += AT_ONCE) {
        const outcomes = await Promise.all(rows.slice(i, i + AT_ONCE).map((row) => this.deliver(row, clock)));
        sent += outcomes.filter(Boolean).length;
      }
    }
    return sent;
  }

  /** Takes up to BATCH due rows for this instance: only rows no live claim holds, whoever else claims at the same time. */
  private async claim(now: Date): Promise<(OutgoingRow & { token: string })[]> {
    const channels = this.sending;
    if (!channels.length) return [];
    const token = `${this.instance}#${++this.claims}`;
    const free = `status = 'queued' AND channel IN (:channels) AND (next_attempt_at IS NULL OR next_attempt_at <= :now)
      AND (claimed_until IS NULL OR claimed_until <= :now)`;
    await this.sequelize.query(
      `UPDATE outbox_messages SET claimed_by = :token, claimed_until = :until, attempts = attempts + 1
       WHERE id IN (SELECT id FROM outbox_messages WHERE ${free} ORDER BY id LIMIT ${BATCH}) AND ${free}`,
      { replacements: { token, until: new Date(now.getTime() + LEASE_MS), now, channels } },
    );
    const rows = await this.sequelize.query<OutgoingRow>(
      `SELECT id, channel, "to", subject, body, attempts FROM outbox_messages WHERE claimed_by = :token ORDER BY id`,
      { type: QueryTypes.SELECT, replacements: { token } },
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts), token }));
  }

  /** One attempt at one claimed row; true when the provider took it. */
  private async deliver(row: OutgoingRow & { token: string }, clock: () => Date): Promise<boolean> {
    const channel = this.channels[row.channel];
    let delivery: Delivery;
    try {
      if (!channel) throw new Error(`no ${row.channel} channel`);
      delivery = await channel.send(row);
    } catch (err) {
      const now = clock();
      await this.sequelize.query(
        `UPDATE outbox_messages SET status = CASE WHEN attempts >= :max OR :permanent THEN 'failed' ELSE 'queued' END,
           error = :error, next_attempt_at = :next, claimed_by = NULL, claimed_until = NULL
         WHERE id = :id AND claimed_by = :token`,
        {
          replacements: {
            id: row.id,
            token: row.token,
            max: MAX_ATTEMPTS,
            permanent: err instanceof PermanentSendError,
            error: String((err as Error)?.message ?? err).slice(0, 500),
            next: new Date(now.getTime() + retryDelayMs(row.attempts)),
          },
        },
      );
      return false;
    }
    // Recorded whoever holds the claim now: the message did go out.
    await this.sequelize.query(
      `UPDATE outbox_messages SET status = 'sent', sent_at = :now, provider_id = :providerId, provider_answer = :answer,
         error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = :id`,
      { replacements: { id: row.id, now: clock(), providerId: delivery.providerId, answer: delivery.answer } },
    );
    return true;
  }

  /**
   * Puts every failed message of a configured channel back in the queue (after SMTP or the SMS
   * provider was fixed); returns how many. The worker sends them.
   */
  async resendFailed(): Promise<number> {
    const channels = this.sending;
    if (!channels.length) return 0;
    const [count] = await OutboxMessage.update(
      { status: 'queued', attempts: 0, nextAttemptAt: null },
      { where: { status: 'failed', channel: { [Op.in]: channels } } },
    );
    this.kick();
    return count;
  }
}
