// The order manager's decisions as events (issue 6): what came in, what it was refused for and
// at which stage, what it became. The dedup memory's records and the large-order audit are
// defined beside the code that makes them (signal-dedup.ts, pre-trade.ts) and logged as they are.
import type { LargeOrderConfirmed } from '../safety/pre-trade.ts';
import type { SignalDedupRecord } from '../safety/signal-dedup.ts';
import type { ParentOrderId } from './ids.ts';
import type { Side } from './order.ts';

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
