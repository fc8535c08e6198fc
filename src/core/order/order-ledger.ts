// The fold of the event log into our orders and parents. The engine keeps one to decide what to
// do next (a backtest's run report reads that one), the store keeps one to write its projections,
// and a report of a stored run builds one from the stored log: readers of the same fold, one
// owner of the truth (the log).
import type {
  CommissionUnvalued,
  DiscrepancyRecorded,
  ExecEvent,
  FillInferred,
  InferredFillMatched,
  LogEntry,
  OrderStatusChanged,
  ParentOrderCreated,
  ReportIgnored,
  TwapPlanned,
} from '../model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import { requestWith } from '../model/order.ts';
import { isTerminal, ORDER_EVENT_KINDS } from '../model/order-status.ts';
import type { ReportedTrade } from '../model/reports.ts';
import { applyOrderEvent, newOrderState, type AppliedFill, type OrderEvent, type OrderState } from './apply-event.ts';
import { OpenOrderIndex } from './open-orders.ts';
import { StatusChange } from './status-changed.ts';

export interface ParentState {
  readonly spec: ParentOrderCreated;
  readonly createdAt: number;
  readonly children: ClientOrderId[];
  completed: ParentOutcome | null;
  /** A cancel was requested (and logged) for this parent. */
  cancelRequested: boolean;
  /** Why a TWAP stopped before its last slice, if it did. */
  stopReason: string | null;
  /** A TWAP's plan as logged (what the planner changed of what was asked, among the rest); null
   *  for a single order. */
  plan: TwapPlanned | null;
  /** The algorithm an intent-driven parent runs (AlgoPlanned: 'iceberg', 'module'), else null. */
  algo: string | null;
  /** Totals over `children`, kept by the fold as each child changes, so that a question about
   *  the whole parent (is every child ended? what is filled? what is committed?) costs the same
   *  on the last slice of a long TWAP as on the first, instead of a walk over every child. */
  readonly totals: ChildTotals;
}

/** Sums over a parent's children (see committedLots for `committed`). */
export interface ChildTotals {
  /** Children not in a terminal status. */
  open: number;
  /** Children still pending_new (sent or not). */
  pendingNew: number;
  /** Lots filled. */
  filled: number;
  /** Lots committed (committedLots, summed). */
  committed: number;
}

/**
 * Lots an order commits its parent to: what it filled once it ended; the larger of its quantity
 * and its fills while it may still fill (working at the venue, or sent and awaiting a retry);
 * nothing while it was never sent (a future TWAP slice). A slice is sized against the sum over
 * its siblings, so no sizing can push the parent past its quantity whatever fills late.
 */
export function committedLots(o: OrderState): number {
  if (o.status === 'pending_new' && o.attempts === 0) return 0;
  return isTerminal(o.status) ? o.filledQty : Math.max(o.request.qty, o.filledQty);
}

function addTotals(t: ChildTotals, o: OrderState, sign: 1 | -1): void {
  if (!isTerminal(o.status)) t.open += sign;
  if (o.status === 'pending_new') t.pendingNew += sign;
  t.filled += sign * o.filledQty;
  t.committed += sign * committedLots(o);
}
export interface ParentOutcome {
  readonly status: 'filled' | 'partially_filled' | 'unfilled';
  readonly filledQty: number;
  /** When the parent first completed (a revision keeps it: the execution ended then). */
  readonly at: number;
}

export type DerivedEvent =
  OrderStatusChanged | DiscrepancyRecorded | ReportIgnored | FillInferred | InferredFillMatched | CommissionUnvalued;

/** A fill the last applied entry added to an order (from a fill report or a lookup answer, or
 *  inferred from a lookup answer without trades: liquidity 'inferred', fractional price). */
export interface AppliedTrade extends AppliedFill {
  readonly clientOrderId: ClientOrderId;
}

const ORDER_EVENT_KIND_SET = new Set<string>(ORDER_EVENT_KINDS);

/** Every kind apply() changes the ledger for (its switch below and the order events): an entry of
 *  any other kind changes nothing in it, so a fold of a stored log may leave such entries
 *  unparsed (deferred-projection.ts). A kind apply() starts handling belongs here too. */
