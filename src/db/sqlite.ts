import sqlite3 from 'sqlite3';

/**
 * The sqlite3 module as Sequelize should load it: Sequelize offers no hook to configure a
 * connection, so every connection configures itself here. A busy timeout makes a writer wait for
 * the lock instead of failing at once with SQLITE_BUSY; synchronous=FULL makes a committed write
 * survive a power cut in WAL mode.
 */
const BUSY_TIMEOUT_MS = 10_000;

type Callback = (this: unknown, err: Error | null, ...rest: unknown[]) => void;

/**
 * Sequelize's SQLite dialect asks `PRAGMA table_info` of every table a model query names before
 * running the query itself (to know which columns hold dates and booleans): a second trip through
 * the thread pool for every SELECT. The answers are kept here, per table, and forgotten whenever a
 * statement changes the schema (migrations run CREATE, ALTER and DROP through these connections).
 */
const tableInfo = new Map<string, unknown[]>();
const TABLE_INFO = /^PRAGMA table_info\(`?([A-Za-z0-9_]+)`?\)$/i;
const CHANGES_SCHEMA = /^\s*(CREATE|ALTER|DROP)\b/i;
/** A statement that writes nothing: a SELECT (not a WITH, which may lead to a write) or a PRAGMA. */
export const READS = /^\s*(SELECT|PRAGMA)\b/i;

class ConfiguredDatabase extends sqlite3.Database {
  /** Set when a statement on this connection failed: such a connection is not reused for another transaction. */
  failed = false;
  /**
   * Statements sent on this connection that may have written (anything but a SELECT or a PRAGMA), as
   * a count that only grows: a transaction's work that failed without moving it wrote nothing
   * (src/db/index.ts). Statements prepared in src/db/prepared.ts count themselves.
   */
  writes = 0;
  /** Statements prepared on this connection (src/db/prepared.ts), by their text; finalized before it closes. */
  readonly prepared = new Map<string, Promise<sqlite3.Statement>>();

  constructor(filename: string, mode?: number, callback?: (err: Error | null) => void) {
    super(filename, mode ?? sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => {
      if (!err) {
        this.configure('busyTimeout', BUSY_TIMEOUT_MS);
        this.exec('PRAGMA synchronous = FULL');
      }
      callback?.(err);
    });
  }

  /** Wraps a statement's callback so that a failure marks the connection; counts a statement that may write. */
  private watched(sql: string, args: unknown[]): unknown[] {
    if (CHANGES_SCHEMA.test(sql)) tableInfo.clear();
    if (!READS.test(sql)) this.writes++;
    const last = args.length - 1;
    if (typeof args[last] !== 'function') return args;
    const callback = args[last] as Callback;
    const db = this;
    return [
      ...args.slice(0, last),
      function (this: unknown, err: Error | null, ...rest: unknown[]) {
        if (err) db.failed = true;
        return callback.call(this, err, ...rest);
      },
    ];
  }

  override all(sql: string, ...args: unknown[]): this {
    const info = TABLE_INFO.exec(sql);
    const callback = args[args.length - 1];
    if (info && typeof callback === 'function') {
      const known = tableInfo.get(info[1]);
      if (known) {
        setImmediate(() => (callback as Callback).call(this, null, known));
        return this;
      }
      return super.all(
        sql,
        ...(this.watched(sql, [
          ...args.slice(0, -1),
          (err: Error | null, rows: unknown[]) => {
            if (!err && rows.length) tableInfo.set(info[1], rows);
            (callback as Callback).call(this, err, rows);
          },
        ]) as []),
      );
    }
    return super.all(sql, ...(this.watched(sql, args) as []));
  }

  override run(sql: string, ...args: unknown[]): this {
    return super.run(sql, ...(this.watched(sql, args) as []));
  }

  /** SQLite refuses to close a connection with statements still prepared on it: finalize them first. */
  override close(callback?: (err: Error | null) => void): this {
    const statements = [...this.prepared.values()];
    this.prepared.clear();
    Promise.all(
      statements.map((p) =>
        p.then(
          (s) => new Promise((resolve) => s.finalize(() => resolve(null))),
          () => null,
        ),
      ),
    ).then(() => super.close(callback));
    return this;
  }

  override exec(sql: string, callback?: (err: Error | null) => void): this {
    return super.exec(sql, this.watched(sql, [callback])[0] as (err: Error | null) => void);
  }
}

export type SqliteConnection = ConfiguredDatabase;
export type SqliteStatement = sqlite3.Statement;
export const sqliteDialectModule = { ...sqlite3, Database: ConfiguredDatabase };
