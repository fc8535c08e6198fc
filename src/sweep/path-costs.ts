// A sweep path's costs: the run report's cost decomposition over all the path's parents (each
// part in bps of the decision value) and the 5 s markout of every fill, so that a sweep, and each
// point of a grid, can compare where the cost went and how the fills marked out.
import type { RunCosts } from '../core/report/cost-figures.ts';
import { metricStats, type MetricStats } from './sweep-stats.ts';

/** A path's costs over all its parents (the run report's `costs`): each part of the shortfall
 *  against the decision mid in bps of the decision value, and the markout of every fill 5 s
 *  after it (bps, positive = favourable); null where the run has none. */
export const COST_METRICS = [
  'delayBps',
  'timingBps',
  'spreadBps',
  'opportunityBps',
  'feesBps',
  'totalCostBps',
  'markout5sBps',
] as const;
export type CostMetric = (typeof COST_METRICS)[number];
export type PathCosts = Readonly<Record<CostMetric, number | null>>;

/** The path figures of a run's costs. */
export function pathCosts(costs: RunCosts | undefined): PathCosts | null {
  if (costs === undefined) return null;
  const b = costs.bps;
  return {
    delayBps: b?.delay ?? null,
    timingBps: b?.timing ?? null,
    spreadBps: b?.spread ?? null,
    opportunityBps: b?.opportunity ?? null,
    feesBps: b?.fees ?? null,
    totalCostBps: b?.total ?? null,
    markout5sBps: costs.markouts.find((m) => m.horizonMs === 5_000)?.bps ?? null,
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
