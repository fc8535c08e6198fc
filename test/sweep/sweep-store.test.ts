// Stored sweeps: a real sweep recorded in batches reads back with the same per-parent statistics
// the CLI computes; paths page by keyset cursor in every sort order, each path exactly once and in
// order (fast-check); the shortfall histogram counts every path exactly once, each value inside
// its bin's edges (fast-check); a batch is all or nothing (paths_done never counts a path that is
// not stored); a writer that is gone shows as crashed; an older database gains the tables.
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { SweepGoneError, SweepStore, type StoredPath } from '../../src/store/sweep-store.ts';
import {
  getSweep,
  InvalidCursorError,
  listSweeps,
  sweepPaths,
  sweepState,
  type SweepPathRow,
  type SweepPathSort,
} from '../../src/store/sweep-read.ts';
import { sweepHistogram, UnknownParentError } from '../../src/store/sweep-histogram.ts';
import { gridPointStatistics } from '../../src/store/sweep-statistics.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { newSweep, newSweepId, SweepRecorder } from '../../src/sweep/sweep-recorder.ts';

const IMPACT = 'scenarios/almgren-chriss-impact.yaml';
const live = { nowMs: Date.parse('2030-01-01T00:00:10Z'), host: 'here', isAlive: (pid: number) => pid === 1 };

function syntheticSweep(db: Database.Database, id: string, paths: number, createdAt = '2030-01-01T00:00:00Z') {
  const store = new SweepStore(db);
  store.create({
    id,
    scenarioName: 'synthetic',
    scenarioHash: 'h',
    scenarioJson: '{}',
    scenarioFile: 'synthetic.yaml',
    scenarioSource: 'name: synthetic',
    sweepSeed: 1,
    paths,
    codeVersion: 'test',
    createdAt,
  });
  return store;
}

const parentRow = (parentId: string, shortfallBps: number | null, fillRatio: number | null) => ({
  parentId,
  status: fillRatio === 1 ? 'filled' : 'partially_filled',
  shortfallBps,
  shortfallQuote: shortfallBps,
  fillRatio,
  vwapSlippageBps: null,
  filledQty: fillRatio,
  durationMs: 10,
});

describe('a recorded sweep', () => {
  it('stores every path in batches and reads back the statistics the CLI prints', () => {
    const db = openDatabase(':memory:');
    const store = new SweepStore(db);
    const text = fs.readFileSync(IMPACT, 'utf8');
    const loaded = loadScenarioFile(IMPACT);
    const id = newSweepId();
    store.create(newSweep(id, { loaded, text }, 9, 7));
    // Batches of 3: two full batches as it runs, the last path written with the end.
    const recorder = new SweepRecorder(store, id, { batchPaths: 3, batchWallMs: 1e9 });
    const done: number[] = [];
    const result = runSweep(loaded, {
      paths: 7,
      seed: 9,
      onPath: (p, parents) => {
        recorder.add(p, parents);
        done.push((db.prepare('SELECT paths_done AS n FROM sweeps').get() as { n: number }).n);
      },
    });
    expect(done).toEqual([0, 0, 3, 3, 3, 6, 6]);
    recorder.finish(result);

    const detail = getSweep(db, id, live);
    expect(detail).toMatchObject({ state: 'finished', pathsDone: 7, pathsRequested: 7, sweepSeed: 9 });
    expect(detail?.pathsPassed).toBe(result.perPath.filter((p) => p.passed).length);
    expect(detail?.expectations).toEqual(result.expectations);
    expect(detail?.parents.map((p) => p.parent)).toEqual(Object.keys(result.summary).sort());
    for (const p of detail?.parents ?? []) {
      const cli = result.summary[p.parent];
      for (const [mine, theirs] of [
        [p.shortfallBps, cli?.shortfallBps],
        [p.fillRatio, cli?.fillRatio],
      ] as const) {
        expect(mine.n).toBe(theirs?.n);
        expect(mine.missing).toBe(theirs?.missing);
        for (const k of ['mean', 'p5', 'p50', 'p95'] as const) expect(mine[k]).toBeCloseTo(theirs?.[k] as number, 9);
        expect(mine.stdev).toBeCloseTo(theirs?.std as number, 9);
      }
      expect(p.status).toEqual(Object.fromEntries(Object.entries(cli?.status ?? {}).filter(([, n]) => n > 0)));
    }
    const rows = sweepPaths(db, id, { limit: 500 });
    expect(rows?.items.map((r) => [r.seed, r.digest])).toEqual(
      [...result.perPath].sort((a, b) => a.seed - b.seed).map((p) => [p.seed, p.digest]),
    );
    expect(rows?.items[0]?.parents.map((p) => p.parent)).toEqual(Object.keys(result.summary).sort());
    expect(listSweeps(db, {}, live).items.map((s) => s.id)).toEqual([id]);
    expect(getSweep(db, 'nope')).toBeNull();
    expect(sweepPaths(db, 'nope', {})).toBeNull();
    expect(sweepHistogram(db, 'nope', {})).toBeNull();
  }, 60_000);
});

