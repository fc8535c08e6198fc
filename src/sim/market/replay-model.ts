// Replay of recorded Binance spot data as the venue's market. The book is rebuilt from the
// snapshot and depth diffs with Binance's update-id rules (depth-sync.ts); every level a diff
// changes reaches the venue through setLevel, so our queue positions follow it. Between the
// 100 ms diffs the bookTicker stream refines the top (only when newer than the book's update id,
// removing levels it proves stale), and trades come from the trade stream. The clock follows the
// receive timestamps: data from before the run's start is applied at the start as warm-up, later
// messages are scheduled at their receive time, one at a time. A sequence gap is an event and
// the book waits for the next snapshot to rebuild; it never silently continues.
import type { Clock } from '../../core/ports/clock.ts';
import { L2Book } from '../book/l2-book.ts';
import type { BinanceBbo, BinanceDepth, BinanceMessage, BinanceSnapshot } from '../replay/binance-messages.ts';
import { DepthSync, type DepthGap } from '../replay/depth-sync.ts';
import type { MarketModel, MarketSink } from './market-model.ts';

/** Parsed messages in file order; null when the data ends. */
export interface ReplaySource {
  next(): BinanceMessage | null;
}

export type ReplayEvent =
  | { readonly kind: 'gap'; readonly gap: DepthGap }
  | { readonly kind: 'snapshot'; readonly lastUpdateId: number }
  | { readonly kind: 'end'; readonly messages: number };

export interface ReplayStats {
  messages: number;
  bboApplied: number;
  bboSkipped: number;
  trades: number;
}

export class ReplayModel implements MarketModel {
  private readonly sync: DepthSync;
  private pending: BinanceMessage | null = null;
  readonly stats: ReplayStats = { messages: 0, bboApplied: 0, bboSkipped: 0, trades: 0 };

  /**
   * @param lotsPerDataLot how many data-precision units make one order lot (1000 when the data has
   *   8 decimals and the lot is 0.00001): displayed and traded volume is floored to whole lots.
   */
  constructor(
    private readonly clock: Clock,
    private readonly sink: MarketSink,
    private readonly source: ReplaySource,
    private readonly onEvent: (e: ReplayEvent) => void,
    private readonly lotsPerDataLot = 1,
  ) {
    if (!Number.isSafeInteger(lotsPerDataLot) || lotsPerDataLot < 1) throw new Error(`lotsPerDataLot must be a positive integer, got ${lotsPerDataLot}`);
    this.sync = new DepthSync(new L2Book(), { onApplied: (diff) => this.mirrorDiff(diff) });
  }

  private lots(dataQty: number): number {
    return this.lotsPerDataLot === 1 ? dataQty : Math.floor(dataQty / this.lotsPerDataLot);
  }

  get depthCounts(): DepthSync['counts'] {
    return this.sync.counts;
  }

  start(): void {
    const start = this.clock.now();
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
      this.onEvent({ kind: 'end', messages: this.stats.messages });
      return;
    }
    this.clock.post(() => this.fire(), Math.max(0, m.recvMs - this.clock.now()));
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
    this.stats.messages++;
    switch (m.kind) {
      case 'snapshot':
        this.snapshot(m);
        return;
      case 'depth': {
        const outcome = this.sync.onDepth(m);
        if (outcome === 'gap') this.onEvent({ kind: 'gap', gap: this.sync.gapEvents[this.sync.gapEvents.length - 1] as DepthGap });
        return;
      }
      case 'bbo':
        this.bbo(m);
        return;
      case 'trade':
        this.stats.trades++;
        if (this.lots(m.qty) > 0) this.sink.marketTrade(m.price, this.lots(m.qty), m.buyerIsMaker ? 'sell' : 'buy');
        return;
    }
  }

  private snapshot(snap: BinanceSnapshot): void {
    // Mirror the whole snapshot before the buffered diffs DepthSync replays on top of it.
    const before = this.sync.counts.snapshots;
    const clearExchange = (): void => {
      for (const side of ['bid', 'ask'] as const) {
        for (let p = this.sink.best(side); p !== null; p = this.sink.best(side)) this.sink.setLevel(side, p, 0);
      }
      for (let i = 0; i < snap.bids.length; i += 2) this.sink.setLevel('bid', snap.bids[i] as number, this.lots(snap.bids[i + 1] as number));
      for (let i = 0; i < snap.asks.length; i += 2) this.sink.setLevel('ask', snap.asks[i] as number, this.lots(snap.asks[i + 1] as number));
    };
    if (this.sync.state !== 'awaiting-snapshot') {
      this.sync.onSnapshot(snap); // counted as ignored
      return;
    }
    this.mirrorPaused = true;
    this.sync.onSnapshot(snap);
    this.mirrorPaused = false;
    if (this.sync.counts.snapshots > before) {
      clearExchange();
      for (const diff of this.replayedAtSnapshot) this.mirrorDiff(diff);
      this.replayedAtSnapshot = [];
      this.onEvent({ kind: 'snapshot', lastUpdateId: snap.lastUpdateId });
    }
  }

  private mirrorPaused = false;
  private replayedAtSnapshot: BinanceDepth[] = [];

  private mirrorDiff(diff: BinanceDepth): void {
    if (this.mirrorPaused) {
      this.replayedAtSnapshot.push(diff);
      return;
    }
    for (let i = 0; i < diff.bids.length; i += 2) this.sink.setLevel('bid', diff.bids[i] as number, this.lots(diff.bids[i + 1] as number));
    for (let i = 0; i < diff.asks.length; i += 2) this.sink.setLevel('ask', diff.asks[i] as number, this.lots(diff.asks[i + 1] as number));
  }

  /** The real-time top of book, applied only when newer than the depth the book reflects. */
  private bbo(b: BinanceBbo): void {
    if (this.sync.state !== 'synced' || b.updateId <= this.sync.lastUpdateId) {
      this.stats.bboSkipped++;
      return;
    }
    this.stats.bboApplied++;
    for (let p = this.sink.best('bid'); p !== null && p > b.bid; p = this.sink.best('bid')) this.sink.setLevel('bid', p, 0);
    for (let p = this.sink.best('ask'); p !== null && p < b.ask; p = this.sink.best('ask')) this.sink.setLevel('ask', p, 0);
    this.sink.setLevel('bid', b.bid, this.lots(b.bidQty));
    this.sink.setLevel('ask', b.ask, this.lots(b.askQty));
  }
}
