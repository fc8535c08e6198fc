// Opens (creating if needed) the embedded SQLite store with its pragmas set explicitly:
// WAL so readers (the HTTP server) never block the run writer, synchronous=NORMAL, which in
// WAL mode cannot corrupt the database on a crash and loses at most the last commits on power
// loss (the event log of a crashed run is redone from its scenario and seed anyway), foreign
// keys on, and a busy timeout for concurrent CLI and server processes.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, type Migration } from './migrations.ts';

export const DEFAULT_DB_PATH = './data/execsim.db';

export function openDatabase(path: string, migrations?: readonly Migration[]): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}
