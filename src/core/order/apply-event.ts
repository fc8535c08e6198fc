// Folds one order event into an order's state through the transition table. Pure: the caller
// decides what to log. The outcome is applied, ignored or a discrepancy to record and not apply.
// What each covers, and fills inferred from cumulative quantities:
// docs/0069-core-and-simulator-notes.md.
import type { DiscrepancyReason, OrderCommand } from '../model/events.ts';
import type { VenueOrderId } from '../model/ids.ts';
import { requestWith, type OrderRequest } from '../model/order.ts';
import { isTerminal, statusOfVenue, transitionFor, type OrderStatus } from '../model/order-status.ts';
import { tradeId as makeTradeId } from '../model/ids.ts';
import type { ReportedTrade, VenueReport } from '../model/reports.ts';
import { afterApplied, decideStatusUpdate, type CasIncoming, type CasSkipReason } from './status-cas.ts';

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
  /** Trade ids applied: executions (counted, or matched against an inferred fill) and inferred
   *  fills (`inferred:<clientOrderId>:<cumulative lots>`). */
  readonly tradeIds: ReadonlySet<string>;
  /** Fills counted: executions that added lots, and inferred fills. */
  readonly fillCount: number;
  /** Lots counted by inferred fills that no execution with its own id has accounted for yet: the
   *  next executions reported are matched against them first (up to this many lots). */
  readonly inferredQty: number;
  /** SubmitOrder events so far (the first send and every resubmission with the same id). */
  readonly attempts: number;
  /** Log sequence number of the latest SubmitOrder; null before the first send (or when the
   *  caller folds without sequence numbers). Lookups asked before it are stale for "not found". */
  readonly lastSentSeq: number | null;
  /** Log sequence number of the latest report that showed the venue has the order (an ack, a
   *  fill, an end, a full state); lookups asked before it are stale for "not found" too. */
  readonly lastSeenSeq: number | null;
  /** When the latest SubmitOrder was logged (null before the first send): how long the order may
   *  still be on its way to the venue is counted from it (see cancelOwed). */
  readonly lastSentAt: number | null;
  /** Our latest cancel may not have taken effect: its outcome is unknown (a timeout, a 5xx), or
   *  it was answered "no such order" (refused, or a lookup that found nothing) before the venue
   *  ever showed us the order, which may still be on its way, overtaken by its cancel. The order
   *  stays pending_cancel with the cancel owed: it goes out again when the venue shows the order
   *  open, and a never-shown order is dropped once it provably is not coming (order-retry.ts).
   *  A CancelOrder settles the debt. */
  readonly cancelOwed: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** The venue's update time of the last applied full-state report that carried one. */
  readonly lastVenueUpdateAt: number | null;
  /** Source priority of the last applied full-state report (status-cas.ts); null before any. */
  readonly lastSourcePriority: number | null;
}

export type OrderEvent = OrderCommand | VenueReport;

/** A fill the fold added to the order: an execution (only the lots not already counted by an
 *  inferred fill), or an inferred fill (liquidity 'inferred', price in fractional ticks, fee 0). */
export interface AppliedFill extends Omit<ReportedTrade, 'liquidity'> {
  readonly liquidity: ReportedTrade['liquidity'] | 'inferred';
}

/** An execution whose lots (`qty` of them) an earlier inferred fill had already counted. */
export interface MatchedExecution {
  readonly tradeId: string;
  readonly qty: number;
}

export type ApplyOutcome =
  | {
      readonly kind: 'applied';
      readonly state: OrderState;
      readonly from: OrderStatus;
      /** Fills this event added (absent: none). */
      readonly fills?: readonly AppliedFill[];
      /** The inferred fill among `fills`, with the venue's cumulative and average behind it. */
      readonly inferred?: {
        readonly fill: AppliedFill;
        readonly cumulativeQty: number;
        readonly venueAvgPrice: number;
      };
      /** Executions matched against inferred lots (absent: none). */
      readonly matched?: readonly MatchedExecution[];
    }
  /** Already known (a fill whose trade id was applied, e.g. by a lookup before the stream). */
  | {
      readonly kind: 'ignored';
      readonly reason: 'duplicate_trade' | 'stale_answer' | CasSkipReason;
      readonly detail: string;
    }
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
    inferredQty: 0,
    attempts: 0,
    lastSentSeq: null,
    lastSeenSeq: null,
    lastSentAt: null,
    cancelOwed: false,
    createdAt: time,
    updatedAt: time,
    lastVenueUpdateAt: null,
    lastSourcePriority: null,
  };
}

