// Several threads opening one fresh database file at once (a server's worker pool starting, two
// CLI runs) all succeed: each migration is applied once, under the write lock, and the others
// find it applied. Before the lock was taken first, about four rounds in ten failed with "table
// runs already exists" or "duplicate column name" (with the threads released together, every round).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openExistingDatabase, whileBusy } from '../../src/store/open-database.ts';

const WORKER = new URL('../support/open-database-worker.mjs', import.meta.url);
const WAIT_MS = 30_000;

/** A thread that opens the round's file when told (test/support/open-database-worker.mjs): the
 *  threads load the store once and race at every round's start gate. */
class Opener {
  private readonly worker = new Worker(WORKER);
  private failure: string | null = null;

  constructor() {
    this.worker.on('error', (err) => (this.failure = `worker error: ${err.message}`));
  }

  /** Opens `file` once all `threads` openers are at `gate`; 'ok' or what went wrong. */
  open(file: string, gate: SharedArrayBuffer, threads: number): Promise<string> {
    if (this.failure !== null) return Promise.resolve(this.failure);
    return new Promise((resolve) => {
      const done = (result: string): void => {
        clearTimeout(timer);
        this.worker.off('message', onMessage);
        this.worker.off('error', onError);
        resolve(result);
      };
      const onMessage = (m: string): void => done(m);
      const onError = (err: Error): void => done(`worker error: ${err.message}`);
      const timer = setTimeout(() => done('timed out'), WAIT_MS);
      this.worker.once('message', onMessage);
      this.worker.once('error', onError);
      this.worker.postMessage({ file, gate, threads });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

describe('opening a fresh database from several threads at once', () => {
  it('migrates it once, and every opener succeeds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-concurrent-open-'));
    const openers = Array.from({ length: 4 }, () => new Opener());
    try {
      for (let round = 0; round < 8; round++) {
        const file = path.join(dir, `r${round}.db`);
        const gate = new SharedArrayBuffer(4);
        const results = await Promise.all(openers.map((o) => o.open(file, gate, openers.length)));
        expect(results, `round ${round}`).toEqual(Array(4).fill('ok'));
        const db = openExistingDatabase(file, 'read');
        const versions = (
          db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as {
            version: number;
          }[]
        ).map((r) => r.version);
        db.close();
        expect(versions).toEqual(MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
      }
    } finally {
      await Promise.all(openers.map((o) => o.close()));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('setting up a connection while SQLite answers "database is locked" at once', () => {
  const busy = (code: string) => Object.assign(new Error('database is locked'), { code });

  it('repeats the set-up until it goes through', () => {
    let tries = 0;
    whileBusy(() => {
      tries++;
      if (tries < 3) throw busy(tries === 1 ? 'SQLITE_BUSY' : 'SQLITE_BUSY_SNAPSHOT');
    });
    expect(tries).toBe(3);
  });

  it('passes any other error on at the first try', () => {
    let tries = 0;
    expect(() =>
      whileBusy(() => {
        tries++;
        throw busy('SQLITE_CORRUPT');
      }),
    ).toThrow('database is locked');
    expect(tries).toBe(1);
  });
});
