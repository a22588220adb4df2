/**
 * The PDF child process: compiles Typst documents one at a time for its parent (renderer.ts).
 * It runs in its own process because the Typst native module keeps the memory of every compile
 * until its process exits, and because a compile would otherwise block the web server's event loop.
 */
import fs from 'node:fs';
import path from 'node:path';
import { NodeCompiler } from '@myriaddreamin/typst-ts-node-compiler';
import QRCode from 'qrcode';

export interface RenderRequest {
  id: number;
  /** The Typst source of the template, read by the parent at issue time. */
  source: string;
  /** Every value the template prints, as one JSON string (read in Typst as `sys.inputs.data`). */
  data: string;
  /** When set, an SVG QR code of this text is passed to the template as `sys.inputs.qr`. */
  qrText?: string;
}

export type RenderResponse = { id: number; ok: true; pdf: Uint8Array } | { id: number; ok: false; error: string };

const FONT_FILES = ['Vazirmatn-Regular.ttf', 'Vazirmatn-Medium.ttf', 'Vazirmatn-Bold.ttf'];

function fontDirectory(): string {
  return path.join(path.dirname(require.resolve('vazirmatn/package.json')), 'fonts', 'ttf');
}

function diagnosticsText(diagnostics: unknown[]): string {
  return diagnostics
    .map((d) => {
      const item = d as { message?: string; severity?: string };
      return `${item.severity ?? ''} ${item.message ?? JSON.stringify(d)}`.trim();
    })
    .join('; ');
}

export function createCompiler(): NodeCompiler {
  const fontBlobs = FONT_FILES.map((file) => fs.readFileSync(path.join(fontDirectory(), file)));
  return NodeCompiler.create({ workspace: '/', fontArgs: [{ fontBlobs }] });
}

/**
 * Compiles one document. Any warning is an error: Typst only warns about a missing font and then
 * silently falls back to another one, which would print Persian wrongly.
 */
export async function renderDocument(compiler: NodeCompiler, request: Omit<RenderRequest, 'id'>): Promise<Uint8Array> {
  const inputs: Record<string, string> = { data: request.data };
  if (request.qrText) inputs.qr = await QRCode.toString(request.qrText, { type: 'svg', margin: 0, errorCorrectionLevel: 'M' });
  const result = compiler.compile({ mainFileContent: request.source, inputs });
  try {
    const error = result.takeError();
    if (error) throw new Error(`Typst: ${diagnosticsText(compiler.fetchDiagnostics(error))}`);
    const warnings = result.takeWarnings();
    if (warnings) {
      const text = diagnosticsText(compiler.fetchDiagnostics(warnings));
      if (text) throw new Error(`Typst warning treated as an error: ${text}`);
    }
    const document = result.result;
    if (!document) throw new Error('Typst produced no document');
    return compiler.pdf(document);
  } finally {
    compiler.evictCache(10);
  }
}

function serve(): void {
  const compiler = createCompiler();
  process.on('message', async (message: RenderRequest) => {
    let response: RenderResponse;
    try {
      const pdf = await renderDocument(compiler, message);
      response = { id: message.id, ok: true, pdf };
    } catch (err) {
      response = { id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    process.send?.(response);
  });
  // The parent went away (or replaced this child): nothing left to do.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true });
}

if (process.send && process.env.RABET_PDF_WORKER === '1') serve();