export const LEDGER_KINDS: readonly string[] = [
  'RunStarted',
  'ParentOrderCreated',
  'ParentCancelRequested',
  'ParentStopped',
  'TwapPlanned',
  'AlgoPlanned',
  'OrderCreated',
  'OrphanDetected',
  'AccountBaseline',
  'PositionCorrected',
  'ParentOrderCompleted',
  ...ORDER_EVENT_KINDS,
];

/** A fill the fold applied, with its order: the fields written out (a spread of fills of
 *  several shapes, executions and inferred fills, is a slow generic copy). */
function appliedTrade(t: AppliedFill, clientOrderId: ClientOrderId): AppliedTrade {
  if (t.commission === undefined)
    return {
      tradeId: t.tradeId,
      qty: t.qty,
      price: t.price,
      fee: t.fee,
      liquidity: t.liquidity,
      venueTime: t.venueTime,
      clientOrderId,
    };
  // Written out, not spread with the commission: a field added to a spread's copy made a new
  // hidden class for every trade (see requestWith in model/order.ts).
  return {
    tradeId: t.tradeId,
    qty: t.qty,
    price: t.price,
    fee: t.fee,
    liquidity: t.liquidity,
    venueTime: t.venueTime,
    clientOrderId,
    commission: t.commission,
  };
}

/** What apply() returns when the fold derived nothing (most entries): one shared empty list. */
const NO_DERIVED: readonly DerivedEvent[] = Object.freeze([]);

const isOrderEvent = (e: ExecEvent): e is OrderEvent => ORDER_EVENT_KIND_SET.has(e.kind);

const followed = (t: ReportedTrade): boolean =>
  t.commission !== undefined && (t.commission.baseLots !== undefined || t.commission.unvalued === true);

/** Whether an event carries a commission the fold follows (kept base lots, or no value): most
 *  do not, and are answered without a look at the order's trade ids. */
function commissionsFollowed(event: OrderEvent): boolean {
  if (event.kind === 'FillReport') return followed(event);
  if (event.kind === 'OrderStatusReport' && event.trades !== undefined) return event.trades.some(followed);
  return false;
}

/** A symbol's holdings other than the run's first: lots, cash in its notional units, the base
 *  lots its baseline held (null: none taken), and the base lots the venue kept as commissions. */
interface SymbolHoldings {
  position: number;
  cash: number;
  baseline: number | null;
  kept: number;
}

/**
 * The whole lots a venue's base balance shows less than our fills when it kept `kept` (a
 * fraction of a lot is usual) of them as commissions: the balance, read in lots, is rounded half
 * up as the adapters read it (wire-amounts.ts), and round(n - kept) = n + round(-kept) for whole
 * n. 0 when nothing was kept.
 */
const keptBack = (kept: number): number => (kept === 0 ? 0 : Math.round(-kept) + 0);

export class OrderLedger {
  readonly orders = new Map<ClientOrderId, OrderState>();
  /** The orders not over (open, sent, never sent), kept by the fold: see open-orders.ts. */
  private readonly index = new OpenOrderIndex(this.orders);
  readonly parents = new Map<ParentOrderId, ParentState>();
  /** Orders whose state changed since the last takeChanged() (for incremental projections). */
  private changed = new Set<ClientOrderId>();
  /** Trades the last apply() added, whichever report carried them. */
  appliedTrades: AppliedTrade[] = [];
  /** Our signed position from applied fills (plus reconciliation's corrections), lots: the run's
   *  own, relative to the account's baseline (what the breaker's equity and the kill switch see).
   *  The first symbol's (the run's, RunStarted): a node trading several keeps the others' in
   *  `others` (positionOf). */
  position = 0;
  /** What the account held before the run (AccountBaseline), or null when it started flat. */
  baseline: { readonly position: number; readonly quote: number } | null = null;
  /** Client order ids of orders at the venue that are not ours (reconciliation found them). */
  readonly orphans = new Set<string>();
  /** Cash from applied fills, notional units (tick x lot): sells add, buys and fees subtract.
   *  With `position` it gives equity at a mark: cash + position x mark (the breaker's loss). The
   *  first symbol's, in its notional units; the others' are in `others`. */
  cash = 0;
  /** Lots of the first symbol's base the venue kept as commissions (TradeCommission.baseLots;
   *  fractional): our fills count what was traded, the account holds this much less. Fees
   *  count these commissions already (at the trade's price), so `position` and `cash` stay the
   *  traded quantity and its cost; only the position the venue should show takes them off. */
  kept = 0;
  /** The run's first symbol (RunStarted, or the first order's), whose holdings are the fields
   *  above; null before either. */
  private primary: string | null = null;
  /** The holdings of every other symbol, each in its own notional units. */
  private readonly others = new Map<string, SymbolHoldings>();

