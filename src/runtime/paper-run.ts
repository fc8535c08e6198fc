// Composition root of a paper run: the same trading node as a backtest (src/node/), on the wall
// clock against a live venue's paper account through its adapter. Every adapter answer, timer and
// scenario input is one unit of work in the serial inbox (src/node/serial-inbox.ts), after which
// the log commits, and each send is written ahead; startup reconciles with the venue before
// anything is sent, taking the account as the run's baseline (docs/0017-the-live-boundary.md). A
// run stopped by a signal ('interrupted') or killed ('crashed') is continued by resumePaper from
// the store. A scenario's strategy module trades until the run's horizon (the duration); a
// resumed run starts a fresh instance of it, which warms up again from the venue's history. The
// only wall-time and Promise code of a run lives here and in src/live.
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { canonicalJson } from '../core/log/canonical-json.ts';
import type { LogEntry } from '../core/model/events.ts';
import { runId as toRunId, type ParentOrderId, type RunId } from '../core/model/ids.ts';
import { paperRefusal } from '../live/venue-registry.ts';
import { parseScenarioFile, type LoadedScenario } from '../scenario/load-scenario.ts';
import type { ScenarioFile } from '../scenario/schema.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import { ResumeRefused } from '../store/run-store.ts';
import { localLiveness, resumeRefusal } from '../store/run-state.ts';
import type { RunReport } from '../host/run-report.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { AT_ONCE, NodeHost, type HostedProcess, type HostInput } from '../node/node-host.ts';
import type { SwapRequest } from '../strategy/strategy-slot.ts';
import { codeVersion } from '../store/code-version.ts';
import { scenarioInputs } from '../scenario/scenario-commands.ts';
import { swapActionLabel, swapActionRequest } from '../scenario/swap-action.ts';
import { connectVenue as connect, type LiveSession } from '../host/connect-venue.ts';
import { LiveProcess, type LiveOptions } from '../host/live-process.ts';

export { marketHoursWarning, VenueUnavailable } from '../host/connect-venue.ts';
export { RunInterrupted } from '../host/run-interrupted.ts';

export interface PaperOptions extends LiveOptions {
  readonly runId?: string;
}

/** What is still working at the horizon is cancelled; this long to see the cancels confirmed. */
export const HORIZON_GRACE_MS = 30_000;

/** What is still working at the horizon is cancelled by this command. */
const HORIZON_CANCEL: NodeCommand = { kind: 'CancelOpenParents', reason: 'paper run horizon' };

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
  const loaded = parseScenarioFile(options.store.scenarioJson(id), `run ${id}`);
  // The log before the venue: one that no longer reads (edited by hand) stops nothing half-done.
  const entries = [...options.store.entries(id)];
  const changed = changedStrategy(loaded, entries);
  if (changed !== null) throw new ResumeRefused(`run ${id}: ${changed}`);
  // The venue first: a run is only taken over when it can go on.
  const session = await connect(loaded, options, id);
  try {
    options.store.claimRun(id);
  } catch (err) {
    await session.venue.stop();
    throw err;
  }
  const started = entries.find((e) => e.event.kind === 'RunStarted');
  const start = started?.event.kind === 'RunStarted' ? started.event.startTime : row.sim_start;
  return drive(session, options, toRunId(id), start, entries);
}

/** The scenario as stored: a strategy module's path made absolute, since a resume reads the
 *  scenario from the store, without the file its path was relative to. */
export function storedScenario(loaded: LoadedScenario<ScenarioFile>): string {
  const strategy = loaded.scenario.strategy;
  if (!strategy) return loaded.canonical;
  const at = (module: string): string => resolve(dirname(loaded.file), module);
  // A swap_strategy action's module too.
  const actions = loaded.scenario.actions.map((a) => (a.kind === 'swap_strategy' ? { ...a, module: at(a.module) } : a));
  return canonicalJson({ ...loaded.scenario, strategy: { ...strategy, module: at(strategy.module) }, actions });
}

/** Why a stored run cannot go on with the strategy module as it is now (its code changed since
 *  the run started: a resumed run runs the code it started with), or null. */
function changedStrategy(loaded: LoadedScenario<ScenarioFile>, entries: readonly LogEntry[]): string | null {
  const now = loaded.strategy;
  if (now === null) return null;
  for (const e of entries) {
    const ev = e.event;
    if (ev.kind !== 'StrategyStarted' || ev.role !== 'live') continue;
    if (ev.codeHash === now.codeHash) return null;
    return (
      `strategy.module: ${loaded.scenario.strategy?.module ?? now.module} has changed since the run started ` +
      `(code ${ev.codeHash} then, ${now.codeHash} now): restore it to resume the run, or start a new run`
    );
  }
  return null;
}

