// Everything that goes into the event log: commands we issue, venue reports, and events we
// derive. The log entry wraps a payload with its sequence number and virtual time. Payloads
// hold only integers, strings, booleans and null so the canonical form (and the digest) is
// stable across machines.
import type { ClientOrderId, ParentOrderId } from './ids.ts';
import type { OrderRequest, OrderType, Side, TimeInForce } from './order.ts';
import type { OrderStatus } from './order-status.ts';
import type { VenueMessage } from './reports.ts';

export interface RunStarted {
  readonly kind: 'RunStarted';
  readonly scenario: string;
  readonly symbol: string;
  readonly startTime: number;
}
export interface ParentOrderCreated {
  readonly kind: 'ParentOrderCreated';
  readonly parentId: ParentOrderId;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly limitPrice: number | null;
  readonly totalSlices: number;
  /** Best bid and ask (ticks) when the parent started; null when that side was empty. */
  readonly arrivalBid: number | null;
  readonly arrivalAsk: number | null;
  /** Where it came from: a scenario order or a signal. */
  readonly source: string;
}
export interface OrderCreated extends Omit<OrderRequest, 'limitPrice' | 'stopPrice'> {
  readonly kind: 'OrderCreated';
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
}
export interface SubmitOrder {
  readonly kind: 'SubmitOrder';
  readonly clientOrderId: ClientOrderId;
}
export interface CancelOrder {
  readonly kind: 'CancelOrder';
  readonly clientOrderId: ClientOrderId;
  readonly reason: string;
}
export interface OrderStatusChanged {
  readonly kind: 'OrderStatusChanged';
  readonly clientOrderId: ClientOrderId;
  readonly from: OrderStatus;
  readonly to: OrderStatus;
  readonly filledQty: number;
  readonly cause: number; // seq of the event that caused it
}
export type DiscrepancyReason = 'transition_not_allowed' | 'overfill' | 'invalid_report' | 'unknown_order';

/** A report we already knew (a duplicate trade id): recorded, not applied, not a discrepancy. */
export interface ReportIgnored {
  readonly kind: 'ReportIgnored';
  readonly clientOrderId: ClientOrderId;
  readonly reason: 'duplicate_trade';
  readonly detail: string;
  readonly cause: number;
}

export interface DiscrepancyRecorded {
  readonly kind: 'DiscrepancyRecorded';
  readonly clientOrderId: ClientOrderId | null;
  readonly reason: DiscrepancyReason;
  readonly detail: string;
  readonly cause: number;
}
export interface ParentOrderCompleted {
  readonly kind: 'ParentOrderCompleted';
  readonly parentId: ParentOrderId;
  readonly status: 'filled' | 'partially_filled' | 'unfilled';
  readonly filledQty: number;
}
/** A fault the venue model applied (outage, rejection window...). */
export interface FaultApplied {
  readonly kind: 'FaultApplied';
  readonly fault: string;
  readonly detail: string;
}

/** Recorded market data skipped an update id: the book is stale until the next snapshot. */
export interface MarketDataGap {
  readonly kind: 'MarketDataGap';
  readonly expectedId: number;
  readonly gotId: number;
  readonly lastId: number;
}
/** The replayed book was (re)built from a snapshot. */
export interface MarketDataRebuilt {
  readonly kind: 'MarketDataRebuilt';
  readonly lastUpdateId: number;
}
/** The recorded data ran out; the market stays as it was. */
export interface MarketDataEnded {
  readonly kind: 'MarketDataEnded';
  readonly messages: number;
}

export type OrderCommand = SubmitOrder | CancelOrder;

export type ExecEvent =
  | RunStarted
  | ParentOrderCreated
  | OrderCreated
  | OrderCommand
  | VenueMessage
  | OrderStatusChanged
  | DiscrepancyRecorded
  | ReportIgnored
  | ParentOrderCompleted
  | FaultApplied
  | MarketDataGap
  | MarketDataRebuilt
  | MarketDataEnded;

export type ExecEventKind = ExecEvent['kind'];

export interface LogEntry<E extends ExecEvent = ExecEvent> {
  readonly seq: number;
  readonly time: number;
  readonly event: E;
}
