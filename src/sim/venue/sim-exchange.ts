// The matching core of the simulated venue: our orders against the displayed market (an L2 book
// driven by a market model). Marketable orders walk the levels best first and take displayed
// volume, which stays consumed until the model refreshes that level, so two of our orders can
// never fill from the same liquidity. Resting limits queue behind the volume displayed when they
// joined; market trades at our price eat that queue, trades through our price fill us, a book
// that moves onto our price fills us, and shrinking levels move us up per the queue model.
// "Touch is not a fill" is the default; fillOnTouch makes any trade at our price fill us.
// Stops trigger on the last market trade price. This class knows nothing of latency, faults or
// venue error codes: the sim broker adds those.
import type { ClientOrderId } from '../../core/model/ids.ts';
import { tradeId, venueOrderId } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { OrderRequest, Side } from '../../core/model/order.ts';
import type { L2Book } from '../book/l2-book.ts';
import type { RefusalReason } from '../../core/venues/venue-rules.ts';
import type { QueueModel } from './queue-model.ts';
import { isOpenStatus, type ExchangeOrder, type ExchangeTrade } from './exchange-order.ts';
import { ExchangeAccount } from './exchange-account.ts';
import { RestingOrders } from './resting-orders.ts';

export interface ExchangeListener {
  accepted(order: ExchangeOrder): void;
  filled(order: ExchangeOrder, trade: ExchangeTrade): void;
  canceled(order: ExchangeOrder): void;
  expired(order: ExchangeOrder, reason: string): void;
}

/** Market-model hooks for our own executions (Almgren-Chriss impact). */
export interface ImpactHooks {
  /** Ticks added against us to a taker fill of `qty` lots (temporary impact). */
  takerSlippageTicks(side: Side, qty: number, time: number): number;
  /** Called after each of our fills (permanent impact). */
  ourFill(side: Side, qty: number, price: number, time: number): void;
}

export interface ExchangeConfig {
  readonly instrument: Instrument;
  readonly makerFeeBps: number;
  readonly takerFeeBps: number;
  readonly queue: QueueModel;
  readonly fillOnTouch: boolean;
  /** Starting balances; null = unlimited (no balance checks). */
  readonly account: { readonly quoteUnits: number; readonly baseLots: number } | null;
  /** Client ids must be unique among open orders (Binance) or among all orders (Alpaca). */
  readonly clientIdUniqueness: 'open-orders' | 'all-orders';
}

const opposite = (s: 'bid' | 'ask'): 'bid' | 'ask' => (s === 'bid' ? 'ask' : 'bid');
const bookSide = (side: Side): 'bid' | 'ask' => (side === 'buy' ? 'bid' : 'ask');

export class SimExchange {
  readonly resting = new RestingOrders();
  private readonly orders = new Map<ClientOrderId, ExchangeOrder>();
  private readonly stops: ExchangeOrder[] = [];
  private readonly parked = new Set<ExchangeOrder>();
  /** Displayed volume we consumed per level, until the model refreshes the level. */
  private readonly consumed = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  /** Market volume traded per level since its last depth update (not a cancel). */
  private readonly tradedSince = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  private nextOrder = 1;
  private nextTrade = 1;
  private haltedNow = false;
  lastTradePrice: number | null = null;
  readonly account: ExchangeAccount;
  impact: ImpactHooks | null = null;

  private listener: ExchangeListener = {
    accepted: () => {},
    filled: () => {},
    canceled: () => {},
    expired: () => {},
  };

  constructor(
    readonly book: L2Book,
    private readonly config: ExchangeConfig,
    private readonly now: () => number,
  ) {
    this.account = new ExchangeAccount(config.account !== null, config.account?.quoteUnits ?? 0, config.account?.baseLots ?? 0);
  }

  /** A halted venue refuses new orders and matches nothing; when the halt ends, resting orders
   *  the book moved onto in the meantime are filled at once. */
  get halted(): boolean {
    return this.haltedNow;
  }

  set halted(value: boolean) {
    const resumed = this.haltedNow && !value;
    this.haltedNow = value;
    if (resumed && this.resting.size > 0) {
      this.fillCrossed('ask');
      this.fillCrossed('bid');
    }
  }

