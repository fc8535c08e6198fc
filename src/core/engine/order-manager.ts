// The order manager: signal -> dedup -> risk -> route -> broker, and directly entered orders
// through the same pre-trade checks. Every decision is an event, and only an accepted signal is
// remembered by dedup. The events, the order of the risk checks, reduce-only, ids derived from the
// signal and several symbols: docs/0069-core-and-simulator-notes.md.
import type { ExecEvent } from '../model/events.ts';
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import { parentOrderId, type ParentOrderId, type Symbol } from '../model/ids.ts';
import { lotsToQty, ticksToPrice, type Instrument } from '../model/instrument.ts';
import type { OrderRequest, Side } from '../model/order.ts';
import { positionIn, type VenueMessage } from '../model/reports.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type { Confirmation } from '../model/safety-events.ts';
import { preTradeCheck, pruneAcceptedTimes, type Denial, type PreTradeConfig } from '../safety/pre-trade.ts';
import { checkReduceOnly, type VenueExposure } from '../safety/reduce-only.ts';
import {
  signalParentId,
  type DedupSignal,
  type RememberedSignal,
  type SignalDeduplicator,
} from '../safety/signal-dedup.ts';
import type { VenueRules } from '../venues/venue-rules.ts';
import type { ExecutionEngine, ParentRequest } from './execution-engine.ts';
import type { AlgoRequest } from '../algo/intent-algorithm.ts';
import type { Placement } from '../algo/placement.ts';
import type { TrajectorySpec } from '../algo/trajectory.ts';

export interface SignalRequest {
  readonly signalId: string;
  /** The instrument; absent: the node's first (the run's symbol). */
  readonly symbol?: Symbol;
  readonly side: Side;
  /** Lots. */
  readonly qty: number;
  /** Entry price, ticks: the order is a limit there; null: a market order. */
  readonly price: number | null;
  readonly route: 'auto' | 'single' | 'twap';
  /** The execution algorithm its parent's slices follow (algo/trajectory.ts); a signal with
   *  one is sliced on the routing's default TWAP grid. Absent: TWAP's line, routed by `route`. */
  readonly trajectory?: TrajectorySpec;
  /** An algorithm deciding its children as it runs (an iceberg, a user's module), instead. */
  readonly algo?: AlgoRequest;
  /** How its parent's children are placed (algo/placement.ts); a signal with one is sliced as
   *  one with a trajectory is. Absent: as its type makes them. */
  readonly placement?: Placement;
  /** Only reduce the venue's position (checked against the venue, not trusted). */
  readonly reduceOnly: boolean;
  readonly confirmations: readonly Confirmation[];
  readonly confirmedBy: string | null;
  /** The strategy module that made it, by its name; absent for a signal from the scenario, the
   *  API or an operator. */
  readonly strategy?: string;
}

export interface OrderManagerDeps {
  readonly clock: Clock;
  readonly engine: ExecutionEngine;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  readonly instrument: Instrument;
  readonly venue: VenueRules;
  readonly dedup: SignalDeduplicator;
  readonly preTrade: PreTradeConfig;
  /** Startup gating: why new orders must wait now (not ready), or null. Reduce-only signals
   *  and cancels still pass (reduce-only is checked against the venue's live view). */
  readonly gate?: () => string | null;
  /** How old the venue's position may be for a reduce-only check, and how long to wait for it. */
  readonly exposureMaxAgeMs: number;
  record(e: ExecEvent): void;
}

type Stage = 'gating' | 'dedup' | 'guards' | 'pre_trade' | 'reduce_only';

/** A reduce-only signal or order waiting for the venue's view. */
type Waiting =
  | {
      readonly kind: 'signal';
      readonly sig: SignalRequest;
      readonly parentId: ParentOrderId;
      readonly fingerprint: string;
      readonly dedup: DedupSignal;
    }
  | { readonly kind: 'order'; readonly req: ParentRequest };

/** The denial of a copy of a remembered signal; its time as ISO 8601, as people read it. */
const duplicateOf = (original: RememberedSignal): Denial => ({
  code: 'duplicate-signal',
  reason: `duplicate of signal ${original.signalId ?? original.fingerprint} at ${new Date(original.signalTime).toISOString()}`,
});

export class OrderManager {
  private acceptedTimes: number[] = [];
  /** The venue's position in each of the node's symbols when last asked (any AccountReport), and
   *  ours (the ledger's) at that moment, in the order of the node's instruments. */
  private position: { values: number[]; at: number; ours: number[] } | null = null;
  private openOrders: { value: VenueExposure['openOrders']; at: number } | null = null;
  /** Reduce-only signals and orders waiting for a fresh view of the venue, in arrival order. */
  private waiting: Waiting[] = [];
  private waitTimer: { unsubscribe(): void } | null = null;

