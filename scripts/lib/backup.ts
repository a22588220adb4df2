import fs from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';

function open(file: string, mode: number): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, mode, (err) => (err ? reject(err) : resolve(db)));
  });
}
const run = (db: sqlite3.Database, sql: string, params: unknown[] = []) =>
  new Promise<void>((resolve, reject) => db.run(sql, params, (err) => (err ? reject(err) : resolve())));
const all = <T>(db: sqlite3.Database, sql: string) =>
  new Promise<T[]>((resolve, reject) => db.all(sql, (err, rows) => (err ? reject(err) : resolve(rows as T[]))));
const close = (db: sqlite3.Database) => new Promise<void>((resolve) => db.close(() => resolve()));

/** integrity_check of a database file: 'ok' or the problems it lists. */
export async function integrityCheck(file: string): Promise<string> {
  const db = await open(file, sqlite3.OPEN_READONLY);
  try {
    const rows = await all<{ integrity_check: string }>(db, 'PRAGMA integrity_check');
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    await close(db);
  }
}

/**
 * Copies a live SQLite database with VACUUM INTO (one read snapshot: writes committed before it
 * starts are in the copy, later ones are not) and keeps the copy only if integrity_check is ok.
 */
export async function backupSqlite(source: string, destination: string): Promise<void> {
  if (fs.existsSync(destination)) throw new Error(`${destination} exists already`);
  fs.mkdirSync(path.dirname(destination), { recursive: true });
  const partial = `${destination}.partial`;
  fs.rmSync(partial, { force: true });
  const db = await open(source, sqlite3.OPEN_READWRITE);
  try {
    db.configure('busyTimeout', 30_000);
    await run(db, 'VACUUM INTO ?', [partial]);
  } finally {
    await close(db);
  }
  let verdict: string;
  try {
    verdict = await integrityCheck(partial);
  } catch (err) {
    verdict = (err as Error).message;
  }
  if (verdict !== 'ok') {
    fs.rmSync(partial, { force: true });
    throw new Error(`the copy failed integrity_check (${verdict}); deleted`);
  }
  fs.renameSync(partial, destination);
}

/** The commands that back up and restore a PostgreSQL database (printed by `npm run backup`). */
export function postgresBackupCommands(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.password = url.password ? '***' : '';
  const shown = url.toString();
  return [
    'PostgreSQL: back up with pg_dump (a consistent snapshot; the app keeps serving):',
    `  pg_dump --format=custom --no-owner --file=rabet-$(date -u +%Y%m%dT%H%M%SZ).dump '${shown}'`,
    'Check the dump lists its tables:',
    '  pg_restore --list rabet-<timestamp>.dump | head',
    'Restore into an empty database:',
    "  createdb rabet_restored && pg_restore --no-owner --exit-on-error --dbname='postgres://…/rabet_restored' rabet-<timestamp>.dump",
  ].join('\n');
}
