// A scenario's timed inputs and horizon on a live process (a paper run's): the inputs go to a
// NodeHost on the process's clock, a resumed process skips those its log handled and refuses those
// due while no process ran, and the run ends once nothing is left to do, or at its horizon.
import type { LogEntry } from '../core/model/events.ts';
import type { ParentOrderId } from '../core/model/ids.ts';
import { parseDurationMs } from '../core/model/time-fields.ts';
import type { NodeCommand } from '../node/node-commands.ts';
import { AT_ONCE, NodeHost, type HostedProcess, type HostInput } from '../node/node-host.ts';
import { scenarioInputs } from '../scenario/scenario-commands.ts';
import { swapActionLabel, swapActionRequest } from '../scenario/swap-action.ts';
import type { SwapRequest } from '../strategy/strategy-slot.ts';
import type { LiveProcess } from './live-process.ts';

/** What is still working at the horizon is cancelled; this long to see the cancels confirmed. */
export const HORIZON_GRACE_MS = 30_000;

/** What is still working at the horizon is cancelled by this command. */
const HORIZON_CANCEL: NodeCommand = { kind: 'CancelOpenParents', reason: 'paper run horizon' };

export class LiveScenario {
  /** Inputs due while no process ran: a restart's ProcessRestarted names them. */
  readonly refused: readonly string[];
  private readonly host: NodeHost<SwapRequest>;
  private isReady = false;

  /** Schedules the scenario's inputs on `proc` (which starts from `prior`, null: a first
   *  process), and its end. */
  constructor(
    private readonly proc: LiveProcess,
    prior: readonly LogEntry[] | null,
  ) {
    const { loaded, instrument, clock } = proc.session;
    const { node, ledger, clock: iclock, crashedAt, start } = proc;
    const s = loaded.scenario;
    // Inputs arrive on the process's clock, each a unit of its inbox, and wait while the node
    // starts: a first process holds them until the gate opens, a resumed one only until its
    // restart ran (the gate refuses new orders until ready). Swaps (swap_strategy actions) are
    // the strategy's, held alike.
    const hosted: HostedProcess<SwapRequest> = { node, strategy: proc.strategy?.host ?? null, runner: AT_ONCE };
    const host = new NodeHost<SwapRequest>({ clock: iclock, current: () => hosted, holdSwaps: true });
    this.host = host;
    host.hold();
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
    this.refused = host.takeRefused();

    // The run ends when every input was delivered, every parent and order is done and every order
    // watched for its fills is verified, or at the scenario's duration of wall time, when what is
    // still working is cancelled (HORIZON_GRACE_MS to confirm).
    const horizon = start + parseDurationMs(s.duration);
    let horizonReached = false;
    proc.afterCommit((): void => {
      if (!this.isReady || node.reconciling) return;
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
  }

  /** The node started (a resumed process: its restart ran): held inputs run in order. */
  started(): void {
    this.host.release();
  }

  /** The gate opened (startup reconciliation done): held inputs run in order, and the run may
   *  end. */
  ready(): void {
    this.host.release();
    this.isReady = true;
  }
}