  constructor(private readonly deps: OrderManagerDeps) {}

  /** The instrument of `symbol` (the run's symbol's when absent). */
  private instrumentOf(symbol: Symbol | undefined): Instrument {
    return symbol === undefined ? this.deps.instrument : this.deps.engine.instruments.of(symbol);
  }

  onSignal(sig: SignalRequest): void {
    const { clock, dedup } = this.deps;
    const instrument = this.instrumentOf(sig.symbol);
    const now = clock.now();
    const price = sig.price === null ? null : ticksToPrice(instrument, sig.price);
    const gated = sig.reduceOnly ? null : (this.deps.gate?.() ?? null);
    if (gated) {
      // Before dedup: a signal refused as not ready is not remembered, so it may come again.
      this.deps.record({
        kind: 'SignalReceived',
        signalId: sig.signalId,
        fingerprint: '',
        side: sig.side,
        qty: sig.qty,
        price: sig.price,
        reduceOnly: sig.reduceOnly,
        confirmations: [...sig.confirmations],
        ...(sig.strategy === undefined ? {} : { strategy: sig.strategy }),
      });
      return this.reject(sig, '', 'gating', { code: 'not-ready', reason: gated });
    }
    const dedupSignal = {
      symbol: instrument.symbol,
      side: sig.side,
      entryPrice: price,
      time: Math.floor(now),
      signalId: sig.signalId,
    };
    const fingerprint = dedup.fingerprintOf(dedupSignal);
    this.deps.record({
      kind: 'SignalReceived',
      signalId: sig.signalId,
      fingerprint,
      side: sig.side,
      qty: sig.qty,
      price: sig.price,
      reduceOnly: sig.reduceOnly,
      confirmations: [...sig.confirmations],
      ...(sig.strategy === undefined ? {} : { strategy: sig.strategy }),
    });
    // Only looks: the signal is registered (SignalRegistered) when it is accepted, so a refused
    // one leaves its window free.
    const original = dedup.peek(dedupSignal);
    if (original) return this.reject(sig, fingerprint, 'dedup', duplicateOf(original));
    const parentId = parentOrderId(signalParentId(fingerprint));
    if (this.deps.ledger.parents.has(parentId)) {
      return this.reject(sig, fingerprint, 'dedup', {
        code: 'duplicate-parent',
        reason: `parent ${parentId} exists: the same signal was executed before`,
      });
    }
    const guard = this.deps.engine.blocked(sig.side, sig.qty, undefined, sig.symbol);
    if (guard) return this.reject(sig, fingerprint, 'guards', { code: 'guard', reason: guard });
    const order = this.orderOf(
      {
        parentId,
        ...(sig.symbol === undefined ? {} : { symbol: sig.symbol }),
        side: sig.side,
        qty: sig.qty,
        ...this.shapeOf(sig),
      },
      now,
    );
    const denial = this.preTrade(order, sig.price, sig.confirmations, sig.confirmedBy);
    if (denial) return this.reject(sig, fingerprint, 'pre_trade', denial);
    if (!sig.reduceOnly) return this.accept(sig, parentId, fingerprint, dedupSignal);
    this.awaitVenue({ kind: 'signal', sig, parentId, fingerprint, dedup: dedupSignal });
  }

  /** Queues a reduce-only signal or order for the venue's view: decided now when the view is
   *  fresh, else once both answers are in, or denied (fail closed) when they are not in time. */
  private awaitVenue(w: Waiting): void {
    this.waiting.push(w);
    if (this.fresh()) return this.drain();
    this.deps.broker.queryAccount();
    this.deps.broker.queryOpenOrders();
    this.waitTimer ??= this.deps.clock.schedule(() => {
      this.waitTimer = null;
      this.drain();
    }, this.deps.exposureMaxAgeMs);
  }