  /** The position the venue should show: the baseline plus our fills and corrections, less the
   *  commissions the venue kept of the base, lots. */
  get accountPosition(): number {
    return (this.baseline?.position ?? 0) + this.position + keptBack(this.kept);
  }

  /** Our position in `symbol` from applied fills and corrections (lots, relative to its baseline). */
  positionOf(symbol: string): number {
    return this.isPrimary(symbol) ? this.position : (this.others.get(symbol)?.position ?? 0);
  }

  /** The position in `symbol` the venue should show: its baseline plus our fills, lots. */
  accountPositionOf(symbol: string): number {
    if (this.isPrimary(symbol)) return this.accountPosition;
    const h = this.others.get(symbol);
    return (h?.baseline ?? 0) + (h?.position ?? 0) + keptBack(h?.kept ?? 0);
  }

  /** Cash from `symbol`'s fills, in its notional units. */
  cashOf(symbol: string): number {
    return this.isPrimary(symbol) ? this.cash : (this.others.get(symbol)?.cash ?? 0);
  }

  /** The base lots `symbol`'s baseline held (0 when none was taken). */
  baselineOf(symbol: string): number | null {
    if (this.isPrimary(symbol)) return this.baseline?.position ?? null;
    return this.others.get(symbol)?.baseline ?? null;
  }

  /** Whether `symbol` is the run's first (it becomes so when none is known yet). */
  private isPrimary(symbol: string): boolean {
    if (this.primary === null) this.primary = symbol;
    return symbol === this.primary;
  }

  private holdings(symbol: string): SymbolHoldings {
    let h = this.others.get(symbol);
    if (!h) this.others.set(symbol, (h = { position: 0, cash: 0, baseline: null, kept: 0 }));
    return h;
  }

  /** The seq of the last entry applied (0: none): a reader of appliedTrades can tell whose they are. */
  get appliedSeq(): number {
    return this.lastApplied;
  }
  private lastApplied = 0;

  /** Applies one logged entry; returns the derived events the log should record for it. */
  apply(entry: LogEntry): readonly DerivedEvent[] {
    const { event, time, seq } = entry;
    this.lastApplied = seq;
    if (this.appliedTrades.length > 0) this.appliedTrades = [];
    // Most of what a sampled run's store writer folds is market samples (and a log stored before
    // samples left the log holds them as entries), which no order follows: answered before the
    // walk through the kinds below.
    if (event.kind === 'MarketSampled') return NO_DERIVED;
    switch (event.kind) {
      case 'RunStarted':
        if (this.primary === null) this.primary = event.symbol;
        return NO_DERIVED;
      case 'ParentOrderCreated':
        if (this.parents.has(event.parentId)) throw new Error(`parent ${event.parentId} created twice`);
        this.parents.set(event.parentId, {
          spec: event,
          createdAt: time,
          children: [],
          completed: null,
          cancelRequested: false,
          stopReason: null,
          plan: null,
          algo: null,
          totals: { open: 0, pendingNew: 0, filled: 0, committed: 0 },
        });
        return NO_DERIVED;
      case 'ParentCancelRequested': {
        const parent = this.parents.get(event.parentId);
        if (parent) parent.cancelRequested = true;
        return NO_DERIVED;
      }
      case 'ParentStopped': {
        const parent = this.parents.get(event.parentId);
        if (parent && parent.stopReason === null) parent.stopReason = event.reason;
        return NO_DERIVED;
      }
      case 'TwapPlanned': {
        const parent = this.parents.get(event.parentId);
        if (parent) parent.plan = event;
        return NO_DERIVED;
      }
      case 'AlgoPlanned': {
        const parent = this.parents.get(event.parentId as ParentOrderId);
        if (parent) parent.algo = event.algo;
        return NO_DERIVED;
      }
      case 'OrderCreated': {
        if (this.orders.has(event.clientOrderId)) throw new Error(`order ${event.clientOrderId} created twice`);
        this.orphans.delete(event.clientOrderId); // an adopted orphan is ours from now on
        const parent = this.parents.get(event.parentId);
        if (!parent) throw new Error(`order ${event.clientOrderId} references unknown parent ${event.parentId}`);
        const request = requestWith(event, event.qty, event.limitPrice, event.stopPrice);
        const state = newOrderState(request, time);
        this.orders.set(event.clientOrderId, state);
        this.index.add(event.clientOrderId, state);
        parent.children.push(event.clientOrderId);
        addTotals(parent.totals, state, 1);
        this.changed.add(event.clientOrderId);
        return NO_DERIVED;
      }
      case 'OrphanDetected':
        this.orphans.add(event.clientOrderId);
        return NO_DERIVED;
      case 'AccountBaseline':
        if (this.isPrimary(event.symbol)) this.baseline = { position: event.position, quote: event.quote };
        else this.holdings(event.symbol).baseline = event.position;
        return NO_DERIVED;
      case 'PositionCorrected':
        // Reconciliation found the venue's position off ours with every order reconciled: the
        // difference (fills we can never see, e.g. an orphan's) is carried on top of our fills.
        if (event.symbol === undefined || this.isPrimary(event.symbol)) this.position += event.adjustment;
        else this.holdings(event.symbol).position += event.adjustment;
        return NO_DERIVED;
      case 'ParentOrderCompleted': {
        const parent = this.parents.get(event.parentId);
        if (parent)
          parent.completed = { status: event.status, filledQty: event.filledQty, at: parent.completed?.at ?? time };
        return NO_DERIVED;
      }
      default:
        if (!isOrderEvent(event)) return NO_DERIVED;
        return this.applyToOrder(event, time, seq);
    }
  }

