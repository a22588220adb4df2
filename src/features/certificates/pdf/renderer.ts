import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { RenderRequest, RenderResponse } from './worker';

export interface RenderJob {
  source: string;
  data: Record<string, unknown>;
  qrText?: string;
}

interface Pending {
  job: RenderJob;
  resolve(pdf: Buffer): void;
  reject(err: Error): void;
}

/**
 * Renders PDFs in a child process (pdf/worker.ts), one document at a time; requests queue here.
 * The child is replaced after `rendersPerChild` documents, because the Typst native module only
 * gives its memory back when its process exits. While nothing is queued the child does not keep
 * the app (or a test run) alive.
 */
export class PdfRenderer {
  private child: ChildProcess | null = null;
  private ready: Promise<void> | null = null;
  private rendersByChild = 0;
  private queue: Pending[] = [];
  private busy = false;
  private nextId = 1;
  /** How many children were started: for tests and the benchmark. */
  childrenStarted = 0;

  constructor(
    private readonly options: { rendersPerChild: number; timeoutMs: number } = { rendersPerChild: 300, timeoutMs: 60_000 },
  ) {}

  render(job: RenderJob): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      void this.pump();
    });
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
    const pending = this.queue.shift();
    if (!pending) {
      this.idle();
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

let shared: PdfRenderer | null = null;

/** The app's one renderer (one child process per app process). */
export function pdfRenderer(): PdfRenderer {
  shared ??= new PdfRenderer();
  return shared;
}
