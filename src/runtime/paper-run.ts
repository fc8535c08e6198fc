// Composition root of a paper run: the same trading node as a backtest, on the wall clock against
// a venue's paper account through its adapter, one live process (live-process.ts) with the
// scenario's inputs and horizon (live-scenario.ts); a run stopped or killed is continued by
// resumePaper from the store (docs/0017-the-live-boundary.md, docs/0065-the-host-layer.md).
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { canonicalJson } from '../core/log/canonical-json.ts';
import type { LogEntry } from '../core/model/events.ts';
import { runId as toRunId, type RunId } from '../core/model/ids.ts';
import { paperRefusal } from '../live/venue-registry.ts';
import { parseScenarioFile, type LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import type { AlgoEntry } from '../scenario/execution-schema.ts';
import { ResumeRefused } from '../store/run-store.ts';
import { localLiveness, resumeRefusal } from '../store/run-state.ts';
import type { RunReport } from '../host/run-report.ts';
import { codeVersion } from '../store/code-version.ts';
import { connectVenue as connect, type LiveSession } from '../host/connect-venue.ts';
import { LiveProcess, type LiveOptions } from '../host/live-process.ts';
import { LiveScenario } from '../host/live-scenario.ts';
import { algorithmCodes, changedAlgorithm, changedStrategy, withStoredKeys } from '../host/changed-code.ts';

export { marketHoursWarning, VenueUnavailable } from '../host/connect-venue.ts';
export { RunInterrupted } from '../host/run-interrupted.ts';

export interface PaperOptions extends LiveOptions {
  readonly runId?: string;
}

export { HORIZON_GRACE_MS } from '../host/live-scenario.ts';

export async function runPaper(loaded: LoadedScenario<ScenarioFile>, options: PaperOptions): Promise<RunReport> {
  const refusal = paperRefusal(loaded.scenario);
  if (refusal !== null) throw new ResumeRefused(refusal);
  const id = toRunId(options.runId ?? `run-${randomUUID()}`);
  const session = await connect(loaded, options, id);
  const start = session.clock.now();
  options.store.createRun({
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: storedScenario(loaded),
    seed: loaded.scenario.seed,
    codeVersion: codeVersion(),
    startedAt: new Date(start).toISOString(),
    simStart: start,
    mode: 'paper',
    algorithmCodes: algorithmCodes(loaded),
    venueUrl: options.venueUrl,
    marketHours: options.marketHours ?? 'venue',
  });
  return drive(session, options, id, start, null);
}

/** Continues a paper run whose process died (a kill -9 leaves it 'crashed') or was stopped by a
 *  signal ('interrupted'), from the store: startup reconciliation, zombie-slice recovery, fill
 *  watches resumed, inputs not yet due rescheduled, and the market since the oldest open parent
 *  read back from the venue's history, so benchmarks span the restart
 *  (docs/0033-benchmarks-across-restarts.md). */
export async function resumePaper(id: string, options: PaperOptions): Promise<RunReport> {
  const row = options.store.getRun(id);
  // Checked again by claimRun when it takes the run over; here before anything connects (row is
  // undefined only with a refusal).
  const refusal = resumeRefusal(id, row, localLiveness(), options.store.db.name);
  if (refusal !== null || row === undefined) throw new ResumeRefused(refusal ?? `no run "${id}"`);
  const stored = parseScenarioFile(options.store.scenarioJson(id), `run ${id}`);
  // The log before the venue: one that no longer reads (edited by hand) stops nothing half-done.
  const entries = [...options.store.entries(id)];
  const changed = changedStrategy(stored, entries) ?? changedAlgorithm(row.algorithm_codes, stored);
  if (changed !== null) throw new ResumeRefused(`run ${id}: ${changed}`);
  const loaded = withStoredKeys(stored, row.algorithm_codes);
  // The venue first: a run is only taken over when it can go on.
  const session = await connect(loaded, options, id);
  try {
    options.store.claimRun(id, localLiveness(), 'paper', {
      venueUrl: options.venueUrl,
      marketHours: options.marketHours ?? 'venue',
    });
  } catch (err) {
    await session.venue.stop();
    throw err;
  }
  const started = entries.find((e) => e.event.kind === 'RunStarted');
  const start = started?.event.kind === 'RunStarted' ? started.event.startTime : row.sim_start;
  return drive(session, options, toRunId(id), start, entries);
}

/** The scenario as stored: its module paths (the strategy's, a swap_strategy action's, the
 *  algorithms section's, an order's or a signal's algo.path) made absolute, since a resume reads
 *  the scenario from the store, without the file its paths were relative to. */
export function storedScenario(loaded: LoadedScenario<ScenarioFile>): string {
  const s = loaded.scenario;
  const at = (module: string): string => resolve(dirname(loaded.file), module);
  const byPath = <T extends { readonly algo?: AlgoEntry | undefined }>(block: T): T =>
    block.algo?.kind === 'module' && block.algo.path !== undefined
      ? { ...block, algo: { ...block.algo, path: at(block.algo.path) } }
      : block;
  const modules = s.orders.some((o) => byPath(o) !== o) || s.signals.some((g) => byPath(g) !== g);
  if (!s.strategy && s.algorithms === undefined && !modules) return loaded.canonical;
  return canonicalJson({
    ...s,
    ...(s.strategy
      ? {
          strategy: { ...s.strategy, module: at(s.strategy.module) },
          actions: s.actions.map((a) => (a.kind === 'swap_strategy' ? { ...a, module: at(a.module) } : a)),
        }
      : {}),
    ...(s.algorithms !== undefined
      ? {
          algorithms: Object.fromEntries(
            Object.entries(s.algorithms).map(([name, d]) => [name, { ...d, path: at(d.path) }]),
          ),
        }
      : {}),
    orders: s.orders.map(byPath),
    signals: s.signals.map(byPath),
  });
}

/** The live process: wired, started, run to its end. `prior`: the stored log when resuming. */
async function drive(
  session: LiveSession,
  options: PaperOptions,
  id: RunId,
  start: number,
  prior: readonly LogEntry[] | null,
): Promise<RunReport> {
  const proc = new LiveProcess(session, options, id, start, prior);
  const scenario = new LiveScenario(proc, prior);
  // A resumed run's open parents began in an earlier process: their benchmarks (market windows
  // from their creation) need the market since the oldest of them, which the adapter reads from
  // the venue's history before anything here can complete a parent.
  await proc.begin(
    proc.marketSince(),
    scenario.refused,
    () => scenario.ready(),
    prior ? () => scenario.started() : undefined,
  );
  return proc.finish(await proc.ended);
}
