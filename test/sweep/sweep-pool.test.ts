// Sweeps as RunPool jobs on real worker threads and a real SQLite store: a small sweep's updates
// come numbered in order (queued, started, progress with done/total as stored, finished) and a
// listener that resumes after any id gets exactly the rest; the stored sweep matches; a running
// sweep cancelled stops with whole paths stored and is stored interrupted; a queued one cancelled
// never starts; a path re-run for drill-down is a stored run with the path's digest, recorded on
// the path row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openExistingDatabase } from '../../src/store/open-database.ts';
import { getSweep } from '../../src/store/sweep-read.ts';
import { RunPool, type RunUpdate, type SweepUpdate } from '../../src/sweep/run-pool.ts';
import { newSweepId } from '../../src/sweep/sweep-recorder.ts';
import { loadScenarioSource } from '../../src/scenario/load-scenario.ts';

const WAIT_MS = 60_000;
const IMPACT = loadScenarioSource('scenarios/almgren-chriss-impact.yaml');
let dir: string;
let db: string;
let pool: RunPool;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-pool-'));
  db = path.join(dir, 'pool.db');
  pool = new RunPool({ dbPath: db, size: 2 });
});

afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const FINAL = new Set(['finished', 'failed', 'interrupted']);

/** Collects a sweep's updates after `afterId` until one matches `until` (default: its end), bounded. */
function followSweep(
  p: RunPool,
  id: string,
  afterId = 0,
  until: (u: SweepUpdate) => boolean = (u) => FINAL.has(u.type),
): Promise<SweepUpdate[]> {
  return new Promise((resolve, reject) => {
    const got: SweepUpdate[] = [];
    const timer = setTimeout(
      () => reject(new Error(`sweep ${id}: no matching update within ${WAIT_MS} ms: ${JSON.stringify(got.at(-1))}`)),
      WAIT_MS,
    );
    let stop: (() => void) | null = null;
    let ended = false;
    stop = p.followSweep(id, afterId, (u) => {
      got.push(u);
      if (!ended && until(u)) {
        ended = true;
        clearTimeout(timer);
        queueMicrotask(() => stop?.());
        resolve(got);
      }
    });
    if (!stop) reject(new Error(`pool does not know ${id}`));
  });
}

function followRun(id: string): Promise<RunUpdate[]> {
  return new Promise((resolve, reject) => {
    const got: RunUpdate[] = [];
    const timer = setTimeout(() => reject(new Error(`run ${id} did not end within ${WAIT_MS} ms`)), WAIT_MS);
    const stop = pool.follow(id, 0, (u) => {
      got.push(u);
      if (FINAL.has(u.type)) {
        clearTimeout(timer);
        queueMicrotask(() => stop?.());
        resolve(got);
      }
    });
    if (!stop) reject(new Error(`pool does not know ${id}`));
  });
}

function query<T>(sql: string, ...args: unknown[]): T[] {
  const handle = openExistingDatabase(db, 'read');
  try {
    return handle.prepare(sql).all(...args) as T[];
  } finally {
    handle.close();
  }
}

function detail(id: string) {
  const handle = openExistingDatabase(db, 'read');
  try {
    return getSweep(handle, id);
  } finally {
    handle.close();
  }
}

let finishedId: string;