/**
 * A "not found" that answers a lookup asked before our latest send of the order, or before the
 * venue last showed us it has the order: it describes the venue before that send reached it or
 * before the order was there (answers race each other: a reconciliation lookup in flight while
 * a retry resent the order, a lookup that overtook the send it asks about while the fill came
 * first on the stream), so it proves nothing about the order now. Unstamped answers (no
 * askedAfterSeq) are taken at their word.
 */
export function isStaleNotFound(
  state: Pick<OrderState, 'lastSentSeq' | 'lastSeenSeq'>,
  event: { readonly kind: string; readonly askedAfterSeq?: number },
): boolean {
  if (event.kind !== 'OrderNotFoundReport' || event.askedAfterSeq === undefined) return false;
  const latest = Math.max(state.lastSentSeq ?? -Infinity, state.lastSeenSeq ?? -Infinity);
  return event.askedAfterSeq < latest;
}

/** The venue has never shown us the order: no acknowledgement, no fill, no report of it. */
export const neverShown = (s: Pick<OrderState, 'venueOrderId' | 'filledQty' | 'lastSeenSeq'>): boolean =>
  s.venueOrderId === null && s.filledQty === 0 && s.lastSeenSeq === null;

/** Reports that show the venue has the order. */
const SHOWS_ORDER = new Set<string>(['AckReport', 'FillReport', 'CancelReport', 'ExpiredReport']);

/** Folds one event; `seq` is its log sequence number (it dates our sends and the venue's proofs
 *  of the order for isStaleNotFound). */
export function applyOrderEvent(state: OrderState, event: OrderEvent, time: number, seq?: number): ApplyOutcome {
  const out = applyUnstamped(state, event, time, seq);
  if (out.kind !== 'applied' || seq === undefined) return out;
  const shows = SHOWS_ORDER.has(event.kind) || (event.kind === 'OrderStatusReport' && event.status !== 'rejected');
  if (!shows) return out;
  // Copied field by field: a spread of outcomes of every shape (with and without fills), or of
  // an order's state, is the engine's slow generic copy, on every ack and fill.
  const seen = copyOf(out.state);
  seen.lastSeenSeq = seq;
  const stamped: Mutable<Applied> = { kind: 'applied', state: seen, from: out.from };
  if (out.fills !== undefined) stamped.fills = out.fills;
  if (out.inferred !== undefined) stamped.inferred = out.inferred;
  if (out.matched !== undefined) stamped.matched = out.matched;
  return stamped;
}

type Applied = Extract<ApplyOutcome, { kind: 'applied' }>;

/** A copy of an order's state for the caller to change before it is returned: every field in one
 *  literal, so every copy has one shape (the transitions above run on every report). */
