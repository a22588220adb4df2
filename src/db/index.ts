import path from 'node:path';
import fs from 'node:fs';
import { QueryTypes, Sequelize, Transaction, type Options, type TransactionOptions } from 'sequelize';
import type { Config } from '../config';
import { type SqliteConnection, sqliteDialectModule } from './sqlite';
import { preparedOn } from './prepared';
import { mayRunAgain } from './rerunnable';

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
 *
 * Transactions that wait together are committed together (group commit): each runs inside its own
 * SAVEPOINT of one SQLite transaction, one after another, and the group ends in one COMMIT, so one
 * fsync (synchronous=FULL: ~1 ms here, most of a small transaction's time) serves them all. Each is
 * still atomic (a failure rolls back to its savepoint and rejects only its caller), isolated (they
 * run one at a time; each sees what the ones before it wrote, as it would after their commits) and
 * durable (every caller hears of success only after the COMMIT; a failed COMMIT fails them all),
 * and afterCommit hooks run after that COMMIT. A transaction with options of its own (read-only,
 * an isolation level) runs alone, and so does one that finds the line empty.
 *
 * Work marked `rerunnable` shares one savepoint with the rerunnable work next to it in the group
 * instead of taking one of its own: each SAVEPOINT was one more trip through the thread pool, with
 * the write lock held, for every transaction (a mark saved: four trips, three without it). One that
 * fails having written nothing (a refusal after its reads, the usual failure) has nothing to undo
 * and rejects its caller alone. One that fails after a write undoes the shared run back to its
 * savepoint, and its members run again from their start, each in a savepoint of its own, in the
 * same order: nobody has heard of their outcome yet, so running them again is running them once.
 */
function queueTransactions(sequelize: Sequelize): void {
  const original = sequelize.transaction.bind(sequelize) as (...args: unknown[]) => Promise<unknown>;
  type Work = (t: Transaction) => Promise<unknown>;
  interface Waiting {
    options?: TransactionOptions;
    work: Work;
    resolve(value: unknown): void;
    reject(err: unknown): void;
    /** Run again after a shared run was undone: in a savepoint of its own this time. */
    ownSavepoint?: boolean;
  }
  const line: Waiting[] = [];
  let draining = false;
  const alone = (w: Waiting) => Boolean(w.options && Object.keys(w.options).length);

  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      // The transaction begun for the next group while the last one's callers were told (commitTogether).
      let begun: { transaction: Promise<unknown> } | null = null;
      while (line.length) {
        const first = line.shift()!;
        const group = [first];
        if (!alone(first)) while (group.length < MAX_GROUP && line.length && !alone(line[0])) group.push(line.shift()!);
        if (group.length === 1 && !begun) await original(first.options ?? {}, first.work).then(first.resolve, first.reject);
        else begun = await commitTogether(group, begun);
      }
    } finally {
      draining = false;
    }
  }

  /** Runs a group in one transaction (`begun` already, or begun here); gives the next group's transaction if it began one. */
  async function commitTogether(
    group: Waiting[],
    begun: { transaction: Promise<unknown> } | null,
  ): Promise<{ transaction: Promise<unknown> } | null> {
    let outer: OpenTransaction;
    try {
      outer = (await (begun?.transaction ?? original())) as OpenTransaction;
    } catch (err) {
      for (const w of group) w.reject(err);
      return null;
    }
    const connection = outer.connection;
    const run = (sql: string) => runOn(connection, sql);
    const done: { w: Waiting; value: unknown; t: OpenTransaction }[] = [];
    /** Members already answered with their failure (none of them is run again). */
    const refused = new Set<Waiting>();
    const unanswered = (from: number) => [...done.map((d) => d.w), ...group.slice(from).filter((w) => !refused.has(w))];
    /**
     * The savepoint the rerunnable members since `from` share, and how many of `done` were done
     * before them; none while nothing is kept yet (the whole transaction is rolled back and begun again).
     */
    let shared: { name: string | null; from: number; doneBefore: number } | null = null;
    /** Runs a member's work: kept in `done` when it succeeds, or the error it threw. */
    const attempt = async (w: Waiting, t: OpenTransaction): Promise<{ error: unknown } | null> => {
      try {
        const value = await w.work(t);
        t.finished = 'commit';
        done.push({ w, value, t });
        return null;
      } catch (error) {
        t.finished = 'rollback';
        return { error };
      }
    };
    for (let i = 0; i < group.length; i++) {
      const w = group[i];
      if (refused.has(w)) continue;
      const t = new Transaction(sequelize, { transaction: outer }) as OpenTransaction;
      t.connection = connection;
      // A savepoint is never released: the group's COMMIT ends them all, and a RELEASE after each
      // transaction was one more trip through the thread pool while the write lock is held. The
      // next savepoint nests inside, which changes nothing.
      if (mayRunAgain.has(w.work) && !w.ownSavepoint) {
        if (!shared) {
          shared = { name: done.length ? `rabet_group_${i}` : null, from: i, doneBefore: done.length };
          try {
            if (shared.name) await run(`SAVEPOINT ${shared.name}`);
          } catch (err) {
            return failAll(outer, unanswered(i), err);
          }
        }
        const writesBefore = connection.writes;
        const failed = await attempt(w, t);
        if (!failed) continue;
        if (connection.writes === writesBefore) {
          w.reject(failed.error);
          refused.add(w);
          continue;
        }
        // It wrote before it failed: the shared run is undone and run again, a savepoint each.
        try {
          if (shared.name) await run(`ROLLBACK TO ${shared.name}`);
          else {
            await run('ROLLBACK');
            await beginOn(connection);
          }
        } catch (broken) {
          return failAll(outer, unanswered(i), broken);
        }
        for (const d of done.splice(shared.doneBefore)) d.w.ownSavepoint = true;
        w.ownSavepoint = true;
        i = shared.from - 1;
        shared = null;
        continue;
      }
      shared = null;
      const savepoint = `rabet_group_${i}`;
      try {
        await run(`SAVEPOINT ${savepoint}`);
      } catch (err) {
        return failAll(outer, unanswered(i), err);
      }
      const failed = await attempt(w, t);
      if (!failed) continue;
      refused.add(w);
      const undone = await run(`ROLLBACK TO ${savepoint}`).then(
        () => null,
        (broken: unknown) => ({ broken }),
      );
      w.reject(failed.error);
      // The whole transaction is gone (SQLite rolled it back): nothing of the group was kept.
      if (undone) return failAll(outer, unanswered(i + 1), undone.broken);
    }
    try {
      await outer.commit();
    } catch (err) {
      for (const d of done) d.w.reject(err);
      return null;
    }
    // The next group's BEGIN goes out before these callers hear of their outcome: each answer (a
    // page, a redirect) is main-thread work, and the BEGIN's answer waited behind all of them.
    const next = line.length && !alone(line[0]) ? { transaction: original() } : null;
    next?.transaction.catch(() => {}); // met by the next group, which rejects if it failed
    for (const d of done) {
      try {
        for (const hook of (d.t as unknown as { _afterCommitHooks: ((t: Transaction) => unknown)[] })._afterCommitHooks) await hook(d.t);
        d.w.resolve(d.value);
      } catch (err) {
        d.w.reject(err);
      }
    }
    return next;
  }

  async function failAll(outer: OpenTransaction, waiting: Waiting[], err: unknown): Promise<null> {
    try {
      await outer.rollback();
    } catch {
      // already rolled back by SQLite; the connection is marked failed and not reused
    }
    for (const w of waiting) w.reject(err);
    return null;
  }

  (sequelize as unknown as { transaction: unknown }).transaction = (...args: unknown[]) => {
    const [first, second] = args;
    const options = (typeof first === 'object' && first !== null ? first : undefined) as TransactionOptions | undefined;
    const callback = typeof first === 'function' ? first : second;
    const nested = Boolean(options?.transaction);
    if (typeof callback !== 'function' || nested) return original(...args);
    return new Promise((resolve, reject) => {
      line.push({ options, work: callback as Work, resolve, reject });
      void drain();
    });
  };
}

