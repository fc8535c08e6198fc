// Composition root of a backtest: builds the virtual clock, the seeded Rng, the event log with
// its sinks, the simulated venue and the engine from a validated scenario; schedules the
// scenario's orders and signals; advances the clock to the end of the horizon; returns the run
// report and stores the run. The only place a backtest touches the wall clock (for wallMs).
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { Rng } from '../core/clock/rng.ts';
import { EventLog } from '../core/log/event-log.ts';
import { type RunId, runId as toRunId } from '../core/model/ids.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { LogEntry } from '../core/model/events.ts';
import { checkExpectations, type ExpectationResult } from '../core/report/expectations.ts';
import { RunReportFold, type LogSummary, type ParentReport } from '../core/report/run-report.ts';
import type { FillMetrics } from '../core/report/fill-metrics.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../scenario/time-fields.ts';
import type { RunStore, RunWriter } from '../store/run-store.ts';
import { codeVersion } from './code-version.ts';
import { prepareRun, type RollbackSink } from './harness.ts';

export interface RunReport {
  readonly runId: RunId;
  readonly scenario: string;
  readonly seed: number;
  readonly digest: string;
  readonly events: number;
  /** Clock actions fired: every simulated event (market steps, trades, latency hops, slices). */
  readonly clockActions: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly eventsPerSec: number;
  readonly passed: boolean;
  readonly expectations: readonly ExpectationResult[];
  readonly parents: readonly ParentReport[];
  readonly fills: number;
  readonly discrepancies: number;
  /** Client order ids the venue acknowledged as two orders, or slices created twice: must be []. */
  readonly duplicateOrders: readonly string[];
  /** Fill detection metrics (null when fill detection is off). */
  readonly fillDetection: FillMetrics | null;
  /** Each signal's fate: accepted (with the parent id derived from its fingerprint) or rejected. */
  readonly signals: LogSummary['signals'];
  /** Parents refused before creation (pre-trade denials, failed TWAP plans). */
  readonly rejectedParents: LogSummary['rejectedParents'];
  /** Restarts, reconciliation passes, mismatches, skipped updates, orphans, slice recovery. */
  readonly reconciliation: LogSummary['reconciliation'];
  /** What the faults did to our orders: unknown outcomes, resends, refusals, fills found by query. */
  readonly faults: LogSummary['faults'];
}

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Where to store the run; omitted = not stored (tests, sweeps). */
  readonly store?: RunStore;
  /** Called with every log entry (tests). */
  readonly onEntry?: (entry: LogEntry) => void;
}


export { prepareRun, type PreparedRun } from './harness.ts';

export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): RunReport {
  const s = loaded.scenario;
  const seed = options.seed ?? s.seed;
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const end = start + parseDurationMs(s.duration);
  const id = toRunId(`run-${randomUUID()}`);

  const clock = new VirtualClock(start);
  const rng = new Rng(seed);
  const log = new EventLog(clock);
  const sinks: RollbackSink[] = [];
  let fold = new RunReportFold(instrument);
  sinks.push({
    write: (entry) => fold.add(entry),
    rollback: (durable) => {
      fold = new RunReportFold(instrument);
      for (const entry of durable) fold.add(entry);
    },
  });
  if (options.onEntry) {
    const onEntry = options.onEntry;
    sinks.push({ write: (entry) => onEntry(entry) });
  }

  let writer: RunWriter | null = null;
  const { store } = options;
  if (store) {
    store.createRun({
      id,
      scenarioName: s.name,
      scenarioHash: loaded.hash,
      scenarioJson: loaded.canonical,
      seed,
      codeVersion: codeVersion(),
      startedAt: new Date().toISOString(),
      simStart: start,
    });
    // Writes each commit of the log as one transaction: the store holds the durable log, which
    // is what a restarted process reads back.
    writer = store.writer(id, instrument);
    sinks.push(writer);
  }

  const wallStart = performance.now();
  try {
    const run = prepareRun(s, loaded.file, clock, rng, log, instrument, start, sinks, store ? () => [...store.entries(id)] : null);
    const clockActions = clock.advanceTo(end);
    run.audit();

    const wallMs = performance.now() - wallStart;
    const summary = fold.summary();
    const expectations = checkExpectations(s.expect, summary);
    const report: RunReport = {
      runId: id,
      scenario: s.name,
      seed,
      digest: run.log.digest(),
      events: run.log.count,
      clockActions,
      simulatedMs: end - start,
      wallMs: Math.round(wallMs * 1000) / 1000,
      eventsPerSec: wallMs > 0 ? Math.round((run.log.count / wallMs) * 1000) : 0,
      passed: expectations.every((e) => e.pass),
      expectations,
      parents: summary.parents,
      fills: summary.fills,
      discrepancies: summary.discrepancies,
      duplicateOrders: summary.duplicateOrders,
      fillDetection: summary.fillDetection,
      signals: summary.signals,
      rejectedParents: summary.rejectedParents,
      reconciliation: summary.reconciliation,
      faults: summary.faults,
    };
    if (store && writer) {
      store.finishRun(writer, {
        digest: report.digest,
        simEnd: end,
        eventCount: run.log.count,
        finishedAt: new Date().toISOString(),
        reportJson: JSON.stringify(report),
        passed: report.passed,
      });
    }
    return report;
  } catch (err) {
    store?.failRun(writer, id, err instanceof Error ? err.message : String(err), new Date().toISOString());
    throw err;
  }
}
