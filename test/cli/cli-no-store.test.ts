// `execsim run --no-store` runs without opening or writing a database and prints the report a
// stored run prints (same digest), without a run id that nothing could look up ("not stored";
// runId null in JSON); with --db, or for a paper run, it is refused as bad input (exit 2, one
// message, nothing created).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execsimMain } from '../support/cli-in-process.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCENARIO = path.join(ROOT, 'scenarios', 'twap-calm.yaml');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-no-store-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const reportOf = (out: string[]) =>
  JSON.parse(out[0] ?? 'null') as { digest: string; events: number; runId: string | null };

describe('execsim run --no-store', () => {
  it('writes no file, not even the default or $EXECSIM_DB database, and reports the digest of a stored run', () => {
    const envDb = path.join(dir, 'env', 'from-env.db');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const unstored = execsimMain(['run', SCENARIO, '--no-store', '--json'], { EXECSIM_DB: envDb });
      expect(unstored.code).toBe(0);
      expect(fs.readdirSync(dir)).toEqual([]);

      const stored = execsimMain(['run', SCENARIO, '--db', path.join(dir, 'stored.db'), '--json']);
      expect(stored.code).toBe(0);
      const a = reportOf(unstored.out);
      const b = reportOf(stored.out);
      expect(a.digest).toBe(b.digest);
      expect(a.events).toBe(b.events);
      // The stored run's id looks it up; the run not stored has none to give.
      expect(b.runId).toMatch(/^run-/);
      const shown = execsimMain(['show', b.runId ?? '', '--db', path.join(dir, 'stored.db'), '--json']);
      expect(shown.code).toBe(0);
      expect(a.runId).toBeNull();
    } finally {
      process.chdir(cwd);
    }
  });

  it('says "not stored" where a stored run names its id', () => {
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const r = execsimMain(['run', SCENARIO, '--no-store']);
      expect(r.code).toBe(0);
      expect(r.out[0]).toMatch(/^PASS {2}twap-calm {2}\(seed \d+, not stored\)\n/);
      expect(r.out.join('\n')).not.toMatch(/run-[0-9a-f]{8}-/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('is refused with --db: exit 2, one message naming both flags, nothing created', () => {
    const db = path.join(dir, 'refused', 'x.db');
    const r = execsimMain(['run', SCENARIO, '--no-store', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err[0]).toMatch(/--no-store.*--db/);
    expect(fs.existsSync(path.dirname(db))).toBe(false);
  });

  it('is refused for a paper run, which is stored so that it can be resumed', () => {
    const paper = path.join(ROOT, 'test', 'fixtures', 'paper', 'twap-aapl.yaml');
    const r = execsimMain(['run', paper, '--no-store', '--venue-url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(/--no-store is for backtests/);
  });
});