  private applyToOrder(event: OrderEvent, time: number, seq: number): readonly DerivedEvent[] {
    const current = this.orders.get(event.clientOrderId);
    if (!current && this.orphans.has(event.clientOrderId)) return NO_DERIVED; // not ours: the orphan book follows it
    if (!current) {
      return [
        {
          kind: 'DiscrepancyRecorded',
          clientOrderId: event.clientOrderId,
          reason: 'unknown_order',
          detail: `${event.kind} for an order we never created`,
          cause: seq,
        },
      ];
    }
    const outcome = applyOrderEvent(current, event, time, seq);
    if (outcome.kind === 'ignored') {
      return [
        {
          kind: 'ReportIgnored',
          clientOrderId: event.clientOrderId,
          reason: outcome.reason,
          detail: outcome.detail,
          cause: seq,
        },
      ];
    }
    if (outcome.kind === 'discrepancy') {
      return [
        {
          kind: 'DiscrepancyRecorded',
          clientOrderId: event.clientOrderId,
          reason: outcome.reason,
          detail: outcome.detail,
          cause: seq,
        },
      ];
    }
    const next = outcome.state;
    this.orders.set(event.clientOrderId, next);
    this.index.changed(event.clientOrderId, next);
    const totals = this.parents.get(current.request.parentId)?.totals;
    if (totals) {
      addTotals(totals, current, -1);
      addTotals(totals, next, 1);
    }
    this.changed.add(event.clientOrderId);
    const filledNow = next.filledQty - current.filledQty;
    if (outcome.fills) this.appliedTrades = outcome.fills.map((t) => appliedTrade(t, event.clientOrderId));
    // Cash from the order's own totals: an inferred fill's notional is exact in notional units
    // although its price is fractional, and a matched execution adds its fee only.
    const sign = current.request.side === 'buy' ? -1 : 1;
    const cash = sign * (next.filledNotional - current.filledNotional) - (next.fees - current.fees);
    if (this.isPrimary(current.request.symbol)) {
      if (filledNow !== 0) this.position += current.request.side === 'buy' ? filledNow : -filledNow;
      this.cash += cash;
    } else {
      const h = this.holdings(current.request.symbol);
      if (filledNow !== 0) h.position += current.request.side === 'buy' ? filledNow : -filledNow;
      h.cash += cash;
    }
    const unvalued = commissionsFollowed(event) ? this.followCommissions(event, current, next, seq) : null;
    if (!outcome.inferred && !outcome.matched?.length && outcome.from === next.status && unvalued === null)
      return NO_DERIVED;
    const derived: DerivedEvent[] = unvalued ?? [];
    if (outcome.inferred) {
      const { fill, cumulativeQty, venueAvgPrice } = outcome.inferred;
      derived.push({
        kind: 'FillInferred',
        clientOrderId: event.clientOrderId,
        tradeId: fill.tradeId,
        qty: fill.qty,
        cumulativeQty,
        price: fill.price,
        venueAvgPrice,
        cause: seq,
      });
    }
    for (const m of outcome.matched ?? [])
      derived.push({
        kind: 'InferredFillMatched',
        clientOrderId: event.clientOrderId,
        tradeId: m.tradeId,
        qty: m.qty,
        cause: seq,
      });
    if (outcome.from !== next.status)
      derived.push(new StatusChange(event.clientOrderId, outcome.from, next.status, next.filledQty, seq));
    return derived;
  }

