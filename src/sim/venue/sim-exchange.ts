// The simulated venue's exchange core, order-desk side: accepts our orders (or says which venue
// rule refuses them), parks them while the market is closed, cancels, modifies and expires them,
// and answers lookups. Matching against the displayed market (fills, queues, stops, halts) is
// the BookMatcher it extends (book-matcher.ts). This class knows nothing of latency, faults or
// venue error codes: the sim broker adds those.
import type { ClientOrderId, Symbol } from '../../core/model/ids.ts';
import { venueOrderId } from '../../core/model/ids.ts';
import type { OrderRequest, Side } from '../../core/model/order.ts';
import type { RefusalReason } from '../../core/venues/venue-rules.ts';
import { isOpenStatus, type ExchangeOrder } from './exchange-order.ts';
import { BookMatcher, type ExchangeListener } from './book-matcher.ts';

export type { ExchangeConfig, ExchangeListener, ImpactHooks } from './book-matcher.ts';

export class SimExchange extends BookMatcher {
  private readonly orders = new Map<ClientOrderId, ExchangeOrder>();
  private readonly parked = new Set<ExchangeOrder>();
  /** Each client id's place in `orders`' key order (an id used again keeps its first place,
   *  as a Map key does): the order openOrders() lists in. */
  private readonly keyPlace = new Map<ClientOrderId, number>();
  /** Every order that was open when last looked at, in key order. An order never reopens, so
   *  this holds every open order; openOrders() drops the closed ones. Without it every submit
   *  (whose account check reads the open orders) walked every order of the run. */
  private readonly open: ExchangeOrder[] = [];
  /** Every order ever accepted, in submission order (createdAt never decreases along it while
   *  the clock runs forward): the listing by submission time finds its start by bisection. */
  private readonly bySubmission: ExchangeOrder[] = [];
  private submissionSorted = true;

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

  /** Whether a new order with this client id would be a duplicate here (the venue's rule: an
   *  open order has it, or any order when ids are unique among all orders). */
  holdsClientId(id: ClientOrderId): boolean {
    const existing = this.orders.get(id);
    return existing !== undefined && (this.config.clientIdUniqueness === 'all-orders' || isOpenStatus(existing.status));
  }

  /** The open orders, in the order the orders were first keyed by client id. */
  openOrders(): ExchangeOrder[] {
    const list = this.open;
    let kept = 0;
    for (const o of list) if (isOpenStatus(o.status)) list[kept++] = o;
    list.length = kept;
    return list.slice();
  }

  /** Orders updated (or created: 'submitted') at or after `time`. By submission time: in
   *  submission order, found by bisection (a walk over every order of the run otherwise). */
  ordersSince(time: number, by: 'updated' | 'submitted' = 'updated'): ExchangeOrder[] {
    if (by === 'updated' || !this.submissionSorted)
      return [...this.orders.values()].filter((o) => (by === 'updated' ? o.updatedAt : o.createdAt) >= time);
    const all = this.bySubmission;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((all[mid] as ExchangeOrder).createdAt < time) lo = mid + 1;
      else hi = mid;
    }
    const out: ExchangeOrder[] = [];
    for (let i = lo; i < all.length; i++) {
      const o = all[i] as ExchangeOrder;
      // An order replaced by a later one with the same client id is gone from the venue's record.
      if (this.orders.get(o.clientOrderId) === o) out.push(o);
    }
    return out;
  }

  /** Records a new order in the open list (at its key's place) and the submission index. */
  private index(order: ExchangeOrder): void {
    let place = this.keyPlace.get(order.clientOrderId);
    if (place === undefined) {
      place = this.keyPlace.size;
      this.keyPlace.set(order.clientOrderId, place);
    }
    const list = this.open;
    let at = list.length;
    while (at > 0 && (this.keyPlace.get((list[at - 1] as ExchangeOrder).clientOrderId) as number) > place) at--;
    list.splice(at, 0, order);
    const last = this.bySubmission[this.bySubmission.length - 1];
    if (last && last.createdAt > order.createdAt) this.submissionSorted = false;
    this.bySubmission.push(order);
  }

  /**
   * Validates and accepts an order; returns the refusal reason instead when it must be refused.
   * A parked order (market closed, venue queues until the open) is accepted and waits for
   * activate().
   */
  submit(req: OrderRequest, postOnly: boolean, parked = false): RefusalReason | ExchangeOrder {
    if (this.holdsClientId(req.clientOrderId)) return 'duplicate-client-id';
    if (this.halted) return 'market-closed';
    const refusal = this.validate(req, postOnly);
    if (refusal) return refusal;
    const time = this.now();
    const order: ExchangeOrder = {
      clientOrderId: req.clientOrderId,
      venueOrderId: venueOrderId(`S${this.ids.order++}`),
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
    this.index(order);
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

  /** Best opposite price an order of `side` would take: a displayed level our trades emptied
   *  has nothing to take, so it is not the touch (a post-only order at its price would rest). */
  private touchFor(side: Side): number | null {
    return this.bestAvailable(side === 'buy' ? 'ask' : 'bid');
  }
}
