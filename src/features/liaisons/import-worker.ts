/**
 * Reads an uploaded import file in a worker thread (see import-file.ts), so that a hostile file
 * costs this thread's time and memory and never the server's event loop. Limits apply while
 * reading: an XLSX (a zip) is unpacked entry by entry, refused as soon as an entry says, or turns
 * out, to be larger than the limit, and only then parsed; rows and columns are counted before any
 * cell is read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parse as parseCsv } from 'csv-parse/sync';
import { ZipArchive } from 'archiver';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';

export interface ImportLimits {
  /** Data rows (besides the header row). */
  rows: number;
  columns: number;
  /** Bytes of all the XLSX's parts once decompressed. */
  unpackedBytes: number;
  /** Parts (files) inside an XLSX. */
  entries: number;
}

export interface RawRow {
  line: number;
  cells: string[];
}

export type ReadResult = { ok: true; rows: RawRow[] } | { ok: false; message: string };

const persian = (n: number) => String(n).replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]);

class Refusal extends Error {}

const MESSAGES = {
  notXlsx: 'فایل Excel خوانده نشد؛ آن را با پسوند xlsx ذخیره کنید.',
  unpacked: (limits: ImportLimits) =>
    `محتوای این فایل Excel پس از باز شدن بیش از ${persian(limits.unpackedBytes / 1024 / 1024)} مگابایت است؛ فایل با این حجم برای ${persian(limits.rows)} سطر طبیعی نیست و پذیرفته نشد.`,
  entries: 'فایل Excel بیش از اندازه جزء دارد و پذیرفته نشد.',
  noSheet: 'فایل Excel هیچ برگه‌ای ندارد.',
  rows: (limits: ImportLimits) => `هر فایل حداکثر ${persian(limits.rows)} سطر داده داشته باشد.`,
  columns: (limits: ImportLimits) => `هر سطر حداکثر ${persian(limits.columns)} ستون داشته باشد.`,
  csvEncoding: 'فایل CSV باید با کدگذاری UTF-8 ذخیره شده باشد (در Excel: «CSV UTF-8»).',
  csv: 'فایل CSV خوانده نشد؛ ساختار آن را بررسی کنید.',
};

/** Every part of a zip, decompressed under the limits, packed again without compression. */
async function unpackWithinLimits(buffer: Buffer, limits: ImportLimits): Promise<Buffer> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false }, (err, file) =>
      err || !file ? reject(new Refusal(MESSAGES.notXlsx)) : resolve(file),
    ),
  );
  const out = new ZipArchive({ store: true });
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const packed = new Promise<void>((resolve, reject) => {
    out.once('end', resolve);
    out.once('error', reject);
  });
  let total = 0;
  let entries = 0;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      zip.close();
      reject(err instanceof Refusal ? err : new Refusal(MESSAGES.notXlsx));
    };
    zip.on('error', fail);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      if (++entries > limits.entries) return fail(new Refusal(MESSAGES.entries));
      if (entry.fileName.endsWith('/')) return zip.readEntry();
      // What the zip declares is checked first (a bomb usually says what it is), and yauzl stops a
      // part that inflates past what it declared (validateEntrySizes).
      if (total + entry.uncompressedSize > limits.unpackedBytes) return fail(new Refusal(MESSAGES.unpacked(limits)));
      zip.openReadStream(entry, (err, stream) => {
        if (err || !stream) return fail(err);
        const parts: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (total > limits.unpackedBytes) {
            stream.destroy();
            return fail(new Refusal(MESSAGES.unpacked(limits)));
          }
          parts.push(chunk);
        });
        stream.on('error', fail);
        stream.on('end', () => {
          out.append(Buffer.concat(parts), { name: entry.fileName });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  await out.finalize();
  await packed;
  return Buffer.concat(chunks);
}

function cellText(cell: ExcelJS.Cell): string {
  const value = cell.value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toFixed(0) : String(value);
  return cell.text ?? '';
}

async function readXlsx(buffer: Buffer, limits: ImportLimits): Promise<RawRow[]> {
  const unpacked = await unpackWithinLimits(buffer, limits);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(unpacked as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  } catch {
    throw new Refusal(MESSAGES.notXlsx);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Refusal(MESSAGES.noSheet);
  if (sheet.actualRowCount > limits.rows + 1) throw new Refusal(MESSAGES.rows(limits));
  if (sheet.actualColumnCount > limits.columns) throw new Refusal(MESSAGES.columns(limits));
  const rows: RawRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    for (let i = 1; i <= Math.min(row.cellCount, limits.columns); i++) cells.push(cellText(row.getCell(i)));
    rows.push({ line: row.number, cells });
  });
  return rows;
}

function readCsv(buffer: Buffer, limits: ImportLimits): RawRow[] {
  const text = buffer.toString('utf8');
  if (text.includes('\uFFFD')) throw new Refusal(MESSAGES.csvEncoding);
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',');
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as typeof records;
  } catch {
    throw new Refusal(MESSAGES.csv);
  }
  if (records.some((r) => r.record.length > limits.columns)) throw new Refusal(MESSAGES.columns(limits));
  return records.map((r) => ({ line: r.info.lines, cells: r.record }));
}

/** The rows of a CSV or XLSX file, or the Persian reason it was refused. */
export async function readRows(buffer: Buffer, kind: 'csv' | 'xlsx', limits: ImportLimits): Promise<ReadResult> {
  try {
    const all = kind === 'xlsx' ? await readXlsx(buffer, limits) : readCsv(buffer, limits);
    const rows = all.filter((r) => r.cells.some((c) => c.trim() !== ''));
    if (rows.length - 1 > limits.rows) throw new Refusal(MESSAGES.rows(limits));
    return { ok: true, rows };
  } catch (err) {
    if (err instanceof Refusal) return { ok: false, message: err.message };
    throw err;
  }
}

if (parentPort && workerData?.rabetImport) {
  const { buffer, kind, limits } = workerData as { buffer: Uint8Array; kind: 'csv' | 'xlsx'; limits: ImportLimits };
  const port = parentPort;
  readRows(Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength), kind, limits).then(
    (result) => port.postMessage(result),
    () => port.postMessage({ ok: false, message: MESSAGES.notXlsx } satisfies ReadResult),
  );
}
