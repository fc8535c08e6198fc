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
import { codeVersion } from './code-version.ts';
import { SweepPathError, type SweepPath, type SweepResult } from './sweep.ts';

export const BATCH_PATHS = 100;
export const BATCH_WALL_MS = 250;

/** A fresh sweep id. */
export const newSweepId = (): string => `sweep-${randomUUID()}`;

/** A scenario with the text it was parsed from (a stored sweep keeps the text to re-run a path). */
/** The sweep row's fields for `source` swept `paths` times from `sweepSeed`. */
export function newSweep(id: string, source: ScenarioSource, sweepSeed: number, paths: number) {
  const { loaded } = source;
  return {
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    scenarioFile: loaded.file,
    scenarioSource: source.text,
    sweepSeed,
    paths,
    codeVersion: codeVersion(),
    createdAt: new Date().toISOString(),
  };
}

const num = (text: string | null): number | null => {
  if (text === null) return null;
  const x = Number(text);
  return Number.isFinite(x) ? x : null;
};

/** The stored form of a path: its row and its parents' rows. */
export function storedPath(p: SweepPath, parents: readonly ParentReport[]): StoredPath {
  let shortfall = 0;
  let arrivalNotional = 0;
  let filled = 0;
  let ordered = 0;
  for (const r of parents) {
    const q = num(r.filledQty) ?? 0;
    filled += q;
    ordered += num(r.qty) ?? 0;
    const sq = num(r.shortfallQuote);
    const arrival = num(r.arrivalPrice);
    if (sq !== null && arrival !== null && q > 0) {
      shortfall += sq;
      arrivalNotional += arrival * q;
    }
  }
  return {
    path: p.path,
    seed: p.seed,
    digest: p.digest,
    passed: p.passed,
    error: null,
    shortfallBps: arrivalNotional > 0 ? (shortfall / arrivalNotional) * 10_000 : null,
    fillRatio: parents.length > 0 && ordered > 0 ? filled / ordered : null,
    parents: parents.map((r) => ({
      parentId: r.id,
      status: r.status,
      shortfallBps: r.shortfallBps,
      shortfallQuote: num(r.shortfallQuote),
      fillRatio: r.fillRatio,
      vwapSlippageBps: r.vwapSlippageBps,
      filledQty: num(r.filledQty),
      durationMs: r.durationMs,
    })),
  };
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
    this.pending.push(storedPath(path, parents));
    if (this.pending.length >= this.batchPaths || performance.now() - this.lastFlush >= this.batchWallMs) {
      this.flush();
      return true;
    }
    return false;
  }

  /** Writes the pending paths now (a batch boundary). */
  flush(): void {
    this.store.appendPaths(this.sweepId, this.pending, new Date().toISOString());
    this.written += this.pending.length;
    this.pending = [];
    this.lastFlush = performance.now();
  }

  finish(result: SweepResult): void {
    const summary = JSON.stringify({ summary: result.summary, expectations: result.expectations });
    this.end(() => this.store.finish(this.sweepId, this.pending, summary, new Date().toISOString()));
  }

  /** The sweep failed: a failing path is stored with its error, then the status. */
  fail(err: unknown): void {
    const last = [...this.pending];
    if (err instanceof SweepPathError) {
      const why = err.cause instanceof Error ? err.cause.message : String(err.cause);
      last.push({
        path: err.path,
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
