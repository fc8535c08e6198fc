// The synthetic market's book as numbers: best prices, how many bid levels there are (prices of
// at least one tick) and the lots per level (the same profile on both sides), drawn from the mid,
// the spread and the depth factor at each step. The venue is shown a drawing as two grids (show),
// and other participants' trades walk the venue's book (walkVenue). While the market keeps its
// events as data (see SyntheticModel), a step is drawn only here (drawnQuietly) and trades take
// from these numbers (walkQuietly), publishing the tops the venue would have shown; settle() then
// puts the venue's book in step: the last drawing less what was taken since.
import type { Side } from '../../core/model/order.ts';
import type { GridMarketSink } from './market-model.ts';
import { PriceFloor, ticksText, type WarnFn } from './price-floor.ts';

export class DrawnBook {
  bestBid = 0;
  bestAsk = 0;
  bidLevels = 0;
  /** Lots per level as last drawn: a new array whenever they change (the venue keeps the one it
   *  was shown: see GridMarketSink.setGrid). */
  levelQty: Float64Array;
  /** The depth factor the level quantities were last computed for. */
  private levelsFactor = NaN;
  /** Lots taken per level by trades worked out from the numbers since the last step so drawn
   *  (bid levels first, then ask levels), and whether any is non-zero. */
  private readonly taken: Float64Array;
  private takenAny = false;
  /** How many levels from the best trades have taken from since the drawing, per side: the
   *  entries past them are zero (clearing those few by hand is cheaper than filling the array). */
  private takenBids = 0;
  private takenAsks = 0;
  /** The venue's book is behind these numbers (steps since it was shown were drawn only here). */
  private stale = false;
  /** The lowest bid and highest ask level price (ticks) of the drawing the venue shows (the
   *  last one shown or settled); none before the first. */
  private shownLow = Infinity;
  private shownHigh = -Infinity;
  private readonly bidFloor: PriceFloor;

  constructor(
    private readonly depth: readonly number[],
    private readonly gap: number,
    private readonly sink: GridMarketSink,
    warn: WarnFn,
  ) {
    this.levelQty = new Float64Array(depth.length);
    this.taken = new Float64Array(2 * depth.length);
    this.bidFloor = new PriceFloor('the displayed best bid', warn);
  }

  /** The book around `mid` (ticks) with `spread` ticks between the best prices and the depth
   *  profile scaled by `depthFactor`; a best bid under one tick is held there. */
  draw(mid: number, spread: number, depthFactor: number): void {
    const rawBid = Math.floor(mid - spread / 2);
    const bestBid = this.bidFloor.clear(rawBid)
      ? rawBid
      : this.bidFloor.hold(rawBid, `mid ${ticksText(mid)} less half the spread of ${spread}`);
    const depth = this.depth;
    if (depthFactor !== this.levelsFactor) {
      const levelQty = new Float64Array(depth.length);
      for (let i = 0; i < depth.length; i++) levelQty[i] = Math.round((depth[i] as number) * depthFactor);
      this.levelQty = levelQty;
      this.levelsFactor = depthFactor;
    }
    // Bid levels stop above one tick: level i is there while bestBid - i x gap >= 1.
    this.bidLevels = Math.min(depth.length, Math.floor((bestBid - 1) / this.gap) + 1);
    this.bestBid = bestBid;
    this.bestAsk = bestBid + spread;
  }

  /** The drawing shown to the venue (both grids), and our view refreshed. */
  show(): void {
    this.stale = false;
    this.showGrids();
    this.sink.refreshTop();
  }

  /** A drawing the venue is not shown (yet): nothing taken from it, its top published as the
   *  venue's refresh would have read it. */
  drawnQuietly(): void {
    this.stale = true;
    if (this.takenAny) {
      const taken = this.taken;
      const n = this.levelQty.length;
      for (let i = 0; i < this.takenBids; i++) taken[i] = 0;
      for (let i = 0; i < this.takenAsks; i++) taken[n + i] = 0;
      this.takenBids = 0;
      this.takenAsks = 0;
      this.takenAny = false;
    }
    this.publishTop();
  }

  /** Whether trades must be worked out from the numbers (the venue's book is behind them). */
  get behind(): boolean {
    return this.stale;
  }

  /** The lowest bid level price (ticks) of this drawing or of the one the venue shows,
   *  whichever is lower: where a bid could be displayed if this drawing were shown now. */
  lowestBidReach(): number {
    const low = this.lowestBid();
    return low < this.shownLow ? low : this.shownLow;
  }

  /** The highest ask level price (ticks) of this drawing or of the one the venue shows. */
  highestAskReach(): number {
    const high = this.highestAsk();
    return high > this.shownHigh ? high : this.shownHigh;
  }

  /** The lowest bid level price (ticks) of this drawing (Infinity without bid levels). */
  lowestBid(): number {
    return this.bidLevels > 0 ? this.bestBid - (this.bidLevels - 1) * this.gap : Infinity;
  }

