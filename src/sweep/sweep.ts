// Monte Carlo sweeps: one scenario over N seeds derived from one sweep seed, each parent's figures
// collected per path and summarised. Path i is exactly `execsim run <scenario> --seed seed_i` (same
// digest). Pure of console output: progress goes to a callback, the result is a plain object.
// The seed derivation:
// docs/0070-store-service-and-cli-notes.md#srcsweepsweepts.
import { createHash } from 'node:crypto';
import type { ParentReport } from '../core/report/run-report.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import type { ExpectationTally } from '../store/sweep-columns.ts';
import { runScenario, type RunReport } from '../runtime/backtest-run.ts';
import { metricStats, type MetricStats } from './sweep-stats.ts';
import { costStats, pathCosts, type CostMetric, type PathCosts } from './path-costs.ts';
import type { GridReport } from './sweep-grid-report.ts';
import { pathTrading, type PathTrading } from './path-trading.ts';

/** The most paths one sweep may run (a sanity limit: about 15 minutes of a fast scenario). */
export const MAX_SWEEP_PATHS = 100_000;

const BITS = 48n;
const MASK = (1n << BITS) - 1n;

function mix48(v: bigint): bigint {
  let x = v & MASK;
  x ^= x >> 24n;
  x = (x * 0xd6e8feb86659n) & MASK;
  x ^= x >> 23n;
  x = (x * 0xc2b2ae3d27d5n) & MASK;
  x ^= x >> 24n;
  return x;
}

/** The path seeds of a sweep with seed `sweepSeed`: index (0-based) to seed, the hash computed
 *  once. */
export function seedDeriver(sweepSeed: number): (index: number) => number {
  if (!Number.isSafeInteger(sweepSeed) || sweepSeed < 0)
    throw new Error(`sweep seed must be a non-negative safe integer, got ${sweepSeed}`);
  const base = BigInt('0x' + createHash('sha256').update(`execsim-sweep-v1:${sweepSeed}`).digest('hex').slice(0, 12));
  return (index) => {
    if (!Number.isSafeInteger(index) || index < 0)
      throw new Error(`path index must be a non-negative integer, got ${index}`);
    return Number(mix48(base + BigInt(index)));
  };
}

/** The seed of path `index` (0-based) of a sweep with seed `sweepSeed`. */
export function deriveSeed(sweepSeed: number, index: number): number {
  return seedDeriver(sweepSeed)(index);
}

export const METRICS = ['shortfallQuote', 'shortfallBps', 'fillRatio', 'durationMs'] as const;

export type Metric = (typeof METRICS)[number];

/** A parent in a path that never created it (e.g. scheduled after the horizon). */
export type PathStatus = ParentReport['status'] | 'absent';
export const PATH_STATUSES: readonly PathStatus[] = ['filled', 'partially_filled', 'unfilled', 'working', 'absent'];

export interface ParentPathMetrics {
  readonly status: PathStatus;
  /** Implementation shortfall in quote currency (positive = cost); null when nothing filled or no arrival price. */
  readonly shortfallQuote: number | null;
  /** The same in basis points of the arrival price. */
  readonly shortfallBps: number | null;
  /** Filled / ordered, 0..1; null only when the parent is absent. */
  readonly fillRatio: number | null;
  /** Creation to completion, ms; null when the parent never completed (still working at the end). */
  readonly durationMs: number | null;
}

export interface SweepPath {
  /** The path index: its seed derives from it (the same at every grid point). */
  readonly path: number;
  /** A grid sweep's grid point (absent in a plain sweep). */
  readonly point?: number;
  readonly seed: number;
  readonly digest: string;
  /** Whether every expectation held on this path. */
  readonly passed: boolean;
  /** Over all the path's parents (pathTotals): shortfall in bps of the arrival notional of what
   *  filled, and filled over ordered quantity, a scenario order that was refused before it became a
   *  parent counted as ordered and not filled. What a grid point's figures are computed from. */
  readonly shortfallBps: number | null;
  readonly fillRatio: number | null;
  /** The path's net P&L in quote currency (the run report's pnl.total.net: realized + unrealized
   *  - fees); null only in a result stored before paths had it. */
  readonly netPnl: number | null;
  /** The path's costs decomposed and its 5 s markout (pathCosts); absent in a result stored
   *  before paths had them. */
  readonly costs?: PathCosts | null;
  /** The path's trading figures (its round trips' statistics: path-trading.ts); absent in a
   *  result stored before paths had them. */
  readonly trading?: PathTrading | null;
  /** Per parent; a scenario order refused before it became a parent (pre-trade checks, a TWAP
   *  plan that cannot run) is here as 'absent'. */
  readonly parents: Readonly<Record<string, ParentPathMetrics>>;
}

export type ParentSummary = { readonly status: Readonly<Record<PathStatus, number>> } & Readonly<
  Record<Metric, MetricStats>
>;

export type { ExpectationTally };

