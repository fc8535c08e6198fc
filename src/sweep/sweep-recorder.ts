// Records a sweep into the store as it runs: paths are collected and written in batches (every
// BATCH_PATHS paths, or once BATCH_WALL_MS of wall time passed since the last batch), one
// transaction each, which also advances the sweep's paths_done and heartbeat. The end (finished,
// failed, interrupted) writes what is left in the same transaction as the status. A path's
// figures per parent come from its full parent reports: shortfall (bps and quote), fill ratio,
// VWAP slippage, filled quantity, duration and status; the path itself gets a shortfall over all
// its parents (bps of the arrival notional of what filled) and a fill ratio over all of them.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ParentReport } from '../core/report/run-report.ts';
import type { ScenarioSource } from '../scenario/load-scenario.ts';
import type { StoredPath, SweepStore } from '../store/sweep-store.ts';
import { codeVersion } from '../store/code-version.ts';
import { numberOrNull, SweepPathError, type SweepPath, type SweepResult } from './sweep.ts';
import type { ParentFigures, UnitResult } from './sweep-units.ts';
import { gridPointCount, type GridAxis } from './sweep-grid.ts';

export const BATCH_PATHS = 100;
export const BATCH_WALL_MS = 250;

/** A fresh sweep id. */
export const newSweepId = (): string => `sweep-${randomUUID()}`;

/** A scenario with the text it was parsed from (a stored sweep keeps the text to re-run a path). */
/** The sweep row's fields for `source` swept `paths` times from `sweepSeed`. */
export function newSweep(
  id: string,
  source: ScenarioSource,
  sweepSeed: number,
  paths: number,
  grid: readonly GridAxis[] = [],
) {
  const { loaded } = source;
  return {
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    scenarioFile: loaded.file,
    scenarioSource: source.text,
    sweepSeed,
    paths: paths * gridPointCount(grid),
    gridJson: grid.length > 0 ? JSON.stringify(grid) : null,
    codeVersion: codeVersion(),
    createdAt: new Date().toISOString(),
  };
}

/** The stored form of a path: its row and its parents' rows. `unit` is the row's number in the
 *  sweep (the path index in a plain sweep) and `point` its grid point (0 in a plain sweep). */
export function storedPath(
  p: SweepPath,
  parents: readonly ParentFigures[],
  unit: number = p.path,
  point = 0,
): StoredPath {
  const placed = new Set(parents.map((r) => r.id));
  // A scenario order refused before it became a parent gets a row too, as absent: a parent that
  // is refused on every path is then still listed, with its status counts.
  const refused = Object.keys(p.parents).filter((id) => !placed.has(id) && p.parents[id]?.status === 'absent');
  return {
    path: unit,
    point,
    seed: p.seed,
    digest: p.digest,
    passed: p.passed,
    error: null,
    shortfallBps: p.shortfallBps,
    fillRatio: p.fillRatio,
    parents: [
      ...parents.map((r) => ({
        parentId: r.id,
        status: r.status,
        shortfallBps: r.shortfallBps,
        shortfallQuote: numberOrNull(r.shortfallQuote),
        fillRatio: r.fillRatio,
        vwapSlippageBps: r.vwapSlippageBps,
        filledQty: numberOrNull(r.filledQty),
        durationMs: r.durationMs,
      })),
      ...refused.map((id) => ({
        parentId: id,
        status: 'absent',
        shortfallBps: null,
        shortfallQuote: null,
        fillRatio: null,
        vwapSlippageBps: null,
        filledQty: null,
        durationMs: null,
      })),
    ],
  };
}

/** What a finished sweep's row keeps of its result (summary_json): the summary, the expectations'
 *  tallies and a grid sweep's report. */
export function summaryJson(result: SweepResult): string {
  return JSON.stringify({
    summary: result.summary,
    expectations: result.expectations,
    ...(result.grid ? { grid: result.grid } : {}),
  });
}

export interface RecorderOptions {
  readonly batchPaths?: number;
  readonly batchWallMs?: number;
}

export class SweepRecorder {
  private pending: StoredPath[] = [];
  private lastFlush = performance.now();
  private written = 0;
  private readonly batchPaths: number;
  private readonly batchWallMs: number;

  constructor(
    private readonly store: SweepStore,
    readonly sweepId: string,
    options: RecorderOptions = {},
  ) {
    this.batchPaths = options.batchPaths ?? BATCH_PATHS;
    this.batchWallMs = options.batchWallMs ?? BATCH_WALL_MS;
  }

  /** Paths written so far (whole, committed). */
  get pathsWritten(): number {
    return this.written;
  }

  /** Adds a path; writes the batch when it is full or old enough. True when it wrote one. */
  add(path: SweepPath, parents: readonly ParentReport[]): boolean {
    return this.push(storedPath(path, parents));
  }

  private push(row: StoredPath): boolean {
    this.pending.push(row);
    if (this.pending.length >= this.batchPaths || performance.now() - this.lastFlush >= this.batchWallMs) {
      this.flush();
      return true;
    }
    return false;
  }

  /** Adds a unit's result (its row is numbered by unit, with its grid point). */
  addUnit(r: UnitResult): boolean {
    return this.push(storedPath(r.path, r.parents, r.unit, r.point));
  }

  /** Writes the pending paths now (a batch boundary). */
  flush(): void {
    this.store.appendPaths(this.sweepId, this.pending, new Date().toISOString());
    this.written += this.pending.length;
    this.pending = [];
    this.lastFlush = performance.now();
  }

  finish(result: SweepResult): void {
    const summary = summaryJson(result);
    this.end(() => this.store.finish(this.sweepId, this.pending, summary, new Date().toISOString()));
  }

  /** The sweep failed: a failing path is stored with its error, then the status. */
  fail(err: unknown): void {
    const last = [...this.pending];
    if (err instanceof SweepPathError) {
      const why = err.cause instanceof Error ? err.cause.message : String(err.cause);
      last.push({
        path: err.unit,
        point: err.point,
        seed: err.seed,
        digest: null,
        passed: false,
        error: why,
        shortfallBps: null,
        fillRatio: null,
        parents: [],
      });
    }
    const message = err instanceof Error ? err.message : String(err);
    this.pending = last;
    this.end(() => this.store.fail(this.sweepId, last, message, new Date().toISOString()));
  }

  interrupt(reason: string): void {
    this.end(() => this.store.interrupt(this.sweepId, this.pending, reason, new Date().toISOString()));
  }

  private end(write: () => void): void {
    write();
    this.written += this.pending.length;
    this.pending = [];
  }
}
