import crypto from 'node:crypto';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Op, type Sequelize } from 'sequelize';
import { County, User } from '../../models';
import { FormError } from '../../lib/errors';
import { type Column as ExportColumn, toCsv } from '../../lib/export';
import { hashPassword } from '../../lib/password';
import { nationalCodeProblem, parseNationalCode } from '../../lib/national-code';
import { parseMobile } from '../../lib/mobile';
import { normalizeCode, normalizeText, searchKey, toPersianDigits } from '../../lib/persian';
import { recordAudit, type Actor } from '../../services/audit';
import { normalizeUsername } from '../auth/service';
import type { ImportLimits, RawRow, ReadResult } from './import-worker';
import { accountSearchKey, generatePassword } from './service';
import { countyFinder } from '../counties/names';

/** The columns of an import file, each with the headers (English or Persian) it may go by. */
const COLUMNS = {
  fullName: ['fullName', 'name', 'نام و نام خانوادگی', 'نام کامل', 'نام'],
  fatherName: ['fatherName', 'نام پدر'],
  nationalCode: ['nationalCode', 'کد ملی', 'کدملی', 'شماره ملی'],
  mobile: ['mobile', 'موبایل', 'تلفن همراه', 'شماره همراه', 'شماره موبایل', 'همراه'],
  county: ['county', 'شهرستان'],
  position: ['position', 'سمت', 'واحد', 'واحد / سمت', 'سمت / واحد'],
  username: ['username', 'نام کاربری'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: Column[] = ['fullName', 'nationalCode', 'mobile', 'county'];
const HEADER_OF = new Map<string, Column>(
  (Object.entries(COLUMNS) as [Column, readonly string[]][]).flatMap(([column, names]) =>
    names.map((n) => [searchKey(n), column] as const),
  ),
);
const COLUMN_LABELS: Record<Column, string> = {
  fullName: 'نام و نام خانوادگی',
  fatherName: 'نام پدر',
  nationalCode: 'کد ملی',
  mobile: 'تلفن همراه',
  county: 'شهرستان',
  position: 'واحد / سمت',
  username: 'نام کاربری',
};

export const MAX_IMPORT_ROWS = 2000;
export const MAX_IMPORT_BYTES = 2 * 1024 * 1024;
/** What reading one file may take: 2,000 rows of a few columns unpack to well under a megabyte. */
export const IMPORT_LIMITS: ImportLimits = { rows: MAX_IMPORT_ROWS, columns: 50, unpackedBytes: 16 * 1024 * 1024, entries: 200 };

export interface ImportRow {
  line: number;
  fullName: string;
  fatherName: string | null;
  nationalCode: string;
  mobile: string;
  countyId: number;
  countyName: string;
  position: string | null;
  username: string;
}

export interface ImportProblem {
  line: number;
  reason: string;
}

/** What the admin sees before anything is stored; kept in the session between the two steps. */
export interface ImportPreview {
  id: string;
  fileName: string;
  rows: ImportRow[];
  problems: ImportProblem[];
}

export interface ImportedAccount {
  line: number;
  fullName: string;
  username: string;
  password: string;
}

const fileError = (message: string) => new FormError({ file: message });

const WORKER_FILE = path.join(__dirname, `import-worker${path.extname(__filename)}`);
const READ_TIMEOUT_MS = 30_000;
const UNREADABLE = 'این فایل خوانده نشد؛ آن را دوباره با Excel به شکل xlsx یا «CSV UTF-8» ذخیره کنید.';

/**
 * Reads the rows of a file in a worker thread with its own small heap (import-worker.ts): a file
 * built to exhaust memory or time (a zip bomb) ends that thread, never the server, and the admin
 * is told why.
 */
function readRowsInWorker(buffer: Buffer, kind: 'csv' | 'xlsx'): Promise<RawRow[]> {
  return new Promise((resolve, reject) => {
    // Run from TypeScript (tests, npm run dev), the thread loads tsx first: Node 20 does not pass the main thread's loader on.
    const entry = WORKER_FILE.endsWith('.ts') ? `require('tsx/cjs'); require(${JSON.stringify(WORKER_FILE)});` : WORKER_FILE;
    const worker = new Worker(entry, {
      eval: WORKER_FILE.endsWith('.ts'),
      workerData: { rabetImport: true, buffer, kind, limits: IMPORT_LIMITS },
      resourceLimits: { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16 },
    });
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(fileError(UNREADABLE));
    }, READ_TIMEOUT_MS);
    const settle = (result: ReadResult | Error) => {
      clearTimeout(timer);
      void worker.terminate();
      if (result instanceof Error) reject(fileError(UNREADABLE));
      else if (result.ok) resolve(result.rows);
      else reject(fileError(result.message));
    };
    worker.once('message', settle);
    worker.once('error', settle);
    worker.once('exit', () => settle(new Error('the import worker ended')));
  });
}

