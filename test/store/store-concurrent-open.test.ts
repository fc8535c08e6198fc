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

function openIn(file: string, gate: SharedArrayBuffer, threads: number): Promise<string> {
  return new Promise((resolve) => {
    const w = new Worker(WORKER, { workerData: { file, gate, threads } });
    const timer = setTimeout(() => {
      void w.terminate();
      resolve('timed out');
    }, WAIT_MS);
    w.once('message', (m: string) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once('error', (err) => {
      clearTimeout(timer);
      resolve(`worker error: ${err.message}`);
    });
  });
}

describe('opening a fresh database from several threads at once', () => {
  it('migrates it once, and every opener succeeds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-concurrent-open-'));
    try {
      for (let round = 0; round < 8; round++) {
        const file = path.join(dir, `r${round}.db`);
        const gate = new SharedArrayBuffer(4);
        const results = await Promise.all(Array.from({ length: 4 }, () => openIn(file, gate, 4)));
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
