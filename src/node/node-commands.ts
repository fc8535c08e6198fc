// What drives a trading node: commands as data, and the typed answer to each. A scenario's timed
// inputs, an operator over HTTP and a strategy module all say what they want this way; the host
// runs each command as one unit of work (node.handle inside the process's runner), and what the
// command did is in the event log as well as in its answer.
import type { ParentRequest } from '../core/engine/engine-types.ts';
import type { SignalRequest } from '../core/engine/order-manager.ts';
import type { ClientOrderId, ParentOrderId } from '../core/model/ids.ts';
import type { LiquidityEvent } from '../core/model/liquidity-events.ts';
import type { Confirmation } from '../core/model/safety-events.ts';
import type { KillSwitchState } from '../core/risk/kill-switch.ts';

export type NodeCommand =
  /** A parent order (TWAP or single), through the startup gate and the pre-trade checks. */
  | {
      readonly kind: 'SubmitParent';
      readonly request: ParentRequest;
      readonly confirmations: readonly Confirmation[];
      readonly confirmedBy: string | null;
      /** An operator's new order: refused ('guards') while the kill switch, the breaker, a
       *  quarantine or the venue's hours would hold its first child, rather than made and held.
       *  Absent: the guards are the engine's, before every child (a scenario's orders). */
      readonly checkGuards?: boolean;
    }
  /** A signal, through the gate, dedup, the guards, the pre-trade and reduce-only checks. */
  | { readonly kind: 'EmitSignal'; readonly signal: SignalRequest }
  /** Cancels a parent's remaining slices and its children working at the venue. */
  | {
      readonly kind: 'CancelParent';
      readonly parentId: ParentOrderId;
      readonly reason: string;
      /** The strategy whose cancel output this is: a refusal is logged as that output refused
       *  (StrategyOutputRefused), as its refused signals are, since no caller reads the answer. */
      readonly strategy?: string;
    }
  /** Cancels every parent still working (a run's horizon): their remaining slices and their
   *  children at the venue. */
  | { readonly kind: 'CancelOpenParents'; readonly reason: string }
  /** Cancels one order: a single order's parent with it; a TWAP slice is cancelled with its parent. */
  | { readonly kind: 'CancelOrder'; readonly clientOrderId: ClientOrderId; readonly reason: string }
  | { readonly kind: 'SetKillSwitch'; readonly state: KillSwitchState; readonly actor: string; readonly reason: string }
  | { readonly kind: 'TripBreaker'; readonly actor: string; readonly reason: string }
  | { readonly kind: 'ResetBreaker'; readonly actor: string; readonly reason: string }
  /** Runs a reconciliation pass now (refused while one runs): an operator's, or, with `periodic`,
   *  the next periodic pass brought forward (a host's). */
  | { readonly kind: 'Reconcile'; readonly actor: string; readonly reason: string; readonly periodic?: boolean }
  /** Daily volumes the host read from the venue (or their absence), for the liquidity cap. */
  | { readonly kind: 'RecordDailyVolumes'; readonly readings: readonly LiquidityEvent[] }
  /** Opens the startup gate without waiting for startup reconciliation. */
  | { readonly kind: 'ForceReady'; readonly actor: string; readonly reason: string }
  | {
      readonly kind: 'ResolveOrphan';
      readonly clientOrderId: ClientOrderId;
      readonly resolution: 'adopt' | 'cancel';
      readonly actor: string;
      readonly reason: string;
    };

/** The answer to a command. `accepted`: it acted (with the ids it made or touched); `pending`:
 *  it waits for the venue (a reduce-only signal waiting for a fresh position); `refused`: it did
 *  nothing but what its events say, refused by `check` (the stage or rule) for `reason`. */
export type CommandResult =
  | { readonly outcome: 'accepted'; readonly ids: readonly string[] }
  | { readonly outcome: 'pending'; readonly reason: string }
  | { readonly outcome: 'refused'; readonly check: string; readonly code: string; readonly reason: string };

/** A signal that was accepted (it holds its dedup window) but whose parent was rejected in the
 *  same unit (its plan impossible, say): no parent was made, so the signal is answered refused,
 *  with the parent's stage and reason, rather than accepted under the id of a parent that does
 *  not exist. */
export const signalParentRejected = (
  parentId: string,
  rejected: { readonly stage?: string | undefined; readonly code?: string | undefined; readonly reason: string },
): CommandResult => ({
  outcome: 'refused',
  check: rejected.stage ?? 'plan',
  code: rejected.code ?? 'plan',
  reason: `the signal was accepted (it holds its dedup window), but its parent ${parentId} was rejected: ${rejected.reason}`,
});
