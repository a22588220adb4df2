import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { createSequelize, prepareDatabase } from '../../src/db';
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