export interface SweepResult {
  readonly scenario: string;
  /** The sweep seed S the path seeds derive from. */
  readonly seed: number;
  readonly paths: number;
  readonly perPath: readonly SweepPath[];
  readonly summary: Readonly<Record<string, ParentSummary>>;
  readonly expectations: readonly ExpectationTally[];
  /** The paths' net P&L in quote currency (SweepPath.netPnl), over every path (every grid
   *  point's together in a grid sweep; each point's is in its grid report). */
  readonly netPnl: MetricStats;
  /** The paths' costs (SweepPath.costs) over every path, as netPnl. */
  readonly costs?: Readonly<Record<CostMetric, MetricStats>>;
  /** A grid sweep's report per grid point (then `paths` is per point, perPath has every point's
   *  paths in run order, and summary and expectations pool every point's paths). */
  readonly grid?: GridReport;
}

export interface SweepOptions {
  readonly paths: number;
  /** The sweep seed; default the scenario's seed. */
  readonly seed?: number;
  /** Called after each path with (paths done, paths in all). */
  readonly onProgress?: (done: number, total: number) => void;
  /** Called after each path with the path and its parents' full reports (a store records them). */
  readonly onPath?: (path: SweepPath, parents: readonly ParentReport[]) => void;
}

/** A path whose run threw: the sweep cannot go on. Says which path and seed (and, in a grid
 *  sweep, which grid point: `unit` is then the path's number among all the sweep's runs). */
export class SweepPathError extends Error {
  constructor(
    readonly path: number,
    readonly seed: number,
    override readonly cause: unknown,
    readonly point = 0,
    readonly unit = path,
    readonly pointLabel: string | null = null,
  ) {
    super(
      `path ${path}${pointLabel === null ? '' : ` of grid point ${point} (${pointLabel})`} (seed ${seed}): ` +
        (cause instanceof Error ? cause.message : String(cause)),
    );
  }
}

/** What a path's expectation came to. */
export interface ExpectationOutcome {
  readonly name: string;
  readonly expected: string;
  readonly pass: boolean;
}

/** One path run: its figures, its parents' full reports and its expectations' outcomes. */
export interface PathRun {
  readonly path: SweepPath;
  readonly parents: readonly ParentReport[];
  readonly expectations: readonly ExpectationOutcome[];
}

/** Runs path `index` of a sweep, with seed `seed`; a run that throws becomes SweepPathError. A
 *  path samples the market as its run does: the samples are not in the digest, and the costs read
 *  the mids they carry (the mid before each fill, the mids of the markouts), so a path's costs
 *  are its run's. */
export function runPath(
  loaded: LoadedScenario,
  index: number,
  seed: number,
  /** Where a replay's parsed cache lives (RunOptions.replayCacheDir); absent: the environment's. */
  replayCacheDir?: string | null,
): PathRun {
  let report: RunReport;
  try {
    report = runScenario(loaded, { seed, ...(replayCacheDir === undefined ? {} : { replayCacheDir }) });
  } catch (err) {
    throw new SweepPathError(index, seed, err);
  }
  const placed = new Set(report.parents.map((p) => p.id));
  const refused = loaded.scenario.orders.filter((o) => !placed.has(o.id));
  const totals = pathTotals(report.parents, refused);
  return {
    path: {
      path: index,
      seed,
      digest: report.digest,
      passed: report.passed,
      shortfallBps: totals.shortfallBps,
      fillRatio: totals.fillRatio,
      netPnl: numberOrNull(report.pnl.total.net),
      costs: pathCosts(report.costs, report.parents),
      trading: pathTrading(report.trades),
      parents: Object.fromEntries([
        ...report.parents.map((p): [string, ParentPathMetrics] => [p.id, pathMetrics(p)]),
        ...refused.map((o): [string, ParentPathMetrics] => [o.id, ABSENT]),
      ]),
    },
    parents: report.parents,
    expectations: report.expectations.map((e) => ({ name: e.name, expected: e.expected, pass: e.pass })),
  };
}

/** Counts, per expectation, the paths on which it held (the first path names the expectations). */
export class ExpectationTallies {
  private tallies: Array<{ name: string; expected: string; passed: number }> | null = null;
  private paths = 0;

  add(outcomes: readonly ExpectationOutcome[]): void {
    this.tallies ??= outcomes.map((e) => ({ name: e.name, expected: e.expected, passed: 0 }));
    this.paths++;
    outcomes.forEach((e, k) => {
      const t = this.tallies?.[k];
      if (t && e.pass) t.passed++;
    });
  }

  result(): ExpectationTally[] {
    return (this.tallies ?? []).map((t) => ({ ...t, paths: this.paths }));
  }
}

/** One path done, as sweepSteps yields it. */
export interface SweepStep {
  readonly path: SweepPath;
  readonly parents: readonly ParentReport[];
  readonly done: number;
  readonly total: number;
}

