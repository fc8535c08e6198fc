// What a grid sweep reports per grid point, and which point is best per objective. The figures are
// path-level (all of a path's parents together, as a stored path row has them): shortfall in bps
// of the arrival notional of what filled, filled over ordered quantity, and the path's net P&L in
// quote currency. The points are ranked by mean net P&L (highest first) and by mean shortfall
// (lowest first), ties in point order. Every point runs the
// same path seeds (common random numbers), so each point is also compared with the best one path
// by path: a paired difference, far narrower than the points' own intervals, since the market
// noise they share cancels (docs/0020-sweeps-on-worker-threads.md).
import { metricStats, type MetricStats } from './sweep-stats.ts';
import { COST_METRICS, type CostMetric, type PathCosts } from './path-costs.ts';
import { gridSettings, type GridAxis, type GridSetting } from './sweep-grid.ts';
import {
  HIGHER_IS_BETTER,
  rankValue,
  TRADING_METRICS,
  type PathTrading,
  type RankField,
  type TradingMetric,
} from './path-trading.ts';

/** A metric's statistics (mean, standard deviation, 5th/50th/95th percentiles) with the 95%
 *  confidence interval of its mean (Student's t with n - 1 degrees of freedom: mean +- t * sd /
 *  sqrt(n); null below 2 values). */
export type MetricWithCi = MetricStats & { readonly ci95: readonly [number, number] | null };

/** A point's shortfall minus the best point's (by mean shortfall), path by path over the path
 *  indices where both have one, with its own 95% interval. An interval that excludes 0 says the
 *  points differ beyond noise. */
export interface PairedDifference {
  /** Paths with a shortfall at both points. */
  readonly n: number;
  readonly mean: number | null;
  readonly std: number | null;
  readonly ci95: readonly [number, number] | null;
}

export interface GridPointReport {
  readonly point: number;
  readonly settings: readonly GridSetting[];
  readonly paths: number;
  readonly shortfallBps: MetricWithCi;
  readonly fillRatio: MetricWithCi;
  /** The paths' net P&L, quote currency (realized + unrealized - fees: the run report's
   *  pnl.total.net). */
  readonly netPnl: MetricWithCi;
  /** Paths on which every expectation held, over paths (0..1). */
  readonly passRate: number;
  /** The paths' costs: each part of the shortfall against the decision mid (bps of the decision
   *  value) and the 5 s markout; absent from a report stored before paths had them. */
  readonly costs?: Readonly<Record<CostMetric, MetricWithCi>>;
  /** The paths' trading figures (path-trading.ts); absent from a report stored before paths had
   *  them. */
  readonly trading?: Readonly<Record<TradingMetric, MetricWithCi>>;
  /** Against the point with the lowest mean shortfall (null for that point itself, or no shortfall). */
  readonly vsBest: PairedDifference | null;
  /** Whether the point can be named best for a shortfall objective (see RANK_MIN_SHARE). */
  readonly ranked: boolean;
}

/** The share of a point's paths that must have a shortfall for it to be ranked for the
 *  shortfall objectives (and at least 2 paths). A path that filled nothing has none, so a setting
 *  that rarely fills would otherwise be named best on the few paths where it did (and, being
 *  selective, those tend to be the cheap ones). An unranked point is still reported, with its
 *  paired difference. */
export const RANK_MIN_SHARE = 0.5;

export interface GridBest {
  /** Lowest mean shortfall (bps). */
  readonly meanShortfall: number | null;
  /** Lowest 95th percentile of shortfall (the risk objective). */
  readonly p95Shortfall: number | null;
  /** Highest mean fill ratio. */
  readonly fillRatio: number | null;
  /** Highest mean net P&L. */
  readonly netPnl: number | null;
}

/** The grid points in order of an objective, best first. */
export interface GridRanking {
  /** By mean net P&L, highest first; points without one (no path has it) last. */
  readonly netPnl: readonly number[];
  /** By mean shortfall in bps, lowest first, the points ranked for shortfall (RANK_MIN_SHARE);
   *  then the others, in point order. */
  readonly shortfall: readonly number[];
}

