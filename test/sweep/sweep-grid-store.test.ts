// A grid sweep stored and read back: the sweep row keeps its axes, every row its grid point and
// its number (path index x points + point), the read model gives per-point statistics and the
// finished report, and a stored path re-runs at its own grid point with the stored digest. A
// threaded sweep stopped by a signal is stored as interrupted with whole paths from the first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import type { InterruptSignalName } from '../../src/cli/io.ts';
import { sweepCommand } from '../../src/cli/sweep-command.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { GridTable } from '../../src/server/pages/sweep-grid-tables.tsx';
import { ScenarioGrid } from '../../src/sweep/scenario-grid.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { openExistingDatabase } from '../../src/store/open-database.ts';
import { getSweep, sweepPaths } from '../../src/store/sweep-read.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';

const FILE = 'scenarios/twap-calm.yaml';
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-grid-store-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a stored grid sweep', () => {
  it('is read back with its axes, its points and its rows, and a path re-runs at its point', async () => {
    const db = path.join(dir, 'grid.db');
    const out: string[] = [];
    const err: string[] = [];
    const args = ['sweep', FILE, '--paths', '2', '--seed', '3', '--grid', 'twap.slices=5,10', '--workers', '1'];
    const code = await runCli([...args, '--json', '--store', '--db', db], {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
      env: {},
    });
    expect(code).toBe(0);
    const printed = JSON.parse(out.join('')) as {
      sweepId: string;
      perPath: Array<{ path: number; point: number; seed: number; digest: string }>;
      grid: {
        points: Array<{ shortfallBps: { mean: number; n: number }; netPnl: { mean: number; n: number } }>;
        best: Record<'meanShortfall' | 'p95Shortfall' | 'fillRatio' | 'netPnl', number>;
        ranking: { netPnl: number[]; shortfall: number[] };
      };
    };
    // Where it was stored: stderr, stdout being the JSON.
    expect(err).toEqual([`stored sweep ${printed.sweepId} in ${path.resolve(db)}`]);
    const handle = openExistingDatabase(db, 'read');
    try {
      const sweep = getSweep(handle, printed.sweepId);
      expect(sweep?.state).toBe('finished');
      expect(sweep?.grid).toEqual([{ key: 'twap.slices', values: ['5', '10'] }]);
      expect(sweep?.pathsRequested).toBe(4);
      expect(sweep?.pathsDone).toBe(4);
      expect(sweep?.gridPoints?.map((p) => [p.point, p.settings, p.paths, p.shortfallBps.n])).toEqual([
        [0, [{ key: 'twap.slices', value: '5' }], 2, 2],
        [1, [{ key: 'twap.slices', value: '10' }], 2, 2],
      ]);
      // The stored per-point mean is the printed one.
      sweep?.gridPoints?.forEach((p, k) =>
        expect(p.shortfallBps.mean).toBeCloseTo(printed.grid.points[k]?.shortfallBps.mean ?? NaN, 9),
      );
      expect(sweep?.gridReport).toEqual(JSON.parse(JSON.stringify(printed.grid)));
      // The page names the best point per objective, as the CLI does below its table.
      const html = String(await GridTable({ points: sweep?.gridPoints, report: sweep?.gridReport }).toString());
      const g = printed.grid;
      const slices = (point: number) => `point ${point}: twap.slices=${['5', '10'][point]}`;
      expect(html).toContain(`<dt>lowest mean shortfall</dt><dd>${slices(g.best.meanShortfall)}</dd>`);
      expect(html).toContain(`<dt>lowest p95 shortfall (risk)</dt><dd>${slices(g.best.p95Shortfall)}</dd>`);
      expect(html).toContain(`<dt>highest fill ratio</dt><dd>${slices(g.best.fillRatio)}</dd>`);
      // And the points ranked by mean net P&L and by mean shortfall, as the CLI prints them.
      expect(html).toContain(`<dt>highest mean net P&amp;L</dt><dd>${slices(g.best.netPnl)}</dd>`);
      expect(g.ranking.netPnl[0]).toBe(g.best.netPnl);
      const means = (order: number[], key: 'netPnl' | 'shortfallBps') =>
        order.map(
          (p) => `${p} (${(g.points[p]?.[key].mean ?? 0).toLocaleString('en-US', { maximumFractionDigits: 2 })})`,
        );
      expect(html).toContain(
        `<dt>ranked by mean net P&amp;L (quote currency, highest first)</dt><dd>${means(g.ranking.netPnl, 'netPnl').join(', ')}</dd>`,
      );
      expect(html).toContain(`<dd>${means(g.ranking.shortfall, 'shortfallBps').join(', ')}</dd>`);
      const rows = [...(sweepPaths(handle, printed.sweepId, { limit: 10 })?.items ?? [])].sort(
        (a, b) => a.path - b.path,
      );
      expect(rows.map((r) => [r.path, r.point, r.seed, r.digest])).toEqual(
        printed.perPath.map((p, unit) => [unit, p.point, p.seed, p.digest]),
      );
    } finally {
      handle.close();
    }
    // Row 3 is path 1 at point 1 (10 slices): re-run from what the store keeps, same digest.
    const store = new SweepStore(openExistingDatabase(db, 'write'));
    try {
      const src = store.pathSource(printed.sweepId, 3);
      if (src.kind !== 'found') throw new Error(src.kind);
      expect(src.point).toBe(1);
      const grid = new ScenarioGrid(src.yaml, parseScenario(src.yaml, src.file), src.grid ?? []);
      const loaded = parseScenario(grid.pointText(src.point), src.file);
      expect(loaded.scenario.orders[0]?.twap?.slices).toBe(10);
      expect(runScenario(loaded, { seed: src.seed }).digest).toBe(src.digest);
    } finally {
      store.db.close();
    }
  }, 120_000);
});

describe('a threaded sweep stopped by a signal', () => {
  it('stops its workers, is stored as interrupted with the paths before the stop, and exits 130', async () => {
    const db = path.join(dir, 'interrupted.db');
    let interrupt: ((signal: InterruptSignalName) => void) | null = null;
    const err: string[] = [];
    // The signal comes as soon as the progress bar first draws (after the first path).
    const sink = { write: () => interrupt?.('SIGINT'), columns: 100 };
    const code = await sweepCommand(
      [FILE, '--paths', '400', '--workers', '2', '--store', '--db', db],
      {
        out: () => undefined,
        err: (t) => void err.push(t),
        env: {},
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => {
            interrupt = null;
          };
        },
      },
      sink,
    );
    expect(code).toBe(130);
    const handle = openExistingDatabase(db, 'read');
    try {
      const row = handle.prepare('SELECT id, status, error, paths_done FROM sweeps').get() as {
        id: string;
        status: string;
        error: string;
        paths_done: number;
      };
      expect(row).toMatchObject({ status: 'interrupted', error: 'SIGINT' });
      expect(row.paths_done).toBeGreaterThanOrEqual(1);
      expect(row.paths_done).toBeLessThan(400);
      const paths = handle.prepare('SELECT path FROM sweep_paths ORDER BY path').all() as { path: number }[];
      expect(paths.map((p) => p.path)).toEqual(Array.from({ length: row.paths_done }, (_, i) => i));
      expect(getSweep(handle, row.id)?.state).toBe('interrupted');
    } finally {
      handle.close();
    }
  }, 120_000);
});
