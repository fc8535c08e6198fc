// Opens the embedded SQLite store with its pragmas set explicitly: WAL so readers (the HTTP
// server, `execsim runs` while a run is going) never block the run writer, synchronous=NORMAL,
// foreign keys on, and a busy timeout for concurrent CLI and server processes. openDatabase
// creates the file (and its folders) for commands that write runs; openExistingDatabase opens one
// that must exist, to change stored runs ('write') or only to read them ('read', leaving nothing
// beside the file). Every problem with the path or the file is a StoreError whose message names
// the path and the problem.
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { migrate, MIGRATIONS, SchemaError, type Migration } from './migrations.ts';

export const DEFAULT_DB_PATH = './data/execsim.db';

/** The page size of a new database file. A stored run is written in a few large transactions
 *  (an order-heavy hour: about 5 MB) that SQLite writes to the WAL a page at a time and copies
 *  into the file at the checkpoint: with 8 KB pages instead of SQLite's 4 KB, half the writes
 *  (that hour's transaction and checkpoint: 67 ms against 76, medians of 24). Larger pages save no
 *  more, and 16 KB made a store of 10,000 small runs 35% larger (reports' overflow pages), where
 *  8 KB made it 3% smaller. */
export const PAGE_BYTES = 8_192;

/** How long a connection waits for another's write lock before giving up: long enough for a
 *  server's worker pool to open and migrate one fresh file together on a loaded machine. */
export const BUSY_TIMEOUT_MS = 15_000;

/** A database path that cannot be used, with a message naming the path and the problem: a folder,
 *  a file that is not SQLite, an SQLite file of another program, a location that cannot be
 *  written, a schema from a newer execsim. */
export class StoreError extends Error {}

/** Opens the database, creating the file (and its folders) when missing; for commands that write
 *  runs. */
export function openDatabase(path: string, migrations?: readonly Migration[]): Database.Database {
  if (path === ':memory:') return configure(new Database(path), path, migrations);
  refuseDirectory(path);
  makeFolders(path);
  return configure(open(path, {}), path, migrations);
}

/**
 * A database that must exist; nothing is created. 'write' opens it read-write, for commands that
 * change stored runs (delete, prune). 'read' is for commands that only read (runs, show, events,
 * export, sweeps): an older schema is brought forward only when the file is writable, and nothing
 * is left beside the file. A connection opened with SQLITE_OPEN_READONLY cannot checkpoint, so on
 * closing it leaves the -wal and -shm files its reads created; where the file and its folder are
 * writable, a reader therefore opens it read-write with query_only on (SQLite refuses every change
 * of data through it) and never changes its journal mode, and the last connection to close
 * checkpoints and removes the two files, as a writer does. Only a file or folder it may not write
 * is opened read-only. `orElse` adds another way to a missing one's message, after "`execsim run`
 * creates it, or".
 */
export function openExistingDatabase(path: string, mode: 'read' | 'write', orElse?: string): Database.Database {
  let isFile: boolean;
  try {
    isFile = !statSync(path).isDirectory();
  } catch {
    const ways = orElse === undefined ? '`execsim run` creates it' : `\`execsim run\` creates it, or ${orElse}`;
    throw new StoreError(`no database at ${path} (nothing has been stored there yet: ${ways})`);
  }
  if (!isFile) throw new StoreError(`database ${path}: is a folder, not a database file`);
  if (mode === 'write') return configure(open(path, { fileMustExist: true }), path, MIGRATIONS);

  const writable = fileWritable(path) && folderWritable(path);
  const db = open(path, writable ? { fileMustExist: true } : { readonly: true, fileMustExist: true });
  let behind: boolean;
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Before anything is read: every change of data through this connection is refused.
    if (writable) db.pragma('query_only = ON');
    behind = schemaBehind(db, path, MIGRATIONS, 'refuse');
  } catch (err) {
    db.close();
    throw described(err, path);
  }
  if (!behind) return db;
  // Written by an older execsim: bring it forward (the file exists, so nothing is created).
  db.close();
  try {
    return configure(open(path, { fileMustExist: true }), path, MIGRATIONS);
  } catch (err) {
    if (err instanceof StoreError && /read-only/.test(err.message)) {
      throw new StoreError(
        `database ${path}: written by an older execsim and must be upgraded, but it is read-only here`,
      );
    }
    throw err;
  }
}

