// Fill detection's observability, as events in the log: what would otherwise be log text is
// recorded here, so the run report, tests and the store read it the same way. Decimals that
// are not whole numbers (prices, bps) are strings, like every other payload: the canonical log
// holds integers, strings, booleans and null.
import type { ClientOrderId } from './ids.ts';
import type { OrderStatus } from './order-status.ts';

/** Monitoring of one sent order began (at its first submission). */
export interface FillMonitorStarted {
  readonly kind: 'FillMonitorStarted';
  readonly clientOrderId: ClientOrderId;
  readonly qty: number;
  /** Final verification starts this long after the venue first shows it has the order; null:
   *  never (a resting order watched until it ends). */
  readonly timeoutMs: number | null;
  /** Ticks the fill is measured against: the limit price, else the touch on our side; null without one. */
  readonly expectedPrice: number | null;
  readonly partialFillPolicy: string;
  readonly pollInitialMs: number;
}

/** Our record of the order's status moved, as the monitor saw it. */
export interface FillStatusObserved {
  readonly kind: 'FillStatusObserved';
  readonly clientOrderId: ClientOrderId;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly elapsedMs: number;
  readonly polls: number;
  /** push: a stream report or an answer to someone else's request; poll: our own status query. */
  readonly source: 'push' | 'poll';
}

/** Multi-method verification of an observation whose outcome differs from the last one. */
export interface FillVerified {
  readonly kind: 'FillVerified';
  readonly clientOrderId: ClientOrderId;
  readonly outcome: 'filled' | 'partially_filled' | 'not_filled';
  readonly filledQty: number;
  readonly agreed: readonly string[];
  readonly disagreed: readonly string[];
  /** 0-100. */
  readonly confidencePct: number;
  readonly contradictions: readonly string[];
  readonly source: 'push' | 'poll';
}

/** A status query failed; transient ones are retried after `retryInMs` (null: no retry). */
export interface FillQueryFailed {
  readonly kind: 'FillQueryFailed';
  readonly clientOrderId: ClientOrderId;
  readonly errorClass: 'transient' | 'permanent';
  readonly category: string;
  readonly reason: string;
  /** Failures in a row, this one included. */
  readonly attempt: number;
  readonly retryInMs: number | null;
}

export interface PartialFillDetected {
  readonly kind: 'PartialFillDetected';
  readonly clientOrderId: ClientOrderId;
  readonly filledQty: number;
  readonly remainingQty: number;
  readonly policy: string;
  /** What the policy did: accept (stop monitoring), cancel_remainder, wait; none after the first. */
  readonly action: 'accept' | 'cancel_remainder' | 'wait' | 'none';
}

export interface FillDeadlineReached {
  readonly kind: 'FillDeadlineReached';
  readonly clientOrderId: ClientOrderId;
  readonly status: OrderStatus;
  readonly filledQty: number;
  readonly polls: number;
}

export type FillResultKind = 'filled' | 'partial' | 'unfilled' | 'timeout' | 'unresolved';

/**
 * The result of monitoring one order. filled: all of it; partial: some (after the policy, a
 * cancel or the venue ending it); unfilled: the order ended with nothing filled before its
 * deadline (rejected, cancelled, expired); timeout: the deadline passed and final verification
 * proved nothing filled (the order was cancelled); unresolved: the venue could not be brought to
 * confirm a final state within the retry limits (the order may still be open).
 */
