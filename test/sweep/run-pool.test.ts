// The run pool on real worker threads and a real SQLite store: runs execute off the calling
// thread, several at once, in submission order when workers are busy; every run's updates come
// in order with increasing ids, a late listener gets what it missed; a queued run cancelled never
// starts and is stored interrupted with no events (as its stream says), a running one is stored
// interrupted; a bad scenario fails its run, not the pool.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openExistingDatabase } from '../../src/store/open-database.ts';
import { RunPool, type RunUpdate } from '../../src/sweep/run-pool.ts';
import { hugeTwapScenario } from '../support/huge-twap.ts';

const WAIT_MS = 60_000;
let dir: string;
let db: string;
let pool: RunPool;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-pool-'));
  db = path.join(dir, 'pool.db');
  pool = new RunPool({ dbPath: db, size: 2 });
});

afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Collects a run's updates until it ends (bounded). */
function follow(runId: string, afterId = 0): Promise<RunUpdate[]> {
  return new Promise((resolve, reject) => {
    const got: RunUpdate[] = [];
    const timer = setTimeout(
      () => reject(new Error(`run ${runId} did not end within ${WAIT_MS} ms: ${JSON.stringify(got.at(-1))}`)),
      WAIT_MS,
    );
    const stop = pool.follow(runId, afterId, (u) => {
      got.push(u);
      if (u.type === 'finished' || u.type === 'failed' || u.type === 'interrupted') {
        clearTimeout(timer);
        queueMicrotask(() => stop?.());
        resolve(got);
      }
    });
    if (!stop) reject(new Error(`pool does not know ${runId}`));
  });
}

