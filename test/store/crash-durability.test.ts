// A real crash of the real CLI: `execsim run --db X` on a 50,000-slice TWAP, killed with SIGKILL
// at moments chosen by what the database holds (polled from another connection, bounded
// timeouts). Whatever the moment, the database must hold whole commit units: a gap-free prefix
// of the log in which every parent has all of its children, with projections that are the fold
// of that prefix (`execsim show` verifies it and exits 0).
import { storedRows } from '../support/stored-log.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execsimMain } from '../support/cli-in-process.ts';
import { hugeTwapScenario } from '../support/huge-twap.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const SLICES = 50_000;
/** RunStarted, ParentOrderCreated, TwapPlanned and the children: the TWAP's commit unit. */
const UNIT = 3 + SLICES;

const SCENARIO = hugeTwapScenario(SLICES);

const POLL_TIMEOUT_MS = 90_000;

let dir: string;
let scenarioFile: string;
const children: ChildProcess[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-kill-'));
  scenarioFile = path.join(dir, 'huge-twap.yaml');
  fs.writeFileSync(scenarioFile, SCENARIO);
});

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Progress {
  readonly runs: number;
  readonly events: number;
}

/** What the database holds right now, read from a separate read-only connection; null while it
 *  is not there yet (no file, or the schema is not written). */
function progress(file: string): Progress | null {
  if (!fs.existsSync(file)) return null;
  let db: Database.Database | null = null;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const runs = (db.prepare('SELECT COUNT(*) AS n FROM runs').get() as { n: number }).n;
    // The rows, and each block's seq range (a block holds one entry per seq from first_seq to
    // last_seq; checkKilledDatabase decodes every block and checks the seqs): read at every poll,
    // so the 50,000 entries are not decompressed again every 10 ms.
    const events = Number(
      db
        .prepare(
          `SELECT (SELECT COUNT(*) FROM events) +
                  (SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) FROM event_blocks)`,
        )
        .pluck()
        .get(),
    );
    return { runs, events };
  } catch {
    return null;
  } finally {
    db?.close();
  }
}

/** Starts `execsim run --db file` on the huge TWAP, waits until `when` holds for what the
 *  database holds, and kills the process with SIGKILL. */
async function killWhen(file: string, when: (p: Progress) => boolean): Promise<Progress> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, [BIN, 'run', '--db', file, scenarioFile], { cwd: ROOT, env, stdio: 'ignore' });
  children.push(child);
  const exited = once(child, 'exit');
  try {
    const seen = await vi.waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`execsim exited by itself with code ${child.exitCode}`);
        const p = progress(file);
        if (!p || !when(p)) throw new Error(`not yet: ${JSON.stringify(p)}`);
        return p;
      },
      { timeout: POLL_TIMEOUT_MS, interval: 10 },
    );
    child.kill('SIGKILL');
    const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' });
    return seen;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** The checks on a database left by a killed run; returns how many events it holds. */
function checkKilledDatabase(file: string): number {
  const db = new Database(file);
  let runId: string;
  let events: number;
  try {
    const runs = db.prepare('SELECT id, status FROM runs').all() as { id: string; status: string }[];
    expect(runs).toHaveLength(1);
    expect(runs[0]?.status).toBe('running');
    runId = runs[0]?.id ?? '';

    // A gap-free prefix of the log: seq 1..n.
    const log = storedRows(db, runId);
    events = log.length;
    expect(log.map((r) => r.seq)).toEqual(Array.from({ length: events }, (_, i) => i + 1));

    // Every stored parent has every child, in the log and in the orders table.
    const fields = (kind: string) =>
      log.filter((r) => r.kind === kind).map((r) => JSON.parse(r.payload) as { parentId: string; totalSlices: number });
    const parents = fields('ParentOrderCreated').map((p) => ({ id: p.parentId, total: p.totalSlices }));
    const childEvents = new Map<string, number>();
    for (const c of fields('OrderCreated')) childEvents.set(c.parentId, (childEvents.get(c.parentId) ?? 0) + 1);
    expect(parents.map((p) => [p.id, childEvents.get(p.id) ?? 0])).toEqual(parents.map((p) => [p.id, p.total]));
    // The orders table as a reader sees it: built from the stored prefix (a grouped run's rows are
    // built on first read).
    projectRun(db, runId);
    const childRows = db
      .prepare(
        'SELECT p.client_order_id AS id, p.total_slices AS total, (SELECT COUNT(*) FROM orders c WHERE c.run_id = p.run_id AND c.parent_order_id = p.client_order_id) AS n FROM orders p WHERE p.run_id = ? AND p.parent_order_id IS NULL',
      )
      .all(runId) as { id: string; total: number; n: number }[];
    expect(childRows.map((r) => [r.id, r.n])).toEqual(childRows.map((r) => [r.id, r.total]));
    expect(childRows.map((r) => r.id).sort()).toEqual(parents.map((p) => p.id).sort());
  } finally {
    db.close();
  }

  // `execsim show` re-reads the stored prefix: consistent, exit 0.
  const { code, out, errWrites } = execsimMain(['show', runId, '--db', file, '--json']);
  expect(code).toBe(0);
  expect(errWrites).toEqual([]);
  const shown = JSON.parse(out[0] ?? '{}') as {
    status: string;
    verification: { events: number; gapFree: boolean; consistent: boolean };
  };
  expect(shown).toMatchObject({ status: 'running', verification: { events, gapFree: true, consistent: true } });
  return events;
}

describe('SIGKILL of execsim run on a 50,000-slice TWAP', () => {
  it('leaves only whole commit units, wherever the kill lands', { timeout: 4 * POLL_TIMEOUT_MS }, async () => {
    // Once the run row exists: the TWAP's unit is stored whole or not at all.
    const early = path.join(dir, 'early.db');
    await killWhen(early, (p) => p.runs > 0);
    const atEarly = checkKilledDatabase(early);
    expect(atEarly === 0 || atEarly >= UNIT, `${atEarly} events stored`).toBe(true);

    // As soon as any event is visible: that is the whole unit, never a part of it.
    const first = path.join(dir, 'first.db');
    await killWhen(first, (p) => p.events > 0);
    expect(checkKilledDatabase(first)).toBeGreaterThanOrEqual(UNIT);

    // Slices under way: commits after the unit, each whole.
    const later = path.join(dir, 'later.db');
    await killWhen(later, (p) => p.events >= UNIT + 40);
    expect(checkKilledDatabase(later)).toBeGreaterThanOrEqual(UNIT + 40);
  });
});
