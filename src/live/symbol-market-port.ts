// The market-data port of an adapter that trades one symbol: what its recorder holds for that
// symbol, and an empty market for any other (no quote, no volume, no trades), so every live
// venue answers a symbol it does not stream the same way; and whether its feed failed (the
// feed's FeedHealth), for the quote fallback.
import type { Symbol } from '../core/model/ids.ts';
import type { MarketDataPort, MarketWindow, TapeSlice, TopOfBook } from '../core/ports/broker.ts';
import type { FeedHealth } from './feed-health.ts';
import type { MarketRecorder } from './market-recorder.ts';

const NO_TOP: TopOfBook = Object.freeze({ bid: null, bidQty: 0, ask: null, askQty: 0 });
const NO_WINDOW: MarketWindow = Object.freeze({ vwap: null, twapMid: null, volume: 0 });

export class SymbolMarketPort implements MarketDataPort {
  constructor(
    private readonly symbol: Symbol,
    private readonly recorder: MarketRecorder,
    private readonly health?: FeedHealth,
  ) {}

  feedFailure(symbol: Symbol): string | null {
    return symbol === this.symbol && this.health !== undefined ? this.health.failure() : null;
  }

  topOfBook(symbol: Symbol): TopOfBook {
    return symbol === this.symbol ? this.recorder.topOfBook() : NO_TOP;
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return symbol === this.symbol ? this.recorder.window(from, to) : NO_WINDOW;
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return symbol === this.symbol ? this.recorder.lastUpdateAt() : null;
  }

  tradesSince(symbol: Symbol, cursor: number): TapeSlice {
    return symbol === this.symbol
      ? this.recorder.tradesSince(cursor)
      : { cursor, trades: 0, volume: 0, notional: 0, last: null, high: null, low: null };
  }
}