  /**
   * An order entered directly (a scenario's or an operator's parent order, no signal behind it):
   * the pre-trade checks, then the engine. The guards are left to the engine, which checks them
   * before every child goes out. A denial is a ParentRejected event with the check's code. A
   * reduce-only order passes the startup gate (as a reduce-only signal does) and waits for the
   * venue's position and open orders before it becomes a parent (reduce_only denials). With
   * `checkGuards` (an operator's order) the guards are checked first as for a signal, so a held
   * order is refused ('guards') instead of made and held at its first child.
   */
  onOrder(
    req: ParentRequest,
    confirmations: readonly Confirmation[],
    confirmedBy: string | null,
    checkGuards = false,
  ): void {
    const now = this.deps.clock.now();
    const gated = req.reduceOnly ? null : (this.deps.gate?.() ?? null);
    if (gated) {
      this.deps.record({
        kind: 'ParentRejected',
        parentId: req.parentId,
        stage: 'gating',
        code: 'not-ready',
        reason: gated,
      });
      return;
    }
    if (this.deps.ledger.parents.has(req.parentId)) {
      this.deps.record({
        kind: 'ParentRejected',
        parentId: req.parentId,
        stage: 'pre_trade',
        code: 'duplicate-parent',
        reason: `parent ${req.parentId} exists`,
      });
      return;
    }
    const guard = checkGuards ? this.deps.engine.blocked(req.side, req.qty, undefined, req.symbol) : null;
    if (guard) return this.rejectParent(req.parentId, 'guards', { code: 'guard', reason: guard });
    const order = this.orderOf(req, now);
    const denial = this.preTrade(order, req.limitPrice ?? req.stopPrice ?? null, confirmations, confirmedBy);
    if (denial) {
      this.deps.record({
        kind: 'ParentRejected',
        parentId: req.parentId,
        stage: 'pre_trade',
        code: denial.code,
        reason: denial.reason,
      });
      return;
    }
    if (req.reduceOnly) this.awaitVenue({ kind: 'order', req });
    else this.deps.engine.submitParent(req);
  }

  /** Whether a reduce-only order or signal waits for the venue's view under this parent id. */
  isWaiting(parentId: ParentOrderId): boolean {
    return this.waiting.some((w) => (w.kind === 'order' ? w.req.parentId : w.parentId) === parentId);
  }

  /** The pre-trade checks; on a pass, records the large-order audit and counts the order. */
  private preTrade(
    order: OrderRequest,
    price: number | null,
    confirmations: readonly Confirmation[],
    confirmedBy: string | null,
  ): Denial | null {
    const { clock } = this.deps;
    // An order of a symbol the node does not trade meets the run's instrument: the pre-trade
    // checks deny it (symbol-mismatch).
    const instrument = this.deps.engine.instruments.has(order.symbol)
      ? this.instrumentOf(order.symbol)
      : this.deps.instrument;
    const now = clock.now();
    const top = this.deps.marketData.topOfBook(instrument.symbol);
    this.acceptedTimes = pruneAcceptedTimes(now, this.acceptedTimes, this.deps.preTrade);
    const check = preTradeCheck(order, {
      instrument,
      config: this.deps.preTrade,
      venue: this.deps.venue,
      now,
      referencePrice: price ?? (order.side === 'buy' ? top.ask : top.bid),
      acceptedTimes: this.acceptedTimes,
      knownClientOrderIds: this.deps.ledger.orders,
      confirmations,
      ...(confirmedBy ? { confirmedBy } : {}),
    });
    if (!check.ok) return check.denial;
    if (check.audit) this.deps.record(check.audit);
    this.acceptedTimes.push(now);
    return null;
  }

  /** Venue messages (after they were logged): keeps the venue's view for reduce-only checks. */
  onMessage(msg: VenueMessage): void {
    const now = this.deps.clock.now();
    if (msg.kind === 'AccountReport') {
      const { ledger } = this.deps;
      const instruments = this.deps.engine.instruments;
      // A venue of one symbol answers for it whatever it names it; several: each by name.
      this.position =
        instruments.size === 1
          ? { values: [msg.position], at: now, ours: [ledger.position] }
          : {
              values: instruments.all.map((i) => positionIn(msg, i.symbol)),
              at: now,
              ours: instruments.all.map((i) => ledger.positionOf(i.symbol)),
            };
    } else if (msg.kind === 'OpenOrdersReport') {
      // Sides come from our own records; an order we do not know makes the view unusable.
      const orders = msg.orders.map((o) => {
        const ours = this.deps.ledger.order(o.clientOrderId);
        return ours ? { side: ours.request.side, qty: o.qty - o.filledQty } : null;
      });
      this.openOrders = {
        value: orders.every((o) => o !== null) ? (orders as Array<{ side: Side; qty: number }>) : null,
        at: now,
      };
    } else return;
    if (this.waiting.length > 0 && this.fresh()) this.drain();
  }

  private fresh(): boolean {
    const now = this.deps.clock.now();
    const max = this.deps.exposureMaxAgeMs;
    return !!this.position && !!this.openOrders && now - this.position.at <= max && now - this.openOrders.at <= max;
  }

