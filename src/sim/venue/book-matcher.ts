// Matching our orders against the displayed market: an L2 book driven by a market model. Taken
// volume stays consumed until the model refreshes that level, so two of our orders can never fill
// from the same liquidity. Resting limits, stops, fillOnTouch and why this is apart from the
// order desk: docs/0069-core-and-simulator-notes.md.
import { tradeId } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { Side } from '../../core/model/order.ts';
import { GridBook } from '../book/grid-book.ts';
import type { DisplayedBook } from '../book/l2-book.ts';
import type { QueueModel } from './queue-model.ts';
import type { ExchangeOrder, ExchangeTrade } from './exchange-order.ts';
import { ExchangeAccount, QuotePurse } from './exchange-account.ts';
import { RestingOrders } from './resting-orders.ts';

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
  /** A venue trading several symbols: the quote balance its books share (`account` then gives
   *  this book's base only), this book's notional unit in account units, and the venue-wide
   *  numbering of orders and trades. Absent: a venue of one book. */
  readonly shared?: { readonly purse: QuotePurse; readonly quoteScale: number; readonly ids: VenueIds };
}

/** The next venue order and trade numbers, shared by every book of a venue (ids stay unique). */
export class VenueIds {
  order = 1;
  trade = 1;
}

const NO_LOTS: ArrayLike<number> = new Float64Array(0);

/** A side as a model last drew it with setGrid: the levels with volume are its previous levels. */
class DrawnSide {
  best = 0;
  gap = 1;
  count = 0;
  /** The drawing's lots per level: the model's array, which it never changes once drawn (see
   *  GridMarketSink.setGrid). */
  qty: ArrayLike<number> = NO_LOTS;
  /** Whether the displayed side holds no level outside this drawing. */
  clean = true;

  constructor(private readonly side: 'bid' | 'ask') {}

  record(best: number, gap: number, qtys: ArrayLike<number>, count: number): void {
    this.qty = qtys;
    this.best = best;
    this.gap = gap;
    this.count = count;
  }

  price(i: number): number {
    return this.side === 'bid' ? this.best - i * this.gap : this.best + i * this.gap;
  }

  has(price: number): boolean {
    const d = (this.side === 'bid' ? this.best - price : price - this.best) / this.gap;
    return d >= 0 && d < this.count && Number.isInteger(d) && (this.qty[d] as number) > 0;
  }