function open(path: string, options: Database.Options): Database.Database {
  try {
    return new Database(path, options);
  } catch (err) {
    throw described(err, path);
  }
}

function configure(db: Database.Database, path: string, migrations?: readonly Migration[]): Database.Database {
  try {
    // The busy timeout first: switching a fresh file to WAL takes a lock that another opener of
    // the same file may hold.
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    whileBusy(() => {
      // The file is checked before anything is set: switching to WAL rewrites the header of
      // another program's database, or of one from a newer execsim, that is then refused.
      schemaBehind(db, path, migrations ?? MIGRATIONS);
      // A new file gets PAGE_BYTES pages (an existing one keeps its own: the size is fixed once a
      // page is written, and a WAL file cannot change it).
      db.pragma(`page_size = ${PAGE_BYTES}`);
      db.pragma('journal_mode = WAL');
      // In WAL mode NORMAL cannot corrupt the database on a crash and loses at most the last
      // commits on power loss (the event log of a crashed run is redone from its scenario and seed
      // anyway).
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, migrations);
      if (path !== ':memory:') probeWritable(db);
      // Planner statistics (sqlite_stat1), refreshed when a table has grown or shrunk a lot since
      // they were gathered (cheap otherwise). Without them SQLite takes any equality filter for a
      // selective one: a run list filtered on passed and sorted by shortfall would read and sort
      // most runs instead of walking the shortfall index. Readers cannot write them, so writers do.
      db.pragma('optimize=0x10002');
    });
    return db;
  } catch (err) {
    db.close();
    throw described(err, path);
  }
}

/** Runs `setUp` again while SQLite answers "database is locked", until BUSY_TIMEOUT_MS has
 *  passed. The busy timeout covers most waits, but SQLite returns BUSY at once, without waiting,
 *  where waiting could deadlock (a connection whose read snapshot went stale while another
 *  opener migrated the file, a WAL index being rebuilt); several threads opening one fresh file
 *  on a loaded machine hit that now and then. Every step of setting up is safe to repeat: the
 *  pragmas are idempotent and each migration group is one transaction that checks first. */
export function whileBusy(setUp: () => void): void {
  const deadline = performance.now() + BUSY_TIMEOUT_MS;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      setUp();
      return;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || performance.now() >= deadline) throw err;
    }
    // A short synchronous pause (opening is synchronous), growing to 50 ms.
    Atomics.wait(pause, 0, 0, Math.min(50, 2 + attempt * 5));
  }
}

/** Whether the database needs migrations; refuses an SQLite file that is not execsim's, and
 *  (for readers, `empty` false) an empty one, and a schema newer than `migrations`. */
function schemaBehind(
  db: Database.Database,
  path: string,
  migrations: readonly Migration[],
  empty: 'ok' | 'refuse' = 'ok',
): boolean {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  if (!tables.includes('schema_migrations')) {
    if (tables.length > 0) {
      const some = tables.slice(0, 3).join(', ') + (tables.length > 3 ? ', …' : '');
      throw new StoreError(
        `database ${path}: an SQLite file, but not an execsim database (its tables are ${some}, without schema_migrations)`,
      );
    }
    if (empty === 'refuse') throw new StoreError(`database ${path}: an empty SQLite file; no runs are stored in it`);
    return true;
  }
  const applied = db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[];
  const known = Math.max(0, ...migrations.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known)
    throw new SchemaError(
      `database schema version ${newest} is newer than this execsim knows (${known}); upgrade execsim`,
    );
  return migrations.some((m) => !applied.includes(m.version));
}

/** SQLite opens a file it may not write read-only without saying so; a write that changes
 *  nothing finds out before a run is started on it. */
function probeWritable(db: Database.Database): void {
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec('DELETE FROM schema_migrations WHERE 0');
  } finally {
    db.exec('ROLLBACK');
  }
}

