// Replay of recorded Binance spot data as the venue's market. The book is rebuilt from the
// snapshot and depth diffs with Binance's update-id rules (depth-sync.ts); trades come from the
// trade stream. The clock follows the receive timestamps: data from before the run's start is
// applied at the start as warm-up, later messages are scheduled at their receive time, one at a
// time. A sequence gap is an event and the book waits for the next snapshot to rebuild; it never
// silently continues. What the venue displays is decided in replay-display.ts, which this model
// tells of every accepted ticker, applied diff and rebuild; the model also checks the book against
// the recorded bookTicker stream (docs/0038-replaying-recorded-binance-data.md).
import type { ReplayStats } from '../../core/model/events.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { L2Book } from '../book/l2-book.ts';
import type { BinanceBbo, BinanceDepth, BinanceMessage, BinanceSnapshot } from '../replay/binance-messages.ts';
import { DepthSync, type DepthGap } from '../replay/depth-sync.ts';
import type { MarketModel, MarketSink } from './market-model.ts';
import { ReplayDisplay } from './replay-display.ts';

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
  };
  /** What the venue displays of the book and the ticker in force. */
  private readonly display: ReplayDisplay;
  /** Tickers newer than the book, not compared with it yet (in update-id order). */
  private unchecked: BinanceBbo[] = [];
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
    const book = new L2Book();
    this.sync = new DepthSync(book, { onApplied: (diff) => this.diffApplied(diff) });
    this.display = new ReplayDisplay(book, sink, (dataQty) => this.lots(dataQty));
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
      ...this.display.counts,
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
    if (this.sync.state !== 'awaiting-snapshot' && !this.sync.restartedBy(snap)) {
      this.sync.onSnapshot(snap); // counted as ignored: the diffs already keep the book exact
      return;
    }
    // No book yet, or one whose update ids the venue restarted (depth-sync.ts): built from it.
    const gaps = this.sync.counts.gaps;
    this.rebuilding = true;
    this.sync.onSnapshot(snap);
    this.rebuilding = false;
    this.display.rebuilt();
    this.onEvent({ kind: 'snapshot', lastUpdateId: snap.lastUpdateId });
    this.reportGaps(gaps);
  }

  private diffApplied(diff: BinanceDepth): void {
    if (this.rebuilding) return;
    this.checkTickers(diff.lastId);
    this.display.depthApplied(diff);
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
    const inForce = this.display.ticker;
    if (b.updateId <= this.sync.lastUpdateId || (inForce !== null && b.updateId <= inForce.updateId)) {
      this.found.tickersLate++;
      return;
    }
    this.unchecked.push(b);
    this.display.showTicker(b);
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
}
