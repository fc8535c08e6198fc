// The unit of work of a sweep, for whatever runs it (the CLI in process, worker threads, queue
// workers on other machines): a sweep is a plain definition (scenario text, sweep seed, paths per
// grid point, grid axes) and its units are numbered 0 .. unitCount - 1. A job carries only the
// definition and unit numbers; everything else is a pure function of them: unit u is path index
// i = floor(u / points) at grid point g = u mod points, with seed deriveSeed(sweep seed, i), so
// the same path index gets the same seed at every grid point (common random numbers: differences
// between settings are not noise of different draws; docs/0020-sweeps-on-worker-threads.md).
import type { ParentReport } from '../core/report/run-report.ts';
import { parseScenario, type LoadedScenario } from '../scenario/load-scenario.ts';
import { metricStats } from './sweep-stats.ts';
import { costStats } from './path-costs.ts';
import {
  ExpectationTallies,
  MAX_SWEEP_PATHS,
  pathTotals,
  runPath,
  summarize,
  seedDeriver,
  SweepPathError,
  type ExpectationOutcome,
  type SweepPath,
  type SweepResult,
} from './sweep.ts';
import type { RankField } from './path-trading.ts';
import { gridReport, type UnitFigures } from './sweep-grid-report.ts';
import { GridError, gridPointCount, gridSettings, settingsLabel, type GridAxis } from './sweep-grid.ts';
import { ScenarioGrid } from './scenario-grid.ts';
import { groupedDigits } from '../core/model/count-text.ts';

export type { GridAxis } from './sweep-grid.ts';

/** A path's figures over all its parents (pathTotals). */
export type PathTotals = ReturnType<typeof pathTotals>;

/** A sweep as plain data (structured-clone and JSON safe): what a worker needs to run any unit. */
export interface SweepDefinition {
  /** Where the scenario came from (replay files resolve against it). */
  readonly file: string;
  /** The scenario's YAML text. */
  readonly yaml: string;
  /** The sweep seed the path seeds derive from. */
  readonly seed: number;
  /** Paths per grid point. */
  readonly paths: number;
  /** The grid's axes; [] for a plain sweep (one point: the scenario as written). */
  readonly grid: readonly GridAxis[];
}

/** The most units (paths x grid points) one sweep may run. */
export const MAX_SWEEP_UNITS = 1_000_000;

/** The number of units of a sweep: grid points x paths. */
export function unitCount(def: Pick<SweepDefinition, 'paths' | 'grid'>): number {
  return gridPointCount(def.grid) * def.paths;
}

/** Where unit `unit` is: its grid point and path index. A plain sweep (one point) has unit = path
 *  index, its path i exactly path i of runSweep. Units run path by path across the points (path 0
 *  at every point, then path 1, ...), so a sweep stopped early has about as many paths at every
 *  point. */
export function unitLocation(
  def: Pick<SweepDefinition, 'paths' | 'grid'>,
  unit: number,
): { readonly point: number; readonly path: number } {
  const points = gridPointCount(def.grid);
  if (!Number.isSafeInteger(unit) || unit < 0 || unit >= points * def.paths)
    throw new RangeError(`unit ${unit} is not in 0..${points * def.paths - 1}`);
  return { point: unit % points, path: Math.floor(unit / points) };
}

/** The unit of path index `path` at grid point `point`. */
export function unitOf(def: Pick<SweepDefinition, 'paths' | 'grid'>, point: number, path: number): number {
  return path * gridPointCount(def.grid) + point;
}

/** What a sweep keeps of a parent's report: the figures its stored path rows hold. */
export type ParentFigures = Pick<
  ParentReport,
  'id' | 'status' | 'shortfallBps' | 'shortfallQuote' | 'fillRatio' | 'vwapSlippageBps' | 'filledQty' | 'durationMs'
>;

/** A parent's figures alone (a report also lists every child order: most of its size). */
export const parentFigures = (p: ParentFigures): ParentFigures => ({
  id: p.id,
  status: p.status,
  shortfallBps: p.shortfallBps,
  shortfallQuote: p.shortfallQuote,
  fillRatio: p.fillRatio,
  vwapSlippageBps: p.vwapSlippageBps,
  filledQty: p.filledQty,
  durationMs: p.durationMs,
});

/** One unit run. `path.path` is the path index (shared by every grid point), `path.seed` its seed.
 *  `parents` are the parents' reports in this thread, their figures (parentFigures) from a worker
 *  thread. */
export interface UnitResult {
  readonly unit: number;
  readonly point: number;
  readonly path: SweepPath;
  readonly parents: readonly ParentFigures[];
  readonly expectations: readonly ExpectationOutcome[];
}

/** A unit as its runner returns it: with its parents' full reports. */
export interface UnitRun extends UnitResult {
  readonly parents: readonly ParentReport[];
}

/** Checks a definition's numbers: an Error naming the field when one is out of range. */
export function checkDefinition(def: SweepDefinition): void {
  if (!Number.isSafeInteger(def.paths) || def.paths < 1 || def.paths > MAX_SWEEP_PATHS)
    throw new Error(`paths must be an integer from 1 to ${MAX_SWEEP_PATHS}, got ${def.paths}`);
  if (!Number.isSafeInteger(def.seed) || def.seed < 0)
    throw new Error(`sweep seed must be a non-negative safe integer, got ${def.seed}`);
  const units = unitCount(def);
  if (units > MAX_SWEEP_UNITS)
    throw new Error(`paths x grid points is ${units}, at most ${groupedDigits(MAX_SWEEP_UNITS)}`);
}

/** Runs units of one sweep. Parses the scenario and every grid point's variant once, up front
 *  (a bad grid value is a GridError from the constructor, before any unit runs). */
