import sqlite3 from 'sqlite3';

/**
 * The sqlite3 module as Sequelize should load it: Sequelize opens a new connection for every
 * transaction and offers no hook to configure one, so every connection configures itself here.
 * A busy timeout makes a writer wait for the lock instead of failing at once with SQLITE_BUSY;
 * synchronous=FULL makes a committed write survive a power cut in WAL mode.
 */
const BUSY_TIMEOUT_MS = 10_000;

class ConfiguredDatabase extends sqlite3.Database {
  constructor(filename: string, mode?: number, callback?: (err: Error | null) => void) {
    super(filename, mode ?? sqlite3.OPEN_READWRITE | sqlite3.OPEN_CREATE, (err) => {
      if (!err) {
        this.configure('busyTimeout', BUSY_TIMEOUT_MS);
        this.exec('PRAGMA synchronous = FULL');
      }
      callback?.(err);
    });
  }
}

export const sqliteDialectModule = { ...sqlite3, Database: ConfiguredDatabase };