/** The rows of an uploaded CSV or XLSX file (an xlsx is a zip: it starts with PK). */
export async function readImportFile(
  file: { buffer: Buffer; originalname: string } | undefined,
): Promise<{ header: RawRow; rows: RawRow[] }> {
  if (!file || file.buffer.length === 0) throw fileError('فایلی برای بارگذاری انتخاب کنید.');
  const isXlsx = file.buffer.subarray(0, 2).toString('latin1') === 'PK';
  if (!isXlsx && /\.(xlsx?|ods)$/i.test(file.originalname)) throw fileError('فقط فایل xlsx یا CSV پذیرفته می‌شود.');
  const all = await readRowsInWorker(file.buffer, isXlsx ? 'xlsx' : 'csv');
  if (all.length < 2) throw fileError('فایل باید یک سطر عنوان ستون‌ها و دست‌کم یک سطر داده داشته باشد.');
  return { header: all[0], rows: all.slice(1) };
}

function columnIndexes(header: RawRow): Map<Column, number> {
  const indexes = new Map<Column, number>();
  header.cells.forEach((name, i) => {
    const column = HEADER_OF.get(searchKey(name));
    if (column && !indexes.has(column)) indexes.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !indexes.has(c));
  if (missing.length) {
    throw fileError(
      `ستون‌های ${missing.map((c) => `«${COLUMN_LABELS[c]}» (${c})`).join('، ')} در سطر اول فایل پیدا نشد. ستون‌ها: fullName, fatherName, nationalCode, mobile, county, position, username.`,
    );
  }
  return indexes;
}

/**
 * Checks every row of a file without storing anything: each bad row is reported with its line
 * number and the Persian reasons (invalid national code or mobile, unknown county, a national code
 * or username repeated in the file or already in the database).
 */
export async function previewImport(fileName: string, file: { header: RawRow; rows: RawRow[] }): Promise<ImportPreview> {
  const indexes = columnIndexes(file.header);
  const countyOf = countyFinder(await County.findAll());
  const seenCodes = new Map<string, number>();
  const seenUsernames = new Map<string, number>();
  const candidates: { row: ImportRow; reasons: string[] }[] = [];
  for (const raw of file.rows) {
    const cell = (c: Column) => normalizeText(indexes.has(c) ? (raw.cells[indexes.get(c)!] ?? '') : '');
    const reasons: string[] = [];
    const fullName = cell('fullName');
    if (fullName.length < 3 || fullName.length > 120) reasons.push('نام و نام خانوادگی خالی، کوتاه یا بیش از اندازه بلند است');
    const typedCode = normalizeCode(cell('nationalCode'));
    const codeProblem = nationalCodeProblem(typedCode);
    const nationalCode = codeProblem ? typedCode : parseNationalCode(typedCode)!;
    if (codeProblem) reasons.push(`کد ملی «${toPersianDigits(cell('nationalCode'))}»: ${codeProblem}`);
    const mobile = parseMobile(cell('mobile')); // also a number whose leading zero Excel dropped
    if (!mobile) reasons.push(`شمارهٔ همراه «${toPersianDigits(cell('mobile'))}» معتبر نیست (۰۹xxxxxxxxx)`);
    const county = countyOf.named(cell('county'));
    if (!cell('county')) reasons.push('شهرستان خالی است');
    else if (!county) reasons.push(`شهرستان «${cell('county')}» شناخته نشد`);
    else if (!county.active) reasons.push(`شهرستان «${county.name}» غیرفعال است`);
    const username = normalizeUsername(cell('username') || nationalCode);
    if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(username))
      reasons.push(`نام کاربری «${cell('username')}» فقط حروف انگلیسی، رقم، نقطه، خط تیره یا زیرخط (۳ تا ۶۴ نویسه) باشد`);
    const fatherName = cell('fatherName');
    const position = cell('position');
    if (fatherName.length > 120 || position.length > 160) reasons.push('نام پدر یا سمت بیش از اندازه بلند است');
    if (!codeProblem) {
      const first = seenCodes.get(nationalCode);
      if (first !== undefined) reasons.push(`کد ملی تکراری است (همان کد در سطر ${toPersianDigits(first)})`);
      else seenCodes.set(nationalCode, raw.line);
    }
    const firstUser = seenUsernames.get(username);
    if (firstUser !== undefined) reasons.push(`نام کاربری تکراری است (همان نام در سطر ${toPersianDigits(firstUser)})`);
    else seenUsernames.set(username, raw.line);
    candidates.push({
      row: {
        line: raw.line,
        fullName,
        fatherName: fatherName || null,
        nationalCode,
        mobile: mobile ?? '',
        countyId: county?.id ?? 0,
        countyName: county?.name ?? '',
        position: position || null,
        username,
      },
      reasons,
    });
  }
  await markTakenInDatabase(candidates);
  return {
    id: crypto.randomUUID(),
    fileName,
    rows: candidates.filter((c) => c.reasons.length === 0).map((c) => c.row),
    problems: candidates.filter((c) => c.reasons.length > 0).map((c) => ({ line: c.row.line, reason: c.reasons.join('؛ ') })),
  };
}

