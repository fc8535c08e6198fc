// What the scripted venue holds about one order (its truth), and how that truth reads as the
// venue's answers: a lookup's full state, a listing row. Trades listed, or (as Alpaca answers)
// only the cumulative quantity, its average price and the time of the last change.
import type { ClientOrderId, VenueOrderId } from '../../../src/core/model/ids.ts';
import type { OrderType, Side, TimeInForce } from '../../../src/core/model/order.ts';
import type { OrderStatusReport, OrdersPageRow, ReportedTrade } from '../../../src/core/model/reports.ts';

export interface Truth {
  readonly id: ClientOrderId;
  readonly vid: VenueOrderId;
  readonly qty: number;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Ticks; null for a market order. */
  readonly limitPrice: number | null;
  status: OrderStatusReport['status'];
  filled: number;
  readonly trades: ReportedTrade[];
  readonly submittedAt: number;
  updatedAt: number;
}

const LIVE = new Set<string>(['new', 'partially_filled']);
export const isLive = (t: Truth): boolean => LIVE.has(t.status);

/** The order's full state as a lookup states it (without `kind`). */
export function stateOf(t: Truth, answerTrades: boolean): Omit<OrderStatusReport, 'kind'> {
  const state = {
    clientOrderId: t.id,
    venueOrderId: t.vid,
    status: t.status,
    qty: t.qty,
    filledQty: t.filled,
    side: t.side,
    limitPrice: t.limitPrice,
  };
  if (answerTrades) return { ...state, trades: [...t.trades] };
  const last = t.trades.at(-1);
  return last
    ? {
        ...state,
        avgPrice: t.trades.reduce((sum, x) => sum + x.qty * x.price, 0) / t.filled,
        updatedAt: last.venueTime,
      }
    : state;
}

/** The order as a row of a listing: its state with the venue's times. */
export function rowOf(t: Truth, answerTrades: boolean): OrdersPageRow {
  return { ...stateOf(t, answerTrades), updatedAt: t.updatedAt, submittedAt: t.submittedAt };
}
