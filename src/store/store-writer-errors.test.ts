// A writer-thread failure keeps its kind across the thread boundary: SQLite's answers about the
// database (here a real SQLITE_BUSY from a second connection while a first holds the write lock)
// come back as a StoreError naming the database, which the CLI prints as one line (exit 2);
// a run whose row was deleted comes back as RunGoneError; anything else as a plain Error with its
// message, not dressed up as a database problem.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BUSY_TIMEOUT_MS, StoreError } from './open-database.ts';
import { RunGoneError } from './run-store.ts';
import { failureError, failureReply } from './store-writer-errors.ts';

/** The error SQLite raises for a write while another connection holds the write lock. */
function realBusyError(file: string): unknown {
  const holder = new Database(file);
  const other = new Database(file, { timeout: 0 });
  try {
    holder.pragma('journal_mode = WAL');
    holder.exec('CREATE TABLE t (x INTEGER)');
    holder.exec('BEGIN IMMEDIATE');
    other.exec('INSERT INTO t VALUES (1)');
    return null;
  } catch (err) {
    return err;
  } finally {
    holder.close();
    other.close();
  }
}

describe('store writer failures across threads', () => {
  it('a lock held past the busy timeout is a StoreError naming the database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-busy-'));
    try {
      const file = path.join(dir, 'runs.db');
      const busy = realBusyError(file);
      expect((busy as { code?: string }).code).toBe('SQLITE_BUSY');
      const reply = failureReply(busy, file);
      // Structured clone keeps plain data only: the reply is what crosses.
      const crossed = failureError(structuredClone(reply));
      expect(crossed).toBeInstanceOf(StoreError);
      expect(crossed.message).toBe(
        `database ${file}: locked by another process for longer than ${BUSY_TIMEOUT_MS / 1000} s (database is locked)`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a deleted run stays RunGoneError; a constraint or any other error stays a plain error', () => {
    const gone = failureError(structuredClone(failureReply(new RunGoneError('run r is gone'), 'x.db')));
    expect(gone).toBeInstanceOf(RunGoneError);
    expect(gone.message).toBe('run r is gone');
    const constraint = Object.assign(new Error('UNIQUE constraint failed: events.seq'), {
      code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
    });
    const bug = failureError(structuredClone(failureReply(constraint, 'x.db')));
    expect(bug).not.toBeInstanceOf(StoreError);
    expect(bug.message).toBe('UNIQUE constraint failed: events.seq');
    expect(failureError(structuredClone(failureReply('not an error', 'x.db'))).message).toBe('not an error');
  });
});