/**
 * One statement with no rows (BEGIN, SAVEPOINT, COMMIT…) on a SQLite connection, in its serialized
 * mode, prepared once on it: through `connection.run` each was prepared afresh, one more trip
 * through the thread pool while the write lock is held (two for a SAVEPOINT and its run, for each
 * transaction of a group). A statement that fails is reset and marks its connection, as
 * prepared.ts does with its own.
 */
async function runOn(connection: SqliteConnection, sql: string): Promise<void> {
  const statement = await preparedOn(connection, sql);
  return new Promise((resolve, reject) =>
    connection.serialize(() =>
      statement.run((err: Error | null) => {
        if (!err) return resolve();
        statement.reset();
        connection.failed = true;
        reject(err);
      }),
    ),
  );
}

/** BEGIN on a SQLite connection, tried again when it meets SQLITE_BUSY (another process holding the lock past the busy timeout). */
async function beginOn(connection: SqliteConnection, type = 'IMMEDIATE'): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await runOn(connection, `BEGIN ${type} TRANSACTION`);
    } catch (err) {
      if (attempt >= 8 || !/SQLITE_BUSY/.test(String((err as Error).message))) throw err;
    }
  }
}

/** Transactions committed together at most (queueTransactions). */
const MAX_GROUP = 32;

/**
 * Sequelize's SQLite dialect opens a new connection for every transaction and closes it after:
 * each write paid for opening the file, configuring the connection and SQLite reading the whole
 * schema (every table, index and trigger) again. Transactions here run one at a time (above), so
 * one finished transaction's connection is kept for the next; a connection on which any statement
 * failed is closed instead, so none is handed on in an unknown state.
 */
