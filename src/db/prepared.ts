import crypto from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { READS, type SqliteConnection, type SqliteStatement, sqliteDialectModule } from './sqlite';
import { rerunnable } from './rerunnable';
import { walEpoch } from './wal-epoch';

/**
 * Hot statements straight through the driver, each prepared once per connection: a query through
 * Sequelize cost 0.5–1.1 ms of CPU (building options, escaping replacements into the text, parsing
 * it again, shaping the result), sqlite3 alone 0.1–0.2 ms (npm run bench, CPU profile). Sequelize
 * stays for models, migrations and everything that is not on a hot path.
 *
 * SQL is written with `:name` parameters, as for `sequelize.query`, and runs on the same connection
 * Sequelize would use: the transaction's when one is given, otherwise Sequelize's shared SQLite
 * connection (so `:memory:` databases see the same data) or a PostgreSQL connection of its pool,
 * where each statement is a named prepared statement of that connection. Parameters are values only
 * (no lists); Dates are written as Sequelize writes them. Rows come back as the driver gives them:
 * on PostgreSQL a COUNT is a string and a timestamp a Date, on SQLite a timestamp is a string.
 *
 * Statements of one transaction that do not depend on each other (a write and its audit row, a
 * notification and its outbox message) are sent together (`Promise.all`) rather than one after the
 * other. On SQLite each then goes to a thread of libuv's pool at once; they run one at a time under
 * the connection's mutex and their answers come back together, where one after the other each
 * waited its turn of a busy event loop while the write lock was held (the enrollment rush: six
 * statements an enrollment, each a trip). On PostgreSQL the client sends them in order. Not for
 * statements whose order matters on either database (a read after the write or lock it needs).
 */
export interface Statements {
  all<T extends object>(sql: string, params?: Params, transaction?: Transaction | null): Promise<T[]>;
  get<T extends object>(sql: string, params?: Params, transaction?: Transaction | null): Promise<T | undefined>;
  /** A write: how many rows it changed. */
  run(sql: string, params?: Params, transaction?: Transaction | null): Promise<{ changes: number }>;
  /** One INSERT (no RETURNING clause): the new row's id. */
  insert(sql: string, params?: Params, transaction?: Transaction | null): Promise<number>;
  /** `IN` a list of ids given as one parameter (`WHERE id ${db.inList('ids')}`, `{ ids: [1, 2] }`). */
  inList(name: string): string;
  /** A list of ids given as one parameter as rows of one column `id`, in order (`INSERT … SELECT id, … FROM (${db.idRows('ids')}) ids`). */
  idRows(name: string): string;
  /**
   * Where the database stands: a number that moves after any commit, by any connection of this or
   * another instance, or null where that is not known now (PostgreSQL, a `:memory:` database, a
   * WAL-index caught half-written). On a SQLite file it is the WAL-index header (src/db/wal-epoch.ts),
   * read without a query, so data kept under an epoch (DataCache, src/services/caches.ts) is served
   * only while nothing at all has been committed since it was read.
   */
  epoch(): number | null;
}

export type Params = Record<string, string | number | boolean | Date | number[] | null | undefined>;

interface Compiled {
  text: string;
  names: string[];
  name: string;
  /** Whether it may write (src/db/sqlite.ts READS): counted on its connection when it runs. */
  writes: boolean;
}

/** `:name` parameters to positional ones (`?` or `$n`); string literals and `::` casts are left alone. */
function compile(sql: string, dialect: 'sqlite' | 'postgres'): Compiled {
  const names: string[] = [];
  const text = sql.replace(/'(?:[^']|'')*'|::|:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string | undefined) => {
    if (!name) return whole;
    if (dialect === 'sqlite') {
      names.push(name);
      return '?';
    }
    let i = names.indexOf(name);
    if (i < 0) i = names.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text, names, name: `rabet_${crypto.createHash('sha1').update(text).digest('hex').slice(0, 16)}`, writes: !READS.test(sql) };
}

