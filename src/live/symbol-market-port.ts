// The market-data port of an adapter: what its recorder holds for each symbol it streams, and an
// empty market for any other (no quote, no volume, no trades), so every live venue answers a
// symbol it does not stream the same way; and whether a symbol's feed failed (its FeedHealth),
// for the quote fallback.
import type { Symbol } from '../core/model/ids.ts';
import type { MarketDataPort, MarketWindow, TapeSlice, TopOfBook } from '../core/ports/broker.ts';
import type { FeedHealth } from './feed-health.ts';
import type { MarketRecorder } from './market-recorder.ts';

const NO_TOP: TopOfBook = Object.freeze({ bid: null, bidQty: 0, ask: null, askQty: 0 });
const NO_WINDOW: MarketWindow = Object.freeze({ vwap: null, twapMid: null, volume: 0 });

/** What the port reads of one symbol: its recorder, and its feed's health when it has one. */
export interface SymbolFeedView {
  readonly recorder: MarketRecorder;
  readonly health?: FeedHealth;
}

export class SymbolMarketPort implements MarketDataPort {
  constructor(private readonly feeds: ReadonlyMap<string, SymbolFeedView>) {}

  feedFailure(symbol: Symbol): string | null {
    return this.feeds.get(symbol)?.health?.failure() ?? null;
  }

  topOfBook(symbol: Symbol): TopOfBook {
    return this.feeds.get(symbol)?.recorder.topOfBook() ?? NO_TOP;
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return this.feeds.get(symbol)?.recorder.window(from, to) ?? NO_WINDOW;
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return this.feeds.get(symbol)?.recorder.lastUpdateAt() ?? null;
  }

  tradesSince(symbol: Symbol, cursor: number): TapeSlice {
    const feed = this.feeds.get(symbol);
    return feed
      ? feed.recorder.tradesSince(cursor)
      : { cursor, trades: 0, volume: 0, notional: 0, last: null, high: null, low: null };
  }
}
