// Replay of recorded Binance spot data as the venue's market. The book is rebuilt from the
// snapshot and depth diffs with Binance's update-id rules (depth-sync.ts); trades come from the
// trade stream. The clock follows the receive timestamps: data from before the run's start is
// applied at the start as warm-up, later messages are scheduled at their receive time, one at a
// time. A sequence gap is an event and the book waits for the next snapshot to rebuild; it never
// silently continues.
//
// What the venue displays (what our orders match against and our market data shows) is the
// rebuilt book with its top refined by the newest bookTicker, when that ticker is newer (by
// update id) than the depth the book reflects: bids above the ticker's bid and asks below its ask
// are hidden, and the ticker's quantities stand at its prices. The ticker stays in force until a
// depth diff covers its update id. A diff that arrives after a newer ticker is applied to the
// book, but the levels it would put back past the ticker's top stay hidden: they are older than
// what the ticker showed (counted as held back). Should the rebuilt book itself cross with no
// ticker in force, the crossing levels of the side the last diff did not touch (the stale side)
// are hidden until it uncrosses. So the displayed best bid is always below the displayed best ask.
//
// Each change is written to the venue as level updates, first every level that shrinks or goes,
// then every level that appears or grows: each intermediate book is contained in the final one,
// so even between two updates of one message no resting order of ours sees a crossed book.
//
// The model also checks the rebuilt book against the recording's bookTicker stream (a ticker is
// compared with the book right after the first diff covering its update id, when no newer ticker
// came before that diff) and reports what it read and found as one ReplayStats event, when the
// run's end or the end of the data is reached.
import type { ReplayStats } from '../../core/model/events.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { L2Book } from '../book/l2-book.ts';
import type {
  BinanceBbo,
  BinanceDepth,
  BinanceLevels,
  BinanceMessage,
  BinanceSnapshot,
} from '../replay/binance-messages.ts';
import { DepthSync, type DepthGap } from '../replay/depth-sync.ts';
import type { MarketModel, MarketSink } from './market-model.ts';

/** Parsed messages in file order; null when the data ends. */
export interface ReplaySource {
  next(): BinanceMessage | null;
}

export type ReplayStatsData = Omit<ReplayStats, 'kind'>;

export type ReplayEvent =
  | { readonly kind: 'gap'; readonly gap: DepthGap }
  | { readonly kind: 'snapshot'; readonly lastUpdateId: number }
  | { readonly kind: 'stats'; readonly stats: ReplayStatsData }
  | { readonly kind: 'end'; readonly messages: number };

export interface ReplayOptions {
  /**
   * How many data-precision units make one order lot (1000 when the data has 8 decimals and the
   * lot is 0.00001): displayed and traded volume is floored to whole lots. Default 1.
   */
  readonly lotsPerDataLot?: number;
  /** Length of the run, ms from start(): the stats event is recorded once it is reached. */
  readonly runMs?: number;
}

type Side = 'bid' | 'ask';

export class ReplayModel implements MarketModel {
  private readonly sync: DepthSync;
  private readonly lotsPerDataLot: number;
  private readonly runMs: number;
  private pending: BinanceMessage | null = null;
  private messages = 0;
  private readonly read = { snapshots: 0, depthUpdates: 0, bookTickers: 0, trades: 0 };
  private readonly found = {
    tickersChecked: 0,
    tickersMatched: 0,
    tickersExact: 0,
    maxDeviationTicks: null as number | null,
    tickersSuperseded: 0,
    tickersLate: 0,
    tickersUnsynced: 0,
    tickersInvalid: 0,
    staleDepthUpdates: 0,
    levelsHeldBack: 0,
    crossedPrevented: 0,
    lockedPrevented: 0,
  };
  /** The newest bookTicker newer than the book's depth: it refines the displayed top. */
  private ticker: BinanceBbo | null = null;
  /** Tickers newer than the book, not compared with it yet (in update-id order). */
  private unchecked: BinanceBbo[] = [];
  /** Displayed bids go up to maxBid, asks down to minAsk (the ticker's top, or a trim). */
  private maxBid = Infinity;
  private minAsk = -Infinity;
  /** Prices of the book's levels the display hides (beyond maxBid / minAsk), per side. */
  private readonly hidden = { bid: new Set<number>(), ask: new Set<number>() };
  /** The side hidden past the other's best while the rebuilt book itself is crossed. */
  private trimmed: Side | null = null;
  /** True while a snapshot replays its buffered diffs: the display is redrawn whole after. */
  private rebuilding = false;
  private endMs = Infinity;
  private statsRecorded = false;

