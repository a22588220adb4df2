import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

/**
 * The one home of every CSV and XLSX download. The same policy for every export: UTF-8 with a
 * byte-order mark (so that Excel reads the Persian), a right-to-left sheet, numbers as numbers and
 * every digit in ASCII (what a spreadsheet can sort and sum; pages show Persian digits), dates as
 * Jalali `1405/09/06`, and no text cell that a spreadsheet would run as a formula.
 */

/** One column of a table: its Persian header and how a row fills it. */
export interface Column<Row> {
  header: string;
  value(row: Row): string | number | null;
  /** Excel column width in characters. */
  width?: number;
}

export interface Table<Row> {
  /** File name without extension, ASCII (it goes into Content-Disposition). */
  fileName: string;
  /** Worksheet name (Persian is fine, ≤ 31 characters). */
  sheetName: string;
  /** An optional bold line above the header row (XLSX only). */
  caption?: string;
  columns: Column<Row>[];
  rows: Row[];
}

// A cell that starts with one of these is a formula to Excel, LibreOffice or Google Sheets.
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * OWASP's rule against CSV injection: a text cell that would start a formula gets a leading
 * apostrophe, which a spreadsheet shows as text. A plain negative number is left alone.
 */
export function neutraliseFormula(value: string): string {
  if (!FORMULA_START.test(value) || /^-\d+(\.\d+)?$/.test(value)) return value;
  return `'${value}`;
}

function cellOf(value: string | number | null): string | number {
  if (value === null) return '';
  return typeof value === 'number' ? value : neutraliseFormula(value);
}

function records<Row>(table: Table<Row>): (string | number)[][] {
  return [table.columns.map((c) => cellOf(c.header)), ...table.rows.map((row) => table.columns.map((c) => cellOf(c.value(row))))];
}

/**
 * CSV for Excel: UTF-8 with a byte-order mark, CRLF lines, one header row, then one row per item.
 * A text on several lines (a comment) is quoted: the writer quotes only what holds the CRLF it
 * ends records with, and a bare LF would split the row in a spreadsheet.
 */
export function toCsv<Row>(table: Table<Row>): Buffer {
  return Buffer.from(stringify(records(table), { bom: true, record_delimiter: 'windows', quoted_match: /[\r\n]/ }), 'utf8');
}

/**
 * An XLSX workbook with one right-to-left sheet, a bold frozen header row and numbers as numbers.
 * Text goes in as string cells, which Excel never evaluates; it is neutralised all the same, so
 * that a sheet saved again as CSV stays harmless.
 */
export async function toXlsx<Row>(table: Table<Row>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Rabet';
  workbook.created = new Date();
  const above = table.caption ? 1 : 0;
  const sheet = workbook.addWorksheet(table.sheetName.slice(0, 31), {
    views: [{ rightToLeft: true, state: 'frozen', ySplit: above + 1 }],
  });
  if (table.caption) sheet.addRow([neutraliseFormula(table.caption)]).font = { bold: true, size: 13 };
  const [header, ...rows] = records(table);
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row.map((v) => (v === '' ? null : v)));
  table.columns.forEach((c, i) => {
    sheet.getColumn(i + 1).width = c.width ?? 16;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Sends the table as a download in the asked format. */
export async function sendTable<Row>(res: Response, format: 'csv' | 'xlsx', table: Table<Row>): Promise<void> {
  if (format === 'csv') {
    res.type('text/csv; charset=utf-8');
    res.attachment(`${table.fileName}.csv`);
    res.send(toCsv(table));
    return;
  }
  res.type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  res.attachment(`${table.fileName}.xlsx`);
  res.send(await toXlsx(table));
}
