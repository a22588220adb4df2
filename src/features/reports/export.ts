import type { Response } from 'express';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';

/** One column of a report table: its Persian header and how a row fills it. */
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
  columns: Column<Row>[];
  rows: Row[];
}

/** CSV for Excel: UTF-8 with a byte-order mark, one header row, then one row per item. */
export function toCsv<Row>(table: Table<Row>): Buffer {
  const records = [table.columns.map((c) => c.header), ...table.rows.map((row) => table.columns.map((c) => c.value(row) ?? ''))];
  return Buffer.from(stringify(records, { bom: true, record_delimiter: 'windows' }), 'utf8');
}

/** An XLSX workbook with one right-to-left sheet, a bold frozen header row and numbers as numbers. */
export async function toXlsx<Row>(table: Table<Row>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Rabet';
  workbook.created = new Date();
  const sheet = workbook.addWorksheet(table.sheetName.slice(0, 31), {
    views: [{ rightToLeft: true, state: 'frozen', ySplit: 1 }],
  });
  sheet.columns = table.columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width ?? 16 }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(table.columns.map((c) => c.value(row) ?? null));
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
