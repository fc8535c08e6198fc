// Matching our orders against the displayed market: an L2 book driven by a market model.
// Marketable orders walk the levels best first and take displayed volume, which stays consumed
// until the model refreshes that level, so two of our orders can never fill from the same
// liquidity. Resting limits queue behind the volume displayed when they joined; market trades at
// our price eat that queue, trades through our price fill us, a book that moves onto our price
// fills us, and shrinking levels move us up per the queue model. "Touch is not a fill" is the
// default; fillOnTouch makes any trade at our price fill us. Stops trigger on the last market
// trade price. Separate from the order desk (sim-exchange.ts: accepting, validating, parking,
// cancelling, modifying, expiring and looking up orders) because this is the part that decides
// fills and prices, and reads best on its own.
import { tradeId } from '../../src/core/model/ids.ts';
import type { Instrument } from '../../src/core/model/instrument.ts';
import type { Side } from '../../src/core/model/order.ts';
import type { L2Book } from '../../src/sim/book/l2-book.ts';
import type { QueueModel } from '../../src/sim/venue/queue-model.ts';
import type { ExchangeOrder, ExchangeTrade } from '../../src/sim/venue/exchange-order.ts';
import { ExchangeAccount, QuotePurse } from '../../src/sim/venue/exchange-account.ts';
import { RestingOrders } from '../../src/sim/venue/resting-orders.ts';

export interface ExchangeListener {
  accepted(order: ExchangeOrder): void;
  filled(order: ExchangeOrder, trade: ExchangeTrade): void;
  canceled(order: ExchangeOrder): void;
  expired(order: ExchangeOrder, reason: string): void;
}

/** Market-model hooks for our own executions (Almgren-Chriss impact). */
export interface ImpactHooks {
  /** The price (ticks, at least 1) of our taker fill at displayed level `levelPrice`, part of
   *  `order` taking liquidity now (temporary impact; one order may take several levels). */
  takerFillPrice(order: ExchangeOrder, levelPrice: number, time: number): number;
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

export abstract class BookMatcher {
  readonly resting = new RestingOrders();
  /** Untriggered stop orders. */
  protected readonly stops: ExchangeOrder[] = [];
  /** Displayed volume we consumed per level, until the model refreshes the level. */
  private readonly consumed = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  /** Market volume traded per level since its last depth update (not a cancel). */
  private readonly tradedSince = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  private nextTrade = 1;
  private haltedNow = false;
  lastTradePrice: number | null = null;
  readonly account: ExchangeAccount;
  impact: ImpactHooks | null = null;

  protected listener: ExchangeListener = {
    accepted: () => {},
    filled: () => {},
    canceled: () => {},
    expired: () => {},
  };

  constructor(
    readonly book: L2Book,
    protected readonly config: ExchangeConfig,
    protected readonly now: () => number,
  ) {
    this.account = new ExchangeAccount(
      new QuotePurse(config.account !== null, config.account?.quoteUnits ?? 0),
      config.account?.baseLots ?? 0,
    );
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

  // ---- our orders -----------------------------------------------------------------------

  /** Our open orders (the balance a buy may spend excludes what they lock). */
  abstract openOrders(): ExchangeOrder[];

  protected stopHit(o: ExchangeOrder, price: number): boolean {
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
  protected execute(o: ExchangeOrder): void {
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
      const fillPrice = this.impact ? this.impact.takerFillPrice(o, price, this.now()) : price;
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
  bestAvailable(side: 'bid' | 'ask'): number | null {
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
