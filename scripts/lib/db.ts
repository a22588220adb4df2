import type { Sequelize, Transaction } from 'sequelize';
import { loadConfig, type Config } from '../../src/config';
import { createServices, type Services } from '../../src/services';
import { prepareDatabase } from '../../src/db';
import { migrate } from '../../src/db/migrator';

/** The app's services on DATABASE_URL (or the default file), with the schema brought up to date. */
export async function openDatabase(env: NodeJS.ProcessEnv = process.env): Promise<{ services: Services; config: Config }> {
  const config = loadConfig(env);
  const services = createServices(config);
  await prepareDatabase(services.sequelize);
  await migrate(services.sequelize);
  return { services, config };
}

export type Value = string | number | boolean | Date | null | Buffer;

/** A value as an SQL literal for this dialect (the seed writes numbers, short strings and dates). */
export function literal(dialect: string, value: Value): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return dialect === 'postgres' ? (value ? 'true' : 'false') : value ? '1' : '0';
  if (value instanceof Date) return `'${sqlInstant(dialect, value)}'`;
  if (Buffer.isBuffer(value)) return dialect === 'postgres' ? `'\\x${value.toString('hex')}'` : `X'${value.toString('hex')}'`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

/** An instant as Sequelize itself stores it on SQLite (`2026-11-27 02:14:00.000 +00:00`); ISO on PostgreSQL. */
export function sqlInstant(dialect: string, date: Date): string {
  if (dialect === 'postgres') return date.toISOString();
  return `${date.toISOString().replace('T', ' ').replace('Z', '')} +00:00`;
}

/**
 * Writes rows into table with multi-row INSERTs of `perStatement` rows, inside the given transaction.
 * Columns are the table's own (snake_case) names.
 */
export async function insertRows(
  sequelize: Sequelize,
  table: string,
  columns: string[],
  rows: Value[][],
  transaction: Transaction,
  perStatement = 500,
): Promise<void> {
  const dialect = sequelize.getDialect();
  const head = `INSERT INTO ${quote(dialect, table)} (${columns.map((c) => quote(dialect, c)).join(', ')}) VALUES `;
  for (let i = 0; i < rows.length; i += perStatement) {
    const chunk = rows.slice(i, i + perStatement);
    const values = chunk.map((row) => `(${row.map((v) => literal(dialect, v)).join(',')})`).join(',');
    await sequelize.query(head + values, { transaction });
  }
}

export function quote(dialect: string, name: string): string {
  return dialect === 'postgres' ? `"${name}"` : `\`${name}\``;
}

/** The largest id in a table (0 when empty). */
export async function maxId(sequelize: Sequelize, table: string): Promise<number> {
  const [rows] = await sequelize.query(`SELECT MAX(id) AS m FROM ${quote(sequelize.getDialect(), table)}`);
  return Number((rows as { m: number | string | null }[])[0]?.m ?? 0);
}

/** After inserting explicit ids on PostgreSQL, moves the table's id sequence past them. */
export async function syncSequence(sequelize: Sequelize, table: string): Promise<void> {
  if (sequelize.getDialect() !== 'postgres') return;
  await sequelize.query(
    `SELECT setval(pg_get_serial_sequence('"${table}"', 'id'), GREATEST((SELECT COALESCE(MAX(id), 0) FROM "${table}"), 1))`,
  );
}

export async function count(sequelize: Sequelize, table: string, where = ''): Promise<number> {
  const [rows] = await sequelize.query(`SELECT COUNT(*) AS n FROM ${quote(sequelize.getDialect(), table)} ${where}`);
  return Number((rows as { n: number | string }[])[0].n);
}