/** A stored path row `i` with the given parents' rows (seed 100 + i, shortfall i bps). */
const storedPathRow = (i: number, parents: StoredPath['parents']): StoredPath => ({
  path: i,
  seed: 100 + i,
  digest: 'd',
  passed: true,
  error: null,
  shortfallBps: i,
  fillRatio: 1,
  parents,
});

describe('batches', () => {
  it('are all or nothing: a batch that fails to write leaves paths_done and the paths as they were', () => {
    const db = openDatabase(':memory:');
    const store = syntheticSweep(db, 's1', 10);
    const p = (i: number): StoredPath => storedPathRow(i, [parentRow('a', i, 1)]);
    store.appendPaths('s1', [p(0), p(1)], '2030-01-01T00:00:01Z');
    // Path 1 again: the primary key refuses it, and the whole batch (path 2 too) is rolled back.
    expect(() => store.appendPaths('s1', [p(2), p(1)], '2030-01-01T00:00:02Z')).toThrow();
    const count = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT paths_done AS n FROM sweeps')).toBe(2);
    expect(count('SELECT COUNT(*) AS n FROM sweep_paths')).toBe(2);
    expect(count('SELECT COUNT(*) AS n FROM sweep_path_parents')).toBe(2);
    store.finish('s1', [p(2)], '{}', '2030-01-01T00:00:03Z');
    expect(count('SELECT paths_done AS n FROM sweeps')).toBe(3);
    // An ended sweep takes no more paths.
    expect(() => store.appendPaths('s1', [p(3)], '2030-01-01T00:00:04Z')).toThrow(SweepGoneError);
  });
});

describe('parent status counts', () => {
  it("count a parent's absent rows (a refused order) together with the paths that have no row for it", () => {
    const db = openDatabase(':memory:');
    const store = syntheticSweep(db, 's1', 3);
    const absent = { ...parentRow('b', null, null), status: 'absent', durationMs: null };
    const p = storedPathRow;
    // Path 0 has b as an absent row, path 1 no row for b at all, path 2 b filled.
    store.appendPaths(
      's1',
      [
        p(0, [parentRow('a', 0, 1), absent]),
        p(1, [parentRow('a', 1, 1)]),
        p(2, [parentRow('a', 2, 1), parentRow('b', 2, 1)]),
      ],
      '2030-01-01T00:00:01Z',
    );
    const b = getSweep(db, 's1', live)?.parents.find((x) => x.parent === 'b');
    expect(b?.status).toEqual({ absent: 2, filled: 1 });
    expect(b?.notFilled).toBe(2);
    expect(b?.fillRatio).toMatchObject({ n: 1, missing: 2 });
  });
});