  /** The drawing's levels with volume, best first. */
  prices(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.count; i++) if ((this.qty[i] as number) > 0) out.push(this.price(i));
    return out;
  }
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
  /** Each side's last completed drawing (setGrid), and how many redraws are under way. */
  private readonly drawn = { bid: new DrawnSide('bid'), ask: new DrawnSide('ask') };
  private redrawing = 0;
  /** setGrid calls so far: a redraw that sees it change was redrawn into (see setGrid). */
  private redraws = 0;
  /** The book when it is a GridBook (a generated market's), which can take a redraw whole. */
  private readonly gridBook: GridBook | null;
  /** Order and trade numbering: the venue's when it has several books. */
  protected readonly ids: VenueIds;
  private haltedNow = false;
  /** The venue's last trade, whoever made it: a market trade or one of our fills (both print on
   *  the venue's tape). Stops trigger on it. */
  lastTradePrice: number | null = null;
  /** Prices printed since stops were last checked against them, in tape order (only collected
   *  while a stop waits). Checked once the action that printed them is over (settlePrints). */
  private prints: number[] = [];
  readonly account: ExchangeAccount;
  impact: ImpactHooks | null = null;

  protected listener: ExchangeListener = {
    accepted: () => {},
    filled: () => {},
    canceled: () => {},
    expired: () => {},
  };

  constructor(
    readonly book: DisplayedBook,
    protected readonly config: ExchangeConfig,
    protected readonly now: () => number,
  ) {
    this.gridBook = book instanceof GridBook ? book : null;
    const shared = config.shared;
    this.ids = shared?.ids ?? new VenueIds();
    this.account = new ExchangeAccount(
      shared?.purse ?? new QuotePurse(config.account !== null, config.account?.quoteUnits ?? 0),
      config.account?.baseLots ?? 0,
      shared?.quoteScale ?? 1,
      this,
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
      this.settlePrints();
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
    // (Deleting only what is there: a Map delete can shrink and reallocate its table.)
    const consumed = this.consumed[side];
    if (refresh || qty === 0) {
      if (consumed.size > 0 && consumed.has(price)) consumed.delete(price);
    } else {
      const c = consumed.get(price);
      if (c !== undefined && c > qty) consumed.set(price, qty);
    }
    const tradedSince = this.tradedSince[side];
    const traded = tradedSince.get(price);
    if (traded !== undefined) tradedSince.delete(price);
    this.shrinkQueue(side, price, prev - (traded ?? 0), qty);
    if (!this.halted && this.resting.size > 0) this.fillCrossed(side);
    // A stop our crossed fills reached triggers once no redraw is under way (setGrid settles its
    // own at its end).
    if (this.prints.length > 0 && this.redrawing === 0) this.settlePrints();
  }

  /** A level of `side` at `price` went from `before` lots (less what traded there since the last
   *  update) to `qty` without trades: if it shrank, volume was cancelled somewhere in the queue,
   *  and our resting orders there move up per the queue model. */
  private shrinkQueue(side: 'bid' | 'ask', price: number, before: number, qty: number): void {
    if (before - qty <= 0) return;
    // The displayed level holds market volume only, while `ahead` also counts our own earlier
    // orders at the price: the queue model apportions the cancel over the market part.
    let ours = 0;
    for (const o of this.resting.at(side === 'bid' ? 'buy' : 'sell', price)) {
      o.ahead = ours + this.config.queue.onShrink(Math.max(0, o.ahead - ours), before, qty);
      ours += o.qty - o.filled;
    }
  }

  /**
   * The model redraws a whole side as a grid: level i at `best` -/+ i x `gap` (bids/asks) holds
   * `qtys[i]` lots (0: no level), i < `count`. The same as what a model that rebuilds its book
   * did: set each new level, best first, then remove each level of its previous drawing that is
   * not among them (setLevel with a refresh). When the displayed side is exactly the previous
   * drawing (`clean`), no redraw is under way (a fill inside one can make a model redraw again)
   * and none of the writes could fill an order of ours (none rest, or the side's best never
   * reaches those on the other side: redrawFillsNothing), nothing but the book, the volume we
   * consumed or saw traded there and the queues of our orders on the side depends on the order
   * of those writes, and every level of the side is refreshed or removed: a GridBook then takes
   * the grid as it is, our queues there move as those writes would have moved them
   * (shrinkQueuesOnRedraw) and both maps of the side are emptied (every entry in them is at a
   * level of the previous drawing). Otherwise the writes go one by one, each with its queue
   * update and crossing check, exactly as before.
   */
  setGrid(side: 'bid' | 'ask', best: number, gap: number, qtys: ArrayLike<number>, count: number): void {
    const isBid = side === 'bid';
    const prev = isBid ? this.drawn.bid : this.drawn.ask;
    const grid = this.gridBook;
    const call = ++this.redraws;
    if (
      grid !== null &&
      this.redrawing === 0 &&
      prev.clean &&
      (this.resting.size === 0 || this.redrawFillsNothing(side, best, gap, qtys, count))
    ) {
      const traded = isBid ? this.tradedSince.bid : this.tradedSince.ask;
      if (this.resting.size > 0) this.shrinkQueuesOnRedraw(side, best, gap, qtys, count);
      // (Map.clear allocates a fresh table even when the map is empty: most steps have nothing.)
      const consumed = isBid ? this.consumed.bid : this.consumed.ask;
      if (consumed.size > 0) consumed.clear();
      if (traded.size > 0) traded.clear();
      grid.setGrid(side, best, gap, qtys, count);
      prev.record(best, gap, qtys, count);
      return;
    }
    const book = this.book;
    // The previous drawing as it was when this redraw began (a redraw inside this one replaces
    // it only after this one's removals, as the model's own list of levels did).
    const previous = prev.prices();
    const next = new DrawnSide(side);
    next.record(best, gap, qtys, count);
    // Whether the rest of this redraw may be taken whole once no order of ours rests (see below).
    const wholeLater = grid !== null && this.redrawing === 0 && prev.clean;
    this.redrawing++;
    try {
      for (let i = 0; i < count; i++) {
        if (wholeLater && this.resting.size === 0 && this.redraws === call) {
          // A write filled the last of our resting orders (the market jumped onto it): the writes
          // left can move no queue of ours and fill nothing, and no redraw came in between, so
          // they leave what the new drawing is (the side showed the previous one, each of whose
          // levels is written), the book takes it as a grid, and what they would have done to
          // the volume consumed or traded at their prices is done here.
          this.redrawRest(side, prev, next, i, previous);
          return;
        }
        const q = next.qty[i] as number;
        if (q > 0) this.setLevel(side, next.price(i), q);
      }
      for (const price of previous) if (!next.has(price)) this.setLevel(side, price, 0);
    } finally {
      this.redrawing--;
    }
    if (this.prints.length > 0 && this.redrawing === 0) this.settlePrints();
    prev.record(best, gap, next.qty, count);
    // Clean again once the side shows nothing but this drawing (a redraw inside this one may
    // have left levels of its own that no later drawing removes).
    prev.clean = book.depth(side, Number.MAX_SAFE_INTEGER).every(([price]) => prev.has(price));
  }

  /**
   * The end of a level-by-level redraw from the new drawing's level `from` on, as one grid write:
   * what each write left (the level set or removed, the volume consumed and traded there since
   * forgotten, as setLevel forgets it), for a side that showed nothing but the previous drawing
   * (`drawn`, which becomes `next`) and the levels of this one written so far, with none of our
   * orders resting.
   */
  private redrawRest(
    side: 'bid' | 'ask',
    drawn: DrawnSide,
    next: DrawnSide,
    from: number,
    previous: readonly number[],
  ): void {
    const consumed = this.consumed[side];
    const traded = this.tradedSince[side];
    const forget = (price: number): void => {
      if (consumed.size > 0) consumed.delete(price);
      if (traded.size > 0) traded.delete(price);
    };
    for (let i = from; i < next.count; i++) if ((next.qty[i] as number) > 0) forget(next.price(i));
    for (const price of previous) if (!next.has(price)) forget(price);
    (this.gridBook as GridBook).setGrid(side, next.best, next.gap, next.qty, next.count);
    drawn.record(next.best, next.gap, next.qty, next.count);
    drawn.clean = true;
  }

  /**
   * Whether redrawing `side` level by level (setGrid's writes one by one) could fill none of our
   * orders: each write checks whether the side's displayed best now reaches our resting orders
   * on the other side (fillCrossed), and over those writes that best is never better than the
   * better of the best displayed now and the drawing's best (the new levels are set best first,
   * then the old ones removed). Halted, no write checks at all.
   */
  private redrawFillsNothing(
    side: 'bid' | 'ask',
    best: number,
    gap: number,
    qtys: ArrayLike<number>,
    count: number,
  ): boolean {
    if (this.haltedNow) return true;
    const isBid = side === 'bid';
    const ours = this.resting.bestPrice(isBid ? 'sell' : 'buy');
    if (ours === null) return true;
    let drawnBest: number | null = null;
    for (let i = 0; i < count; i++) {
      if ((qtys[i] as number) > 0) {
        drawnBest = isBid ? best - i * gap : best + i * gap;
        break;
      }
    }
    const shown = isBid ? this.book.bestBid() : this.book.bestAsk();
    // A sell of ours is reached by a bid at or above it, a buy by an ask at or below it.
    if (isBid) return !((shown !== null && shown >= ours) || (drawnBest !== null && drawnBest >= ours));
    return !((shown !== null && shown <= ours) || (drawnBest !== null && drawnBest <= ours));
  }

  /**
   * The queue updates of a redraw made whole (see setGrid): each price where our orders rest on
   * `side` goes from what is displayed there (less what traded since) to the drawing's quantity
   * there, as its write would (a price neither displayed nor drawn is no write and no shrink).
   * Prices are independent of each other and the queue model draws nothing, so their order does
   * not matter.
   */
  private shrinkQueuesOnRedraw(
    side: 'bid' | 'ask',
    best: number,
    gap: number,
    qtys: ArrayLike<number>,
    count: number,
  ): void {
    const isBid = side === 'bid';
    const tradedSince = isBid ? this.tradedSince.bid : this.tradedSince.ask;
    for (const price of this.resting.prices(isBid ? 'buy' : 'sell')) {
      const shown = this.book.qty(side, price);
      if (shown === 0) continue;
      const d = (isBid ? best - price : price - best) / gap;
      const qty = d >= 0 && d < count && Number.isInteger(d) ? (qtys[d] as number) : 0;
      this.shrinkQueue(side, price, shown - (tradedSince.get(price) ?? 0), qty);
    }
  }

  /**
   * Whether the market can move without touching anything of ours while every bid level it shows
   * stays at or above `lowestBid` and every ask level at or below `highestAsk`: a grid book showing
   * only the model's drawings, no stop waiting, and each of our resting orders out of that range
   * (buys under `lowestBid`, sells over `highestAsk`: no level is shown at their price for their
   * queue to move, no trade is at or through it, and the other side never reaches it). A model
   * may then keep its steps and trades as data and apply them when the book is next read (see
   * SyntheticModel).
   */
  gridQuiet(lowestBid: number, highestAsk: number): boolean {
    if (!(
      this.gridBook !== null &&
      this.redrawing === 0 &&
      this.stops.length === 0 &&
      this.drawn.bid.clean &&
      this.drawn.ask.clean
    ))
      return false;
    if (this.resting.size === 0) return true;
    const buy = this.resting.bestPrice('buy');
    const sell = this.resting.bestPrice('sell');
    return (buy === null || buy < lowestBid) && (sell === null || sell > highestAsk);
  }

  /** A trade between other participants on a quiet book (gridQuiet) that the next redraw
   *  replaces before anyone reads it: only the last trade price stays. */
  noteMarketTrade(price: number): void {
    this.lastTradePrice = price;
  }

  /** A trade between other participants: `aggressor` took liquidity at `price`. */
  marketTrade(price: number, qty: number, aggressor: Side): void {
    this.lastTradePrice = price;
    const passive: 'bid' | 'ask' = aggressor === 'sell' ? 'bid' : 'ask';
    this.tradedSince[passive].set(price, (this.tradedSince[passive].get(price) ?? 0) + qty);
    if (this.halted) return; // (a halted venue triggers no stop either)
    if (this.stops.length > 0) this.prints.push(price);
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
    this.settlePrints();
  }

  // ---- our orders -----------------------------------------------------------------------

  /** Our open orders (the balance a buy may spend excludes what they lock). */
  abstract openOrders(): ExchangeOrder[];

  protected stopHit(o: ExchangeOrder, price: number): boolean {
    return o.side === 'buy' ? price >= (o.stopPrice as number) : price <= (o.stopPrice as number);
  }

  /**
   * Checks the waiting stops against each price printed since the last check, in tape order: a
   * triggered stop executes, and its own prints are checked in turn (each stop executes once).
   */
  private settlePrints(): void {
    while (this.prints.length > 0) {
      const prices = this.prints;
      this.prints = [];
      for (const price of prices) {
        if (this.stops.length === 0) break;
        const fired = this.stops.filter((o) => this.stopHit(o, price));
        for (const o of fired) {
          const at = this.stops.indexOf(o);
          // Gone meanwhile: fired by a check nested in an execution before it (a fill that made
          // the market model redraw), or canceled.
          if (at < 0) continue;
          this.stops.splice(at, 1);
          o.triggered = true;
          this.place(o);
        }
      }
    }
  }

  /** Takes liquidity, then rests or expires the remainder; then triggers any stop its fills
   *  reached. */
  protected execute(o: ExchangeOrder): void {
    this.place(o);
    this.settlePrints();
  }

  private place(o: ExchangeOrder): void {
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

  /**
   * The best level of a side that still has volume we have not consumed, or null: the best
   * displayed level unless our own trades emptied it. What the venue publishes as its top and
   * what our orders take next. Without consumption on the side (every step of a quiet market)
   * this is the displayed best; otherwise only the levels we emptied can be skipped, and each of
   * them has an entry in `consumed`, so one of the first `consumed.size + 1` levels has volume:
   * the walk never goes further, whatever the depth of the book.
   */
  bestAvailable(side: 'bid' | 'ask'): number | null {
    const book = this.book;
    const best = side === 'bid' ? book.bestBid() : book.bestAsk();
    if (best === null) return null;
    const consumed = this.consumed[side];
    if (consumed.size === 0) return best;
    const taken = consumed.get(best);
    if (taken === undefined || taken < book.qty(side, best)) return best;
    for (const [price, qty] of book.depth(side, consumed.size + 1)) if (qty > (consumed.get(price) ?? 0)) return price;
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
    const trade: ExchangeTrade = { tradeId: tradeId(`T${this.ids.trade++}`), qty, price, fee, liquidity, time };
    o.filled += qty;
    o.notional += qty * price;
    o.trades.push(trade);
    o.updatedAt = time;
    this.lastTradePrice = price;
    if (this.stops.length > 0) this.prints.push(price);
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
