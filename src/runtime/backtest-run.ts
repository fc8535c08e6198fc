// Composition root of a backtest: the virtual clock, the seeded Rng, the log and its sinks, the
// world of processes (backtest-world.ts), then the clock advanced to the horizon in chunks of
// wall time, between which the store's heartbeat, progress and a stop signal are heard; returns
// the run report. The only place a backtest touches the wall clock: docs/0065-the-host-layer.md.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { VirtualClock } from '../core/clock/virtual-clock.ts';
import { Rng } from '../core/clock/rng.ts';
import { EventLog } from '../core/log/event-log.ts';
import { type RunId, runId as toRunId } from '../core/model/ids.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { LogEntry } from '../core/model/events.ts';
import { scenarioInstruments } from '../scenario/scenario-requests.ts';
import type { LoadedScenario } from '../scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../core/model/time-fields.ts';
import type { RunStore } from '../store/run-store.ts';
import { prepareRun, type RollbackSink } from '../host/backtest-world.ts';
import { algorithmResolver } from '../strategy/load-algorithm.ts';
import { advanceInChunks } from '../host/clock-chunks.ts';
import { runReport, type RunReport } from '../host/run-report.ts';
import { RunInterrupted, StopRequested } from '../host/run-interrupted.ts';
import { backtestRunRow, RunReportSink, StoredBacktest } from '../host/stored-backtest.ts';
import { buildVenue } from '../scenario/build-venue.ts';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  readonly seed?: number;
  /** Where to store the run; omitted = not stored (tests, sweeps). */
  readonly store?: RunStore;
  /** Called with every log entry (tests). */
  readonly onEntry?: (entry: LogEntry) => void;
  /** Called about every `progressEveryMs` of wall time while the clock advances. */
  readonly onProgress?: (progress: RunProgress) => void;
  /** Wall ms between progress calls (default 200). */
  readonly progressEveryMs?: number;
  /** The run's id, when the caller must know it before the run starts (a server answering 202
   *  with its location); a fresh one otherwise. */
  readonly runId?: string;
  /** The sweep the run re-runs a path of (drill-down), stored on its row. */
  readonly sweepId?: string;
  /** Builds the simulated venue and market instead of buildVenue (a benchmark runs the previous
   *  implementation, kept as a reference, through the same run). */
  readonly buildVenue?: typeof buildVenue;
  /** Where a replay market's parsed cache lives (beside the run's store, say); null: none;
   *  absent: the environment's (EXECSIM_REPLAY_CACHE, else the user's cache directory). */
  readonly replayCacheDir?: string | null;
}

export interface RunProgress {
  readonly runId: RunId;
  /** Virtual time covered so far, and the run's whole horizon, ms. */
  readonly simulatedMs: number;
  readonly totalMs: number;
  /** Events logged so far. */
  readonly events: number;
  /** Wall time since the clock started advancing, ms. */
  readonly wallMs: number;
}

export { prepareRun, type PreparedRun } from '../host/backtest-world.ts';
export { runReport, type RunReport } from '../host/run-report.ts';
export { RunInterrupted } from '../host/run-interrupted.ts';
export { backtestRunRow } from '../host/stored-backtest.ts';

export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): RunReport {
  const steps = runSteps(loaded, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * runScenario that lets the event loop run between chunks of clock advance. When `signal` is
 * aborted, the run stops at the next chunk, is stored as 'interrupted' with the abort reason
 * (the signal's name, say), and RunInterrupted is thrown.
 */
export async function runScenarioAsync(
  loaded: LoadedScenario,
  options: RunOptions & { readonly signal?: AbortSignal } = {},
): Promise<RunReport> {
  const steps = runSteps(loaded, options);
  let step = steps.next();
  while (!step.done) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    const { signal } = options;
    step = signal?.aborted ? steps.throw(new StopRequested(String(signal.reason))) : steps.next();
  }
  return step.value;
}

/** The venue builder, handing every venue the run builds (restarts and history worlds too) the
 *  replay cache's directory the options give. */
function withReplayCache(options: RunOptions): typeof buildVenue | undefined {
  const { replayCacheDir } = options;
  if (replayCacheDir === undefined) return options.buildVenue;
  const build = options.buildVenue ?? buildVenue;
  return (s, file, clock, rng, instrument, start, record, venueOptions = {}) =>
    build(s, file, clock, rng, instrument, start, record, { ...venueOptions, replayCacheDir });
}

/** The run, yielding between chunks of clock advance. */
function* runSteps(loaded: LoadedScenario, options: RunOptions): Generator<void, RunReport, void> {
  const s = loaded.scenario;
  const seed = options.seed ?? s.seed;
  const instrument = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const end = start + parseDurationMs(s.duration);
  const id = toRunId(options.runId ?? `run-${randomUUID()}`);

  const clock = new VirtualClock(start);
  const rng = new Rng(seed);
  const log = new EventLog(clock);
  const others = s.otherInstruments.length > 0 ? scenarioInstruments(s, instrument).all.slice(1) : [];
  const report = new RunReportSink(
    instrument,
    others,
    s.report.markoutsMs,
    s.report.equityIntervalMs,
    s.restarts.length > 0,
  );
  const sinks: RollbackSink[] = [report];
  if (options.onEntry) {
    const onEntry = options.onEntry;
    sinks.push({ write: (entry) => onEntry(entry) });
  }
  const { store } = options;
  const row = store ? backtestRunRow(loaded, id, seed, new Date().toISOString(), options.sweepId) : null;
  const stored = store && row ? new StoredBacktest(store, id, row, instrument, s.restarts.length > 0, others) : null;
  if (stored) sinks.push(stored.sink);

  const wallStart = performance.now();
  try {
    const run = prepareRun({
      scenario: s,
      file: loaded.file,
      clock,
      rng,
      log,
      instrument,
      start,
      sinks,
      readStore: stored ? () => stored.entries() : null,
      venueBuilder: withReplayCache(options),
      strategy: loaded.strategy,
      swaps: loaded.swaps,
      seed,
      ...(loaded.algorithms.size > 0
        ? { algorithms: () => algorithmResolver(loaded.algorithms, () => clock.now(), seed) }
        : {}),
    });
    // The P&L's last mark: each book as the run ends.
    const symbols = [instrument, ...others].map((i) => i.symbol);
    const endTops = run.topsAt(end, symbols);
    let lastProgress = wallStart;
    const every = options.progressEveryMs ?? 200;
    const clockActions = yield* advanceInChunks(clock, start, end, (reached) => {
      stored?.heartbeat();
      const now = performance.now();
      if (!options.onProgress || now - lastProgress < every) return;
      lastProgress = now;
      const [simulatedMs, totalMs, events, wallMs] = [reached - start, end - start, run.log.count, now - wallStart];
      options.onProgress({ runId: id, simulatedMs, totalMs, events, wallMs });
    });
    run.audit();
    run.end();
    endTops().forEach((top, i) => report.fold.markEnd(symbols[i] as string, top, end));

    const wallMs = performance.now() - wallStart;
    const done = runReport({
      runId: id,
      scenario: s,
      seed,
      log: run.log,
      summary: report.fold.summary(),
      clockActions,
      simulatedMs: end - start,
      wallMs: Math.round(wallMs * 1000) / 1000,
    });
    stored?.finishWith(done, end, run.log.count);
    return done;
  } catch (err) {
    if (err instanceof StopRequested) {
      stored?.interrupt(err.reason, new Date().toISOString());
      throw new RunInterrupted(id, err.reason, false);
    }
    const message = err instanceof Error ? err.message : String(err);
    stored?.fail(message, new Date().toISOString());
    throw err;
  }
}
