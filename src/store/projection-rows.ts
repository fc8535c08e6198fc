// The rows of the order and fill projections for a fold of a run's log: what RunWriter writes as
// it folds, and what verify-run.ts expects the store to hold when it folds the stored log again.
import type { OrderState } from '../core/order/apply-event.ts';
import type { AppliedTrade, ParentState } from '../core/order/order-ledger.ts';
import {
  fractionalTicksToPrice,
  lotsToQty,
  ticksToPrice,
  unitsToQuote,
  type Instrument,
} from '../core/model/instrument.ts';
import type { ParentOrderId } from '../core/model/ids.ts';

export function childOrderRow(runId: string, i: Instrument, o: OrderState): Record<string, unknown> {
  const r = o.request;
  return {
    runId,
    clientOrderId: r.clientOrderId,
    venueOrderId: o.venueOrderId,
    parentOrderId: r.parentId,
    sliceNum: r.sliceNum,
    totalSlices: r.totalSlices,
    scheduledTime: r.scheduledTime,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    tif: r.tif,
    status: o.status,
    qty: lotsToQty(i, r.qty),
    filledQty: lotsToQty(i, o.filledQty),
    avgPrice: o.filledQty > 0 ? fractionalTicksToPrice(i, o.filledNotional / o.filledQty) : null,
    limitPrice: r.limitPrice === undefined ? null : ticksToPrice(i, r.limitPrice),
    stopPrice: r.stopPrice === undefined ? null : ticksToPrice(i, r.stopPrice),
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
  };
}

/** A parent's children summed: filled lots, filled notional (ticks x lots), last update. */
export interface ChildTotals {
  filled: number;
  notional: number;
  updatedAt: number;
}

/** Parents live in the orders table too (no parent_order_id), with their children's totals. */
export function parentOrderRow(
  runId: string,
  i: Instrument,
  parentId: ParentOrderId,
  parent: ParentState,
  totals: ChildTotals,
): Record<string, unknown> {
  const spec = parent.spec;
  return {
    runId,
    clientOrderId: parentId,
    venueOrderId: null,
    parentOrderId: null,
    sliceNum: null,
    totalSlices: spec.totalSlices,
    scheduledTime: parent.createdAt,
    symbol: spec.symbol,
    side: spec.side,
    type: spec.type,
    tif: spec.tif,
    status: parent.completed?.status ?? 'working',
    qty: lotsToQty(i, spec.qty),
    filledQty: lotsToQty(i, totals.filled),
    avgPrice: totals.filled > 0 ? fractionalTicksToPrice(i, totals.notional / totals.filled) : null,
    limitPrice: spec.limitPrice === null ? null : ticksToPrice(i, spec.limitPrice),
    stopPrice: null,
    createdAt: parent.createdAt,
    updatedAt: Math.max(parent.createdAt, parent.completed?.at ?? 0, totals.updatedAt),
  };
}

/** What the fills table holds for a trade applied to one of our orders at log entry `seq`. */
export function fillRow(runId: string, i: Instrument, t: AppliedTrade, seq: number): unknown[] {
  return [
    runId,
    t.tradeId,
    t.clientOrderId,
    lotsToQty(i, t.qty),
    // An inferred fill's price is fractional (it makes the order's average the venue's).
    Number.isInteger(t.price) ? ticksToPrice(i, t.price) : fractionalTicksToPrice(i, t.price),
    unitsToQuote(i, t.fee),
    t.liquidity,
    t.venueTime,
    seq,
  ];
}