/** Waits until the run has sent a progress update (the worker is running it). */
function started(runId: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run ${runId} never started`)), WAIT_MS);
    const stop = pool.follow(runId, 0, (u) => {
      if (u.type === 'progress') {
        clearTimeout(timer);
        queueMicrotask(() => stop?.());
        resolve();
      }
    });
  });
}

interface Row {
  status: string;
  seed: number;
  error: string | null;
  event_count: number;
  scenario_name: string;
}

const row = (runId: string): Row | undefined => {
  const handle = openExistingDatabase(db, 'read');
  try {
    return handle
      .prepare('SELECT status, seed, error, event_count, scenario_name FROM runs WHERE id = ?')
      .get(runId) as Row | undefined;
  } finally {
    handle.close();
  }
};
const status = (runId: string): string | undefined => row(runId)?.status;

describe('RunPool', () => {
  it('runs bundled scenarios on worker threads into the store, with updates in order', async () => {
    pool.submit({ runId: 'run-pool-a', name: 'walkthrough', file: 'scenarios/walkthrough.yaml' });
    pool.submit({ runId: 'run-pool-b', name: 'twap-calm', file: 'scenarios/twap-calm.yaml', seed: 99 });
    const [a, b] = await Promise.all([follow('run-pool-a'), follow('run-pool-b')]);
    for (const updates of [a, b]) {
      expect(updates[0]?.type).toBe('queued');
      expect(updates.map((u) => u.id)).toEqual(updates.map((_, i) => i + 1));
      expect(updates.at(-1)).toMatchObject({ type: 'finished', passed: true });
    }
    expect(status('run-pool-a')).toBe('finished');
    expect(status('run-pool-b')).toBe('finished');
    // A listener that joins after the end gets the whole story.
    expect((await follow('run-pool-a', 0)).map((u) => u.type)).toEqual(a.map((u) => u.type));
    expect(pool.state('run-pool-a')).toBe('done');
  }, 120_000);

  it('a bad scenario fails its own run and the pool goes on', async () => {
    pool.submit({ runId: 'run-pool-bad', name: 'bad.yaml', yaml: 'name: x\nseed: -1\n' });
    expect((await follow('run-pool-bad')).at(-1)).toMatchObject({
      type: 'failed',
      error: expect.stringMatching(/seed/),
    });
    pool.submit({ runId: 'run-pool-after', name: 'walkthrough', file: 'scenarios/walkthrough.yaml' });
    expect((await follow('run-pool-after')).at(-1)?.type).toBe('finished');
  }, 120_000);

  it('cancels a running run and a queued one (never started), storing both interrupted', async () => {
    const long = hugeTwapScenario(20_000, 'long-twap');
    pool.submit({ runId: 'run-pool-long-1', name: 'long.yaml', yaml: long });
    pool.submit({ runId: 'run-pool-long-2', name: 'long.yaml', yaml: long });
    pool.submit({ runId: 'run-pool-queued', name: 'walkthrough', file: 'scenarios/walkthrough.yaml', seed: 4 });
    expect(pool.state('run-pool-queued')).toBe('queued');
    await Promise.all([started('run-pool-long-1'), started('run-pool-long-2')]);
    expect(pool.cancel('run-pool-queued')).toBe('cancelled');
    expect(pool.cancel('run-pool-long-1')).toBe('cancelled');
    expect(pool.cancel('run-pool-long-2')).toBe('cancelled');
    const [one, two, queued] = await Promise.all([
      follow('run-pool-long-1'),
      follow('run-pool-long-2'),
      follow('run-pool-queued'),
    ]);
    expect(one.at(-1)?.type).toBe('interrupted');
    expect(two.at(-1)?.type).toBe('interrupted');
    expect(queued.map((u) => u.type)).toEqual(['queued', 'interrupted']);
    expect(status('run-pool-long-1')).toBe('interrupted');
    // The queued run is stored as its stream says: interrupted, with no events, with its seed.
    expect(row('run-pool-queued')).toEqual({
      status: 'interrupted',
      seed: 4,
      error: 'cancelled before it started',
      event_count: 0,
      scenario_name: 'walkthrough',
    });
    expect(pool.cancel('run-pool-long-1')).toBe('already_done');
    expect(pool.cancel('nope')).toBe('unknown');
  }, 120_000);

  it('stores the runs still queued when it closes as interrupted, and fails one whose file is gone', async () => {
    const single = new RunPool({ dbPath: db, size: 1 });
    const gone = path.join(dir, 'gone.yaml');
    fs.copyFileSync('scenarios/walkthrough.yaml', gone);
    try {
      single.submit({ runId: 'run-close-long', name: 'long.yaml', yaml: hugeTwapScenario(20_000, 'long-twap') });
      single.submit({ runId: 'run-close-gone', name: gone, file: gone });
      single.submit({ runId: 'run-close-queued', name: 'walkthrough', file: 'scenarios/walkthrough.yaml' });
      const seen: RunUpdate[] = [];
      single.follow('run-close-gone', 0, (u) => seen.push(u));
      single.follow('run-close-queued', 0, (u) => seen.push(u));
      fs.rmSync(gone);
      // The file went away while the run waited: it cannot be stored, and its stream says so.
      expect(single.cancel('run-close-gone')).toBe('cancelled');
      expect(status('run-close-gone')).toBeUndefined();
      await single.close();
      expect(seen.map((u) => [u.runId, u.type])).toEqual([
        ['run-close-gone', 'queued'],
        ['run-close-queued', 'queued'],
        ['run-close-gone', 'failed'],
        ['run-close-queued', 'interrupted'],
      ]);
      expect(row('run-close-queued')).toMatchObject({
        status: 'interrupted',
        error: 'the server stopped before it started',
        event_count: 0,
      });
      expect(status('run-close-long')).toBe('interrupted');
    } finally {
      await single.close();
    }
  }, 120_000);

  it('refuses a run id twice and a pool of no workers', () => {
    expect(() => pool.submit({ runId: 'run-pool-a', name: 'x', file: 'scenarios/walkthrough.yaml' })).toThrow(
      /submitted before/,
    );
    expect(() => new RunPool({ dbPath: db, size: 0 })).toThrow(/size must be at least 1/);
  });
});