function copyOf(s: OrderState): Mutable<OrderState> {
  return {
    request: s.request,
    status: s.status,
    venueOrderId: s.venueOrderId,
    filledQty: s.filledQty,
    filledNotional: s.filledNotional,
    fees: s.fees,
    tradeIds: s.tradeIds,
    fillCount: s.fillCount,
    inferredQty: s.inferredQty,
    attempts: s.attempts,
    lastSentSeq: s.lastSentSeq,
    lastSeenSeq: s.lastSeenSeq,
    lastSentAt: s.lastSentAt,
    cancelOwed: s.cancelOwed,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    lastVenueUpdateAt: s.lastVenueUpdateAt,
    lastSourcePriority: s.lastSourcePriority,
  };
}
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function applyUnstamped(state: OrderState, event: OrderEvent, time: number, seq?: number): ApplyOutcome {
  // Checked before the table: a duplicate is known whatever the status is by now.
  if (event.kind === 'FillReport' && state.tradeIds.has(event.tradeId)) {
    return { kind: 'ignored', reason: 'duplicate_trade', detail: `trade ${event.tradeId} already applied` };
  }
  if (isStaleNotFound(state, event)) {
    return {
      kind: 'ignored',
      reason: 'stale_answer',
      detail: `"not found" to a lookup asked after entry ${(event as { askedAfterSeq: number }).askedAfterSeq}, before our send at entry ${state.lastSentSeq}`,
    };
  }
  if (
    event.kind === 'RejectReport' &&
    event.duplicate === true &&
    state.attempts > 1 &&
    (state.status === 'submitted' || state.status === 'submitted_unconfirmed')
  ) {
    // A resend refused because the venue holds an order with this id: our earlier send got there
    // after all (the lookup that sent us back overtook it). Not a refusal of the order: its
    // outcome is unknown until a lookup shows it (order-retry.ts looks it up).
    const next = copyOf(state);
    next.status = 'submitted_unconfirmed';
    next.updatedAt = time;
    return { kind: 'applied', from: state.status, state: next };
  }
  if (event.kind === 'CancelRejectReport' && state.status === 'pending_cancel' && event.failure === 'transient') {
    // Refused without being processed (rate limited, busy): the cancel did nothing and is still
    // what we want. The order stays pending_cancel with the cancel owed (it is looked up after a
    // backoff: by order-settle.ts once the venue has shown it, by order-retry.ts while it never
    // has; and the engine sends the cancel again while the venue shows it open).
    const next = copyOf(state);
    next.cancelOwed = true;
    next.updatedAt = time;
    return { kind: 'applied', from: state.status, state: next };
  }
  if (
    state.status === 'pending_cancel' &&
    neverShown(state) &&
    ((event.kind === 'CancelRejectReport' && event.failure === 'not_found') || event.kind === 'OrderNotFoundReport')
  ) {
    // Our cancel, or a lookup while cancelling, found no such order, and the venue has never
    // shown us the order: it may still be on its way (a cancel can overtake its order, a lookup
    // can overtake the send). Not final: the order stays pending_cancel with the cancel owed,
    // sent again when the venue shows the order, or the order is dropped once it cannot be
    // coming any more (order-retry.ts). The table's 'open' would revive it as if acknowledged.
    const next = copyOf(state);
    next.cancelOwed = true;
    next.updatedAt = time;
    return { kind: 'applied', from: state.status, state: next };
  }
  if (
    event.kind === 'OrderStatusReport' &&
    state.status === 'rejected' &&
    event.status === 'rejected' &&
    event.filledQty === 0 &&
    state.filledQty === 0
  ) {
    // The venue repeating its rejection (a second lookup, a reconciliation row): an echo of the
    // finished order, a no-op like any terminal echo (status-cas.ts), not a forbidden transition.
    return {
      kind: 'applied',
      from: state.status,
      state: { ...state, ...afterApplied(state, casIncoming(event)), updatedAt: time },
    };
  }
  if (event.kind === 'FillReport') return foldExecution(state, event, time);
  const target = transitionFor(state.status, event.kind);
  if (target === undefined) {
    return {
      kind: 'discrepancy',
      reason: 'transition_not_allowed',
      detail: `${event.kind} not allowed in status ${state.status}`,
    };
  }
  if (event.kind === 'OrderStatusReport') return applyFullState(state, event, time);
  if (event.kind === 'ChildAmended') {
    if (!Number.isSafeInteger(event.qty) || event.qty <= 0 || event.qty < state.filledQty) {
      return { kind: 'discrepancy', reason: 'invalid_report', detail: `ChildAmended to ${event.qty} lots` };
    }
    const request = requestWith(state.request, event.qty, event.limitPrice, event.stopPrice);
    return { kind: 'applied', from: state.status, state: { ...state, request, updatedAt: time } };
  }

  const venueOrderId = event.kind === 'AckReport' ? event.venueOrderId : state.venueOrderId;
  let status: OrderStatus;
  if (target === 'same') status = state.status;
  // Open again (a refused cancel, an ack): partially filled or accepted when the venue ever
  // acknowledged the order; one it never did (a cancel of an unconfirmed send refused without
  // processing, e.g. rate limited) is still of unknown outcome, not accepted.
  else if (target === 'open')
    status = state.filledQty > 0 ? 'partially_filled' : venueOrderId !== null ? 'accepted' : 'submitted_unconfirmed';
  else if (target === 'by_fill' || target === 'late_fill' || target === 'sync') {
    // FillReport and OrderStatusReport were handled above; no other event maps to these rules.
    throw new Error(`transition table maps ${event.kind} to the rule ${target}`);
  } else status = target;

  const sent = event.kind === 'SubmitOrder';
  const next = copyOf(state);
  next.status = status;
  next.venueOrderId = venueOrderId;
  if (sent) {
    next.attempts = state.attempts + 1;
    next.lastSentAt = time;
  }
  if (sent && seq !== undefined) next.lastSentSeq = seq;
  if (event.kind === 'CancelOrder') next.cancelOwed = false;
  // A cancel whose outcome is unknown may never have reached the venue: owed until the venue
  // shows the order ended (the engine sends it again when a lookup shows the order open).
  else if (event.kind === 'OutcomeUnknownReport' && event.request === 'cancel' && status === 'pending_cancel')
    next.cancelOwed = true;
  next.updatedAt = time;
  return { kind: 'applied', from: state.status, state: next };
}