describe('grid point statistics', () => {
  it('give a spread of 0 to a point whose paths all came out the same, and the sample sd of the others', () => {
    const db = openDatabase(':memory:');
    const store = syntheticSweep(db, 's1', 11);
    const values: Array<[number, number]> = [
      ...Array.from({ length: 7 }, (): [number, number] => [0, 3.17]),
      ...[1, 2, 3, 4].map((v): [number, number] => [1, v]),
    ];
    store.appendPaths(
      's1',
      values.map(([point, v], i) => ({
        path: i,
        point,
        seed: i,
        digest: 'd',
        passed: true,
        error: null,
        shortfallBps: v,
        fillRatio: 1,
        parents: [],
      })),
      '2030-01-01T00:00:01Z',
    );
    const [same, spread] = gridPointStatistics(db, 's1', [{ key: 'k', values: ['a', 'b'] }]);
    expect(same?.shortfallBps.n).toBe(7);
    expect(same?.shortfallBps.stdev).toBeLessThan(1e-12);
    expect(spread?.shortfallBps.stdev).toBeCloseTo(Math.sqrt(5 / 3), 12);
  });
});

describe('the histogram per grid point', () => {
  it('puts each point’s paths in the sweep’s bins: the points add up to the sweep, bin by bin', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            point: fc.integer({ min: 0, max: 3 }),
            shortfall: fc.option(fc.double({ min: -50, max: 50, noNaN: true }), { nil: null }),
          }),
          { minLength: 1, maxLength: 40, size: 'max' },
        ),
        fc.integer({ min: 1, max: 12 }),
        (rows, bins) => {
          const db = openDatabase(':memory:');
          const store = syntheticSweep(db, 's1', rows.length);
          db.prepare('UPDATE sweeps SET grid_json = ? WHERE id = ?').run(
            '[{"key":"k","values":["a","b","c","d"]}]',
            's1',
          );
          store.appendPaths(
            's1',
            rows.map((r, i) => ({
              path: i,
              point: r.point,
              seed: i,
              digest: 'd',
              passed: true,
              error: null,
              shortfallBps: r.shortfall,
              fillRatio: 1,
              parents: [],
            })),
            '2030-01-01T00:00:01Z',
          );
          const h = sweepHistogram(db, 's1', { bins });
          expect(h?.points).not.toBeNull();
          const points = h?.points ?? [];
          expect(points.map((p) => p.point)).toEqual([...new Set(rows.map((r) => r.point))].sort((a, b) => a - b));
          for (const p of points) {
            const mine = rows.filter((r) => r.point === p.point);
            expect(p.paths).toBe(mine.length);
            expect(p.missing).toBe(mine.filter((r) => r.shortfall === null).length);
            expect(p.counts.reduce((a, b) => a + b, 0)).toBe(mine.length - p.missing);
          }
          (h?.counts ?? []).forEach((n, b) => expect(points.reduce((a, p) => a + (p.counts[b] ?? 0), 0)).toBe(n));
          db.close();
        },
      ),
    );
  });

  it('is absent for a plain sweep', () => {
    const db = openDatabase(':memory:');
    const store = syntheticSweep(db, 's1', 1);
    store.appendPaths('s1', [storedPathRow(0, [])], '2030-01-01T00:00:01Z');
    expect(sweepHistogram(db, 's1', {})?.points).toBeNull();
  });
});

describe('sweepState', () => {
  const row = (status: 'queued' | 'running', pid: number | null, heartbeat: string | null) => ({
    status,
    writer_pid: pid,
    writer_host: 'here',
    heartbeat_at: heartbeat,
  });
  it('shows a running sweep whose writer died or went quiet, and a queued one whose process died, as crashed', () => {
    expect(sweepState(row('running', 1, '2030-01-01T00:00:05Z'), live)).toBe('running');
    expect(sweepState(row('running', 2, '2030-01-01T00:00:05Z'), live)).toBe('crashed');
    expect(sweepState(row('running', 1, '2029-12-31T23:00:00Z'), live)).toBe('crashed');
    expect(sweepState(row('queued', 1, null), live)).toBe('queued');
    expect(sweepState(row('queued', 2, null), live)).toBe('crashed');
    expect(sweepState({ ...row('running', 1, null), status: 'finished' }, live)).toBe('finished');
  });
});

