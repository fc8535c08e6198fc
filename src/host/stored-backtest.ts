// How a backtest is kept: its report fold, rebuilt from the durable log after a crash, and its
// rows in the store (when it has one), written the way its restarts need.
import { performance } from 'node:perf_hooks';
import type { Instrument } from '../core/model/instrument.ts';
import type { LogEntry, MarketSampled } from '../core/model/events.ts';
import { withSamples } from '../core/log/with-samples.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import { RunReportFold } from '../core/report/run-report.ts';
import { parseUtcInstant } from '../core/model/time-fields.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { codeVersion } from '../store/code-version.ts';
import type { NewRun, RunStore, RunTotals, RunWriter } from '../store/run-store.ts';
import { canWriteFromThread, ThreadedRunWriter } from '../store/threaded-writer.ts';
import type { RollbackSink } from './backtest-world.ts';
import type { RunReport } from './run-report.ts';

/** The run's report fold as a sink of every process's log: after a crash it is folded again from
 *  the durable log and the market samples the processes took up to their last commit. A sample
 *  is no entry of the log (the durable log has none), yet the market a fill met before a crash
 *  is what its cost split, markouts and the equity curve are measured against; the store keeps
 *  the samples written with each commit, and so does the fold. */
export class RunReportSink implements RollbackSink {
  fold: RunReportFold;
  /** With `keepSamples` (a run that can crash): the samples taken, in order; those up to the
   *  last commit survive a crash. */
  private readonly samples: LogEntry<MarketSampled>[] = [];
  private committedSamples = 0;

  constructor(
    private readonly instrument: Instrument,
    private readonly others: readonly Instrument[],
    /** The markouts' horizons (the scenario's report.markoutsMs; absent: the defaults). */
    private readonly markoutsMs?: readonly number[],
    /** The equity curve's sampling interval for the statistics (report.equityIntervalMs). */
    private readonly equityIntervalMs?: number,
    /** Whether the run can crash (it has restarts): only then are samples kept for a refold. */
    private readonly keepSamples = false,
  ) {
    this.fold = new RunReportFold(instrument, others, markoutsMs, equityIntervalMs);
  }

  write(entry: LogEntry): void {
    this.fold.add(entry);
    if (this.keepSamples && entry.event.kind === 'MarketSampled') this.samples.push(entry as LogEntry<MarketSampled>);
  }

  commit(): void {
    this.committedSamples = this.samples.length;
  }

  rollback(durable: readonly LogEntry[]): void {
    this.fold = new RunReportFold(this.instrument, this.others, this.markoutsMs, this.equityIntervalMs);
    // What the crash lost: the entries after the durable log, and the samples after the commit
    // (each kept one followed a durable entry: its seq places it among them).
    this.samples.length = this.committedSamples;
    for (const entry of withSamples(durable, this.samples)) this.fold.add(entry);
  }

  /** Each process's ledger folds every entry anyway: the report reads its orders from it. */
  follow(ledger: OrderLedger): void {
    this.fold.follow(ledger);
  }
}

/** A backtest's row in the store's runs table as it starts (a run taken off a queue before it
 *  started is stored with the same row: run-pool-unstarted.ts). */
export function backtestRunRow(
  loaded: LoadedScenario,
  id: string,
  seed: number,
  startedAt: string,
  sweepId?: string,
): NewRun {
  const s = loaded.scenario;
  return {
    id,
    scenarioName: s.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed,
    codeVersion: codeVersion(),
    startedAt,
    simStart: parseUtcInstant(s.start),
    ...(sweepId !== undefined ? { sweepId } : {}),
  };
}

/** How often (wall ms) a run without restarts marks its whole units between chunks: the
 *  writers write at most about once a second anyway (their heartbeat). */
const MARK_UNITS_EVERY_MS = 250;

/**
 * A backtest's rows in the store, created as it starts. A run with restarts is continued from the
 * store: each commit of the log is one transaction, written before an order leaves (write-ahead),
 * and the store holds the durable log at every restart. A run without restarts is run again,
 * never continued: its commits are grouped into large transactions (whole commit units only; a
 * crash loses the units not yet written). A grouped run in a database file hands its writes to a
 * thread (threaded-writer.ts), so SQLite's inserts run beside the simulation instead of in it,
 * and leaves its order, fill and orphan rows to be built from its log when first read
 * (deferred-projection.ts).
 */
export class StoredBacktest {
  private readonly writer: RunWriter | null = null;
  private readonly threaded: ThreadedRunWriter | null = null;
  /** When the units were last marked between chunks (wall ms). */
  private markedAt = 0;
  /** The log's sink that writes the run's rows. */
  readonly sink: RollbackSink;

  constructor(
    private readonly store: RunStore,
    private readonly id: string,
    row: NewRun,
    instrument: Instrument,
    private readonly restarts: boolean,
    /** The run's further instruments: their rows are written in their own decimals. */
    others: readonly Instrument[] = [],
  ) {
    store.createRun(row);
    if (!restarts && canWriteFromThread(store)) this.sink = this.threaded = new ThreadedRunWriter(store, id);
    else
      this.sink = this.writer = store.writer(id, instrument, {
        commits: restarts ? 'durable' : 'grouped',
        ...(others.length > 0 ? { others } : {}),
      });
  }

  /** The store's log, for a restart. */
  entries(): readonly LogEntry[] {
    return [...this.store.entries(this.id)];
  }

  /** The run is alive (between chunks of clock advance). Between chunks no piece of work is
   *  half done, so what the run logged so far is whole units: a run without restarts (whose log
   *  commits only as an order leaves) marks them, so that what it logs after its last order (its
   *  fills, reconciliation passes and samples) is written within about a second as well, with
   *  the heartbeat that tells readers it is alive. */
  heartbeat(): void {
    const now = performance.now();
    if (!this.restarts && now - this.markedAt >= MARK_UNITS_EVERY_MS) {
      this.markedAt = now;
      this.writer?.unitEnd();
      this.threaded?.unitEnd();
    }
    this.writer?.heartbeat();
    this.threaded?.heartbeat();
  }

  /** Stores the finished run's report. Built only for a stored run: the report's JSON was about
   *  3% of an unstored sweep path's time, for nothing. */
  finishWith(report: RunReport, simEnd: number, eventCount: number): void {
    this.finish({
      digest: report.digest,
      simEnd,
      eventCount,
      finishedAt: new Date().toISOString(),
      reportJson: JSON.stringify(report),
      parents: report.parents,
      passed: report.passed,
    });
  }

  private finish(totals: RunTotals): void {
    if (this.threaded) this.threaded.finish(totals);
    else if (this.writer) this.store.finishRun(this.writer, totals);
  }

  /** A stop, heard between chunks: what was logged is whole units, and is kept. */
  interrupt(reason: string, at: string): void {
    if (!this.restarts) {
      this.writer?.unitEnd();
      this.threaded?.unitEnd();
    }
    if (this.threaded) this.threaded.interrupt(reason, at);
    else this.store.interruptRun(this.id, reason, at, this.writer);
  }

  fail(message: string, at: string): void {
    if (this.threaded) this.threaded.fail(message, at);
    else this.store.failRun(this.writer, this.id, message, at);
  }
}
