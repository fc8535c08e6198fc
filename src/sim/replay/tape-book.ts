// A book synthesized around a trade tape, for archives that recorded no depth: after each trade
// the book is redrawn around it, the side the trade took at the trade's price (a buy took the
// ask: the best ask is the trade's price, the best bid `spreadTicks` below; a sell the other way
// round), `depth.length` levels a side `levelSpacingTicks` apart, level i holding depth[i]. The
// first redraw is a snapshot, each later one the diff from the book before (levels gone at 0),
// with update ids in sequence, so the replay model runs on it unchanged (after missing data, a
// skipped id and a snapshot: the replay's gap and rebuild). It models the price path and the
// trades' sizes and sides; it does not model real depth, queue positions behind real orders, or
// the spread (docs/0081-imported-market-data.md).
import type { BinanceMessage } from './binance-message-types.ts';
import type { PullStream } from './merge-by-time.ts';

export interface TapeBookModel {
  /** Data lots per level, best first (the same on both sides). */
  readonly depth: readonly number[];
  readonly spreadTicks: number;
  readonly levelSpacingTicks: number;
}

export interface TapeTrade {
  readonly recvMs: number;
  readonly tradeId: number;
  readonly price: number;
  readonly qty: number;
  readonly buyerIsMaker: boolean;
  /** Data is missing before this trade (bars missing from a kline archive): after it the book
   *  is drawn anew behind an empty diff that skips an update id, so the replay reports a gap and
   *  a rebuild, as for a recording's gap. */
  readonly gapBefore?: boolean;
}

export class TapeBook implements PullStream<BinanceMessage> {
  private readonly queue: BinanceMessage[] = [];
  private id = 0;
  private bids: number[] | null = null;
  private asks: number[] = [];

  constructor(
    private readonly trades: PullStream<TapeTrade>,
    private readonly model: TapeBookModel,
  ) {}

  next(): BinanceMessage | null {
    const queued = this.queue.shift();
    if (queued !== undefined) return queued;
    const t = this.trades.next();
    if (t === null) return null;
    this.redraw(t);
    return {
      kind: 'trade',
      recvMs: t.recvMs,
      eventMs: t.recvMs,
      tradeMs: t.recvMs,
      tradeId: t.tradeId,
      price: t.price,
      qty: t.qty,
      buyerIsMaker: t.buyerIsMaker,
    };
  }

  private redraw(t: TapeTrade): void {
    const { depth, spreadTicks, levelSpacingTicks: step } = this.model;
    const bestBid = t.buyerIsMaker ? t.price : t.price - spreadTicks;
    const bestAsk = bestBid + spreadTicks;
    const bids: number[] = [];
    const asks: number[] = [];
    depth.forEach((qty, i) => {
      if (bestBid - i * step > 0) bids.push(bestBid - i * step, qty);
      asks.push(bestAsk + i * step, qty);
    });
    const prevBids = this.bids;
    const prevAsks = this.asks;
    this.bids = bids;
    this.asks = asks;
    if (prevBids !== null && t.gapBefore === true) {
      this.id += 2;
      this.queue.push({
        kind: 'depth',
        recvMs: t.recvMs,
        eventMs: t.recvMs,
        firstId: this.id,
        lastId: this.id,
        bids: [],
        asks: [],
      });
    }
    if (prevBids === null || t.gapBefore === true) {
      this.queue.push({ kind: 'snapshot', recvMs: t.recvMs, lastUpdateId: this.id, bids, asks });
      return;
    }
    const firstId = this.id + 1;
    this.id++;
    this.queue.push({
      kind: 'depth',
      recvMs: t.recvMs,
      eventMs: t.recvMs,
      firstId,
      lastId: this.id,
      bids: changes(prevBids, bids),
      asks: changes(prevAsks, asks),
    });
  }
}

/** Levels that changed from `prev` to `next` (flattened), gone ones at 0. */
function changes(prev: number[], next: number[]): number[] {
  const out: number[] = [];
  const now = new Map<number, number>();
  for (let i = 0; i < next.length; i += 2) now.set(next[i] as number, next[i + 1] as number);
  const before = new Map<number, number>();
  for (let i = 0; i < prev.length; i += 2) {
    before.set(prev[i] as number, prev[i + 1] as number);
    if (!now.has(prev[i] as number)) out.push(prev[i] as number, 0);
  }
  for (const [p, q] of now) if (before.get(p) !== q) out.push(p, q);
  return out;
}