  /** The highest ask level price (ticks) of this drawing. */
  highestAsk(): number {
    return this.bestAsk + (this.levelQty.length - 1) * this.gap;
  }

  /**
   * Puts the venue's book in step: the last drawing less what the trades since took, which is
   * what that drawing and those trades' walks would have left (while the market keeps its events
   * as data no order of ours rests within reach of the book, so nothing else depends on the order
   * of those writes). The tops were published as they happened, so nothing is published here.
   */
  settle(): void {
    if (!this.stale) return;
    this.stale = false;
    this.showGrids();
    if (!this.takenAny) return;
    const n = this.levelQty.length;
    const gap = this.gap;
    for (let i = 0; i < this.bidLevels; i++) {
      const took = this.taken[i] as number;
      if (took > 0) this.sink.setLevel('bid', this.bestBid - i * gap, (this.levelQty[i] as number) - took, false);
    }
    for (let i = 0; i < n; i++) {
      const took = this.taken[n + i] as number;
      if (took > 0) this.sink.setLevel('ask', this.bestAsk + i * gap, (this.levelQty[i] as number) - took, false);
    }
  }

  /** Another participant's market order for `qty` lots walks the venue's book. */
  walkVenue(aggressor: Side, qty: number): void {
    const sink = this.sink;
    const side = aggressor === 'buy' ? 'ask' : 'bid';
    // The levels as drawn, best first (one emptied by an earlier trade has nothing available).
    const gap = side === 'ask' ? this.gap : -this.gap;
    const best = side === 'ask' ? this.bestAsk : this.bestBid;
    const levels = side === 'ask' ? this.levelQty.length : this.bidLevels;
    let remaining = qty;
    for (let i = 0; i < levels; i++) {
      if (remaining <= 0) break;
      if ((this.levelQty[i] as number) <= 0) continue;
      const price = best + i * gap;
      // Volume we already took is gone: another participant can only take what is left.
      const take = Math.min(sink.available(side, price), remaining);
      if (take <= 0) continue;
      remaining -= take;
      sink.marketTrade(price, take, aggressor);
      sink.setLevel(side, price, sink.levelQty(side, price) - take, false);
    }
    sink.refreshTop();
  }

  /** walkVenue() on the numbers: the same prices and quantities, taken from the levels as drawn
   *  less what earlier such trades took since the drawing; only the tape and the last trade price
   *  hear of it, and the top it leaves is published. */
  walkQuietly(aggressor: Side, qty: number): void {
    const ask = aggressor === 'buy';
    const gap = ask ? this.gap : -this.gap;
    const best = ask ? this.bestAsk : this.bestBid;
    const levels = ask ? this.levelQty.length : this.bidLevels;
    const off = ask ? this.levelQty.length : 0;
    const sink = this.sink as Required<GridMarketSink>;
    let remaining = qty;
    for (let i = 0; i < levels; i++) {
      if (remaining <= 0) break;
      const drawn = this.levelQty[i] as number;
      if (drawn <= 0) continue;
      const take = Math.min(drawn - (this.taken[off + i] as number), remaining);
      if (take <= 0) continue;
      remaining -= take;
      this.taken[off + i] = (this.taken[off + i] as number) + take;
      this.takenAny = true;
      if (ask) {
        if (i >= this.takenAsks) this.takenAsks = i + 1;
      } else if (i >= this.takenBids) this.takenBids = i + 1;
      sink.quietTrade(best + i * gap, take);
    }
    this.publishTop();
  }

  private showGrids(): void {
    this.shownLow = this.bidLevels > 0 ? this.bestBid - (this.bidLevels - 1) * this.gap : Infinity;
    this.shownHigh = this.bestAsk + (this.levelQty.length - 1) * this.gap;
    this.sink.setGrid('bid', this.bestBid, this.gap, this.levelQty, this.bidLevels);
    this.sink.setGrid('ask', this.bestAsk, this.gap, this.levelQty, this.levelQty.length);
  }

  /** The top of the drawing less what was taken, published as the venue's refresh would have. */
  private publishTop(): void {
    const n = this.levelQty.length;
    const gap = this.gap;
    let bid: number | null = null;
    let bidQty = 0;
    for (let i = 0; i < this.bidLevels; i++) {
      const left = (this.levelQty[i] as number) - (this.taken[i] as number);
      if (left > 0) {
        bid = this.bestBid - i * gap;
        bidQty = left;
        break;
      }
    }
    let ask: number | null = null;
    let askQty = 0;
    for (let i = 0; i < n; i++) {
      const left = (this.levelQty[i] as number) - (this.taken[n + i] as number);
      if (left > 0) {
        ask = this.bestAsk + i * gap;
        askQty = left;
        break;
      }
    }
    (this.sink as Required<GridMarketSink>).publishTop(bid, bidQty, ask, askQty);
  }
}
