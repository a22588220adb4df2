import path from 'node:path';
import fs from 'node:fs';
import { Sequelize, Transaction, type Options, type TransactionOptions } from 'sequelize';
import type { Config } from '../config';
import { sqliteDialectModule } from './sqlite';

export type Dialect = 'sqlite' | 'postgres';

export function dialectOf(databaseUrl: string): Dialect {
  if (databaseUrl.startsWith('sqlite:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return 'postgres';
  throw new Error(`DATABASE_URL must start with sqlite: or postgres:// (got ${databaseUrl.split(':')[0]}:)`);
}

/** The file behind a `sqlite:` URL, or null for PostgreSQL. */
export function sqliteFile(databaseUrl: string): string | null {
  if (!databaseUrl.startsWith('sqlite:')) return null;
  const file = databaseUrl.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
  return file === ':memory:' ? file : path.resolve(file);
}

/**
 * One transaction at a time inside this process on SQLite: a BEGIN IMMEDIATE waiting on the busy
 * timeout holds one of libuv's four threads, and enough of them starve the lock holder's COMMIT.
 * Queued here, they wait as promises instead. Other processes still meet the busy timeout.
 */
function queueTransactions(sequelize: Sequelize): void {
  const original = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (sequelize as unknown as { transaction: unknown }).transaction = (...args: unknown[]) => {
    const [first, second] = args;
    const options = (typeof first === 'object' && first !== null ? first : undefined) as TransactionOptions | undefined;
    const callback = typeof first === 'function' ? first : second;
    const nested = Boolean(options?.transaction);
    if (typeof callback !== 'function' || nested) return original(...args);
    const run = tail.then(() => original(...args));
    tail = run.catch(() => undefined);
    return run;
  };
}

export function createSequelize(config: Pick<Config, 'databaseUrl' | 'logSql'>): Sequelize {
  const dialect = dialectOf(config.databaseUrl);
  const logging = config.logSql ? (sql: string) => console.log(sql) : false;
  const common: Options = {
    logging,
    define: { underscored: true, timestamps: true },
    retry: { max: 8, match: [/SQLITE_BUSY/, /could not serialize access/, /deadlock detected/] },
  };
  if (dialect === 'postgres') {
    return new Sequelize(config.databaseUrl, {
      ...common,
      dialect: 'postgres',
      pool: { max: 10, min: 0, idle: 10_000, acquire: 60_000 },
    });
  }
  const storage = sqliteFile(config.databaseUrl)!;
  if (storage !== ':memory:') fs.mkdirSync(path.dirname(storage), { recursive: true });
  const sequelize = new Sequelize({
    ...common,
    dialect: 'sqlite',
    storage,
    dialectModule: sqliteDialectModule,
    transactionType: Transaction.TYPES.IMMEDIATE,
  });
  queueTransactions(sequelize);
  return sequelize;
}

/** Settings that belong to the database file rather than to each connection. */
export async function prepareDatabase(sequelize: Sequelize): Promise<void> {
  if (sequelize.getDialect() === 'sqlite') {
    await sequelize.query('PRAGMA journal_mode = WAL');
  }
}

export async function databaseAnswers(sequelize: Sequelize): Promise<boolean> {
  try {
    await sequelize.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}
