// A sweep path's costs: the run report's cost decomposition over all the path's parents (each
// part in bps of the decision value), the markouts of every fill at the default horizons and the
// parents' participation, so that a sweep, and each point of a grid (an algorithm on a market),
// can compare where the cost went, how the fills marked out and how much of the market it took.
import type { RunCosts } from '../core/report/cost-figures.ts';
import { metricStats, type MetricStats } from './sweep-stats.ts';

/** A path's costs over all its parents (the run report's `costs`): each part of the shortfall
 *  against the decision mid in bps of the decision value; the markout of every fill 1 s, 5 s,
 *  30 s and 5 min after it (bps, positive = favourable; the scenario's `report.markoutsMs` may
 *  leave a horizon out); and the parents' participation (percent of the market's volume over
 *  each parent's horizon, averaged over the parents that have one); null where the run has none. */
export const COST_METRICS = [
  'delayBps',
  'timingBps',
  'spreadBps',
  'opportunityBps',
  'feesBps',
  'totalCostBps',
  'markout1sBps',
  'markout5sBps',
  'markout30sBps',
  'markout5mBps',
  'participationPct',
] as const;
export type CostMetric = (typeof COST_METRICS)[number];
export type PathCosts = Readonly<Record<CostMetric, number | null>>;

/** The path figures of a run's costs; `parents`: the run's parents' participation (0..1). */
export function pathCosts(
  costs: RunCosts | undefined,
  parents: ReadonlyArray<{ readonly participationRate: number | null }> = [],
): PathCosts | null {
  if (costs === undefined) return null;
  const b = costs.bps;
  const markout = (ms: number): number | null => costs.markouts.find((m) => m.horizonMs === ms)?.bps ?? null;
  const shares = parents.flatMap((p) => (p.participationRate === null ? [] : [p.participationRate]));
  return {
    delayBps: b?.delay ?? null,
    timingBps: b?.timing ?? null,
    spreadBps: b?.spread ?? null,
    opportunityBps: b?.opportunity ?? null,
    feesBps: b?.fees ?? null,
    totalCostBps: b?.total ?? null,
    markout1sBps: markout(1_000),
    markout5sBps: markout(5_000),
    markout30sBps: markout(30_000),
    markout5mBps: markout(300_000),
    participationPct: shares.length === 0 ? null : (100 * shares.reduce((a, x) => a + x, 0)) / shares.length,
  };
}

/** Statistics of each cost figure over paths (a path without costs counts as missing). */
export function costStats(
  paths: ReadonlyArray<{ readonly costs?: PathCosts | null }>,
): Record<CostMetric, MetricStats> {
  return Object.fromEntries(
    COST_METRICS.map((m) => [m, metricStats(paths.map((p) => p.costs?.[m] ?? null))]),
  ) as Record<CostMetric, MetricStats>;
}
