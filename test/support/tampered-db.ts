// A copy of a stored database edited by hand, as a user would with the sqlite3 shell: the
// suites that check how a damaged store is read (by the CLI, by the server) start from a real
// run and break one row or column of the copy, never of the shared original.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { scratchDb } from './page-app.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

/** A scratch copy of the closed database at `base` with `sql` applied to it, after every run's
 *  order and fill rows are built (a grouped run's are built on first read: the edit is of rows
 *  a reader has seen). */
export function tamperedCopy(base: string, sql: string, ...params: unknown[]): string {
  const file = scratchDb();
  fs.copyFileSync(base, file);
  const db = new Database(file);
  for (const id of db.prepare('SELECT id FROM runs').pluck().all() as string[]) projectRun(db, id);
  db.prepare(sql).run(...params);
  db.close();
  return file;
}
