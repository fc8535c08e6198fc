// Folds one order event into an order's state through the transition table. Pure: the caller
// decides what to log. Outcomes: applied (maybe with a status change); ignored (a fill whose
// trade id was already applied: normal when a lookup and the stream both report it); or a
// discrepancy that must be recorded and not applied (a transition the table forbids, an
// overfill, a malformed report).
import type { DiscrepancyReason, OrderCommand } from '../model/events.ts';
import type { VenueOrderId } from '../model/ids.ts';
import type { OrderRequest } from '../model/order.ts';
import { isTerminal, transitionFor, type OrderStatus } from '../model/order-status.ts';
import type { VenueReport } from '../model/reports.ts';
import { classifyError } from '../fills/error-classifier.ts';

export interface OrderState {
  readonly request: OrderRequest;
  readonly status: OrderStatus;
  readonly venueOrderId: VenueOrderId | null;
  /** Lots filled. */
  readonly filledQty: number;
  /** Sum of price x qty over fills, in notional units. */
  readonly filledNotional: number;
  /** Fees in notional units. */
  readonly fees: number;
  readonly tradeIds: ReadonlySet<string>;
  readonly fillCount: number;
  /** SubmitOrder events so far (the first send and every resubmission with the same id). */
  readonly attempts: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type OrderEvent = OrderCommand | VenueReport;


export type ApplyOutcome =
  | { readonly kind: 'applied'; readonly state: OrderState; readonly from: OrderStatus }
  /** Already known (a fill whose trade id was applied, e.g. by a lookup before the stream). */
  | { readonly kind: 'ignored'; readonly reason: 'duplicate_trade'; readonly detail: string }
  | { readonly kind: 'discrepancy'; readonly reason: DiscrepancyReason; readonly detail: string };

export function newOrderState(request: OrderRequest, time: number): OrderState {
  return {
    request,
    status: 'pending_new',
    venueOrderId: null,
    filledQty: 0,
    filledNotional: 0,
    fees: 0,
    tradeIds: new Set(),
    fillCount: 0,
    attempts: 0,
    createdAt: time,
    updatedAt: time,
  };
}

export function applyOrderEvent(state: OrderState, event: OrderEvent, time: number): ApplyOutcome {
  // Checked before the table: a duplicate is known whatever the status is by now.
  if (event.kind === 'FillReport' && state.tradeIds.has(event.tradeId)) {
    return { kind: 'ignored', reason: 'duplicate_trade', detail: `trade ${event.tradeId} already applied` };
  }
  if (event.kind === 'CancelRejectReport' && state.status === 'pending_cancel' && state.venueOrderId === null && state.filledQty === 0 && saysNoSuchOrder(event)) {
    // A cancel of an order the venue never acknowledged, refused as "no such order": like a
    // not-found lookup while cancelling (decision 0007), the venue does not have it and nothing
    // will fill. The table's 'open' would revive an order the venue never had.
    return { kind: 'applied', from: state.status, state: { ...state, status: 'canceled', updatedAt: time } };
  }
  const target = transitionFor(state.status, event.kind);
  if (target === undefined) {
    return { kind: 'discrepancy', reason: 'transition_not_allowed', detail: `${event.kind} not allowed in status ${state.status}` };
  }
  if (event.kind === 'FillReport') return applyFill(state, event, target, time);
  if (event.kind === 'OrderStatusReport') return applyStatusReport(state, event, time);
  if (event.kind === 'ChildAmended') {
    if (!Number.isSafeInteger(event.qty) || event.qty <= 0 || event.qty < state.filledQty) {
      return { kind: 'discrepancy', reason: 'invalid_report', detail: `ChildAmended to ${event.qty} lots` };
    }
    const { limitPrice: _l, stopPrice: _s, ...base } = state.request;
    const request = {
      ...base,
      qty: event.qty,
      ...(event.limitPrice === null ? {} : { limitPrice: event.limitPrice }),
      ...(event.stopPrice === null ? {} : { stopPrice: event.stopPrice }),
    };
    return { kind: 'applied', from: state.status, state: { ...state, request, updatedAt: time } };
  }

  let status: OrderStatus;
  if (target === 'same') status = state.status;
  else if (target === 'open') status = state.filledQty > 0 ? 'partially_filled' : 'accepted';
  else if (target === 'by_fill' || target === 'late_fill' || target === 'sync') {
    throw new Error(`transition table maps ${event.kind} to the rule ${target}`);
  } else status = target;

  const venueOrderId = event.kind === 'AckReport' ? event.venueOrderId : state.venueOrderId;
  const attempts = event.kind === 'SubmitOrder' ? state.attempts + 1 : state.attempts;
  return { kind: 'applied', from: state.status, state: { ...state, status, venueOrderId, attempts, updatedAt: time } };
}

/**
 * A lookup answer is the venue's whole truth about the order: trades we have not seen are
 * applied as fills (deduplicated by trade id, through the same table), then the venue's status
 * is taken where ours is behind it. Quantities that do not add up are a discrepancy.
 */
function applyStatusReport(state: OrderState, r: Extract<VenueReport, { kind: 'OrderStatusReport' }>, time: number): ApplyOutcome {
  let s: OrderState = { ...state, venueOrderId: r.venueOrderId, updatedAt: time };
  if (r.status === 'rejected') {
    if (r.filledQty !== 0 || r.trades.length > 0) {
      return { kind: 'discrepancy', reason: 'invalid_report', detail: `venue says rejected with ${r.filledQty} lots filled` };
    }
    if (s.status !== 'submitted' && s.status !== 'submitted_unconfirmed' && s.status !== 'pending_cancel' && s.status !== 'pending_new') {
      return { kind: 'discrepancy', reason: 'transition_not_allowed', detail: `venue says rejected, we have ${s.status}` };
    }
    return { kind: 'applied', from: state.status, state: { ...s, status: 'rejected' } };
  }
  if (s.status === 'submitted' || s.status === 'submitted_unconfirmed' || s.status === 'pending_new') s = { ...s, status: 'accepted' };
  for (const t of r.trades) {
    if (s.tradeIds.has(t.tradeId)) continue;
    const fill = { kind: 'FillReport' as const, clientOrderId: r.clientOrderId, venueOrderId: r.venueOrderId, ...t };
    const out = applyFill(s, fill, transitionFor(s.status, 'FillReport') ?? 'none', time);
    if (out.kind !== 'applied') return out;
    s = out.state;
  }
  if (s.filledQty !== r.filledQty) {
    return { kind: 'discrepancy', reason: 'invalid_report', detail: `venue reports ${r.filledQty} lots filled, its trades add up to ${s.filledQty}` };
  }
  if ((r.status === 'canceled' || r.status === 'expired') && !isTerminal(s.status)) s = { ...s, status: r.status };
  return { kind: 'applied', from: state.status, state: s };
}

function applyFill(
  state: OrderState,
  fill: Extract<VenueReport, { kind: 'FillReport' }>,
  target: string,
  time: number,
): ApplyOutcome {
  if (!Number.isSafeInteger(fill.qty) || fill.qty <= 0 || !Number.isSafeInteger(fill.price) || fill.price <= 0) {
    return { kind: 'discrepancy', reason: 'invalid_report', detail: `fill qty ${fill.qty} price ${fill.price}` };
  }
  const remaining = state.request.qty - state.filledQty;
  if (fill.qty > remaining) {
    return { kind: 'discrepancy', reason: 'overfill', detail: `fill of ${fill.qty} lots exceeds remaining ${remaining}` };
  }
  const filledQty = state.filledQty + fill.qty;
  const complete = filledQty === state.request.qty;
  let status: OrderStatus;
  if (target === 'by_fill') status = complete ? 'filled' : 'partially_filled';
  else if (target === 'late_fill') status = complete ? 'filled' : state.status;
  else return { kind: 'discrepancy', reason: 'transition_not_allowed', detail: `FillReport not allowed in status ${state.status}` };

  const tradeIds = new Set(state.tradeIds);
  tradeIds.add(fill.tradeId);
  return {
    kind: 'applied',
    from: state.status,
    state: {
      ...state,
      status,
      venueOrderId: state.venueOrderId ?? fill.venueOrderId,
      filledQty,
      filledNotional: state.filledNotional + fill.qty * fill.price,
      fees: state.fees + fill.fee,
      tradeIds,
      fillCount: state.fillCount + 1,
      updatedAt: time,
    },
  };
}

/** The venue's refusal says it has no such order (Binance -2011, Alpaca 404 "order not found"). */
function saysNoSuchOrder(e: { readonly code: string; readonly reason: string }): boolean {
  return classifyError({ code: e.code, message: e.reason }, { unknownOrderAfterLookups: 1 }).category === 'unknown_order';
}
