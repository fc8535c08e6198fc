// The order manager's decisions as events: what came in, what it was refused for and at which
// stage, what it became; the dedup memory's records (signal-dedup.ts makes them) and the
// large-order audit (pre-trade.ts). Here, at the bottom layer, so that the event types depend on
// nothing above them.
import type { ParentOrderId } from './ids.ts';
import type { Side } from './order.ts';

/** First: the large-order warning was acknowledged; second: the step-up above the hard limit. */
export const CONFIRMATIONS = ['large-order', 'hard-limit'] as const;
export type Confirmation = (typeof CONFIRMATIONS)[number];

export interface LargeOrderConfirmed {
  readonly kind: 'LargeOrderConfirmed';
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: string;
  /** Quantity and notional as exact decimal strings (instrument units, quote currency). */
  readonly qty: string;
  readonly notional: string;
  /** Which limits the order is above: 'notional', 'qty' (soft limits), 'hard-notional'. */
  readonly above: readonly string[];
  readonly confirmations: readonly Confirmation[];
  readonly confirmedBy: string | null;
}

// The dedup memory's records (event-log payloads: integers, strings, booleans, null only).
export interface SignalRegistered {
  readonly kind: 'SignalRegistered';
  readonly fingerprint: string;
  readonly symbol: string;
  readonly side: Side;
  /** Rounded entry price (decimal string), null for a market signal. */
  readonly price: string | null;
  readonly signalTime: number;
  readonly signalId: string | null;
  /** true when registered by markExecuted (executed without being admitted first). */
  readonly executed: boolean;
  /** Clock time of registration (integer ms): the TTL runs from here. */
  readonly at: number;
}
export interface SignalExecuted {
  readonly kind: 'SignalExecuted';
  readonly fingerprint: string;
  /** Clock time (integer ms): the TTL restarts from here. */
  readonly at: number;
}
export type SignalDedupRecord = SignalRegistered | SignalExecuted;

export interface SignalReceived {
  readonly kind: 'SignalReceived';
  readonly signalId: string;
  readonly fingerprint: string;
  readonly side: Side;
  /** Lots. */
  readonly qty: number;
  /** Ticks; null for a market signal. */
  readonly price: number | null;
  readonly reduceOnly: boolean;
  readonly confirmations: readonly string[];
  /** The strategy module that made the signal (absent: the scenario, the API or an operator). */
  readonly strategy?: string;
}
export interface SignalRejected {
  readonly kind: 'SignalRejected';
  readonly signalId: string;
  readonly fingerprint: string;
  readonly stage: 'gating' | 'dedup' | 'guards' | 'pre_trade' | 'reduce_only';
  readonly code: string;
  readonly reason: string;
}
export interface SignalAccepted {
  readonly kind: 'SignalAccepted';
  readonly signalId: string;
  readonly fingerprint: string;
  readonly parentId: ParentOrderId;
}

export type SafetyEvent = SignalReceived | SignalRejected | SignalAccepted | SignalDedupRecord | LargeOrderConfirmed;
