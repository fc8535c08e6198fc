// Alpaca's order statuses and trade_updates events in our words, as two tables (the adapter's
// only place that reads Alpaca's spellings). Sources: the SDK's OrderStatus enum and
// TradeUpdateEvent union (v4.0.2) and Alpaca's order-lifecycle docs.
import type { OrderStatusReport } from '../../core/model/reports.ts';

type OurStatus = OrderStatusReport['status'];

/**
 * How an Alpaca status reads as ours. 'by_fill': the order is open (it may still fill), so ours is
 * 'new' with nothing filled and 'partially_filled' otherwise; 'by_qty': ambiguous between done and
 * open, so the quantities decide ('filled' when all is filled, else as 'by_fill').
 * - new, accepted, pending_new, accepted_for_bidding, held, stopped: live, not yet (or not
 *   fully) routed; fills may come.
 * - pending_cancel, pending_replace: a change is in flight; the order can still fill until the
 *   venue says `canceled` (or the replacement is done).
 * - done_for_day: no more fills today, but the order is not over (a GTC order resumes
 *   tomorrow; a DAY order gets `expired`).
 * - suspended: not eligible for trading for now; not finished.
 * - calculated: "filled or done for day, settlement pending": the quantities tell which.
 * - replaced: this id is over (its rest lives on as another order, which we never create: the
 *   adapter never PATCHes, so a replace was done outside this run). Its fills stop here, as on
 *   a cancel.
 */
export const ALPACA_ORDER_STATUSES = {
  new: 'by_fill',
  accepted: 'by_fill',
  pending_new: 'by_fill',
  accepted_for_bidding: 'by_fill',
  held: 'by_fill',
  stopped: 'by_fill',
  partially_filled: 'by_fill',
  pending_cancel: 'by_fill',
  pending_replace: 'by_fill',
  done_for_day: 'by_fill',
  suspended: 'by_fill',
  calculated: 'by_qty',
  filled: 'filled',
  canceled: 'canceled',
  replaced: 'canceled',
  expired: 'expired',
  rejected: 'rejected',
} as const satisfies Record<string, OurStatus | 'by_fill' | 'by_qty'>;

export type AlpacaOrderStatus = keyof typeof ALPACA_ORDER_STATUSES;

/**
 * Our status for an Alpaca status and the order's quantities (lots). An unknown spelling reads
 * as open ('by_fill'): never as done, so nothing is concluded from a word we do not know; the
 * quantities still carry any fill.
 */
export function ourStatus(alpaca: string, qty: number, filledQty: number): OurStatus {
  const rule: OurStatus | 'by_fill' | 'by_qty' =
    (ALPACA_ORDER_STATUSES as Record<string, OurStatus | 'by_fill' | 'by_qty'>)[alpaca] ?? 'by_fill';
  if (rule === 'by_qty' && filledQty >= qty && qty > 0) return 'filled';
  if (rule === 'by_fill' || rule === 'by_qty') return filledQty > 0 ? 'partially_filled' : 'new';
  return rule;
}

/**
 * What the adapter does with each trade_updates event:
 * - fill: a FillReport of that execution (execution_id, qty, price);
 * - cancel: CancelReport (also answers a cancel of ours waiting for confirmation);
 * - expire: ExpiredReport; reject: RejectReport (a rejection after the POST was accepted);
 * - status: the order's full state (OrderStatusReport, source 'stream'): `new` proves the
 *   order is at the venue (useful after a submit whose outcome was unknown); `replaced` ends it;
 * - ignore: informational: nothing changes that a lookup would not show (pending states,
 *   done_for_day, a refused replace we never asked for), or a refused cancel of ours, which
 *   the cancel's follow-up lookup answers.
 */
export const ALPACA_TRADE_EVENTS = {
  new: 'status',
  fill: 'fill',
  partial_fill: 'fill',
  canceled: 'cancel',
  expired: 'expire',
  rejected: 'reject',
  replaced: 'status',
  done_for_day: 'ignore',
  pending_new: 'ignore',
  stopped: 'ignore',
  pending_cancel: 'ignore',
  pending_replace: 'ignore',
  calculated: 'ignore',
  suspended: 'ignore',
  order_replace_rejected: 'ignore',
  order_cancel_rejected: 'ignore',
} as const satisfies Record<string, 'fill' | 'cancel' | 'expire' | 'reject' | 'status' | 'ignore'>;

export type TradeEventAction = (typeof ALPACA_TRADE_EVENTS)[keyof typeof ALPACA_TRADE_EVENTS];

/** The action for an event; an unknown event is ignored (a lookup still finds the order). */
export function tradeEventAction(event: string): TradeEventAction {
  return (ALPACA_TRADE_EVENTS as Record<string, TradeEventAction>)[event] ?? 'ignore';
}