function reuseTransactionConnections(sequelize: Sequelize): void {
  type Manager = {
    connections: Record<string, SqliteConnection>;
    getConnection(options?: { uuid?: string }): Promise<SqliteConnection>;
    releaseConnection(connection: SqliteConnection & { uuid?: string }, force?: boolean): void;
    close(): Promise<void>;
  };
  const manager = sequelize.connectionManager as unknown as Manager;
  const idle: SqliteConnection[] = [];
  const getConnection = manager.getConnection.bind(manager);
  const releaseConnection = manager.releaseConnection.bind(manager);
  const close = manager.close.bind(manager);
  manager.getConnection = async (options) => {
    const uuid = options?.uuid;
    const kept = uuid && uuid !== 'default' ? idle.pop() : undefined;
    if (!kept) return getConnection(options);
    manager.connections[uuid!] = kept;
    return kept;
  };
  manager.releaseConnection = (connection, force) => {
    if (connection.uuid && !force && !connection.failed && idle.length < 2) {
      delete manager.connections[connection.uuid];
      idle.push(connection);
      return;
    }
    releaseConnection(connection, force);
  };
  manager.close = async () => {
    await Promise.all(idle.splice(0).map((c) => new Promise((resolve) => c.close(resolve))));
    return close();
  };
}

type TransactionStatements = {
  startTransaction(transaction: Transaction, options?: object): Promise<unknown>;
  commitTransaction(transaction: Transaction, options?: object): Promise<unknown>;
  rollbackTransaction(transaction: Transaction, options?: object): Promise<unknown>;
};
type OpenTransaction = Transaction & { parent?: Transaction; connection: SqliteConnection; finished?: string; options: { type?: string } };

/**
 * A transaction's BEGIN, COMMIT and ROLLBACK go straight to its SQLite connection. Through
 * `sequelize.query` each cost ~0.35 ms of CPU (options, a stack trace taken for every query, the
 * result's shaping) for a statement SQLite runs in microseconds, and on SQLite every write waits
 * for the transactions before it (above): an empty transaction cost 1.0 ms, now 0.2 ms
 * (docs/benchmarks.md). Sequelize's Transaction still does everything else (the connection,
 * savepoints, afterCommit hooks, clean-up); savepoints still go through Sequelize. A BEGIN that
 * meets SQLITE_BUSY (another process holding the lock past the busy timeout) is tried again, as
 * Sequelize's `retry` option did.
 */
function beginAndEndOnTheDriver(sequelize: Sequelize): void {
  const queryInterface = sequelize.getQueryInterface() as unknown as TransactionStatements;
  const original = {
    start: queryInterface.startTransaction.bind(queryInterface),
    commit: queryInterface.commitTransaction.bind(queryInterface),
    rollback: queryInterface.rollbackTransaction.bind(queryInterface),
  };
  queryInterface.startTransaction = async (transaction, options) => {
    const t = transaction as OpenTransaction;
    if (t.parent) return original.start(transaction, options);
    return beginOn(t.connection, t.options.type ?? 'IMMEDIATE');
  };
  /** COMMIT or ROLLBACK of a transaction (a savepoint's is Sequelize's): marked finished as Sequelize marks it. */
  const end =
    (sql: 'COMMIT' | 'ROLLBACK', finished: 'commit' | 'rollback', savepoint: (t: Transaction, o?: object) => Promise<unknown>) =>
    async (transaction: Transaction, options?: object) => {
      const t = transaction as OpenTransaction;
      if (t.parent) return savepoint(transaction, options);
      const done = runOn(t.connection, sql);
      t.finished = finished;
      return done;
    };
  queryInterface.commitTransaction = end('COMMIT', 'commit', original.commit);
  queryInterface.rollbackTransaction = end('ROLLBACK', 'rollback', original.rollback);
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
  beginAndEndOnTheDriver(sequelize);
  if (storage !== ':memory:') reuseTransactionConnections(sequelize);
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

/** Runs one INSERT (no RETURNING clause) and gives the new row's id, on either database. */
export async function insertReturningId(
  sequelize: Sequelize,
  sql: string,
  options: { replacements: Record<string, unknown>; transaction?: Transaction },
): Promise<number> {
  if (sequelize.getDialect() === 'postgres') {
    const [row] = await sequelize.query<{ id: number }>(`${sql} RETURNING id`, { ...options, type: QueryTypes.SELECT });
    return Number(row.id);
  }
  // SQLite: an INSERT answers with the statement's last inserted row id.
  const [id] = (await sequelize.query(sql, { ...options, type: QueryTypes.INSERT })) as unknown as [number, number];
  return Number(id);
}
