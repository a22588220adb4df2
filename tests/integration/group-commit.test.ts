import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { createSequelize, prepareDatabase } from '../../src/db';
import { rerunnable } from '../../src/db/rerunnable';
import { statements } from '../../src/db/prepared';

/**
 * SQLite's transactions that wait together share one COMMIT (src/db/index.ts): each in a savepoint,
 * atomic, isolated and durable on its own. PostgreSQL runs them as they come: nothing to see there.
 */
async function sqliteDatabase(): Promise<Sequelize> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-group-'));
  const sequelize = createSequelize({ databaseUrl: `sqlite:${path.join(dir, 'db.sqlite')}`, logSql: false });
  await prepareDatabase(sequelize);
  await sequelize.query('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  return sequelize;
}

/** A promise and what settles it: holds a transaction open until the test has queued the ones it wants to wait together. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const names = async (sequelize: Sequelize) =>
  (await sequelize.query<{ name: string }>('SELECT name FROM items ORDER BY id', { type: QueryTypes.SELECT })).map((r) => r.name);

test('transactions started together commit together, each keeping its own outcome', {
  skip: Boolean(process.env.TEST_DATABASE_URL),
}, async () => {
  const sequelize = await sqliteDatabase();
  const db = statements(sequelize);
  const insert = (name: string, t: Transaction) => db.run('INSERT INTO items (name) VALUES (:name)', { name }, t);
  const events: string[] = [];
  const seenBy: Record<string, string[]> = {};
  const outcomes = await Promise.allSettled([
    sequelize.transaction(async (t) => {
      await insert('a', t);
      t.afterCommit(() => {
        events.push('a committed');
      });
      return 'a';
    }),
    sequelize.transaction(async (t) => {
      await insert('b', t);
      await insert('a', t); // a unique key lost: b must go with it, and nothing else
      return 'b';
    }),
    sequelize.transaction(async (t) => {
      await insert('c', t);
      seenBy.c = (await db.all<{ name: string }>('SELECT name FROM items ORDER BY id', {}, t)).map((r) => r.name);
      return 'c';
    }),
    sequelize.transaction(async () => {
      throw new Error('refused');
    }),
    sequelize.transaction(async (t) => {
      await insert('e', t);
      return 'e';
    }),
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled'],
  );
  assert.deepEqual(
    outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : [])),
    ['a', 'c', 'e'],
  );
  assert.match(String((outcomes[1] as PromiseRejectedResult).reason), /UNIQUE/);
  assert.match(String((outcomes[3] as PromiseRejectedResult).reason), /refused/);
  assert.deepEqual(await names(sequelize), ['a', 'c', 'e'], 'what was kept: every transaction but the failed ones, whole');
  assert.deepEqual(seenBy.c, ['a', 'c'], 'a later transaction sees what the earlier ones wrote, not a rolled-back one');
  assert.deepEqual(events, ['a committed'], 'afterCommit hooks ran, once');
  // A second reader (another connection) sees all of it: it was committed.
  const other = createSequelize({
    databaseUrl: `sqlite:${(sequelize as unknown as { options: { storage: string } }).options.storage}`,
    logSql: false,
  });
  assert.deepEqual(await names(other), ['a', 'c', 'e']);
  await other.close();
  await sequelize.close();
});

test('a caller hears of success only once its work is committed', { skip: Boolean(process.env.TEST_DATABASE_URL) }, async () => {
  const sequelize = await sqliteDatabase();
  const db = statements(sequelize);
  const storage = (sequelize as unknown as { options: { storage: string } }).options.storage;
  const witness = createSequelize({ databaseUrl: `sqlite:${storage}`, logSql: false });
  const seenAtResolve: number[] = [];
  await Promise.all(
    Array.from({ length: 10 }, (_, i) =>
      sequelize
        .transaction(async (t) => {
          await db.run('INSERT INTO items (name) VALUES (:name)', { name: `n${i}` }, t);
        })
        .then(async () => {
          const [row] = await witness.query<{ n: number }>('SELECT COUNT(*) AS n FROM items WHERE name = :name', {
            type: QueryTypes.SELECT,
            replacements: { name: `n${i}` },
          });
          seenAtResolve.push(Number(row.n));
        }),
    ),
  );
  assert.deepEqual(seenAtResolve, Array(10).fill(1), 'another connection saw each write when its caller was told');
  await witness.close();
  await sequelize.close();
});

test('rerunnable work waiting together shares one savepoint; one that fails after writing is undone and the others run again', {
  skip: Boolean(process.env.TEST_DATABASE_URL),
}, async () => {
  const sequelize = await sqliteDatabase();
  const db = statements(sequelize);
  const insert = async (name: string, t: Transaction) => {
    await db.run('INSERT INTO items (name) VALUES (:name)', { name }, t);
  };
  // What the transactions' connection was sent: SQLite's own trace of each statement.
  const sent: string[] = [];
  const traced = new WeakSet<object>();
  const trace = (t: Transaction) => {
    const connection = (t as unknown as { connection: { on(e: 'trace', f: (sql: string) => void): void } }).connection;
    if (traced.has(connection)) return;
    traced.add(connection);
    connection.on('trace', (sql) => sent.push(sql));
  };
  // The line must be busy for a group to form: the first transaction holds it until the others wait.
  const { promise: held, open: release } = gate();
  const first = sequelize.transaction(async (t) => {
    trace(t);
    await held;
  });
  const runs: Record<string, number> = {};
  const events: string[] = [];
  const work = (name: string, body: (t: Transaction) => Promise<void>) =>
    rerunnable(async (t: Transaction) => {
      runs[name] = (runs[name] ?? 0) + 1;
      await body(t);
      t.afterCommit(() => {
        events.push(`${name} committed`);
      });
      return name;
    });
  const outcomes = Promise.allSettled([
    sequelize.transaction(work('a', (t) => insert('a', t))),
    sequelize.transaction(
      work('refused', async (t) => {
        await db.all('SELECT name FROM items', {}, t);
        throw new Error('refused after reading');
      }),
    ),
    sequelize.transaction(work('b', (t) => insert('b', t))),
    sequelize.transaction(
      work('broken', async (t) => {
        await insert('broken', t);
        throw new Error('failed after writing');
      }),
    ),
    sequelize.transaction(work('c', (t) => insert('c', t))),
  ]);
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await first;
  const settled = await outcomes;
  assert.deepEqual(
    settled.map((o) => (o.status === 'fulfilled' ? o.value : String((o as PromiseRejectedResult).reason.message))),
    ['a', 'refused after reading', 'b', 'failed after writing', 'c'],
  );
  assert.deepEqual(await names(sequelize), ['a', 'b', 'c'], 'the failed one is undone whole, the others kept');
  assert.deepEqual(
    runs,
    { a: 2, refused: 1, b: 2, broken: 2, c: 1 },
    'the run before the failed write ran again (a, b), the refusal that wrote nothing did not',
  );
  assert.deepEqual(events, ['a committed', 'b committed', 'c committed'], 'afterCommit hooks of the runs that committed, once each');
  // SQLite's trace reaches JavaScript on a turn of the event loop of its own: let the last of it in.
  await new Promise((resolve) => setTimeout(resolve, 50));
  // a, refused, b and broken share none (nothing is kept before them: the whole transaction is rolled
  // back and begun again); then a, b and broken run again, a savepoint each; then c, with a savepoint of its own to share.
  const savepoints = sent.filter((sql) => sql.startsWith('SAVEPOINT'));
  assert.equal(savepoints.length, 4, `savepoints sent: ${savepoints.join(', ')}`);
  assert.deepEqual(
    sent.filter((sql) => /^(BEGIN|ROLLBACK|COMMIT)/.test(sql)),
    // (traced from inside the first transaction: its COMMIT, then the group's statements)
    ['COMMIT', 'BEGIN IMMEDIATE TRANSACTION', 'ROLLBACK', 'BEGIN IMMEDIATE TRANSACTION', 'ROLLBACK TO rabet_group_3', 'COMMIT'],
  );
  await sequelize.close();
});

test('rerunnable work that waits together takes one savepoint, not one each', {
  skip: Boolean(process.env.TEST_DATABASE_URL),
}, async () => {
  const sequelize = await sqliteDatabase();
  const db = statements(sequelize);
  const sent: string[] = [];
  const { promise: held, open: release } = gate();
  const first = sequelize.transaction(async (t) => {
    (t as unknown as { connection: { on(e: 'trace', f: (sql: string) => void): void } }).connection.on('trace', (sql) => sent.push(sql));
    await held;
  });
  // Single writes outside a transaction (a session saved, a login) are rerunnable; so is the other work here.
  const writes = Array.from({ length: 8 }, (_, i) => db.run('INSERT INTO items (name) VALUES (:name)', { name: `w${i}` }));
  const marked = sequelize.transaction(
    rerunnable(async (t) => {
      await db.run('INSERT INTO items (name) VALUES (:name)', { name: 'marked' }, t);
    }),
  );
  const plain = sequelize.transaction(async (t) => {
    await db.run('INSERT INTO items (name) VALUES (:name)', { name: 'plain' }, t);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  release();
  await Promise.all([first, ...writes, marked, plain]);
  // SQLite's trace reaches JavaScript on a turn of the event loop of its own: let the last of it in.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal((await names(sequelize)).length, 10);
  assert.deepEqual(
    sent.filter((sql) => sql.startsWith('SAVEPOINT')).length,
    1,
    'none for the nine rerunnable ones (nothing kept before them), one of its own for the unmarked one',
  );
  await sequelize.close();
});

test("the next group's transaction begins before the last group's callers hear of their outcome", {
  skip: Boolean(process.env.TEST_DATABASE_URL),
}, async () => {
  const sequelize = await sqliteDatabase();
  const db = statements(sequelize);
  // Each transaction takes its connection first (then sends its BEGIN): counted as it is taken.
  let begun = 0;
  const manager = sequelize.connectionManager as unknown as { getConnection(o?: { uuid?: string }): Promise<unknown> };
  const getConnection = manager.getConnection.bind(manager);
  manager.getConnection = (o) => {
    if (o?.uuid && o.uuid !== 'default') begun++;
    return getConnection(o);
  };
  const { promise: held, open: release } = gate();
  const first = sequelize.transaction(() => held);
  const { promise: aHeld, open } = gate();
  const insert = (name: string) =>
    sequelize.transaction(
      rerunnable(async (t) => {
        await db.run('INSERT INTO items (name) VALUES (:name)', { name }, t);
        if (name === 'a1') await aHeld;
      }),
    );
  // How many transactions had begun when each caller of group A heard: the first, A's, and B's already.
  const heard: number[] = [];
  const groupA = [insert('a1'), insert('a2')].map((p) => p.then(() => heard.push(begun)));
  await new Promise((resolve) => setTimeout(resolve, 20));
  release();
  await new Promise((resolve) => setTimeout(resolve, 20));
  const groupB = [insert('b1'), insert('b2')];
  open();
  await Promise.all([first, ...groupA, ...groupB]);
  assert.deepEqual((await names(sequelize)).sort(), ['a1', 'a2', 'b1', 'b2']);
  assert.deepEqual(heard, [3, 3]);
  assert.equal(begun, 3, 'B ran in the transaction begun for it');
  await sequelize.close();
});
