// A copy of a stored database edited by hand, as a user would with the sqlite3 shell: the
// suites that check how a damaged store is read (by the CLI, by the server) start from a real
// run and break one row or column of the copy, never of the shared original.
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { scratchDb } from './page-app.ts';

/** A scratch copy of the closed database at `base` with `sql` applied to it. */
export function tamperedCopy(base: string, sql: string, ...params: unknown[]): string {
  const file = scratchDb();
  fs.copyFileSync(base, file);
  const db = new Database(file);
  db.prepare(sql).run(...params);
  db.close();
  return file;
}