  /**
   * The commissions of the executions `event` applied for the first time (a fill report's, or a
   * lookup's listed trades the order did not hold before): base lots the venue kept are taken off
   * the position it should show, and each commission without a value is a CommissionUnvalued.
   */
  private followCommissions(
    event: OrderEvent,
    current: OrderState,
    next: OrderState,
    seq: number,
  ): CommissionUnvalued[] | null {
    let out: CommissionUnvalued[] | null = null;
    const follow = (t: ReportedTrade): void => {
      const c = t.commission;
      if (c === undefined || current.tradeIds.has(t.tradeId) || !next.tradeIds.has(t.tradeId)) return;
      if (c.baseLots !== undefined && Number.isFinite(c.baseLots) && c.baseLots > 0) {
        if (this.isPrimary(current.request.symbol)) this.kept += c.baseLots;
        else this.holdings(current.request.symbol).kept += c.baseLots;
      }
      if (c.unvalued === true)
        (out ??= []).push({
          kind: 'CommissionUnvalued',
          clientOrderId: current.request.clientOrderId,
          tradeId: t.tradeId,
          asset: c.asset,
          amount: c.amount,
          cause: seq,
        });
    };
    if (event.kind === 'FillReport') follow(event);
    else if (event.kind === 'OrderStatusReport') for (const t of event.trades ?? []) follow(t);
    return out;
  }

  /**
   * Every order of ours that may still fill, with its remaining lots: not terminal, whether
   * working at the venue, awaiting a resend, or a TWAP slice still to be sent (it goes out unless
   * cancelled). `except` leaves out the order being checked.
   */
  workingOrders(except?: ClientOrderId, symbol?: string): Array<{ side: 'buy' | 'sell'; qty: number }> {
    const out: Array<{ side: 'buy' | 'sell'; qty: number }> = [];
    for (const o of this.openOrders()) {
      if (o.request.clientOrderId === except || (symbol !== undefined && o.request.symbol !== symbol)) continue;
      out.push({ side: o.request.side, qty: o.request.qty - o.filledQty });
    }
    return out;
  }

  /** Orders not in a terminal status, in creation order (the order of a walk over `orders`).
   *  A live view: a caller that logs while it walks (and so folds into this ledger) walks a copy. */
  openOrders(): IterableIterator<OrderState> {
    return this.index.openOrders();
  }

  /** How many orders are not in a terminal status. */
  get openCount(): number {
    return this.index.openCount;
  }

  /** The open orders sent at least once (what may be at the venue), in creation order; a live
   *  view like openOrders(). */
  sentOrders(): IterableIterator<OrderState> {
    return this.index.sentOrders();
  }

  /** The order never sent whose submission can come first (earliestSubmission), if any. */
  oldestNeverSent(): OrderState | undefined {
    return this.index.oldestNeverSent();
  }

  order(id: ClientOrderId): OrderState | undefined {
    return this.orders.get(id);
  }

  childrenOf(parentId: ParentOrderId): OrderState[] {
    const parent = this.parents.get(parentId);
    if (!parent) return [];
    return parent.children.map((id) => this.orders.get(id)).filter((o): o is OrderState => o !== undefined);
  }

  /** Returns and clears the ids of orders changed since the last call. */
  takeChanged(): ClientOrderId[] {
    const ids = [...this.changed];
    this.changed = new Set();
    return ids;
  }
}