  constructor(
    private readonly clock: Clock,
    private readonly sink: MarketSink,
    private readonly source: ReplaySource,
    private readonly onEvent: (e: ReplayEvent) => void,
    options: ReplayOptions = {},
  ) {
    this.lotsPerDataLot = options.lotsPerDataLot ?? 1;
    this.runMs = options.runMs ?? Infinity;
    if (!Number.isSafeInteger(this.lotsPerDataLot) || this.lotsPerDataLot < 1) {
      throw new Error(`lotsPerDataLot must be a positive integer, got ${this.lotsPerDataLot}`);
    }
    this.sync = new DepthSync(new L2Book(), { onApplied: (diff) => this.diffApplied(diff) });
  }

  private lots(dataQty: number): number {
    return this.lotsPerDataLot === 1 ? dataQty : Math.floor(dataQty / this.lotsPerDataLot);
  }

  get depthCounts(): DepthSync['counts'] {
    return this.sync.counts;
  }

  /** Everything counted so far, as the stats event states it. */
  stats(): ReplayStatsData {
    const c = this.sync.counts;
    return {
      ...this.read,
      depthApplied: c.applied,
      depthSkipped: c.skippedBeforeSnapshot + c.stale,
      gaps: c.gaps,
      rebuilds: c.snapshots,
      ...this.found,
      tickersPending: this.unchecked.length,
    };
  }

  start(): void {
    const start = this.clock.now();
    this.endMs = start + this.runMs;
    for (let m = this.source.next(); m !== null; m = this.source.next()) {
      if (m.recvMs > start) {
        this.pending = m;
        break;
      }
      this.apply(m);
    }
    this.sink.refreshTop();
    this.schedulePending();
  }

  jump(_bps: number): void {
    throw new Error('recorded data cannot jump: the scenario schema refuses price_jump with replay');
  }

  private schedulePending(): void {
    const m = this.pending;
    if (m === null) {
      this.recordStats();
      this.onEvent({ kind: 'end', messages: this.messages });
      return;
    }
    // Everything up to the run's end has been applied: the stats are final for this run.
    if (m.recvMs > this.endMs) this.recordStats();
    this.clock.post(() => this.fire(), Math.max(0, m.recvMs - this.clock.now()));
  }

  private recordStats(): void {
    if (this.statsRecorded) return;
    this.statsRecorded = true;
    this.onEvent({ kind: 'stats', stats: this.stats() });
  }

  /** Applies every message due now, then schedules the next one. */
  private fire(): void {
    const now = this.clock.now();
    while (this.pending !== null && this.pending.recvMs <= now) {
      this.apply(this.pending);
      this.pending = this.source.next();
    }
    this.sink.refreshTop();
    this.schedulePending();
  }

  private apply(m: BinanceMessage): void {
    this.messages++;
    switch (m.kind) {
      case 'snapshot':
        this.read.snapshots++;
        this.snapshot(m);
        return;
      case 'depth': {
        this.read.depthUpdates++;
        const gaps = this.sync.counts.gaps;
        this.sync.onDepth(m);
        this.reportGaps(gaps);
        return;
      }
      case 'bbo':
        this.read.bookTickers++;
        this.bbo(m);
        return;
      case 'trade':
        this.read.trades++;
        if (this.lots(m.qty) > 0) this.sink.marketTrade(m.price, this.lots(m.qty), m.buyerIsMaker ? 'sell' : 'buy');
        return;
    }
  }

  /** Gap events the depth sync found since it had `before` of them. */
  private reportGaps(before: number): void {
    const events = this.sync.gapEvents;
    if (this.sync.counts.gaps === before) return;
    // The ticker checks waiting for a diff cannot be made against a book that lost its sequence.
    this.found.tickersUnsynced += this.unchecked.length;
    this.unchecked = [];
    for (let i = events.length - (this.sync.counts.gaps - before); i < events.length; i++) {
      this.onEvent({ kind: 'gap', gap: events[i] as DepthGap });
    }
  }

  private snapshot(snap: BinanceSnapshot): void {
    if (this.sync.state !== 'awaiting-snapshot') {
      this.sync.onSnapshot(snap); // counted as ignored: the diffs already keep the book exact
      return;
    }
    const gaps = this.sync.counts.gaps;
    this.rebuilding = true;
    this.sync.onSnapshot(snap);
    this.rebuilding = false;
    this.ticker = null;
    this.redrawAll();
    this.onEvent({ kind: 'snapshot', lastUpdateId: snap.lastUpdateId });
    this.reportGaps(gaps);
  }

  private diffApplied(diff: BinanceDepth): void {
    if (this.rebuilding) return;
    this.checkTickers(diff.lastId);
    const previous = this.ticker;
    if (previous !== null && previous.updateId <= diff.lastId) this.ticker = null;
    if (this.ticker !== null) this.found.staleDepthUpdates++;
    this.redraw(diff.bids, diff.asks, previous, true);
  }

