// A stored sweep's statistics, computed in SQL over its per-path rows (getSweep in sweep-read.ts
// shows them with the sweep). Per parent: the paths by the parent's status at the end of the
// horizon, and the mean, sample standard deviation and 5th/50th/95th percentiles (linear
// interpolation between order statistics, the same definitions as the CLI's summary) of its
// shortfall, fill ratio and VWAP slippage. Per grid point of a grid sweep: its paths, how many
// passed, and the mean and standard deviation of their shortfall and their mean fill ratio.
import type Database from 'better-sqlite3';

export interface MetricStatistics {
  /** Paths with a value, and paths without one (the parent absent, nothing filled, ...). */
  readonly n: number;
  readonly missing: number;
  /** Null when n is 0. */
  readonly mean: number | null;
  readonly stdev: number | null;
  readonly p5: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
}

export interface ParentStatistics {
  readonly parent: string;
  /** Paths by the parent's status at the end of the horizon; 'absent': paths that never created it. */
  readonly status: Readonly<Record<string, number>>;
  /** Stored paths on which the parent did not end filled (absent included). */
  readonly notFilled: number;
  readonly shortfallBps: MetricStatistics;
  readonly fillRatio: MetricStatistics;
  readonly vwapSlippageBps: MetricStatistics;
}

/** One grid point's stored paths: path-level shortfall (bps, all parents) and fill ratio. */
export interface GridPointStatistics {
  readonly point: number;
  /** The point's value of each axis, in axis order. */
  readonly settings: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly paths: number;
  readonly passed: number;
  readonly shortfallBps: { readonly n: number; readonly mean: number | null; readonly stdev: number | null };
  readonly fillRatioMean: number | null;
}

type ParentMetricColumn = 'shortfall_bps' | 'fill_ratio' | 'vwap_slippage_bps';

/** Statistics of one parent's metric over the stored paths (`paths`: how many are stored). */
function metricStatistics(
  db: Database.Database,
  sweepId: string,
  parent: string,
  column: ParentMetricColumn,
  paths: number,
): MetricStatistics {
  const where = `sweep_id = ? AND parent_id = ? AND ${column} IS NOT NULL`;
  const { n, mean } = db
    .prepare(`SELECT COUNT(*) AS n, AVG(${column}) AS mean FROM sweep_path_parents WHERE ${where}`)
    .get(sweepId, parent) as { n: number; mean: number | null };
  if (n === 0 || mean === null)
    return { n: 0, missing: paths, mean: null, stdev: null, p5: null, p50: null, p95: null };
  const { ss } = db
    .prepare(`SELECT SUM((${column} - ?) * (${column} - ?)) AS ss FROM sweep_path_parents WHERE ${where}`)
    .get(mean, mean, sweepId, parent) as { ss: number };
  const at = db.prepare(
    `SELECT ${column} AS x FROM sweep_path_parents WHERE ${where} ORDER BY ${column} LIMIT 2 OFFSET ?`,
  );
  const quantile = (p: number): number => {
    const pos = (n - 1) * p;
    const lo = Math.floor(pos);
    const [a, b] = (at.all(sweepId, parent, lo) as { x: number }[]).map((r) => r.x);
    const low = a as number;
    return b === undefined || pos === lo ? low : low + (b - low) * (pos - lo);
  };
  return {
    n,
    missing: paths - n,
    mean,
    stdev: n > 1 ? Math.sqrt(ss / (n - 1)) : 0,
    p5: quantile(0.05),
    p50: quantile(0.5),
    p95: quantile(0.95),
  };
}

export function parentStatistics(db: Database.Database, sweepId: string, paths: number): ParentStatistics[] {
  const counts = db
    .prepare(
      `SELECT parent_id, status, COUNT(*) AS n FROM sweep_path_parents WHERE sweep_id = ?
       GROUP BY parent_id, status ORDER BY parent_id, status`,
    )
    .all(sweepId) as { parent_id: string; status: string; n: number }[];
  const byParent = new Map<string, Record<string, number>>();
  for (const c of counts) {
    const s = byParent.get(c.parent_id) ?? {};
    s[c.status] = c.n;
    byParent.set(c.parent_id, s);
  }
  return [...byParent].map(([parent, status]) => {
    const present = Object.values(status).reduce((a, b) => a + b, 0);
    // Paths without a row for the parent never created it; rows written as 'absent' (a scenario
    // order refused before it became a parent) are counted with them.
    const all = present < paths ? { ...status, absent: (status['absent'] ?? 0) + paths - present } : status;
    return {
      parent,
      status: all,
      notFilled: paths - (status['filled'] ?? 0),
      shortfallBps: metricStatistics(db, sweepId, parent, 'shortfall_bps', paths),
      fillRatio: metricStatistics(db, sweepId, parent, 'fill_ratio', paths),
      vwapSlippageBps: metricStatistics(db, sweepId, parent, 'vwap_slippage_bps', paths),
    };
  });
}

/** Per grid point of a grid sweep, its stored paths' statistics (points in order). */
export function gridPointStatistics(
  db: Database.Database,
  sweepId: string,
  grid: ReadonlyArray<{ readonly key: string; readonly values: readonly string[] }>,
): GridPointStatistics[] {
  const rows = db
    .prepare(
      // The sum of squared deviations from each point's mean, in a second pass over the rows: the
      // mean of squares less the squared mean loses every digit when the values are close together
      // (paths that all come out the same gave a spread of 1e-7 bps instead of 0).
      `WITH m AS (
         SELECT grid_point, COUNT(*) AS paths, SUM(passed) AS passed, COUNT(shortfall_bps) AS n,
           AVG(shortfall_bps) AS mean, AVG(fill_ratio) AS fill
         FROM sweep_paths WHERE sweep_id = ? GROUP BY grid_point)
       SELECT m.grid_point AS point, m.paths, m.passed, m.n, m.mean, m.fill,
         (SELECT SUM((p.shortfall_bps - m.mean) * (p.shortfall_bps - m.mean)) FROM sweep_paths p
          WHERE p.sweep_id = ? AND p.grid_point = m.grid_point AND p.shortfall_bps IS NOT NULL) AS ss
       FROM m`,
    )
    .all(sweepId, sweepId) as Array<{
    point: number;
    paths: number;
    passed: number;
    n: number;
    mean: number | null;
    fill: number | null;
    ss: number | null;
  }>;
  const byPoint = new Map(rows.map((r) => [r.point, r]));
  const count = grid.reduce((n, a) => n * a.values.length, 1);
  return Array.from({ length: count }, (_, point) => {
    let rest = point;
    const settings = new Array<{ key: string; value: string }>(grid.length);
    for (let k = grid.length - 1; k >= 0; k--) {
      const axis = grid[k] as { key: string; values: readonly string[] };
      settings[k] = { key: axis.key, value: axis.values[rest % axis.values.length] as string };
      rest = Math.floor(rest / axis.values.length);
    }
    const r = byPoint.get(point);
    const n = r?.n ?? 0;
    const mean = r?.mean ?? null;
    // Sample variance: the squared deviations over n - 1.
    const variance = n > 1 && mean !== null && r?.ss != null ? r.ss / (n - 1) : null;
    return {
      point,
      settings,
      paths: r?.paths ?? 0,
      passed: r?.passed ?? 0,
      shortfallBps: { n, mean, stdev: n === 1 ? 0 : variance === null ? null : Math.sqrt(variance) },
      fillRatioMean: r?.fill ?? null,
    };
  });
}