/** A decimal text as a number; null for null or text that is not a finite number. */
export const numberOrNull = (text: string | null): number | null => {
  if (text === null) return null;
  const x = Number(text);
  return Number.isFinite(x) ? x : null;
};

/** A path's figures over all its parents: shortfall in bps of the arrival notional of what
 *  filled (null if nothing filled), and filled over ordered quantity (null when nothing was
 *  ordered). `refused` are orders that never became parents: their quantity is ordered and not
 *  filled, so a setting under which the risk checks refuse an order does not look better filled. */
export function pathTotals(
  parents: readonly ParentReport[],
  refused: ReadonlyArray<{ readonly qty: string }> = [],
): {
  readonly shortfallBps: number | null;
  readonly fillRatio: number | null;
} {
  let shortfall = 0;
  let arrivalNotional = 0;
  let filled = 0;
  let ordered = refused.reduce((sum, o) => sum + (numberOrNull(o.qty) ?? 0), 0);
  for (const r of parents) {
    const q = numberOrNull(r.filledQty) ?? 0;
    filled += q;
    ordered += numberOrNull(r.qty) ?? 0;
    const sq = numberOrNull(r.shortfallQuote);
    const arrival = numberOrNull(r.arrivalPrice);
    if (sq !== null && arrival !== null && q > 0) {
      shortfall += sq;
      arrivalNotional += arrival * q;
    }
  }
  return {
    shortfallBps: arrivalNotional > 0 ? (shortfall / arrivalNotional) * 10_000 : null,
    fillRatio: ordered > 0 ? filled / ordered : null,
  };
}

function parseQuote(text: string | null): number | null {
  if (text === null) return null;
  const x = Number(text);
  if (!Number.isFinite(x)) throw new Error(`shortfallQuote "${text}" is not a decimal number`);
  return x;
}

function pathMetrics(p: ParentReport): ParentPathMetrics {
  return {
    status: p.status,
    shortfallQuote: parseQuote(p.shortfallQuote),
    shortfallBps: p.shortfallBps,
    fillRatio: p.fillRatio,
    durationMs: p.durationMs,
  };
}

const ABSENT: ParentPathMetrics = {
  status: 'absent',
  shortfallQuote: null,
  shortfallBps: null,
  fillRatio: null,
  durationMs: null,
};

/** Per parent: status counts over the paths and the statistics of each metric. */
export function summarize(perPath: readonly SweepPath[]): Record<string, ParentSummary> {
  const ids: string[] = [];
  const seen = new Set<string>();
  for (const p of perPath) {
    for (const id of Object.keys(p.parents)) {
      if (!seen.has(id)) {
        seen.add(id);
        ids.push(id);
      }
    }
  }
  return Object.fromEntries(
    ids.map((id) => {
      const rows = perPath.map((p) => (Object.hasOwn(p.parents, id) ? (p.parents[id] as ParentPathMetrics) : ABSENT));
      const status = Object.fromEntries(
        PATH_STATUSES.map((s) => [s, rows.filter((r) => r.status === s).length]),
      ) as Record<PathStatus, number>;
      const metrics = Object.fromEntries(METRICS.map((m) => [m, metricStats(rows.map((r) => r[m]))])) as Record<
        Metric,
        MetricStats
      >;
      return [id, { status, ...metrics }];
    }),
  );
}

export function runSweep(loaded: LoadedScenario, options: SweepOptions): SweepResult {
  const steps = sweepSteps(loaded, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    options.onPath?.(step.value.path, step.value.parents);
    options.onProgress?.(step.value.done, step.value.total);
  }
}

/** The paths of a sweep, one at a time (a caller may stop between any two), then its result.
 *  A path whose run throws ends it with SweepPathError. */
export function* sweepSteps(
  loaded: LoadedScenario,
  options: Pick<SweepOptions, 'paths' | 'seed'>,
): Generator<SweepStep, SweepResult, void> {
  const { paths } = options;
  if (!Number.isSafeInteger(paths) || paths < 1 || paths > MAX_SWEEP_PATHS) {
    throw new Error(`paths must be an integer from 1 to ${MAX_SWEEP_PATHS}, got ${paths}`);
  }
  const sweepSeed = options.seed ?? loaded.scenario.seed;
  const seedOf = seedDeriver(sweepSeed);
  const perPath: SweepPath[] = [];
  const tallies = new ExpectationTallies();
  for (let i = 0; i < paths; i++) {
    const run = runPath(loaded, i, seedOf(i));
    tallies.add(run.expectations);
    perPath.push(run.path);
    yield { path: run.path, parents: run.parents, done: i + 1, total: paths };
  }
  return {
    scenario: loaded.scenario.name,
    seed: sweepSeed,
    paths,
    perPath,
    summary: summarize(perPath),
    expectations: tallies.result(),
    netPnl: metricStats(perPath.map((p) => p.netPnl)),
    costs: costStats(perPath),
  };
}