  private drain(): void {
    this.waitTimer?.unsubscribe();
    this.waitTimer = null;
    const now = this.deps.clock.now();
    const { ledger } = this.deps;
    const batch = this.waiting;
    this.waiting = [];
    for (const w of batch) {
      // The venue's view, brought up to date with what we did since it was taken: our fills
      // since then move its position, and our own orders count with what they have left now,
      // including those accepted after the view (the previous signal of this batch among them):
      // two reduce-only signals a moment apart must not both close the same position.
      const view = this.position;
      const instruments = this.deps.engine.instruments;
      const wanted = w.kind === 'order' ? w.req : w.sig;
      const inst = this.instrumentOf(wanted.symbol);
      const symbol = inst.symbol;
      const at = instruments.size === 1 ? 0 : instruments.all.findIndex((i) => i.symbol === symbol);
      const exposure: VenueExposure = {
        position: view ? (view.values[at] as number) + (ledger.positionOf(symbol) - (view.ours[at] as number)) : null,
        openOrders: this.openOrders?.value
          ? ledger.workingOrders(undefined, instruments.size === 1 ? undefined : symbol)
          : null,
        observedAt: view && this.openOrders ? Math.min(view.at, this.openOrders.at) : null,
      };
      const denial = checkReduceOnly({ side: wanted.side, qty: wanted.qty }, exposure, {
        now,
        maxAgeMs: this.deps.exposureMaxAgeMs,
        qty: (lots) => lotsToQty(inst, lots),
      });
      if (w.kind === 'order') {
        if (denial) this.rejectParent(w.req.parentId, 'reduce_only', denial);
        else this.deps.engine.submitParent(w.req);
        continue;
      }
      if (denial) {
        this.reject(w.sig, w.fingerprint, 'reduce_only', denial);
        continue;
      }
      // Another signal of the same window may have been accepted while this one waited.
      const original = this.deps.dedup.peek(w.dedup);
      if (original) this.reject(w.sig, w.fingerprint, 'dedup', duplicateOf(original));
      else this.accept(w.sig, w.parentId, w.fingerprint, w.dedup);
    }
  }

  private rejectParent(parentId: ParentOrderId, stage: Stage, d: Denial): void {
    this.deps.record({ kind: 'ParentRejected', parentId, stage, code: d.code, reason: d.reason });
  }

  /** The order a parent would send first, as the pre-trade checks see it (the whole quantity). */
  private orderOf(
    p: Pick<ParentRequest, 'parentId' | 'symbol' | 'side' | 'qty' | 'type' | 'tif' | 'limitPrice' | 'stopPrice'>,
    now: number,
  ): OrderRequest {
    const { broker } = this.deps;
    const instrument = this.instrumentOf(p.symbol);
    const clientOrderId = deriveClientOrderId(
      {
        parentId: p.parentId,
        symbol: instrument.symbol,
        side: p.side,
        qty: p.qty,
        tradeDate: utcDate(now),
        sliceNum: 1,
      },
      broker.clientIdMaxLength,
    );
    return {
      clientOrderId,
      parentId: p.parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: now,
      symbol: instrument.symbol,
      side: p.side,
      type: p.type,
      tif: p.tif,
      qty: p.qty,
      ...(p.limitPrice === undefined ? {} : { limitPrice: p.limitPrice }),
      ...(p.stopPrice === undefined ? {} : { stopPrice: p.stopPrice }),
    };
  }

  /** A signal with an entry price is a GTC limit there; without one, an IOC market order. */
  private shapeOf(sig: SignalRequest): Pick<ParentRequest, 'type' | 'tif' | 'limitPrice'> {
    return sig.price === null ? { type: 'market', tif: 'IOC' } : { type: 'limit', tif: 'GTC', limitPrice: sig.price };
  }

  private reject(sig: SignalRequest, fingerprint: string, stage: Stage, d: Denial): void {
    this.deps.record({
      kind: 'SignalRejected',
      signalId: sig.signalId,
      fingerprint,
      stage,
      code: d.code,
      reason: d.reason,
    });
  }

  /** Registers the signal with dedup (SignalRegistered), then makes its parent. */
  private accept(sig: SignalRequest, parentId: ParentOrderId, fingerprint: string, dedupSignal: DedupSignal): void {
    this.deps.dedup.admit(dedupSignal);
    const req: ParentRequest = {
      parentId,
      ...(sig.symbol === undefined ? {} : { symbol: sig.symbol }),
      side: sig.side,
      qty: sig.qty,
      ...this.shapeOf(sig),
      route: sig.trajectory === undefined && sig.algo === undefined && sig.placement === undefined ? sig.route : 'twap',
      ...(sig.trajectory === undefined ? {} : { trajectory: sig.trajectory }),
      ...(sig.algo === undefined ? {} : { algo: sig.algo }),
      ...(sig.placement === undefined ? {} : { placement: sig.placement }),
      source: `signal ${sig.signalId}`,
    };
    this.deps.record({ kind: 'SignalAccepted', signalId: sig.signalId, fingerprint, parentId });
    this.deps.engine.submitParent(req);
  }
}