/** Synthetic paths: per path a seed (distinct), and per parent a shortfall and fill ratio or null. */
const pathsArb = fc
  .array(
    fc.record({
      seed: fc.integer({ min: 0, max: 2 ** 40 }),
      shortfall: fc.option(fc.double({ noNaN: true, noDefaultInfinity: true }), { nil: null }),
      fill: fc.option(fc.constantFrom(0, 0.25, 0.5, 1), { nil: null }),
      parents: fc.array(
        fc.record({
          id: fc.constantFrom('a', 'b', 'c'),
          shortfall: fc.option(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { nil: null }),
        }),
        { maxLength: 3 },
      ),
    }),
    { maxLength: 60, size: 'max' },
  )
  .map((ps) => {
    const seen = new Set<number>();
    return ps
      .filter((p) => !seen.has(p.seed) && seen.add(p.seed))
      .map((p, i): StoredPath => ({
        path: i,
        seed: p.seed,
        digest: 'd',
        passed: true,
        error: null,
        shortfallBps: p.shortfall,
        fillRatio: p.fill,
        parents: [...new Map(p.parents.map((q) => [q.id, q])).values()].map((q) => parentRow(q.id, q.shortfall, null)),
      }));
  });

function stored(paths: readonly StoredPath[]): Database.Database {
  const db = openDatabase(':memory:');
  const store = syntheticSweep(db, 'sw', Math.max(1, paths.length));
  store.appendPaths('sw', paths, '2030-01-01T00:00:01Z');
  return db;
}