function refuseDirectory(path: string): void {
  try {
    if (statSync(path).isDirectory()) throw new StoreError(`database ${path}: is a folder, not a database file`);
  } catch (err) {
    if (err instanceof StoreError) throw err;
  }
}

/** Creates the database's missing folders one level at a time (fs.mkdirSync's recursive mode
 *  loops forever on paths under /proc), naming the folder that could not be made. */
function makeFolders(path: string): void {
  const missing: string[] = [];
  let dir = dirname(resolve(path));
  for (;;) {
    let st;
    try {
      st = statSync(dir);
    } catch {
      missing.unshift(dir);
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
      continue;
    }
    if (!st.isDirectory()) throw new StoreError(`database ${path}: ${dir} is a file, not a folder`);
    break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (err) {
      throw new StoreError(`database ${path}: cannot create the folder ${d} (${systemProblem(err)})`);
    }
  }
}

function systemProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on the device',
    ENOENT: 'no such file or folder',
    ENOTDIR: 'a part of the path is not a folder',
  };
  return (e.code && known[e.code]) ?? e.message;
}

/** Whether this process may write the file at `path`. */
function fileWritable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether the folder holding `path` can be written (the database and its WAL files go there). */
function folderWritable(path: string): boolean {
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** An error from opening, preparing or reading the database, as a StoreError naming the path
 *  (damage deep in a file is found by the query that reads it, not when it opens); any other
 *  error is returned as it is. */
export function described(err: unknown, path: string): Error {
  if (err instanceof StoreError) return err;
  if (err instanceof SchemaError) return new StoreError(`database ${path}: ${err.message}`);
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) {
    if (err instanceof TypeError && /directory does not exist/.test(message))
      return new StoreError(`database ${path}: its folder does not exist`);
    return err instanceof Error ? err : new Error(message);
  }
  const problem =
    code === 'SQLITE_NOTADB'
      ? 'not an SQLite database'
      : code === 'SQLITE_READONLY_DIRECTORY'
        ? `its folder ${dirname(resolve(path))} is not writable, and SQLite must create the -wal and -shm files beside the database there (copy it to a writable folder to read it)`
        : code.startsWith('SQLITE_READONLY')
          ? 'read-only: execsim cannot write to it here'
          : code.startsWith('SQLITE_CANTOPEN')
            ? folderWritable(path)
              ? 'cannot be opened or created'
              : `cannot be opened or created: the folder ${dirname(resolve(path))} is not writable`
            : code === 'SQLITE_CORRUPT'
              ? 'the file is corrupt'
              : code.startsWith('SQLITE_BUSY')
                ? `locked by another process for longer than ${BUSY_TIMEOUT_MS / 1000} s`
                : code === 'SQLITE_FULL'
                  ? 'the disk is full'
                  : code.startsWith('SQLITE_IOERR')
                    ? `an I/O error reading it (is it a regular file?)`
                    : message;
  return new StoreError(`database ${path}: ${problem} (${message})`);
}

/** The first path from the root down to `file` that does not exist (the file itself when only it
 *  is missing); null when the file exists. */
export function firstMissingOnPath(file: string): string | null {
  if (existsSync(file)) return null;
  let missing = file;
  for (let up = dirname(missing); up !== missing && !existsSync(up); up = dirname(up)) missing = up;
  return missing;
}

/** Removes a database `file` that was opened (created) where nothing was, with its journal files,
 *  and `created`, the folder made for it (firstMissingOnPath before the open), when that holds
 *  nothing else: what a command that stored nothing leaves as it found it. */
export function removeCreatedDatabase(created: string, file: string): void {
  const own = ['', '-wal', '-shm', '-journal'].map((x) => file + x);
  if (created !== file) {
    const others = readdirSync(created, { recursive: true, withFileTypes: true }).filter(
      (e) => !e.isDirectory() && !own.includes(join(e.parentPath, e.name)),
    );
    if (others.length === 0) rmSync(created, { recursive: true, force: true });
    return;
  }
  for (const f of own) rmSync(f, { force: true });
}