export class SweepUnitRunner {
  readonly grid: ScenarioGrid;
  readonly units: number;
  private readonly seedOf: (index: number) => number;

  constructor(
    readonly def: SweepDefinition,
    /** The scenario already parsed from def.yaml (saves parsing it again). */
    base?: LoadedScenario,
    /** Where a replay's parsed cache lives (beside the sweep's store); absent: the environment's. */
    private readonly replayCacheDir?: string | null,
  ) {
    checkDefinition(def);
    this.grid = new ScenarioGrid(def.yaml, base ?? parseScenario(def.yaml, def.file), def.grid);
    this.units = unitCount(def);
    this.seedOf = seedDeriver(def.seed);
  }

  /** The scenario of grid point `point` (the scenario as written when there is no grid). */
  scenario(point = 0): LoadedScenario {
    return this.grid.scenario(point);
  }

  /** Runs unit `unit`; a run that throws is SweepPathError naming the path, its seed and point. */
  run(unit: number): UnitRun {
    const { point, path } = unitLocation(this.def, unit);
    const seed = this.seedOf(path);
    try {
      const r = runPath(this.grid.scenario(point), path, seed, this.replayCacheDir);
      return { unit, point, path: r.path, parents: r.parents, expectations: r.expectations };
    } catch (err) {
      if (!(err instanceof SweepPathError) || this.def.grid.length === 0) throw err;
      const label = settingsLabel(gridSettings(this.def.grid, point));
      throw new SweepPathError(path, seed, err.cause, point, unit, label);
    }
  }
}

/** The runner of a sweep about to start, every check of its grid done before anything runs or is
 *  stored (the CLI's and the HTTP API's one path): its units within MAX_SWEEP_UNITS, then every
 *  grid point parsed as a scenario. A GridError otherwise (its key null for the size). */
export function checkedSweepRunner(
  def: SweepDefinition,
  loaded?: LoadedScenario,
  replayCacheDir?: string | null,
): SweepUnitRunner {
  checkUnitLimit(def);
  return new SweepUnitRunner(def, loaded, replayCacheDir);
}

/** checkedSweepRunner's checks without a runner, the grid's points parsed a slice at a time with
 *  the event loop let run between slices (ScenarioGrid.checked): what a server checks before it
 *  stores a sweep. Resolves to the number of units; rejects with the same GridError. */
export async function checkSweepGrid(def: SweepDefinition, loaded: LoadedScenario): Promise<number> {
  checkUnitLimit(def);
  checkDefinition(def);
  await ScenarioGrid.checked(def.yaml, loaded, def.grid);
  return unitCount(def);
}

/** A GridError (no key: the grid's size) when the definition's units pass MAX_SWEEP_UNITS. */
function checkUnitLimit(def: SweepDefinition): void {
  const units = unitCount(def);
  if (units > MAX_SWEEP_UNITS) {
    const points = units / def.paths;
    throw new GridError(
      `--paths ${def.paths} x ${points} grid points is ${units} paths, above the limit of ${MAX_SWEEP_UNITS}`,
      null,
      `${points} grid points x ${def.paths} paths is ${units} paths in all, ` +
        `above the limit of ${groupedDigits(MAX_SWEEP_UNITS)}`,
    );
  }
}

/** A unit's result as a queued sweep's coordinator stores it: the parents' full reports are
 *  replaced by the path's totals over them (all the grid report needs of them). */
export interface StoredUnitResult {
  readonly point: number;
  readonly path: SweepPath;
  readonly expectations: readonly ExpectationOutcome[];
  readonly totals: PathTotals;
}

/** Collects a sweep's unit results (in unit order) into its result: what runSweep returns for a
 *  plain sweep, with the grid report for a grid sweep. Units run here and units read back from a
 *  queued sweep's store go through the same collector, so both report the same. */
export class SweepCollector {
  private readonly perPath: SweepPath[] = [];
  private readonly figures: UnitFigures[] = [];
  private readonly tallies = new ExpectationTallies();

  constructor(
    readonly def: SweepDefinition,
    readonly scenarioName: string,
  ) {}

  get units(): number {
    return this.perPath.length;
  }

  add(r: UnitResult): void {
    this.push(r.point, r.path, r.expectations, () => ({
      shortfallBps: r.path.shortfallBps,
      fillRatio: r.path.fillRatio,
    }));
  }

  /** Adds a unit as a queued sweep stores it (see StoredUnitResult). */
  addStored(r: StoredUnitResult): void {
    this.push(r.point, r.path, r.expectations, () => r.totals);
  }

  private push(
    point: number,
    path: SweepPath,
    expectations: readonly ExpectationOutcome[],
    totals: () => PathTotals,
  ): void {
    const grid = this.def.grid.length > 0;
    // A unit stored before paths had a net P&L has none.
    const p = path.netPnl === undefined ? { ...path, netPnl: null } : path;
    this.perPath.push(grid ? { ...p, point } : p);
    this.tallies.add(expectations);
    if (grid)
      this.figures.push({
        point,
        path: path.path,
        passed: path.passed,
        netPnl: p.netPnl,
        costs: path.costs ?? null,
        trading: path.trading ?? null,
        ...totals(),
      });
  }

  /** `rank`: the figure a grid sweep's points are ranked by (default net P&L). */
  result(rank?: RankField): SweepResult {
    return {
      scenario: this.scenarioName,
      seed: this.def.seed,
      paths: this.def.paths,
      perPath: this.perPath,
      summary: summarize(this.perPath),
      expectations: this.tallies.result(),
      netPnl: metricStats(this.perPath.map((p) => p.netPnl)),
      costs: costStats(this.perPath),
      ...(this.def.grid.length > 0 ? { grid: gridReport(this.def.grid, this.figures, rank) } : {}),
    };
  }
}
