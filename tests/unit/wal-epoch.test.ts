import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { walEpoch } from '../../src/db/wal-epoch';

const scratch = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rabet-wal-')), 'db.sqlite');

function open(file: string, mode?: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode ?? sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => (err ? reject(err) : resolve(db)));
  });
}
const exec = (db: sqlite3.Database, sql: string) =>
  new Promise<void>((resolve, reject) => db.exec(sql, (err) => (err ? reject(err) : resolve())));
const close = (db: sqlite3.Database) => new Promise<void>((resolve) => db.close(() => resolve()));

describe('walEpoch: commits seen in the WAL-index header, without a query', () => {
  it('stays while nothing is committed and moves with each commit of any connection, a checkpoint included', async () => {
    const file = scratch();
    const writer = await open(file);
    await exec(writer, 'PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER);');
    const other = await open(file);
    const epoch = walEpoch(file);
    try {
      const first = epoch.read();
      assert.equal(typeof first, 'number');
      assert.equal(epoch.read(), first, 'nothing committed: the same epoch');
      await exec(other, 'INSERT INTO t VALUES (1)');
      const second = epoch.read();
      assert.notEqual(second, first, 'a commit by another connection');
      assert.equal(epoch.read(), second);
      await exec(writer, 'BEGIN; INSERT INTO t VALUES (2); INSERT INTO t VALUES (3); COMMIT;');
      const third = epoch.read();
      assert.notEqual(third, second, 'a commit of several statements');
      await exec(writer, 'BEGIN; ROLLBACK;');
      await exec(writer, 'SELECT * FROM t');
      assert.equal(epoch.read(), third, 'a rollback and a read change nothing');
      await exec(other, 'PRAGMA wal_checkpoint(TRUNCATE)');
      await exec(other, 'INSERT INTO t VALUES (4)');
      assert.notEqual(epoch.read(), third, 'a commit into a WAL restarted by a checkpoint');
    } finally {
      await close(other);
      await close(writer);
      epoch.release();
    }
  });

  it('moves with a commit made by another process', async () => {
    const file = scratch();
    const db = await open(file);
    await exec(db, 'PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER);');
    const epoch = walEpoch(file);
    try {
      const before = epoch.read();
      const script = `const s = require('sqlite3'); const db = new s.Database(${JSON.stringify(file)}); db.exec('INSERT INTO t VALUES (1)', (e) => { if (e) throw e; db.close(); });`;
      const { execFileSync } = await import('node:child_process');
      execFileSync(process.execPath, ['-e', script], { cwd: process.cwd() });
      assert.notEqual(epoch.read(), before);
    } finally {
      await close(db);
      epoch.release();
    }
  });

  it('tells nothing (null) of a header caught half-written, of another layout, or of a database not in WAL mode', () => {
    const file = scratch();
    const epoch = walEpoch(file);
    assert.equal(epoch.read(), null, 'no -shm file');
    const header = Buffer.alloc(96);
    const endian = os.endianness();
    for (const at of [0, 48]) {
      if (endian === 'LE') header.writeUInt32LE(3007000, at);
      else header.writeUInt32BE(3007000, at);
      header[at + 12] = 1;
      header.writeUInt32LE(7, at + 16);
    }
    fs.writeFileSync(`${file}-shm`, header);
    assert.equal(typeof epoch.read(), 'number', 'a whole header');
    header.writeUInt32LE(8, 16);
    fs.writeFileSync(`${file}-shm`, header);
    assert.equal(epoch.read(), null, 'the first copy differs from the second: a writer is at work');
    header.writeUInt32LE(8, 48 + 16);
    header.writeUInt32LE(3006000, 0);
    header.writeUInt32LE(3006000, 48);
    fs.writeFileSync(`${file}-shm`, header);
    assert.equal(epoch.read(), null, 'not the wal-index layout it knows');
    epoch.release();
  });
});
