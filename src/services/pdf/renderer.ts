import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { ServiceUnavailableError } from '../../lib/errors';
import type { RenderRequest, RenderResponse } from './worker';

export interface RenderJob {
  source: string;
  data: Record<string, unknown>;
  qrText?: string;
}

/** Who asks for a render and whether they still want it. */
export interface RenderRequester {
  /** Renders of one owner (a user) run one at a time and queue at most `perOwner` deep. */
  owner?: string;
  /** Aborted when the client has gone: a job not yet started is then dropped, not rendered. */
  signal?: AbortSignal;
}

interface Pending {
  job: RenderJob;
  signal?: AbortSignal;
  resolve(pdf: Buffer): void;
  reject(err: Error): void;
}

export interface RendererOptions {
  rendersPerChild: number;
  timeoutMs: number;
  /** Renders one owner may have waiting or running at once; past it a request is refused. */
  perOwner: number;
  /** Renders that may wait in all; past it a request is refused. */
  maxQueued: number;
}

const DEFAULTS: RendererOptions = { rendersPerChild: 300, timeoutMs: 60_000, perOwner: 2, maxQueued: 100 };

/** A place in the renderer's queue, taken before the document's data is read. */
export interface Reservation {
  render(job: RenderJob): Promise<Buffer>;
  /** Gives the place back unused (a render gives it back by itself when it ends). */
  release(): void;
}

/** A render refused because its owner's queue (or the whole queue) is full: 503 with Retry-After. */
export class RendererBusyError extends ServiceUnavailableError {
  constructor() {
    super('سامانه در حال ساختن PDFهای درخواستی شماست. چند ثانیه بعد دوباره تلاش کنید.', 5);
  }
}

/** A render dropped before it started because its client went away. */
export class RenderAbortedError extends Error {
  constructor() {
    super('the client went away before its PDF was rendered');
  }
}

/**
 * Renders PDFs in a child process (pdf/worker.ts), one document at a time; requests queue here,
 * one lane per owner served in turn, so that one person asking for a thousand PDFs holds up
 * another's by one render at most. Built once in createServices and closed at shutdown.
 * The child is replaced after `rendersPerChild` documents, because the Typst native module only
 * gives its memory back when its process exits. While nothing is queued the child does not keep
 * the app (or a test run) alive.
 */
export class PdfRenderer {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private rendersByChild = 0;
  /** Waiting renders per owner; a Map keeps insertion order, which makes the turns round-robin. */
  private lanes = new Map<string, Pending[]>();
  /** Places held per owner (waiting, preparing or rendering), and in all. */
  private held = new Map<string, number>();
  private heldInAll = 0;
  private readonly options: RendererOptions;
  private busy = false;
  private nextId = 1;
  /** How many children were started: for tests and the benchmark. */
  childrenStarted = 0;

  constructor(options: Partial<RendererOptions> = {}) {
    this.options = { ...DEFAULTS, ...options };
  }

  /**
   * Takes a place in the queue before the work that prepares a document (reading the data), so
   * that requests arriving together are counted at once. With an owner, refused at once
   * (RendererBusyError) when that owner already holds `perOwner` places, or the queue is full;
   * without one (the app's own work, such as issuing certificates) only the queue's bound applies.
   * The place is given back when its render ends, or by `release()` if it is not used.
   */
  reserve(requester: RenderRequester = {}): Reservation {
    const owner = requester.owner ?? '';
    const held = this.held.get(owner) ?? 0;
    if (this.heldInAll >= this.options.maxQueued || (requester.owner !== undefined && held >= this.options.perOwner)) {
      throw new RendererBusyError();
    }
    this.held.set(owner, held + 1);
    this.heldInAll++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.heldInAll--;
      const left = (this.held.get(owner) ?? 1) - 1;
      if (left > 0) this.held.set(owner, left);
      else this.held.delete(owner);
    };
    const render = (job: RenderJob) => {
      if (requester.signal?.aborted) {
        release();
        return Promise.reject(new RenderAbortedError());
      }
      return new Promise<Buffer>((resolve, reject) => {
        const lane = this.lanes.get(owner) ?? [];
        lane.push({ job, signal: requester.signal, resolve, reject });
        this.lanes.set(owner, lane);
        void this.pump();
      }).finally(release);
    };
    return { render, release };
  }

  /** Renders a document in the requester's lane (see reserve). */
  async render(job: RenderJob, requester: RenderRequester = {}): Promise<Buffer> {
    return this.reserve(requester).render(job);
  }

  /** The next render: the first owner's in line, whose lane then goes to the back. */
  private next(): { owner: string; pending: Pending } | null {
    for (const [owner, lane] of this.lanes) {
      const pending = lane.shift()!;
      this.lanes.delete(owner);
      if (lane.length) this.lanes.set(owner, lane);
      return { owner, pending };
    }
    return null;
  }

  /** Ends the child (at shutdown, or at the end of a test file). */
  async close(): Promise<void> {
    const child = this.child;
    this.child = null;
    this.ready = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.ref();
      child.kill();
      await exited;
    }
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    const next = this.next();
    if (!next) {
      this.idle();
      return;
    }
    const { pending } = next;
    if (pending.signal?.aborted) {
      pending.reject(new RenderAbortedError());
      void this.pump();
      return;
    }
    this.busy = true;
    try {
      const pdf = await this.renderInChild(pending.job);
      pending.resolve(pdf);
    } catch (err) {
      pending.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      this.busy = false;
      void this.pump();
    }
  }

  private async renderInChild(job: RenderJob): Promise<Buffer> {
    // Replace the child after its share of renders, or when it went away (crashed, was killed).
    if (this.child && (this.rendersByChild >= this.options.rendersPerChild || !this.child.connected)) await this.close();
    if (!this.child) this.start();
    const child = this.child!;
    await this.ready;
    child.ref();
    (child.channel as unknown as { ref(): void } | undefined)?.ref();
    this.rendersByChild++;
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`PDF rendering took longer than ${this.options.timeoutMs} ms`));
        if (this.child === child) void this.close();
      }, this.options.timeoutMs);
      const onMessage = (message: RenderResponse) => {
        if (message.id !== id) return;
        finish();
        if (message.ok) resolve(Buffer.from(message.pdf));
        else reject(new Error(message.error));
      };
      const onGone = () => {
        finish();
        reject(new Error('the PDF process ended while rendering'));
      };
      const finish = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onGone);
        child.off('disconnect', onGone);
      };
      child.on('message', onMessage);
      child.once('exit', onGone);
      child.once('disconnect', onGone);
      const request: RenderRequest = { id, source: job.source, data: JSON.stringify(job.data), qrText: job.qrText };
      child.send(request, (err) => {
        if (err) onGone();
      });
    });
  }

  private start(): void {
    const extension = path.extname(__filename);
    const child = fork(path.join(__dirname, `worker${extension}`), [], {
      env: { ...process.env, RABET_PDF_WORKER: '1' },
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('error', (err) => console.error('PDF process:', err.message));
    this.child = child;
    this.rendersByChild = 0;
    this.childrenStarted++;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (!message?.ready) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve();
      };
      const onExit = (code: number | null) => {
        child.off('message', onMessage);
        reject(new Error(`the PDF process could not start (exit ${code})`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    this.ready.catch(() => undefined);
    child.once('exit', () => {
      if (this.child === child) {
        this.child = null;
        this.ready = null;
      }
    });
  }

  private idle(): void {
    const child = this.child;
    if (!child) return;
    child.unref();
    (child.channel as unknown as { unref(): void } | undefined)?.unref();
  }
}