type StatusReport = Extract<VenueReport, { kind: 'OrderStatusReport' }>;

/** A full-state report in the conflict check's terms: our status names, a lookup by default. */
const casIncoming = (r: StatusReport): CasIncoming => ({
  status: statusOfVenue(r.status),
  filledQty: r.filledQty,
  updatedAt: r.updatedAt,
  source: r.source ?? 'lookup',
});

/**
 * A full-state report goes through the conflict check first (status-cas.ts): a stale, behind or
 * locked one is ignored with its reason; an applied one records its venue time and source.
 */
function applyFullState(state: OrderState, r: StatusReport, time: number): ApplyOutcome {
  const incoming = casIncoming(r);
  const decision = decideStatusUpdate(state, incoming);
  if (decision.kind === 'skip') return { kind: 'ignored', reason: decision.reason, detail: decision.detail };
  const out = applyStatusReport(state, r, time);
  if (out.kind !== 'applied') return out;
  // The state applyStatusReport returns is its own copy (see there): the check's record of the
  // venue's time and source goes straight into it.
  const after = afterApplied(state, incoming);
  const next = out.state as Mutable<OrderState>;
  next.lastVenueUpdateAt = after.lastVenueUpdateAt;
  next.lastSourcePriority = after.lastSourcePriority;
  return out;
}

/**
 * A lookup answer is the venue's whole truth about the order: trades we have not seen are
 * applied as fills (deduplicated by trade id, through the same table), or, when the venue lists
 * no trades, one fill is inferred for the cumulative quantity we have not seen; then the venue's
 * status is taken where ours is behind it. Quantities that do not add up are a discrepancy.
 */
function applyStatusReport(state: OrderState, r: StatusReport, time: number): ApplyOutcome {
  // Every state below is a new object, never `state` (a copy here, else a fold's own new one), so
  // it is changed in place: a resting order's every poll comes through here, and each spread was
  // the engine's slow generic copy.
  let s = copyOf(state);
  s.venueOrderId = r.venueOrderId;
  s.updatedAt = time;
  if (r.status === 'rejected') {
    if (r.filledQty !== 0 || (r.trades?.length ?? 0) > 0) {
      return {
        kind: 'discrepancy',
        reason: 'invalid_report',
        detail: `venue says rejected with ${r.filledQty} lots filled`,
      };
    }
    if (
      s.status !== 'submitted' &&
      s.status !== 'submitted_unconfirmed' &&
      s.status !== 'pending_cancel' &&
      s.status !== 'pending_new' &&
      s.status !== 'failed'
    ) {
      return {
        kind: 'discrepancy',
        reason: 'transition_not_allowed',
        detail: `venue says rejected, we have ${s.status}`,
      };
    }
    s.status = 'rejected';
    return { kind: 'applied', from: state.status, state: s };
  }
  // The venue has the order: whatever we thought (not sent yet, unknown, or given up on as
  // failed), it is at least accepted, partially filled where we hold fills of it (an order given
  // up on after some); its trades and status follow.
  if (
    s.status === 'submitted' ||
    s.status === 'submitted_unconfirmed' ||
    s.status === 'pending_new' ||
    s.status === 'failed'
  )
    s.status = s.filledQty > 0 ? 'partially_filled' : 'accepted';
  let fills: AppliedFill[] | null = null;
  let matched: MatchedExecution[] | null = null;
  let inferred: { fill: AppliedFill; cumulativeQty: number; venueAvgPrice: number } | undefined;
  if (r.trades !== undefined) {
    // A listing names each execution once: one named twice cannot add up to the venue's total
    // whichever of its quantities is right.
    const twice = listedTwice(r.trades);
    if (twice !== null)
      return { kind: 'discrepancy', reason: 'invalid_report', detail: `venue lists trade ${twice} twice` };
    for (const t of r.trades) {
      if (s.tradeIds.has(t.tradeId)) continue;
      const fill = { kind: 'FillReport' as const, clientOrderId: r.clientOrderId, venueOrderId: r.venueOrderId, ...t };
      const out = foldExecution(s, fill, time);
      if (out.kind !== 'applied') return out;
      s = out.state as Mutable<OrderState>;
      if (out.fills !== undefined) (fills ??= []).push(...out.fills);
      if (out.matched !== undefined) (matched ??= []).push(...out.matched);
    }
  } else if (r.filledQty > s.filledQty) {
    const out = inferFill(s, r, time);
    if (out.kind !== 'applied') return out;
    s = out.state as Mutable<OrderState>;
    if (out.fills !== undefined) (fills ??= []).push(...out.fills);
    inferred = out.inferred;
  }
  // A listing must add up by itself. We may hold more than it says: executions the stream
  // delivered after the venue answered (the two channels race), each counted once.
  const listed = r.trades?.reduce((n, t) => n + t.qty, 0);
  if ((listed !== undefined && listed !== r.filledQty) || s.filledQty < r.filledQty) {
    return {
      kind: 'discrepancy',
      reason: 'invalid_report',
      detail:
        listed === undefined
          ? `venue reports ${r.filledQty} lots filled, we hold ${s.filledQty}`
          : `venue reports ${r.filledQty} lots filled, its trades add up to ${listed}`,
    };
  }
  if ((r.status === 'canceled' || r.status === 'expired') && !isTerminal(s.status)) s.status = r.status;
  const out: Mutable<Applied> = { kind: 'applied', from: state.status, state: s };
  if (fills !== null && fills.length > 0) out.fills = fills;
  if (matched !== null && matched.length > 0) out.matched = matched;
  if (inferred) out.inferred = inferred;
  return out;
}

