/**
 * `npm run backup [-- path/to/copy.db]`: a consistent copy of the live database.
 *
 * SQLite (DATABASE_URL=sqlite:… or the default data/rabet.db): `VACUUM INTO` reads one snapshot of
 * the database while the app keeps writing (WAL: readers never block writers), writes it to
 * data/backups/rabet-<UTC timestamp>.db (or the path given), and the copy is kept only if
 * `PRAGMA integrity_check` says ok on it; otherwise it is deleted and the command exits 1.
 * Prints the path of the copy.
 *
 * PostgreSQL: prints the pg_dump / pg_restore commands to use (README, "Backup").
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, projectRoot } from '../src/config';
import { dialectOf, sqliteFile } from '../src/db';
import { backupSqlite, postgresBackupCommands } from './lib/backup';

async function main(): Promise<void> {
  const config = loadConfig();
  const target = process.argv.slice(2).find((a) => !a.startsWith('-'));
  if (dialectOf(config.databaseUrl) === 'postgres') {
    console.log(postgresBackupCommands(config.databaseUrl));
    return;
  }
  const source = sqliteFile(config.databaseUrl);
  if (!source || source === ':memory:') throw new Error('DATABASE_URL names no SQLite file to back up');
  if (!fs.existsSync(source)) throw new Error(`no database at ${source}`);
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const destination = path.resolve(target ?? path.join(projectRoot, 'data', 'backups', `rabet-${stamp}.db`));
  const started = Date.now();
  await backupSqlite(source, destination);
  const size = fs.statSync(destination).size;
  console.error(
    `backup of ${source}: ${(size / 1048576).toFixed(1)} MB in ${((Date.now() - started) / 1000).toFixed(1)} s, integrity_check ok`,
  );
  console.log(destination);
}

main().catch((err) => {
  console.error(`backup failed: ${(err as Error).message}`);
  process.exit(1);
});