/** The grid ranked by one figure (`--rank FIELD`): the points best first by its mean, each
 *  compared with the top point path by path (the same seeds: common random numbers). */
export interface GridRank {
  readonly by: RankField;
  readonly higherIsBetter: boolean;
  readonly points: ReadonlyArray<{
    readonly point: number;
    readonly mean: number | null;
    /** This point's figure minus the top point's, path by path (null for the top point). */
    readonly vsTop: PairedDifference | null;
    /** False when the paired difference's 95% interval covers 0 ("not significant"); null
     *  without an interval (the top point, fewer than 2 paired paths). */
    readonly significant: boolean | null;
    readonly passRate: number;
  }>;
}

export interface GridReport {
  readonly axes: readonly GridAxis[];
  readonly points: readonly GridPointReport[];
  readonly best: GridBest;
  readonly ranking: GridRanking;
  /** Absent from a report stored before grids were ranked by a chosen figure. */
  readonly rank?: GridRank;
}

/** The path-level figures of one unit, as the report needs them. */
export interface UnitFigures {
  readonly point: number;
  readonly path: number;
  readonly shortfallBps: number | null;
  readonly fillRatio: number | null;
  /** Null for a unit stored before paths had a net P&L. */
  readonly netPnl: number | null;
  readonly passed: boolean;
  /** Null for a unit stored before paths had costs. */
  readonly costs?: PathCosts | null;
  /** Null for a unit stored before paths had trading figures. */
  readonly trading?: PathTrading | null;
}

// Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom.
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 97.5% quantile of Student's t with `df` degrees of freedom (a table to 30, then the
 *  Cornish-Fisher expansion around the normal's 1.959964, good to 1e-4 there). */