/** The first trade id a listing names a second time, or null. */
function listedTwice(trades: readonly { readonly tradeId: string }[]): string | null {
  const seen = new Set<string>();
  for (const t of trades) {
    if (seen.has(t.tradeId)) return t.tradeId;
    seen.add(t.tradeId);
  }
  return null;
}

/** The trade id of the fill inferred when the venue's cumulative filled quantity reached
 *  `cumulativeQty`: the same for every fold of the same log, and never reused (the cumulative
 *  only grows). */
export const inferredTradeId = (clientOrderId: string, cumulativeQty: number): string =>
  `inferred:${clientOrderId}:${cumulativeQty}`;

/**
 * One fill for the lots a trade-less full state reports beyond ours. Its notional makes our
 * average the venue's: the venue's cumulative notional, round(avgPrice x filledQty) in whole
 * notional units (tick x lot; Math.round, half up), less the notional we hold; its price is that
 * notional over the lots (fractional ticks). Fee 0: a venue without a trade list states no
 * per-fill fee (executions matched later add theirs). Without an average price the report is
 * malformed.
 */
function inferFill(s: OrderState, r: StatusReport, time: number): ApplyOutcome {
  const qty = r.filledQty - s.filledQty;
  const avg = r.avgPrice;
  if (avg === undefined || !Number.isFinite(avg) || avg <= 0) {
    return {
      kind: 'discrepancy',
      reason: 'invalid_report',
      detail: `venue reports ${r.filledQty} lots filled (we hold ${s.filledQty}) with neither trades nor an average price`,
    };
  }
  if (!Number.isSafeInteger(r.filledQty)) {
    return { kind: 'discrepancy', reason: 'invalid_report', detail: `filled quantity ${r.filledQty}` };
  }
  // Exact when the fills we hold are the venue's first ones; when the stream delivered a later
  // execution before this answer, the difference may leave less than a tick per lot, and the
  // lots then take the venue's average (the quantity is what must be right).
  const difference = Math.round(avg * r.filledQty) - s.filledNotional;
  const notional = difference >= qty ? difference : Math.max(qty, Math.round(avg * qty));
  const remaining = s.request.qty - s.filledQty;
  if (qty > remaining) {
    return {
      kind: 'discrepancy',
      reason: 'overfill',
      detail: `venue reports ${r.filledQty} lots filled of ${s.request.qty}`,
    };
  }
  const target = transitionFor(s.status, 'FillReport');
  if (target === undefined) {
    return { kind: 'discrepancy', reason: 'transition_not_allowed', detail: `an inferred fill in status ${s.status}` };
  }
  const fill: AppliedFill = {
    tradeId: makeTradeId(inferredTradeId(r.clientOrderId, r.filledQty)),
    qty,
    price: notional / qty,
    fee: 0,
    liquidity: 'inferred',
    venueTime: r.updatedAt ?? time,
  };
  const out = addFill(s, fill, qty, notional, target, time);
  if (out.kind !== 'applied') return out;
  return {
    ...out,
    state: { ...out.state, inferredQty: s.inferredQty + qty },
    inferred: { fill, cumulativeQty: r.filledQty, venueAvgPrice: avg },
  };
}