export interface FillMonitorEnded {
  readonly kind: 'FillMonitorEnded';
  readonly clientOrderId: ClientOrderId;
  readonly result: FillResultKind;
  readonly filledQty: number;
  readonly remainingQty: number;
  /** Average fill price, decimal string; null when nothing filled. */
  readonly avgPrice: string | null;
  /** Fees in quote currency, decimal string (converted; see fees.ts). */
  readonly fees: string;
  /** Signed bps against the expected price, positive = worse for us; null without both prices. */
  readonly slippageBps: string | null;
  /** Methods that agreed with the last verification. */
  readonly methods: readonly string[];
  readonly confidencePct: number;
  readonly elapsedMs: number;
  /** From the venue time of the last trade to detection; null when nothing filled. */
  readonly detectionLatencyMs: number | null;
  readonly polls: number;
  readonly apiCalls: number;
  readonly errors: number;
  /** What told us: a push, our poll, another reader's lookup (reconciliation, the retry logic),
   *  the final check at the deadline, or the check after a cancel. */
  readonly detectedBy: 'push' | 'poll' | 'lookup' | 'final_check' | 'post_cancel';
  /** Our cancel lost to a fill (the cancel was refused, the re-check found the fill). */
  readonly cancelRace: boolean;
  /** The order may still be working at the venue (accept policy, unresolved, no final verification). */
  readonly leftOpen: boolean;
}

export interface SlippageWarning {
  readonly kind: 'SlippageWarning';
  readonly clientOrderId: ClientOrderId;
  readonly expectedPrice: string;
  readonly avgPrice: string;
  readonly slippageBps: string;
  readonly thresholdBps: string;
}

/** The venue's position compared with ours after a fill (state consistency). */
export interface PositionChecked {
  readonly kind: 'PositionChecked';
  /** The order whose fill triggered the check. */
  readonly cause: ClientOrderId;
  readonly expected: number;
  readonly venue: number;
  readonly consistent: boolean;
  /** This check followed a position sync (lookups of every order that may hold unseen fills). */
  readonly afterSync: boolean;
  /** The symbol checked, when the node trades several (absent: the run's symbol). */
  readonly symbol?: string;
}

/** The venue's position differs from ours by what orders of unknown outcome (sent, not yet
 *  acknowledged or refused) could have filled: the check waits for them to resolve and asks again,
 *  instead of calling the difference a mismatch. */
export interface PositionCheckDeferred {
  readonly kind: 'PositionCheckDeferred';
  readonly cause: ClientOrderId;
  readonly expected: number;
  readonly venue: number;
  /** The orders whose outcome is awaited. */
  readonly orders: readonly ClientOrderId[];
}

/** A position mismatch: the orders that may hold fills we did not see are looked up. */
export interface PositionSyncStarted {
  readonly kind: 'PositionSyncStarted';
  readonly cause: ClientOrderId;
  readonly orders: readonly ClientOrderId[];
}

/** The end of a simulated run: our record against the simulated venue's own (the venue truth a
 *  live run never has); fill detection's figures are zero when it is off. */
export interface FillAudit {
  readonly kind: 'FillAudit';
  /** Monitored orders the venue filled (in whole or part). */
  readonly venueFilled: number;
  /** ...of which monitoring reported exactly the venue's filled quantity. */
  readonly detected: number;
  /** Results claiming more than the venue filled. */
  readonly falsePositives: number;
  /** Orders whose filled quantity in our record differs from the venue's at the end. */
  readonly ledgerMismatches: number;
  /** Lots, the account's: the baseline (AccountBaseline) plus our fills, and the venue's. */
  readonly expectedPosition: number;
  readonly venuePosition: number;
  /** Our orders still open at the venue at the end (a resting limit order the run left). */
  readonly openAtVenue: number;
  /** ...of which our record holds as ended: live orders nobody watches, a hidden risk. */
  readonly hiddenOpen: number;
  /** The positions of the node's other symbols, when it trades several (lots). */
  readonly others?: ReadonlyArray<{
    readonly symbol: string;
    readonly expectedPosition: number;
    readonly venuePosition: number;
  }>;
}

export type FillEvent =
  | FillMonitorStarted
  | FillStatusObserved
  | FillVerified
  | FillQueryFailed
  | PartialFillDetected
  | FillDeadlineReached
  | FillMonitorEnded
  | SlippageWarning
  | PositionChecked
  | PositionCheckDeferred
  | PositionSyncStarted
  | FillAudit;
