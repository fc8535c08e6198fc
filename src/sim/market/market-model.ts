// What every market model drives: the displayed book and the tape of other participants'
// trades, through the venue (which updates our queue positions and fills our resting orders),
// then refreshTop() once per batch of changes so our delayed market-data view can follow.
import type { Side } from '../../core/model/order.ts';

export interface MarketSink {
  /** refresh=false when the level shrank because of a market trade (our consumption stays). */
  setLevel(side: 'bid' | 'ask', price: number, qty: number, refresh?: boolean): void;
  marketTrade(price: number, qty: number, aggressor: Side): void;
  refreshTop(): void;
  /** Quantities currently displayed (to diff a rebuilt book against). */
  levelQty(side: 'bid' | 'ask', price: number): number;
  /** Best displayed price of a side, or null. */
  best(side: 'bid' | 'ask'): number | null;
  /** Displayed volume at a level that we have not consumed (what another participant can take). */
  available(side: 'bid' | 'ask', price: number): number;
}

/** The sink of a model that draws whole sides as grids of levels (synthetic, Almgren-Chriss). */
export interface GridMarketSink extends MarketSink {
  /**
   * Redraws a whole side (every level refreshed): level i at `best` - i x `gap` (bids) or
   * `best` + i x `gap` (asks) holds `qtys[i]` lots (0: no level), for i < `count`. What setting
   * those levels best first and removing every other level of the side does, in one call. The
   * venue may keep `qtys` as the drawing's: the model never changes an array it handed over (it
   * draws changed quantities into a new one), so a redraw with the same array costs no copy.
   */
  setGrid(side: 'bid' | 'ask', best: number, gap: number, qtys: ArrayLike<number>, count: number): void;
  /**
   * For a model that keeps its events as data while the book is quiet (see SyntheticModel):
   * whether it may now, showing no bid level under `lowestBid` and no ask level over `highestAsk`
   * (ticks) until it asks again (canDefer: nothing of ours can be touched within that range), a
   * top of book published as refreshTop would have read it (publishTop), and a trade that the
   * next redraw replaces before anyone reads the book, so only the tape and the last trade price
   * keep it (quietTrade). Absent: the model never defers.
   */
  canDefer?(lowestBid: number, highestAsk: number): boolean;
  publishTop?(bid: number | null, bidQty: number, ask: number | null, askQty: number): void;
  quietTrade?(price: number, qty: number): void;
  /** Around a catch-up: tops published inside it that arrive by its end are seen only last. */
  catchUpStarted?(): void;
  catchUpEnded?(): void;
}

export interface MarketModel {
  /** Schedules the model's activity on the clock, from the run's start. */
  start(): void;
  /** A price-jump fault: moves the model's price by `bps` basis points at once. */
  jump(bps: number): void;
  /** A model that keeps events as data applies those due by now (catchUp; catchUpBook also
   *  puts the venue's book in step), and is told when one of our orders may have come to rest
   *  (see DeferringMarket in sim-venue.ts). */
  catchUp?(): void;
  catchUpBook?(): void;
  wake?(): void;
}