  /** Our signed position, lots. */
  get position(): number {
    return this.account.position;
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

  ordersSince(time: number): ExchangeOrder[] {
    return [...this.orders.values()].filter((o) => o.updatedAt >= time);
  }

  /** Displayed volume at a level that is still there for us to take. */
  available(side: 'bid' | 'ask', price: number): number {
    return Math.max(0, this.book.qty(side, price) - (this.consumed[side].get(price) ?? 0));
  }

  // ---- market model side -------------------------------------------------------------

  /**
   * The model sets a displayed level (qty 0 removes it). A refresh (the default) gives back the
   * volume we consumed there; a level shrinking because of a market trade is not a refresh.
   */
  setLevel(side: 'bid' | 'ask', price: number, qty: number, refresh = true): void {
    const prev = this.book.qty(side, price);
    // Unchanged, nothing of ours consumed there, no trade since: nothing to update (the common
    // case when a model redraws its whole book every step).
    if (prev === qty && !this.consumed[side].has(price) && !this.tradedSince[side].has(price)) return;
    this.book.set(side, price, qty);
    if (refresh || qty === 0) this.consumed[side].delete(price);
    else {
      const c = this.consumed[side].get(price);
      if (c !== undefined && c > qty) this.consumed[side].set(price, qty);
    }
    const traded = this.tradedSince[side].get(price) ?? 0;
    this.tradedSince[side].delete(price);
    const ourSide: Side = side === 'bid' ? 'buy' : 'sell';
    const cancelled = prev - traded - qty;
    if (cancelled > 0) {
      // The displayed level holds market volume only, while `ahead` also counts our own earlier
      // orders at the price: the queue model apportions the cancel over the market part.
      let ours = 0;
      for (const o of this.resting.at(ourSide, price)) {
        o.ahead = ours + this.config.queue.onShrink(Math.max(0, o.ahead - ours), prev - traded, qty);
        ours += o.qty - o.filled;
      }
    }
    if (!this.halted && this.resting.size > 0) this.fillCrossed(side);
  }

  /** A trade between other participants: `aggressor` took liquidity at `price`. */
  marketTrade(price: number, qty: number, aggressor: Side): void {
    this.lastTradePrice = price;
    const passive: 'bid' | 'ask' = aggressor === 'sell' ? 'bid' : 'ask';
    this.tradedSince[passive].set(price, (this.tradedSince[passive].get(price) ?? 0) + qty);
    if (this.halted) return;
    if (this.resting.size > 0) {
      const ourSide: Side = passive === 'bid' ? 'buy' : 'sell';
      // Through our price: the market traded at a worse price than ours, so ours went first.
      const through = this.resting.matching(ourSide, (p) => (ourSide === 'buy' ? p > price : p < price));
      for (const o of through) this.fillResting(o, o.qty - o.filled, o.limitPrice as number);
      // On touch, our orders share the trade's volume in time priority.
      let touch = qty;
      for (const o of [...this.resting.at(ourSide, price)]) {
        const fill = Math.min(this.config.fillOnTouch ? touch : qty - o.ahead, o.qty - o.filled);
        o.ahead = Math.max(0, o.ahead - qty);
        if (fill > 0) {
          this.fillResting(o, fill, price);
          touch -= fill;
        }
      }
    }
    if (this.stops.length > 0) this.triggerStops(price);
  }

  // ---- our side -----------------------------------------------------------------------

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
    if (needsLimit !== (req.limitPrice !== undefined) || needsStop !== (req.stopPrice !== undefined)) return 'unsupported-order-type';
    if (req.limitPrice !== undefined && req.limitPrice <= 0) return 'unsupported-order-type';
    const reference = req.limitPrice ?? req.stopPrice ?? this.touchFor(req.side);
    if (reference !== null && reference * req.qty < this.config.instrument.minNotionalUnits) return 'below-min-notional';
    if (postOnly) {
      if (req.type !== 'limit') return 'unsupported-order-type';
      const touch = this.touchFor(req.side);
      if (touch !== null && (req.side === 'buy' ? req.limitPrice! >= touch : req.limitPrice! <= touch)) return 'post-only-would-take';
    }
    return this.account.refusal(req, reference, this.openOrders());
  }

  /** Best opposite price an order of `side` would take. */
  private touchFor(side: Side): number | null {
    return side === 'buy' ? this.book.bestAsk() : this.book.bestBid();
  }

  private stopHit(o: ExchangeOrder, price: number): boolean {
    return o.side === 'buy' ? price >= (o.stopPrice as number) : price <= (o.stopPrice as number);
  }

  private triggerStops(price: number): void {
    const fired = this.stops.filter((o) => this.stopHit(o, price));
    if (fired.length === 0) return;
    for (const o of fired) {
      this.stops.splice(this.stops.indexOf(o), 1);
      o.triggered = true;
      this.execute(o);
    }
  }

  /** Takes liquidity, then rests or expires the remainder. */
  private execute(o: ExchangeOrder): void {
    const limit = o.type === 'market' || o.type === 'stop' ? null : (o.limitPrice as number);
    const side = opposite(bookSide(o.side));
    if (o.tif === 'FOK' && this.takeable(o, side, limit) < o.qty) {
      this.expire(o, 'FOK: not enough liquidity to fill in full');
      return;
    }
    const broke = this.take(o, side, limit);
    if (o.filled === o.qty) return;
    if (broke) {
      this.expire(o, 'insufficient balance for the rest');
      return;
    }
    if (limit === null || o.tif === 'IOC' || o.tif === 'FOK') {
      this.expire(o, limit === null ? 'market order: no more liquidity' : 'IOC: remainder expired');
      return;
    }
    // Queue behind the market volume still displayed (not what we consumed) and our own orders.
    o.ahead = this.available(bookSide(o.side), limit) + this.resting.remainingAt(o.side, limit);
    this.resting.add(o);
  }