/** A Date as Sequelize's SQLite dialect stores it ('2026-12-02 05:50:00.000 +00:00'), so both compare alike. */
export function sqliteDate(date: Date): string {
  return `${date.toISOString().replace('T', ' ').slice(0, 23)} +00:00`;
}

const STORED_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?(?: ?(?:([+-])(\d{2}):(\d{2})|Z))?$/;

/**
 * A timestamp of a row as a Date: PostgreSQL's driver gives a Date, SQLite a string as above. The
 * string is read field by field: `new Date(text)` takes this form through V8's slow legacy parser
 * (5% of the attendance sheet's time, two per row). A form not matched is left to `new Date`.
 */
export function instantOf(value: string | Date): Date {
  if (value instanceof Date) return value;
  const m = STORED_INSTANT.exec(value);
  if (!m) return new Date(value);
  const offsetMinutes = m[8] ? (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) : 0;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms) - offsetMinutes * 60_000);
}

/**
 * Whether a write failed on a unique key, as Sequelize's UniqueConstraintError or as the driver
 * reports it to a prepared statement (SQLite's SQLITE_CONSTRAINT «UNIQUE constraint failed»,
 * PostgreSQL's 23505).
 */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string } | null;
  return e?.name === 'SequelizeUniqueConstraintError' || e?.code === '23505' || /UNIQUE constraint failed/.test(e?.message ?? '');
}

/**
 * Reads outside a transaction on a file database go to a few read-only connections of their own, each
 * to the one with the fewest statements waiting. On the one shared connection every read of every
 * request waited in a single line (SQLite runs one statement at a time on a connection): under 20
 * logged-in requests at once the server sat idle 16% of the time waiting for session reads (CPU
 * profile, npm run bench -- --profile). WAL lets readers run beside each other and beside the
 * writer, and a statement stepped to its end holds no snapshot, so a read sees every commit made
 * before it began.
 * A `:memory:` database is one connection's own and keeps reading there. Closed with Sequelize.
 */
function readConnections(storage: string | null, manager: { close(): Promise<void> }) {
  const open: Reader[] = [];
  if (!storage) return { take: (): Reader | null => null };
  const close = manager.close.bind(manager);
  manager.close = async () => {
    await Promise.all(open.splice(0).map(({ connection }) => new Promise((resolve) => connection.close(() => resolve(null)))));
    return close();
  };
  return {
    /** The reader to use; the caller counts its statement off `waiting` once it has answered. */
    take(): Reader | null {
      let reader = open.length ? open.reduce((a, b) => (b.waiting < a.waiting ? b : a)) : null;
      if (!reader || (reader.waiting > 0 && open.length < READ_CONNECTIONS)) {
        reader = { connection: new sqliteDialectModule.Database(storage, sqliteDialectModule.OPEN_READONLY), waiting: 0 };
        open.push(reader);
      }
      reader.waiting++;
      return reader;
    },
  };
}

interface Reader {
  connection: SqliteConnection;
  /** Statements sent to it that have not answered yet. */
  waiting: number;
}

/** The WAL-index watcher, released once the database's connections (the readers', then Sequelize's) have closed. */
function watchedUntilClosed(wal: ReturnType<typeof walEpoch>, manager: { close(): Promise<void> }) {
  const close = manager.close.bind(manager);
  manager.close = async () => {
    try {
      return await close();
    } finally {
      wal.release();
    }
  };
  return wal;
}

/** Read connections per database file: beside libuv's four threads, room for the writer's transaction. */
const READ_CONNECTIONS = 2;