  /** The real-time top of book: shown when newer than the depth the book reflects. */
  private bbo(b: BinanceBbo): void {
    if (b.bid >= b.ask) {
      this.found.tickersInvalid++;
      return;
    }
    if (!this.sync.synced) {
      this.found.tickersUnsynced++;
      return;
    }
    const previous = this.ticker;
    if (b.updateId <= this.sync.lastUpdateId || (previous !== null && b.updateId <= previous.updateId)) {
      this.found.tickersLate++;
      return;
    }
    this.unchecked.push(b);
    this.ticker = b;
    this.redraw([b.bid, b.bidQty], [b.ask, b.askQty], previous, false);
  }

  /**
   * After a diff with last update id `u`: the last unchecked ticker at or below u is compared with
   * the book (which is now the venue's book at u, and the best bid/offer has not changed between
   * that ticker and u, or a newer ticker would have been sent); the earlier ones were superseded.
   */
  private checkTickers(u: number): void {
    const list = this.unchecked;
    let n = 0;
    while (n < list.length && (list[n] as BinanceBbo).updateId <= u) n++;
    if (n === 0) return;
    const t = list[n - 1] as BinanceBbo;
    this.unchecked = n === list.length ? [] : list.slice(n);
    const f = this.found;
    f.tickersSuperseded += n - 1;
    f.tickersChecked++;
    const book = this.sync.book;
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid === t.bid && ask === t.ask) {
      f.tickersMatched++;
      if (book.qty('bid', bid) === t.bidQty && book.qty('ask', ask) === t.askQty) f.tickersExact++;
    }
    if (bid !== null && ask !== null) {
      const dev = Math.max(Math.abs(bid - t.bid), Math.abs(ask - t.ask));
      f.maxDeviationTicks = Math.max(f.maxDeviationTicks ?? 0, dev);
    }
  }

  /** What the venue should display at a price: the book's level unless hidden or the ticker's. */
  private target(side: Side, price: number): number {
    const t = this.ticker;
    if (side === 'bid') {
      if (price > this.maxBid) return 0;
      if (t !== null && price === t.bid) return this.lots(t.bidQty);
    } else {
      if (price < this.minAsk) return 0;
      if (t !== null && price === t.ask) return this.lots(t.askQty);
    }
    return this.lots(this.sync.book.qty(side, price));
  }

  /** Sets maxBid / minAsk from the ticker in force, or trims a crossed book's stale side. */
  private setLimits(touchedBids: BinanceLevels, touchedAsks: BinanceLevels): void {
    const t = this.ticker;
    this.trimmed = t === null ? this.trimmed : null;
    if (t !== null) {
      this.maxBid = t.bid;
      this.minAsk = t.ask;
      return;
    }
    const book = this.sync.book;
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
    if (bid > ask) this.found.crossedPrevented++;
    else this.found.lockedPrevented++;
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
    const t = this.ticker;
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
    const book = this.sync.book;
    let heldBid = -Infinity;
    let heldAsk = Infinity;
    for (let i = 0; i < bids.length; i += 2) {
      const p = bids[i] as number;
      if (p > this.maxBid && book.qty('bid', p) > 0) {
        this.found.levelsHeldBack++;
        heldBid = Math.max(heldBid, p);
      }
    }
    for (let i = 0; i < asks.length; i += 2) {
      const p = asks[i] as number;
      if (p < this.minAsk && book.qty('ask', p) > 0) {
        this.found.levelsHeldBack++;
        heldAsk = Math.min(heldAsk, p);
      }
    }
    if (heldBid === -Infinity && heldAsk === Infinity) return;
    // Against the top the ticker shows (the diff's other levels are within it).
    const bid = Math.max(heldBid, this.maxBid);
    const ask = Math.min(heldAsk, this.minAsk);
    if (bid > ask) this.found.crossedPrevented++;
    else if (bid === ask) this.found.lockedPrevented++;
  }

  /** Removes the displayed levels beyond the limit; the book's stay known as hidden. */
  private hideBeyond(side: Side): void {
    const sink = this.sink;
    const book = this.sync.book;
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
    const book = this.sync.book;
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

  private shrinkAt(side: Side, price: number): void {
    const q = this.target(side, price);
    if (q < this.sink.levelQty(side, price)) this.sink.setLevel(side, price, q);
  }

  private growAt(side: Side, price: number): void {
    const q = this.target(side, price);
    if (q > this.sink.levelQty(side, price)) this.sink.setLevel(side, price, q);
  }

  /** After a (re)build from a snapshot: the display becomes the book, written best first. */
  private redrawAll(): void {
    const sink = this.sink;
    for (const side of ['bid', 'ask'] as const) {
      for (let p = sink.best(side); p !== null; p = sink.best(side)) sink.setLevel(side, p, 0);
      this.hidden[side].clear();
    }
    this.trimmed = null;
    this.setLimits([], []);
    const book = this.sync.book;
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
}

function hasPrice(levels: BinanceLevels, price: number): boolean {
  for (let i = 0; i < levels.length; i += 2) if (levels[i] === price) return true;
  return false;
}
