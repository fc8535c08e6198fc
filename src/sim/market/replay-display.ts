// What the venue displays during a replay (what our orders match against and our market data
// shows), decided from the rebuilt book and the newest bookTicker. It is apart from the replay
// model because it answers a different question: the model reads the recording and keeps the book
// exact (replay-model.ts); this decides which of that book may be shown without ever showing a
// crossed or locked top, and writes the changes to the venue in a safe order. The model drives it
// through three calls: a ticker was accepted, a depth diff was applied, the book was rebuilt. The
// display and write-order rules: docs/0038-replaying-recorded-binance-data.md.
import type { L2Book } from '../book/l2-book.ts';
import type { BinanceBbo, BinanceDepth, BinanceLevels } from '../replay/binance-messages.ts';
import type { MarketSink } from './market-model.ts';

type Side = 'bid' | 'ask';

/** What the display reads of the rebuilt book (it never changes it). */
type ReplayBookView = Pick<L2Book, 'qty' | 'bestBid' | 'bestAsk' | 'depth' | 'levels'>;

/** What the display writes to and reads back from the venue's displayed book. */
type DisplaySink = Pick<MarketSink, 'setLevel' | 'levelQty' | 'best'>;

/** What the display counted, in the order the replay stats event states them. */
interface DisplayCounts {
  /** Diffs applied while a newer ticker stayed in force. */
  staleDepthUpdates: number;
  /** Levels such a diff set past the ticker's top, kept hidden. */
  levelsHeldBack: number;
  /** Crossed tops never shown (held-back levels, or a self-crossed book trimmed). */
  crossedPrevented: number;
  /** Locked tops never shown, likewise. */
  lockedPrevented: number;
}

export class ReplayDisplay {
  readonly counts: DisplayCounts = { staleDepthUpdates: 0, levelsHeldBack: 0, crossedPrevented: 0, lockedPrevented: 0 };
  /** The newest bookTicker newer than the book's depth: it refines the displayed top. */
  private tickerInForce: BinanceBbo | null = null;
  /** Displayed bids go up to maxBid, asks down to minAsk (the ticker's top, or a trim). */
  private maxBid = Infinity;
  private minAsk = -Infinity;
  /** Prices of the book's levels the display hides (beyond maxBid / minAsk), per side. */
  private readonly hidden = { bid: new Set<number>(), ask: new Set<number>() };
  /** The side hidden past the other's best while the rebuilt book itself is crossed. */
  private trimmed: Side | null = null;

  /**
   * @param book the rebuilt book (read only)
   * @param sink the venue's displayed book
   * @param lots a data quantity in whole order lots (what is displayed)
   */
  constructor(
    private readonly book: ReplayBookView,
    private readonly sink: DisplaySink,
    private readonly lots: (dataQty: number) => number,
  ) {}

  /** The ticker in force, or null when the display is the book as it stands. */
  get ticker(): BinanceBbo | null {
    return this.tickerInForce;
  }

  /** A ticker newer than the book and than the ticker in force (the model checked both). */
  showTicker(b: BinanceBbo): void {
    const previous = this.tickerInForce;
    this.tickerInForce = b;
    this.redraw([b.bid, b.bidQty], [b.ask, b.askQty], previous, false);
  }

  /** A diff was applied to the book: it ends the ticker in force when it covers its update id. */
  depthApplied(diff: BinanceDepth): void {
    const previous = this.tickerInForce;
    if (previous !== null && previous.updateId <= diff.lastId) this.tickerInForce = null;
    if (this.tickerInForce !== null) this.counts.staleDepthUpdates++;
    this.redraw(diff.bids, diff.asks, previous, true);
  }

  /** After a (re)build from a snapshot: no ticker is in force, the display becomes the book,
   *  written best first. */
  rebuilt(): void {
    this.tickerInForce = null;
    const sink = this.sink;
    for (const side of ['bid', 'ask'] as const) {
      for (let p = sink.best(side); p !== null; p = sink.best(side)) sink.setLevel(side, p, 0);
      this.hidden[side].clear();
    }
    this.trimmed = null;
    this.setLimits([], []);
    const book = this.book;
    for (const side of ['bid', 'ask'] as const) {
      for (const [p] of book.depth(side, book.levels(side))) {
        if (this.beyondLimit(side, p)) this.hidden[side].add(p);
        else {
          const q = this.target(side, p);
          if (q > 0) sink.setLevel(side, p, q);
        }
      }
    }
  }

  /** What the venue should display at a price: the book's level unless hidden or the ticker's. */
  private target(side: Side, price: number): number {
    const t = this.tickerInForce;
    if (side === 'bid') {
      if (price > this.maxBid) return 0;
      if (t !== null && price === t.bid) return this.lots(t.bidQty);
    } else {
      if (price < this.minAsk) return 0;
      if (t !== null && price === t.ask) return this.lots(t.askQty);
    }
    return this.lots(this.book.qty(side, price));
  }

  /** Sets maxBid / minAsk from the ticker in force, or trims a crossed book's stale side. */
  private setLimits(touchedBids: BinanceLevels, touchedAsks: BinanceLevels): void {
    const t = this.tickerInForce;
    this.trimmed = t === null ? this.trimmed : null;
    if (t !== null) {
      this.maxBid = t.bid;
      this.minAsk = t.ask;
      return;
    }
    const book = this.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    this.maxBid = Infinity;
    this.minAsk = -Infinity;
    if (bid === null || ask === null || bid < ask) {
      this.trimmed = null;
      return;
    }
    // The side whose best the last diff set is the newer information; the other side's crossing
    // levels are what it failed to remove. Neither or both: keep the side hidden so far (asks at first).
    const bidMoved = hasPrice(touchedBids, bid);
    const askMoved = hasPrice(touchedAsks, ask);
    const side: Side = bidMoved && !askMoved ? 'ask' : askMoved && !bidMoved ? 'bid' : (this.trimmed ?? 'ask');
    this.trimmed = side;
    if (side === 'ask') this.minAsk = bid + 1;
    else this.maxBid = ask - 1;
    if (bid > ask) this.counts.crossedPrevented++;
    else this.counts.lockedPrevented++;
  }

