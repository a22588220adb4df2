import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Sequelize } from 'sequelize';
import { createTestApp, type TestApp } from '../helpers/app';
import { createLiaison } from '../helpers/factories';
import { Notification } from '../../src/models';
import { sqliteFile } from '../../src/db';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
let t: TestApp;
let dir: string;

before(async () => {
  t = await createTestApp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-backup-test-'));
});
after(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Writers keep inserting rows (each acknowledged when its INSERT resolved) while the backup runs;
 * returns the ids acknowledged before the backup began, and stops the writers after it ended.
 */
async function underWriteLoad(userId: number, backup: () => Promise<void>): Promise<{ before: number[]; total: number }> {
  const acknowledged: { id: number; at: number }[] = [];
  let stop = false;
  const writer = async (w: number) => {
    for (let i = 0; !stop; i++) {
      const row = await Notification.create({ userId, message: `نوشتن ${w}-${i}`, link: null, readAt: null });
      acknowledged.push({ id: row.id, at: Date.now() });
    }
  };
  const writers = [0, 1, 2, 3].map(writer);
  while (acknowledged.length < 50) await new Promise((r) => setTimeout(r, 10));
  const began = Date.now();
  try {
    await backup();
  } finally {
    stop = true;
    await Promise.all(writers);
  }
  return { before: acknowledged.filter((a) => a.at < began).map((a) => a.id), total: acknowledged.length };
}

/** Every id acknowledged before the backup began is among the restored ids. */
function assertAllPresent(acked: number[], restoredIds: number[]): void {
  const present = new Set(restoredIds);
  const missing = acked.filter((id) => !present.has(id));
  assert.deepEqual(missing, [], `${missing.length} of ${acked.length} acknowledged writes missing from the backup`);
}

test('a backup taken while the app writes holds every write acknowledged before it began', async () => {
  const liaison = await createLiaison();
  const databaseUrl = t.config.databaseUrl;
  if (databaseUrl.startsWith('sqlite:')) {
    const copy = path.join(dir, 'copy.db');
    const { before: acked, total } = await underWriteLoad(liaison.id, async () => {
      const { stdout } = await run('npx', ['tsx', 'scripts/backup.ts', copy], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: databaseUrl },
      });
      assert.equal(stdout.trim(), copy, 'the command prints the path of the copy');
    });
    assert.notEqual(sqliteFile(databaseUrl), copy);
    assert.ok(acked.length > 0 && total > acked.length, `writes went on during the backup (${acked.length} before, ${total} in all)`);
    // Restoring a SQLite backup is putting the file in place: open it as the app would.
    const restored = new Sequelize({ dialect: 'sqlite', storage: copy, logging: false });
    try {
      const [[check]] = (await restored.query('PRAGMA integrity_check')) as [{ integrity_check: string }[], unknown];
      assert.equal(check.integrity_check, 'ok');
      const [fk] = await restored.query('PRAGMA foreign_key_check');
      assert.deepEqual(fk, []);
      const [rows] = await restored.query('SELECT id FROM notifications');
      assertAllPresent(
        acked,
        (rows as { id: number }[]).map((r) => Number(r.id)),
      );
    } finally {
      await restored.close();
    }
    return;
  }

  // PostgreSQL: the commands `npm run backup` prints — pg_dump under load, pg_restore into a new database.
  const dump = path.join(dir, 'rabet.dump');
  const restoreName = `${new URL(databaseUrl).pathname.slice(1)}_restore`;
  const restoreUrl = new URL(databaseUrl);
  restoreUrl.pathname = `/${restoreName}`;
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const { before: acked, total } = await underWriteLoad(liaison.id, async () => {
    await run('pg_dump', ['--format=custom', '--no-owner', `--file=${dump}`, databaseUrl]);
  });
  assert.ok(acked.length > 0 && total > acked.length, `writes went on during the backup (${acked.length} before, ${total} in all)`);
  await run('psql', [maintenance.toString(), '-qc', `DROP DATABASE IF EXISTS ${restoreName}`]);
  await run('psql', [maintenance.toString(), '-qc', `CREATE DATABASE ${restoreName}`]);
  try {
    await run('pg_restore', ['--no-owner', '--exit-on-error', `--dbname=${restoreUrl}`, dump]);
    const restored = new Sequelize(restoreUrl.toString(), { logging: false });
    try {
      const [rows] = await restored.query('SELECT id FROM notifications');
      assertAllPresent(
        acked,
        (rows as { id: number }[]).map((r) => Number(r.id)),
      );
    } finally {
      await restored.close();
    }
  } finally {
    await run('psql', [maintenance.toString(), '-qc', `DROP DATABASE IF EXISTS ${restoreName}`]);
  }
});

test('a backup that fails integrity_check is not kept', async () => {
  const broken = path.join(dir, 'broken.db');
  fs.writeFileSync(broken, Buffer.alloc(8192, 7));
  const target = path.join(dir, 'never.db');
  const result = await run('npx', ['tsx', 'scripts/backup.ts', target], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: `sqlite:${broken}` },
  }).then(
    () => 0,
    (err: { code: number }) => err.code,
  );
  assert.equal(result, 1);
  assert.equal(fs.existsSync(target), false);
  assert.equal(fs.existsSync(`${target}.partial`), false);
});