describe('sweepPaths paging (property)', () => {
  it('gives every path exactly once, in sort order with nulls last, whatever the page size', () => {
    fc.assert(
      fc.property(
        pathsArb,
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom<SweepPathSort>('seed', 'shortfall', 'fillRatio'),
        fc.constantFrom<'asc' | 'desc'>('asc', 'desc'),
        (paths, limit, sort, order) => {
          const db = stored(paths);
          const got: SweepPathRow[] = [];
          let cursor: string | undefined;
          for (let pages = 0; pages <= paths.length + 1; pages++) {
            const page = sweepPaths(db, 'sw', { limit, sort, order, ...(cursor ? { cursor } : {}) });
            if (!page) throw new Error('no sweep');
            expect(page.items.length).toBeLessThanOrEqual(limit);
            got.push(...page.items);
            if (page.nextCursor === null) break;
            cursor = page.nextCursor;
          }
          const key = (p: { seed: number; shortfallBps: number | null; fillRatio: number | null }) =>
            sort === 'seed' ? p.seed : sort === 'shortfall' ? p.shortfallBps : p.fillRatio;
          const sign = order === 'asc' ? 1 : -1;
          const expected = [...paths].sort((a, b) => {
            const ka = key(a);
            const kb = key(b);
            if (ka === null || kb === null) return ka === kb ? sign * (a.path - b.path) : ka === null ? 1 : -1;
            return ka !== kb ? sign * (ka - kb) : sign * (a.path - b.path);
          });
          expect(got.map((p) => p.path)).toEqual(expected.map((p) => p.path));
          db.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses a cursor it did not issue, or one issued for another order', () => {
    const row = (i: number): StoredPath => ({
      path: i,
      seed: i,
      digest: 'd',
      passed: true,
      error: null,
      shortfallBps: i,
      fillRatio: 1,
      parents: [],
    });
    const db = stored([0, 1, 2].map(row));
    const first = sweepPaths(db, 'sw', { limit: 1, sort: 'shortfall' });
    expect(first?.nextCursor).toEqual(expect.any(String));
    expect(() => sweepPaths(db, 'sw', { cursor: first?.nextCursor as string, sort: 'seed' })).toThrow(
      InvalidCursorError,
    );
    expect(() => sweepPaths(db, 'sw', { cursor: 'not a cursor' })).toThrow(InvalidCursorError);
    expect(() => listSweeps(db, { cursor: first?.nextCursor as string })).toThrow(InvalidCursorError);
    // Another sweep's cursor: its sort values would silently skip or repeat this sweep's paths.
    const other = syntheticSweep(db, 'sw2', 3);
    other.appendPaths(
      'sw2',
      [0, 1, 2].map((i) => ({ ...row(i), shortfallBps: 10 - i })),
      '2030-01-01T00:00:01Z',
    );
    expect(() => sweepPaths(db, 'sw2', { cursor: first?.nextCursor as string, sort: 'shortfall' })).toThrow(
      "the cursor pages another sweep's paths",
    );
    const own = sweepPaths(db, 'sw2', { limit: 1, sort: 'shortfall' });
    expect(sweepPaths(db, 'sw2', { cursor: own?.nextCursor as string, sort: 'shortfall' })?.items).toHaveLength(2);
  });
});

describe('sweepHistogram (property)', () => {
  it('counts every stored path exactly once: in the bin whose edges hold its value, or as missing; refuses a parent no path has', () => {
    fc.assert(
      fc.property(
        pathsArb,
        fc.integer({ min: 1, max: 200 }),
        fc.option(fc.constantFrom('a', 'b', 'z'), { nil: undefined }),
        (paths, bins, parent) => {
          const db = stored(paths);
          const query = { bins, ...(parent ? { parent } : {}) };
          const known = paths.some((p) => p.parents.some((q) => q.parentId === parent));
          if (parent !== undefined && !known && paths.length > 0) {
            // No stored path has it (a misspelt id): refused, not every path counted as missing.
            expect(() => sweepHistogram(db, 'sw', query)).toThrow(UnknownParentError);
            db.close();
            return;
          }
          const h = sweepHistogram(db, 'sw', query);
          if (!h) throw new Error('no sweep');
          const values =
            parent === undefined
              ? paths.map((p) => p.shortfallBps)
              : paths.map((p) => p.parents.find((q) => q.parentId === parent)?.shortfallBps ?? null);
          const present = values.filter((v): v is number => v !== null);
          expect(h.paths).toBe(paths.length);
          expect(h.missing).toBe(values.length - present.length);
          expect(h.counts.reduce((a, b) => a + b, 0) + h.missing).toBe(h.paths);
          if (present.length === 0) {
            expect(h.edges).toEqual([]);
          } else {
            expect(h.edges).toHaveLength(bins + 1);
            expect(h.counts).toHaveLength(bins);
            for (let i = 1; i < h.edges.length; i++)
              expect(h.edges[i]).toBeGreaterThanOrEqual(h.edges[i - 1] as number);
            // The reference binning from the reported edges agrees with the counts.
            const ref = new Array<number>(bins).fill(0);
            for (const x of present) {
              let b = -1;
              for (let i = 0; i < bins; i++) {
                const lo = h.edges[i] as number;
                const hi = h.edges[i + 1] as number;
                if (x >= lo && (x < hi || (i === bins - 1 && x <= hi))) b = i;
              }
              expect(b, `value ${x} in no bin of ${JSON.stringify(h.edges)}`).toBeGreaterThanOrEqual(0);
              ref[b] = (ref[b] as number) + 1;
            }
            expect(h.counts).toEqual(ref);
          }
          db.close();
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('migration', () => {
  it('adds the sweep tables to a database written before them, keeping its runs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-mig-'));
    try {
      const file = path.join(dir, 'old.db');
      const old = openDatabase(
        file,
        MIGRATIONS.filter((m) => m.version <= 4),
      );
      old
        .prepare(
          `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start)
           VALUES ('r1', 's', 'h', '{}', 1, 'v', 'finished', '2030-01-01T00:00:00Z', 0)`,
        )
        .run();
      old.close();
      const db = openDatabase(file);
      const tables = (
        db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]
      ).map((r) => r.name);
      expect(tables).toEqual(expect.arrayContaining(['sweeps', 'sweep_paths', 'sweep_path_parents', 'runs']));
      expect(db.prepare('SELECT id FROM runs').all()).toEqual([{ id: 'r1' }]);
      db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