  private crosses(side: Side, price: number, limit: number | null): boolean {
    return limit === null || (side === 'buy' ? price <= limit : price >= limit);
  }

  private takeable(o: ExchangeOrder, side: 'bid' | 'ask', limit: number | null): number {
    let sum = 0;
    for (const [price] of this.book.depth(side, Number.MAX_SAFE_INTEGER)) {
      if (!this.crosses(o.side, price, limit)) break;
      sum += this.available(side, price);
      if (sum >= o.qty) break;
    }
    return sum;
  }

  /** Takes liquidity best price first; returns true if it stopped because the balance ran out. */
  private take(o: ExchangeOrder, side: 'bid' | 'ask', limit: number | null): boolean {
    while (o.filled < o.qty) {
      const price = this.bestAvailable(side);
      if (price === null || !this.crosses(o.side, price, limit)) return false;
      let qty = Math.min(o.qty - o.filled, this.available(side, price));
      const slip = this.impact ? this.impact.takerSlippageTicks(o.side, qty, this.now()) : 0;
      const fillPrice = Math.max(1, o.side === 'buy' ? price + slip : price - slip);
      // A buy walking the book spends at each level's price, not at the price it was checked at.
      if (this.account.limited && o.side === 'buy') {
        qty = Math.min(qty, this.account.affordable(o, fillPrice, this.config.takerFeeBps, this.openOrders()));
        if (qty <= 0) return true;
      }
      this.consumed[side].set(price, (this.consumed[side].get(price) ?? 0) + qty);
      this.fill(o, qty, fillPrice, 'taker');
    }
    return false;
  }

  /** Best level on a side that still has volume we have not consumed. */
  private bestAvailable(side: 'bid' | 'ask'): number | null {
    const best = side === 'bid' ? this.book.bestBid() : this.book.bestAsk();
    if (best === null) return null;
    if (this.available(side, best) > 0) return best;
    for (const [price] of this.book.depth(side, Number.MAX_SAFE_INTEGER)) {
      if (this.available(side, price) > 0) return price;
    }
    return null;
  }

  /** The book moved onto our resting orders: sellers (buyers) now offer at or through our price. */
  private fillCrossed(side: 'bid' | 'ask'): void {
    const ourSide: Side = side === 'ask' ? 'buy' : 'sell';
    const best = side === 'ask' ? this.book.bestAsk() : this.book.bestBid();
    if (best === null) return;
    const ours = this.resting.bestPrice(ourSide);
    if (ours === null || (ourSide === 'buy' ? ours < best : ours > best)) return;
    const crossed = this.resting.matching(ourSide, (p) => (ourSide === 'buy' ? p >= best : p <= best));
    for (const o of crossed) {
      const limit = o.limitPrice as number;
      if (limit === best && o.ahead > 0) {
        // Locked at our price, not through it: what sellers offer there reaches the queue ahead
        // of us first (and is taken by it).
        const eaten = Math.min(o.ahead, this.available(side, best));
        o.ahead -= eaten;
        this.consumed[side].set(best, (this.consumed[side].get(best) ?? 0) + eaten);
        if (o.ahead > 0) continue;
      }
      while (o.filled < o.qty) {
        const price = this.bestAvailable(side);
        if (price === null || !this.crosses(o.side, price, limit)) break;
        const qty = Math.min(o.qty - o.filled, this.available(side, price));
        this.consumed[side].set(price, (this.consumed[side].get(price) ?? 0) + qty);
        this.fillResting(o, qty, limit);
      }
    }
  }

  private fillResting(o: ExchangeOrder, qty: number, price: number): void {
    if (qty <= 0) return;
    this.fill(o, qty, price, 'maker');
  }

  private fill(o: ExchangeOrder, qty: number, price: number, liquidity: 'maker' | 'taker'): void {
    const time = this.now();
    const bps = liquidity === 'maker' ? this.config.makerFeeBps : this.config.takerFeeBps;
    const fee = Math.round((qty * price * bps) / 10_000);
    const trade: ExchangeTrade = { tradeId: tradeId(`T${this.nextTrade++}`), qty, price, fee, liquidity, time };
    o.filled += qty;
    o.notional += qty * price;
    o.trades.push(trade);
    o.updatedAt = time;
    o.status = o.filled === o.qty ? 'filled' : 'partially_filled';
    if (o.status === 'filled') this.resting.remove(o);
    this.account.applyFill(o.side, qty, price, fee);
    this.listener.filled(o, trade);
    this.impact?.ourFill(o.side, qty, price, time);
  }

  private expire(o: ExchangeOrder, reason: string): void {
    o.status = 'expired';
    o.updatedAt = this.now();
    this.listener.expired(o, reason);
  }
}