/** The live process: wired, started, run to its end. `prior`: the stored log when resuming. */
async function drive(
  session: LiveSession,
  options: PaperOptions,
  id: RunId,
  start: number,
  prior: readonly LogEntry[] | null,
): Promise<RunReport> {
  const { loaded, instrument, clock } = session;
  const s = loaded.scenario;
  const proc = new LiveProcess(session, options, id, start, prior);
  const { node, ledger, clock: iclock, crashedAt } = proc;

  // Inputs: the ones due after now are scheduled; on a resume, the ones due while no process ran
  // are refused (named in ProcessRestarted), as a backtest's restart refuses them. They arrive on
  // the process's clock, each a unit of its inbox, and wait while the node starts: a first process
  // holds them until the gate opens, a resumed one only until its restart ran (the gate refuses
  // new orders until ready). Swaps (swap_strategy actions) are the strategy's, held alike.
  const hosted: HostedProcess<SwapRequest> = { node, strategy: proc.strategy?.host ?? null, runner: AT_ONCE };
  const host = new NodeHost<SwapRequest>({ clock: iclock, current: () => hosted, holdSwaps: true });
  host.hold();
  let ready = false;
  const now = clock.now();
  const inputs = scenarioInputs(s, instrument);
  // What the dead process handled: an order, when its parent is in the log (created, or
  // refused by the checks); any other input, when it was due before the last logged event. An
  // order due earlier but not in the log never reached the engine (it waited behind the startup
  // gate when the process died): it is due while no process ran, so it is refused and named.
  const refusedBefore = new Set<string>();
  for (const e of prior ?? []) if (e.event.kind === 'ParentRejected') refusedBefore.add(e.event.parentId);
  const handledBefore = (input: (typeof inputs)[number], due: number): boolean =>
    input.parentId !== null
      ? ledger.parents.has(input.parentId as ParentOrderId) || refusedBefore.has(input.parentId)
      : due <= crashedAt;
  const timed: Array<{ input: HostInput<SwapRequest>; due: number; handled: boolean }> = inputs.map((input) => {
    const due = start + input.atMs;
    return { input, due, handled: prior !== null && handledBefore(input, due) };
  });
  // A swap due before the crash was handled (the log holds its request, which the slot reads).
  for (const { action, candidate } of loaded.swaps) {
    const a = s.actions[action];
    if (a?.kind !== 'swap_strategy') continue;
    const due = start + parseDurationMs(a.at);
    const swap = { label: swapActionLabel(a), swap: swapActionRequest(a, candidate) };
    timed.push({ input: swap, due, handled: prior !== null && due <= crashedAt });
  }
  for (const { input, due, handled } of timed) {
    if (handled) continue;
    if (prior && due <= now) host.refuse(input.label);
    else host.schedule(input, due - now);
  }
  const refused = host.takeRefused();

  // The run ends when every input was delivered, every parent and order is done and every order
  // watched for its fills is verified, or at the scenario's duration of wall time, when what is
  // still working is cancelled (HORIZON_GRACE_MS to confirm).
  const horizon = start + parseDurationMs(s.duration);
  let horizonReached = false;
  proc.afterCommit((): void => {
    if (!ready || node.reconciling) return;
    // A strategy trades until the horizon, unless it stopped (failed) and what it made has run.
    if (!horizonReached && (host.pending > 0 || proc.strategy?.busy)) return;
    for (const p of ledger.parents.values()) if (p.completed === null && !horizonReached) return;
    if (ledger.openCount > 0) return;
    // An order done in the ledger may still be watched for its fills (a cancel answered before
    // the venue said how much had filled): the run goes on until that is verified.
    if (!horizonReached && node.watchedFills > 0) return;
    proc.end({});
  });
  iclock.schedule(
    () => {
      horizonReached = true;
      proc.strategy?.close('the paper run reached its horizon');
      node.handle(HORIZON_CANCEL);
      iclock.schedule(() => proc.end({}), HORIZON_GRACE_MS);
    },
    Math.max(0, horizon - now),
  );

  // The gate opens (startup reconciliation done): held inputs run in order, and the run may end.
  const unhold = (): void => host.release();
  const release = (): void => {
    unhold();
    ready = true;
  };
  // A resumed run's open parents began in an earlier process: their benchmarks (market windows
  // from their creation) need the market since the oldest of them, which the adapter reads from
  // the venue's history before anything here can complete a parent.
  await proc.begin(proc.marketSince(), refused, release, prior ? unhold : undefined);
  return proc.finish(await proc.ended);
}