export function t975(df: number): number {
  if (df < 1) return Number.NaN;
  if (df <= 30) return T975[Math.floor(df) - 1] as number;
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

function ci(stats: { n: number; mean: number | null; std: number | null }): readonly [number, number] | null {
  if (stats.n < 2 || stats.mean === null || stats.std === null) return null;
  const half = (t975(stats.n - 1) * stats.std) / Math.sqrt(stats.n);
  return [stats.mean - half, stats.mean + half];
}

const withCi = (values: ReadonlyArray<number | null>): MetricWithCi => {
  const s = metricStats(values);
  return { ...s, ci95: ci(s) };
};

/** The argmin (or argmax) of `key` over points with a value; ties go to the lower point. */
function pick(points: readonly GridPointReport[], key: (p: GridPointReport) => number | null, lowest: boolean) {
  let best: number | null = null;
  let bestValue = 0;
  for (const p of points) {
    const v = key(p);
    if (v === null) continue;
    if (best === null || (lowest ? v < bestValue : v > bestValue)) {
      best = p.point;
      bestValue = v;
    }
  }
  return best;
}

/** The points in order of `key` (lowest first, or highest), those without a value last; equal
 *  values in point order (a stable sort of points already in order). */
export function rankPoints(
  points: readonly GridPointReport[],
  key: (p: GridPointReport) => number | null,
  lowest: boolean,
): number[] {
  const valued = points.filter((p) => key(p) !== null);
  const rest = points.filter((p) => key(p) === null);
  valued.sort((a, b) => {
    const d = (key(a) as number) - (key(b) as number);
    return lowest ? d : -d;
  });
  return [...valued, ...rest].map((p) => p.point);
}

/** `value` at each point's path minus at the top point's same path, over the paths where both
 *  have one, with its 95% interval: the paired comparison of every objective. */
function pairedDifference(
  rows: readonly UnitFigures[],
  top: ReadonlyMap<number, UnitFigures>,
  value: (u: UnitFigures) => number | null,
): PairedDifference {
  const diffs: number[] = [];
  for (const r of rows) {
    const other = top.get(r.path);
    const a = value(r);
    const b = other === undefined ? null : value(other);
    if (a !== null && b !== null) diffs.push(a - b);
  }
  const s = metricStats(diffs);
  return { n: s.n, mean: s.mean, std: s.std, ci95: ci(s) };
}

/** The grid ranked by `by`'s mean over each point's paths, each point paired with the top one. */
function rankGrid(points: readonly GridPointReport[], byPoint: readonly UnitFigures[][], by: RankField): GridRank {
  const value = (u: UnitFigures) => rankValue(by, u);
  const means = points.map((p) => metricStats((byPoint[p.point] ?? []).map(value)).mean);
  const higher = HIGHER_IS_BETTER[by];
  const order = rankPoints(points, (p) => means[p.point] ?? null, !higher);
  const topPoint = order[0];
  const top =
    topPoint === undefined || means[topPoint] == null
      ? null
      : new Map((byPoint[topPoint] ?? []).map((r) => [r.path, r]));
  return {
    by,
    higherIsBetter: higher,
    points: order.map((point) => {
      const p = points[point] as GridPointReport;
      const vsTop = top === null || point === topPoint ? null : pairedDifference(byPoint[point] ?? [], top, value);
      const interval = vsTop?.ci95 ?? null;
      return {
        point,
        mean: means[point] ?? null,
        vsTop,
        significant: interval === null ? null : !(interval[0] <= 0 && interval[1] >= 0),
        passRate: p.passRate,
      };
    }),
  };
}

/** The report of a grid sweep from its units' figures (any order), ranked by `rank` (default
 *  net P&L). */
export function gridReport(
  axes: readonly GridAxis[],
  units: readonly UnitFigures[],
  rank: RankField = 'netPnl',
): GridReport {
  const count = axes.reduce((n, a) => n * a.values.length, 1);
  const byPoint: UnitFigures[][] = Array.from({ length: count }, () => []);
  for (const u of units) byPoint[u.point]?.push(u);
  for (const rows of byPoint) rows.sort((a, b) => a.path - b.path);
  const base = byPoint.map((rows, point): GridPointReport => {
    const shortfallBps = withCi(rows.map((r) => r.shortfallBps));
    return {
      point,
      settings: gridSettings(axes, point),
      paths: rows.length,
      shortfallBps,
      fillRatio: withCi(rows.map((r) => r.fillRatio)),
      netPnl: withCi(rows.map((r) => r.netPnl)),
      passRate: rows.length === 0 ? 0 : rows.filter((r) => r.passed).length / rows.length,
      costs: Object.fromEntries(COST_METRICS.map((m) => [m, withCi(rows.map((r) => r.costs?.[m] ?? null))])) as Record<
        CostMetric,
        MetricWithCi
      >,
      trading: Object.fromEntries(
        TRADING_METRICS.map((m) => [m, withCi(rows.map((r) => r.trading?.[m] ?? null))]),
      ) as Record<TradingMetric, MetricWithCi>,
      vsBest: null,
      ranked: shortfallBps.n >= 2 && shortfallBps.n >= RANK_MIN_SHARE * rows.length,
    };
  });
  const shortfallOf = (p: GridPointReport, key: 'mean' | 'p95'): number | null =>
    p.ranked ? p.shortfallBps[key] : null;
  const meanShortfall = pick(base, (p) => shortfallOf(p, 'mean'), true);
  const bestRows = meanShortfall === null ? null : new Map(byPoint[meanShortfall]?.map((r) => [r.path, r]));
  const points = base.map((p): GridPointReport => {
    if (bestRows === null || p.point === meanShortfall) return p;
    return { ...p, vsBest: pairedDifference(byPoint[p.point] ?? [], bestRows, (u) => u.shortfallBps) };
  });
  return {
    axes,
    points,
    best: {
      meanShortfall,
      p95Shortfall: pick(points, (p) => shortfallOf(p, 'p95'), true),
      fillRatio: pick(points, (p) => p.fillRatio.mean, false),
      netPnl: pick(points, (p) => p.netPnl.mean, false),
    },
    ranking: {
      netPnl: rankPoints(points, (p) => p.netPnl.mean, false),
      shortfall: rankPoints(points, (p) => shortfallOf(p, 'mean'), true),
    },
    rank: rankGrid(points, byPoint, rank),
  };
}