/** Adds a reason to each row whose national code or username an existing account already has. */
async function markTakenInDatabase(candidates: { row: ImportRow; reasons: string[] }[]): Promise<void> {
  const codes = candidates.map((c) => c.row.nationalCode).filter((c) => /^\d{10}$/.test(c));
  const usernames = candidates.map((c) => c.row.username);
  const takenCodes = new Set<string>();
  const takenUsernames = new Set<string>();
  for (let i = 0; i < Math.max(codes.length, usernames.length); i += 500) {
    const existing = await User.findAll({
      attributes: ['nationalCode', 'username'],
      where: { [Op.or]: [{ nationalCode: { [Op.in]: codes.slice(i, i + 500) } }, { username: { [Op.in]: usernames.slice(i, i + 500) } }] },
    });
    for (const u of existing) {
      if (u.nationalCode) takenCodes.add(u.nationalCode);
      takenUsernames.add(u.username);
    }
  }
  for (const c of candidates) {
    if (takenCodes.has(c.row.nationalCode)) c.reasons.push('حسابی با این کد ملی از پیش در سامانه هست');
    if (takenUsernames.has(c.row.username)) c.reasons.push(`نام کاربری «${c.row.username}» از پیش در سامانه هست`);
  }
}

/** Checks the previewed rows against the database again, just before storing them (someone may have signed up since). */
export async function recheckPreview(preview: ImportPreview): Promise<ImportPreview> {
  const candidates = preview.rows.map((row) => ({ row, reasons: [] as string[] }));
  await markTakenInDatabase(candidates);
  const fresh = candidates.filter((c) => c.reasons.length).map((c) => ({ line: c.row.line, reason: c.reasons.join('؛ ') }));
  return {
    ...preview,
    rows: candidates.filter((c) => !c.reasons.length).map((c) => c.row),
    problems: [...preview.problems, ...fresh].sort((a, b) => a.line - b.line),
  };
}

/**
 * Stores the good rows of a checked file as active accounts, each with a random password returned
 * once. Passwords are hashed before the transaction; the rows are stored all together or not at all.
 */
export async function importLiaisons(sequelize: Sequelize, actor: Actor, rows: ImportRow[]): Promise<ImportedAccount[]> {
  const accounts = rows.map((row) => ({ row, password: generatePassword(), hash: '' }));
  for (let i = 0; i < accounts.length; i += 4) {
    await Promise.all(accounts.slice(i, i + 4).map(async (a) => (a.hash = await hashPassword(a.password))));
  }
  await sequelize.transaction(async (transaction) => {
    for (const { row, hash } of accounts) {
      const user = await User.create(
        {
          role: 'liaison',
          username: row.username,
          passwordHash: hash,
          fullName: row.fullName,
          fatherName: row.fatherName,
          nationalCode: row.nationalCode,
          mobile: row.mobile,
          email: null,
          countyId: row.countyId,
          position: row.position,
          status: 'active',
          searchKey: accountSearchKey(row),
          lastLoginAt: null,
        },
        { transaction },
      );
      await recordAudit(sequelize, actor, 'user.import', { type: 'user', id: user.id }, { line: row.line }, transaction);
    }
  });
  return accounts.map(({ row, password }) => ({ line: row.line, fullName: row.fullName, username: row.username, password }));
}

/** The one-time list of new usernames and passwords, as CSV with a BOM so that Excel reads Persian. */
export function credentialsCsv(accounts: ImportedAccount[]): string {
  const columns: ExportColumn<ImportedAccount>[] = [
    { header: 'line', value: (a) => a.line },
    { header: 'fullName', value: (a) => a.fullName },
    { header: 'username', value: (a) => a.username },
    { header: 'password', value: (a) => a.password },
  ];
  return toCsv({ fileName: 'accounts', sheetName: 'accounts', columns, rows: accounts }).toString('utf8');
}