describe('sweep jobs', () => {
  it('run a small sweep on a worker with numbered updates a listener can resume after any id', async () => {
    const id = (finishedId = newSweepId());
    pool.submitSweep({ sweepId: id, source: IMPACT, seed: 9, paths: 6 });
    expect(pool.kindOf(id)).toBe('sweep');
    expect(pool.follow(id, 0, () => {})).toBeNull(); // not a run
    const all = await followSweep(pool, id);
    expect(all.map((u) => u.id)).toEqual(all.map((_, i) => i + 1));
    expect(all.every((u) => u.sweepId === id)).toBe(true);
    expect(all[0]).toMatchObject({ type: 'queued' });
    expect(all[1]).toMatchObject({ type: 'started', scenario: 'almgren-chriss-impact', total: 6 });
    const progress = all.filter((u) => u.type === 'progress');
    const done = progress.map((u) => (u.type === 'progress' ? u.done : -1));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.every((d) => d >= 1 && d <= 6)).toBe(true);
    expect(all.at(-1)).toMatchObject({ type: 'finished', done: 6, total: 6 });
    // Resuming after each id gives exactly the updates after it.
    for (let k = 0; k <= all.length; k++) {
      const rest = k === all.length ? [] : await followSweep(pool, id, k);
      expect(rest).toEqual(all.slice(k));
    }
    const stored = detail(id);
    expect(stored).toMatchObject({ state: 'finished', pathsDone: 6, sweepSeed: 9 });
    const last = all.at(-1);
    expect(stored?.pathsPassed).toBe(last?.type === 'finished' ? last.passed : -1);
    expect(stored?.parents.map((p) => p.parent)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
  }, 120_000);

  it('re-runs a path as a stored run with the same digest and records the run on the path', async () => {
    const rerun = pool.rerunSweepPath(finishedId, 3);
    if (rerun.kind !== 'submitted') throw new Error(`not submitted: ${rerun.kind}`);
    expect(rerun.again).toBe(false);
    // Asked again while that run is queued or running (a second click): the same run, not another.
    expect(pool.rerunSweepPath(finishedId, 3)).toEqual({ ...rerun, again: true });
    const [row] = query<{ seed: number; digest: string; run_id: string }>(
      'SELECT seed, digest, run_id FROM sweep_paths WHERE sweep_id = ? AND path = 3',
      finishedId,
    );
    expect(row?.run_id).toBe(rerun.runId);
    expect(rerun.seed).toBe(row?.seed);
    const updates = await followRun(rerun.runId);
    expect(updates.at(-1)).toMatchObject({ type: 'finished', digest: row?.digest });
    expect(query('SELECT status, seed, digest, sweep_id FROM runs WHERE id = ?', rerun.runId)).toEqual([
      { status: 'finished', seed: row?.seed, digest: row?.digest, sweep_id: finishedId },
    ]);
    expect(query('SELECT COUNT(*) AS n FROM runs WHERE sweep_id = ?', finishedId)).toEqual([{ n: 1 }]);
    // Once it has ended, asking again starts another run, which the path then records.
    const next = pool.rerunSweepPath(finishedId, 3);
    if (next.kind !== 'submitted') throw new Error(`not submitted: ${next.kind}`);
    expect(next).toMatchObject({ again: false, seed: rerun.seed, digest: rerun.digest });
    expect(next.runId).not.toBe(rerun.runId);
    expect((await followRun(next.runId)).at(-1)).toMatchObject({ type: 'finished', digest: row?.digest });
    expect(query('SELECT run_id FROM sweep_paths WHERE sweep_id = ? AND path = 3', finishedId)).toEqual([
      { run_id: next.runId },
    ]);
    expect(pool.rerunSweepPath(finishedId, 6)).toEqual({ kind: 'no-path' });
    expect(pool.rerunSweepPath('sweep-nope', 0)).toEqual({ kind: 'no-sweep' });
  }, 120_000);

  it('cancels a running sweep at a batch boundary: whole paths stored, counted, and the sweep interrupted', async () => {
    const id = newSweepId();
    pool.submitSweep({ sweepId: id, source: IMPACT, paths: 5_000 });
    await followSweep(pool, id, 0, (u) => u.type === 'progress');
    expect(pool.cancel(id)).toBe('cancelled');
    const end = (await followSweep(pool, id)).at(-1);
    expect(end?.type).toBe('interrupted');
    const done = end?.type === 'interrupted' ? end.done : -1;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(5_000);
    expect(detail(id)).toMatchObject({ state: 'interrupted', pathsDone: done });
    const paths = query<{ path: number; parents: number }>(
      `SELECT p.path, (SELECT COUNT(*) FROM sweep_path_parents q WHERE q.sweep_id = p.sweep_id AND q.path = p.path)
         AS parents FROM sweep_paths p WHERE p.sweep_id = ? ORDER BY p.path`,
      id,
    );
    expect(paths.map((p) => p.path)).toEqual(Array.from({ length: done }, (_, i) => i));
    expect(paths.every((p) => p.parents === 5)).toBe(true);
    expect(pool.cancel(id)).toBe('already_done');
  }, 120_000);

  it('a queued sweep cancelled never starts and is stored interrupted with no paths', async () => {
    const single = new RunPool({ dbPath: db, size: 1 });
    try {
      const busy = newSweepId();
      const waiting = newSweepId();
      single.submitSweep({ sweepId: busy, source: IMPACT, paths: 5_000 });
      single.submitSweep({ sweepId: waiting, source: IMPACT, paths: 3 });
      expect(single.state(waiting)).toBe('queued');
      expect(detail(waiting)).toMatchObject({ state: 'queued', pathsDone: 0, startedAt: null });
      expect(single.cancel(waiting)).toBe('cancelled');
      expect((await followSweep(single, waiting)).map((u) => u.type)).toEqual(['queued', 'interrupted']);
      expect(detail(waiting)).toMatchObject({ state: 'interrupted', pathsDone: 0, startedAt: null });
      single.cancel(busy);
      expect((await followSweep(single, busy)).at(-1)?.type).toBe('interrupted');
    } finally {
      await single.close();
    }
  }, 120_000);
});