/**
 * One execution with its own trade id (not applied before): its lots are first matched against
 * lots an inferred fill already counted (up to `inferredQty`), and only the rest is added, so
 * an execution is never counted twice. A fully matched one changes no quantity or status (any
 * status: it was counted when the order still took fills); its id becomes known and its fee is
 * added. The rest goes through the transition table like any fill.
 */
function foldExecution(
  state: OrderState,
  fill: Extract<VenueReport, { kind: 'FillReport' }>,
  time: number,
): ApplyOutcome {
  if (!Number.isSafeInteger(fill.qty) || fill.qty <= 0 || !Number.isSafeInteger(fill.price) || fill.price <= 0) {
    return { kind: 'discrepancy', reason: 'invalid_report', detail: `fill qty ${fill.qty} price ${fill.price}` };
  }
  const covered = Math.min(fill.qty, state.inferredQty);
  if (covered === fill.qty) {
    const tradeIds = new Set(state.tradeIds);
    tradeIds.add(fill.tradeId);
    return {
      kind: 'applied',
      from: state.status,
      state: {
        ...state,
        venueOrderId: state.venueOrderId ?? fill.venueOrderId,
        inferredQty: state.inferredQty - covered,
        fees: state.fees + fill.fee,
        tradeIds,
        updatedAt: time,
      },
      matched: [{ tradeId: fill.tradeId, qty: covered }],
    };
  }
  const target = transitionFor(state.status, 'FillReport');
  if (target === undefined) {
    return {
      kind: 'discrepancy',
      reason: 'transition_not_allowed',
      detail: `FillReport not allowed in status ${state.status}`,
    };
  }
  const added = fill.qty - covered;
  const out = addFill(
    { ...state, venueOrderId: state.venueOrderId ?? fill.venueOrderId },
    appliedFill(fill, added),
    added,
    added * fill.price,
    target,
    time,
  );
  if (out.kind !== 'applied' || covered === 0) return out;
  return {
    ...out,
    state: { ...out.state, inferredQty: state.inferredQty - covered },
    matched: [{ tradeId: fill.tradeId, qty: covered }],
  };
}

/** Adds `qty` lots worth `notional` units (and the fill's fee) under the transition rule `target`. */
function addFill(
  state: OrderState,
  fill: AppliedFill,
  qty: number,
  notional: number,
  target: string,
  time: number,
): ApplyOutcome {
  const remaining = state.request.qty - state.filledQty;
  if (qty > remaining) {
    return {
      kind: 'discrepancy',
      reason: 'overfill',
      detail: `fill of ${qty} lots exceeds remaining ${remaining}`,
    };
  }
  const filledQty = state.filledQty + qty;
  const complete = filledQty === state.request.qty;
  let status: OrderStatus;
  if (target === 'by_fill') status = complete ? 'filled' : 'partially_filled';
  else if (target === 'late_fill') status = complete ? 'filled' : state.status;
  else
    return {
      kind: 'discrepancy',
      reason: 'transition_not_allowed',
      detail: `FillReport not allowed in status ${state.status}`,
    };

  const tradeIds = new Set(state.tradeIds);
  tradeIds.add(fill.tradeId);
  const next = copyOf(state);
  next.status = status;
  next.filledQty = filledQty;
  next.filledNotional = state.filledNotional + notional;
  next.fees = state.fees + fill.fee;
  next.tradeIds = tradeIds;
  next.fillCount = state.fillCount + 1;
  next.updatedAt = time;
  return { kind: 'applied', from: state.status, state: next, fills: [fill] };
}

/** The trade of a fill report as the fold applies it, `qty` of its lots: its fields written out
 *  (a rest copy of the report was a slow generic copy, and so was every spread of it after). */
function appliedFill(fill: Extract<VenueReport, { kind: 'FillReport' }>, qty: number): AppliedFill {
  if (fill.commission === undefined)
    return {
      tradeId: fill.tradeId,
      qty,
      price: fill.price,
      fee: fill.fee,
      liquidity: fill.liquidity,
      venueTime: fill.venueTime,
    };
  // Not a spread of the trade and the commission: a field added to a spread's copy made a new
  // hidden class for every fill (see requestWith in model/order.ts).
  return {
    tradeId: fill.tradeId,
    qty,
    price: fill.price,
    fee: fill.fee,
    liquidity: fill.liquidity,
    venueTime: fill.venueTime,
    commission: fill.commission,
  };
}