function sqliteStatements(sequelize: Sequelize): Statements {
  const compiled = new Map<string, Compiled>();
  const manager = sequelize.connectionManager as unknown as {
    getConnection(o: { uuid: string }): Promise<SqliteConnection>;
    close(): Promise<void>;
  };
  const file = (sequelize as unknown as { options: { storage?: string } }).options.storage;
  const storage = file && file !== ':memory:' ? file : null;
  const readers = readConnections(storage, manager);
  const wal = storage ? watchedUntilClosed(walEpoch(storage), manager) : null;
  const compiledOf = (sql: string) => {
    let c = compiled.get(sql);
    if (!c) {
      c = compile(sql, 'sqlite');
      compiled.set(sql, c);
    }
    return c;
  };
  const statementOf = (connection: SqliteConnection, c: Compiled) => preparedOn(connection, c.text);
  const values = (c: Compiled, params: Params) =>
    c.names.map((name) => {
      const v = params[name];
      if (v === undefined) throw new Error(`statement parameter :${name} is missing`);
      return v instanceof Date ? sqliteDate(v) : Array.isArray(v) ? JSON.stringify(v) : v;
    });
  /**
   * Statements run in the connection's serialized mode, as Sequelize runs its own queries (one at a
   * time on a connection). `all` steps a statement to its end and `run` steps a write once, to its
   * end: a statement run to its end has let go of SQLite's implicit read transaction, and the driver
   * resets it before its next use. One that failed part way is reset at once, so that it cannot keep
   * its connection on an old snapshot (a stepped, never-reset statement once kept the shared
   * connection there: a liaison who had just signed up could not log in). Resetting every statement
   * after its use cost a second trip through libuv's thread pool each time, and on this machine the
   * threads' hand-overs were a quarter of the server's time (perf, /me under load).
   */
  const connectionOf = (transaction?: Transaction | null) =>
    transaction
      ? Promise.resolve((transaction as unknown as { connection: SqliteConnection }).connection)
      : manager.getConnection({ uuid: 'default' });
  /** A failed statement marks its connection, as Sequelize's queries do (src/db/sqlite.ts): it is not reused for a transaction. */
  const failed = (connection: SqliteConnection, err: Error) => {
    connection.failed = true;
    return err;
  };
  return {
    async all<T extends object>(sql: string, params: Params = {}, transaction?: Transaction | null) {
      const c = compiledOf(sql);
      // A read outside a transaction goes to a read connection when the database is a file (readConnections).
      const reader = transaction ? null : readers.take();
      try {
        const connection = reader ? reader.connection : await connectionOf(transaction);
        const statement = await statementOf(connection, c);
        if (c.writes) connection.writes++;
        // `all` steps to the end, which ends SQLite's implicit read transaction (a stepped `get` would keep it open).
        return await new Promise<T[]>((resolve, reject) =>
          connection.serialize(() =>
            statement.all(values(c, params), (err: Error | null, rows: T[]) => {
              if (!err) return resolve(rows);
              statement.reset();
              reject(failed(connection, err));
            }),
          ),
        );
      } finally {
        if (reader) reader.waiting--;
      }
    },
    async get<T extends object>(sql: string, params: Params = {}, transaction?: Transaction | null) {
      return (await this.all<T>(sql, params, transaction))[0];
    },
    run(sql: string, params: Params = {}, transaction?: Transaction | null) {
      return write(sql, params, transaction);
    },
    async insert(sql: string, params: Params = {}, transaction?: Transaction | null) {
      return (await write(sql, params, transaction)).id;
    },
    inList: (name) => `IN (SELECT value FROM json_each(:${name}))`,
    idRows: (name) => `SELECT value AS id FROM json_each(:${name})`,
    epoch: () => (wal ? wal.read() : null),
  };
  async function write(sql: string, params: Params = {}, transaction?: Transaction | null): Promise<{ changes: number; id: number }> {
    // A write outside a transaction waits its turn in the process's one line of SQLite transactions
    // (src/db/index.ts) as a promise: on the shared connection it waited on the busy timeout holding
    // one of libuv's threads, and under 200 sign-ups and logins at once the lock holder's COMMIT
    // starved (logins failed with SQLITE_BUSY after 10 s).
    if (!transaction) return sequelize.transaction(rerunnable((t) => write(sql, params, t)));
    const c = compiledOf(sql);
    const connection = await connectionOf(transaction);
    const statement = await statementOf(connection, c);
    connection.writes++;
    return new Promise<{ changes: number; id: number }>((resolve, reject) =>
      connection.serialize(() =>
        statement.run(values(c, params), function (this: { changes: number; lastID: number }, err: Error | null) {
          if (!err) return resolve({ changes: this.changes, id: this.lastID });
          statement.reset();
          reject(failed(connection, err));
        }),
      ),
    );
  }
}

