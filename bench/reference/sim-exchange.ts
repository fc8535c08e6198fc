// The simulated venue's exchange core, order-desk side: accepts our orders (or says which venue
// rule refuses them), parks them while the market is closed, cancels, modifies and expires them,
// and answers lookups. Matching against the displayed market (fills, queues, stops, halts) is
// the BookMatcher it extends (book-matcher.ts). This class knows nothing of latency, faults or
// venue error codes: the sim broker adds those.
import type { ClientOrderId, Symbol } from '../../src/core/model/ids.ts';
import { venueOrderId } from '../../src/core/model/ids.ts';
import type { OrderRequest, Side } from '../../src/core/model/order.ts';
import type { RefusalReason } from '../../src/core/venues/venue-rules.ts';
import { isOpenStatus, type ExchangeOrder } from '../../src/sim/venue/exchange-order.ts';
import { BookMatcher, type ExchangeListener } from './book-matcher.ts';

export type { ExchangeConfig, ExchangeListener, ImpactHooks } from './book-matcher.ts';

export class SimExchange extends BookMatcher {
  private readonly orders = new Map<ClientOrderId, ExchangeOrder>();
  private readonly parked = new Set<ExchangeOrder>();
  private nextOrder = 1;

  /** Our signed position, lots. */
  get position(): number {
    return this.account.position;
  }

  /** Lots of our position that open sells do not already lock. */
  get freePosition(): number {
    return this.account.position - this.account.lockedBase(this.openOrders());
  }

  /** The symbol this exchange trades. */
  get symbol(): Symbol {
    return this.config.instrument.symbol;
  }

  /** Our quote balance, notional units. */
  get quoteBalance(): number {
    return this.account.quote;
  }

  setListener(listener: ExchangeListener): void {
    this.listener = listener;
  }

  order(id: ClientOrderId): ExchangeOrder | undefined {
    return this.orders.get(id);
  }

  openOrders(): ExchangeOrder[] {
    return [...this.orders.values()].filter((o) => isOpenStatus(o.status));
  }

  /** Orders updated (or created: 'submitted') at or after `time`. */
  ordersSince(time: number, by: 'updated' | 'submitted' = 'updated'): ExchangeOrder[] {
    return [...this.orders.values()].filter((o) => (by === 'updated' ? o.updatedAt : o.createdAt) >= time);
  }

  /**
   * Validates and accepts an order; returns the refusal reason instead when it must be refused.
   * A parked order (market closed, venue queues until the open) is accepted and waits for
   * activate().
   */
  submit(req: OrderRequest, postOnly: boolean, parked = false): RefusalReason | ExchangeOrder {
    const existing = this.orders.get(req.clientOrderId);
    if (existing && (this.config.clientIdUniqueness === 'all-orders' || isOpenStatus(existing.status))) {
      return 'duplicate-client-id';
    }
    if (this.halted) return 'market-closed';
    const refusal = this.validate(req, postOnly);
    if (refusal) return refusal;
    const time = this.now();
    const order: ExchangeOrder = {
      clientOrderId: req.clientOrderId,
      venueOrderId: venueOrderId(`S${this.nextOrder++}`),
      side: req.side,
      type: req.type,
      tif: req.tif,
      qty: req.qty,
      limitPrice: req.limitPrice ?? null,
      stopPrice: req.stopPrice ?? null,
      postOnly,
      createdAt: time,
      status: 'new',
      triggered: req.type !== 'stop' && req.type !== 'stop_limit',
      filled: 0,
      notional: 0,
      ahead: 0,
      updatedAt: time,
      trades: [],
    };
    this.orders.set(order.clientOrderId, order);
    this.listener.accepted(order);
    if (parked) {
      this.parked.add(order);
      return order;
    }
    this.start(order);
    return order;
  }

  /** Starts a parked order (the session opened). */
  activate(id: ClientOrderId): void {
    const order = this.orders.get(id);
    if (!order || !this.parked.delete(order) || !isOpenStatus(order.status)) return;
    this.start(order);
  }

  private start(order: ExchangeOrder): void {
    if (!order.triggered) {
      if (this.lastTradePrice !== null && this.stopHit(order, this.lastTradePrice)) order.triggered = true;
      else {
        this.stops.push(order);
        return;
      }
    }
    this.execute(order);
  }

  cancel(id: ClientOrderId): boolean {
    const order = this.orders.get(id);
    if (!order || !isOpenStatus(order.status)) return false;
    this.close(order, 'canceled');
    this.listener.canceled(order);
    return true;
  }

  /**
   * Modifies a resting limit order in place: a size reduction at the same price keeps its queue
   * position (what Binance's amend-keep-priority does); a size increase or a price change loses
   * it: the order goes to the back of the queue at its (new) price, and may match if that price
   * now crosses. Returns false for an order that is not resting.
   */
  modify(id: ClientOrderId, newQty: number, newPrice?: number): boolean {
    const o = this.orders.get(id);
    if (!o || !isOpenStatus(o.status) || o.limitPrice === null || !o.triggered) return false;
    if (!Number.isSafeInteger(newQty) || newQty <= o.filled) return false;
    const price = newPrice ?? o.limitPrice;
    const mutable = o as { qty: number; limitPrice: number | null };
    if (price === o.limitPrice && newQty <= o.qty) {
      mutable.qty = newQty;
      o.updatedAt = this.now();
      return true;
    }
    this.resting.remove(o);
    mutable.qty = newQty;
    mutable.limitPrice = price;
    o.updatedAt = this.now();
    this.execute(o); // crosses now? takes; otherwise rests at the back of the queue
    return true;
  }

  /** Expires every open DAY order (the session closed). */
  expireDayOrders(): void {
    for (const o of this.openOrders()) {
      if (o.tif !== 'DAY') continue;
      this.close(o, 'expired');
      this.listener.expired(o, 'DAY order: session closed');
    }
  }

  /** Takes an open order off every structure that holds it (resting, parked, untriggered stops). */
  private close(o: ExchangeOrder, status: 'canceled' | 'expired'): void {
    this.resting.remove(o);
    this.parked.delete(o);
    const s = this.stops.indexOf(o);
    if (s >= 0) this.stops.splice(s, 1);
    o.status = status;
    o.updatedAt = this.now();
  }

  private validate(req: OrderRequest, postOnly: boolean): RefusalReason | null {
    if (!Number.isSafeInteger(req.qty) || req.qty <= 0) return 'unsupported-order-type';
    const needsLimit = req.type === 'limit' || req.type === 'stop_limit';
    const needsStop = req.type === 'stop' || req.type === 'stop_limit';
    if (needsLimit !== (req.limitPrice !== undefined) || needsStop !== (req.stopPrice !== undefined))
      return 'unsupported-order-type';
    if (req.limitPrice !== undefined && req.limitPrice <= 0) return 'unsupported-order-type';
    const reference = req.limitPrice ?? req.stopPrice ?? this.touchFor(req.side);
    if (reference !== null && reference * req.qty < this.config.instrument.minNotionalUnits)
      return 'below-min-notional';
    if (postOnly) {
      if (req.type !== 'limit') return 'unsupported-order-type';
      const touch = this.touchFor(req.side);
      if (touch !== null && (req.side === 'buy' ? req.limitPrice! >= touch : req.limitPrice! <= touch))
        return 'post-only-would-take';
    }
    return this.account.refusal(req, reference, this.openOrders());
  }

  /** Best opposite price an order of `side` would take (a level our trades emptied is not it). */
  private touchFor(side: Side): number | null {
    return this.bestAvailable(side === 'buy' ? 'ask' : 'bid');
  }
}