  private beyondLimit(side: Side, price: number): boolean {
    return side === 'bid' ? price > this.maxBid : price < this.minAsk;
  }

  /**
   * Brings the display in line with the book and the ticker after a message that set the given
   * levels (a diff's, or the ticker's own), `previous` being the ticker in force before it. Only
   * what can have changed is visited: the displayed levels now beyond the limits, the hidden
   * levels now within them, the levels set and both tickers' prices.
   */
  private redraw(bids: BinanceLevels, asks: BinanceLevels, previous: BinanceBbo | null, isDiff: boolean): void {
    this.setLimits(bids, asks);
    const t = this.tickerInForce;
    if (isDiff && t !== null) this.countHeldBack(bids, asks);
    // Shrinking and vanishing levels first, then growing and new ones: every intermediate book
    // is part of the final one.
    this.hideBeyond('bid');
    this.hideBeyond('ask');
    this.shrinkSet('bid', bids);
    this.shrinkSet('ask', asks);
    if (previous !== null) {
      this.shrinkAt('bid', previous.bid);
      this.shrinkAt('ask', previous.ask);
    }
    this.unhide('bid');
    this.unhide('ask');
    this.growSet('bid', bids);
    this.growSet('ask', asks);
    if (previous !== null) {
      this.growAt('bid', previous.bid);
      this.growAt('ask', previous.ask);
    }
  }

  /** A stale diff's levels past the ticker's top stay hidden: would showing them have crossed? */
  private countHeldBack(bids: BinanceLevels, asks: BinanceLevels): void {
    const book = this.book;
    let heldBid = -Infinity;
    let heldAsk = Infinity;
    for (let i = 0; i < bids.length; i += 2) {
      const p = bids[i] as number;
      if (p > this.maxBid && book.qty('bid', p) > 0) {
        this.counts.levelsHeldBack++;
        heldBid = Math.max(heldBid, p);
      }
    }
    for (let i = 0; i < asks.length; i += 2) {
      const p = asks[i] as number;
      if (p < this.minAsk && book.qty('ask', p) > 0) {
        this.counts.levelsHeldBack++;
        heldAsk = Math.min(heldAsk, p);
      }
    }
    if (heldBid === -Infinity && heldAsk === Infinity) return;
    // Against the top the ticker shows (the diff's other levels are within it).
    const bid = Math.max(heldBid, this.maxBid);
    const ask = Math.min(heldAsk, this.minAsk);
    if (bid > ask) this.counts.crossedPrevented++;
    else if (bid === ask) this.counts.lockedPrevented++;
  }

  /** Removes the displayed levels beyond the limit; the book's stay known as hidden. */
  private hideBeyond(side: Side): void {
    const sink = this.sink;
    const book = this.book;
    for (let p = sink.best(side); p !== null && this.beyondLimit(side, p); p = sink.best(side)) {
      sink.setLevel(side, p, 0);
      if (book.qty(side, p) > 0) this.hidden[side].add(p);
    }
  }

  /** Shows the hidden levels that are within the limit again. */
  private unhide(side: Side): void {
    const hidden = this.hidden[side];
    if (hidden.size === 0) return;
    for (const p of hidden) {
      if (this.beyondLimit(side, p)) continue;
      hidden.delete(p);
      this.growAt(side, p);
    }
  }

  /** First pass over the levels a message set: those that shrink, vanish or stay (refreshed). */
  private shrinkSet(side: Side, levels: BinanceLevels): void {
    const sink = this.sink;
    const book = this.book;
    for (let i = 0; i < levels.length; i += 2) {
      const p = levels[i] as number;
      if (this.beyondLimit(side, p)) {
        if (book.qty(side, p) > 0) this.hidden[side].add(p);
        else this.hidden[side].delete(p);
        continue;
      }
      const q = this.target(side, p);
      if (q <= sink.levelQty(side, p)) sink.setLevel(side, p, q);
    }
  }

  /** Second pass: the levels a message set that grow or appear. */
  private growSet(side: Side, levels: BinanceLevels): void {
    for (let i = 0; i < levels.length; i += 2) this.growAt(side, levels[i] as number);
  }

  /** A level the previous ticker set: shrinks it, or, beyond the limit now, keeps the book's level
   *  there known as hidden. hideBeyond found it only if it was displayed, and a ticker quantity
   *  under one lot displays nothing there. */
  private shrinkAt(side: Side, price: number): void {
    if (this.beyondLimit(side, price) && this.book.qty(side, price) > 0) this.hidden[side].add(price);
    const q = this.target(side, price);
    if (q < this.sink.levelQty(side, price)) this.sink.setLevel(side, price, q);
  }

  private growAt(side: Side, price: number): void {
    const q = this.target(side, price);
    if (q > this.sink.levelQty(side, price)) this.sink.setLevel(side, price, q);
  }
}

function hasPrice(levels: BinanceLevels, price: number): boolean {
  for (let i = 0; i < levels.length; i += 2) if (levels[i] === price) return true;
  return false;
}