/** A statement prepared once on a SQLite connection and kept there (finalized before it closes, src/db/sqlite.ts). */
export function preparedOn(connection: SqliteConnection, text: string): Promise<SqliteStatement> {
  const byText = connection.prepared;
  let statement = byText.get(text);
  if (!statement) {
    statement = new Promise((resolve, reject) => {
      const s = connection.prepare(text, (err) => (err ? reject(err) : resolve(s)));
    });
    statement.catch(() => byText.delete(text));
    byText.set(text, statement);
  }
  return statement;
}

interface PgClient {
  query(q: { name: string; text: string; values: unknown[] }): Promise<{ rows: object[]; rowCount: number | null }>;
}

function postgresStatements(sequelize: Sequelize): Statements {
  const compiled = new Map<string, Compiled>();
  const manager = sequelize.connectionManager as unknown as {
    getConnection(o?: object): Promise<PgClient>;
    releaseConnection(c: PgClient): void;
  };
  const execute = async (sql: string, params: Params, transaction?: Transaction | null) => {
    let c = compiled.get(sql);
    if (!c) {
      c = compile(sql, 'postgres');
      compiled.set(sql, c);
    }
    const vals = c.names.map((name) => {
      const v = params[name];
      if (v === undefined) throw new Error(`statement parameter :${name} is missing`);
      return v;
    });
    const query = { name: c.name, text: c.text, values: vals };
    if (transaction) return (transaction as unknown as { connection: PgClient }).connection.query(query);
    const connection = await manager.getConnection({ type: 'SELECT' });
    try {
      return await connection.query(query);
    } finally {
      manager.releaseConnection(connection);
    }
  };
  return {
    async all<T extends object>(sql: string, params: Params = {}, transaction?: Transaction | null) {
      return (await execute(sql, params, transaction)).rows as T[];
    },
    async get<T extends object>(sql: string, params: Params = {}, transaction?: Transaction | null) {
      return (await execute(sql, params, transaction)).rows[0] as T | undefined;
    },
    async run(sql: string, params: Params = {}, transaction?: Transaction | null) {
      return { changes: (await execute(sql, params, transaction)).rowCount ?? 0 };
    },
    async insert(sql: string, params: Params = {}, transaction?: Transaction | null) {
      const [row] = (await execute(`${sql} RETURNING id`, params, transaction)).rows as { id: number | string }[];
      return Number(row.id);
    },
    inList: (name) => `= ANY (CAST(:${name} AS integer[]))`,
    idRows: (name) => `SELECT unnest(CAST(:${name} AS integer[])) AS id`,
    // Not watched on PostgreSQL (it would take LISTEN/NOTIFY on every table): nothing is kept by epoch there.
    epoch: () => null,
  };
}

const byDatabase = new WeakMap<Sequelize, Statements>();

/** The prepared statements of this database (one set per Sequelize instance). */
export function statements(sequelize: Sequelize): Statements {
  let s = byDatabase.get(sequelize);
  if (!s) {
    s = sequelize.getDialect() === 'postgres' ? postgresStatements(sequelize) : sqliteStatements(sequelize);
    byDatabase.set(sequelize, s);
  }
  return s;
}
