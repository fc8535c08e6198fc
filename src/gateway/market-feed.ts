// The market data the gateway serves, read from the simulated venue: every print on its public
// tape and its market-data view of the top of book, looked for after each piece of the clock's
// work (GatewayClock.afterWork) and given to listeners in one batch per piece. Every venue's
// quote, trade and bar routes and market-data stream read from here, so they agree. One feed per
// served symbol. Design notes: docs/0068-gateway-notes.md.
import type { Symbol } from '../core/model/ids.ts';
import type { GatewayVenue } from './gateway-venue.ts';

/** One print on the venue's tape: venue time (epoch ms, before the venue's clock skew), ticks, lots. */
export interface TapePrint {
  readonly id: number;
  readonly time: number;
  readonly price: number;
  readonly qty: number;
}

/** The market-data view's top of book when it was last updated (ticks, lots, epoch ms). */
export interface FeedQuote {
  readonly time: number;
  readonly bid: number | null;
  readonly bidQty: number;
  readonly ask: number | null;
  readonly askQty: number;
}

export type FeedListener = (prints: readonly TapePrint[], quote: FeedQuote | null) => void;

export class MarketFeed {
  /** Every print since the gateway started, in tape order (times never decrease). */
  readonly prints: TapePrint[] = [];
  private pending: TapePrint[] = [];
  private lastQuote: FeedQuote | null = null;
  private readonly listeners: FeedListener[] = [];

  /** The symbol whose market this is. */
  readonly symbol: Symbol;

  /** Hooks the venue's tape of `symbol` (the gateway's first unless given); build it before the
   *  venue starts so no print is missed. */
  constructor(
    private readonly gv: GatewayVenue,
    symbol: Symbol = gv.instrument.symbol,
  ) {
    this.symbol = gv.requireSymbol(symbol).instrument.symbol;
    const tape = gv.venue.book(this.symbol).tape;
    const record = tape.trade.bind(tape);
    tape.trade = (time, price, qty) => {
      record(time, price, qty);
      const print: TapePrint = { id: this.prints.length + 1, time, price, qty };
      this.prints.push(print);
      this.pending.push(print);
    };
    gv.clock.afterWork(() => this.flush());
  }

  /** The view's top of book now, or null before the first market data arrived. */
  quote(): FeedQuote | null {
    const at = this.gv.venue.lastUpdateAt(this.symbol);
    if (at === null) return null;
    const top = this.gv.venue.topOfBook(this.symbol);
    return { time: at, bid: top.bid, bidQty: top.bidQty, ask: top.ask, askQty: top.askQty };
  }

  lastPrint(): TapePrint | null {
    return this.prints[this.prints.length - 1] ?? null;
  }

  onNews(listener: FeedListener): void {
    this.listeners.push(listener);
  }

  /** Hands what happened since the last call to the listeners (called after each clock work). */
  flush(): void {
    const prints = this.pending;
    const now = this.quote();
    const last = this.lastQuote;
    const moved =
      now !== null &&
      (last === null ||
        now.time !== last.time ||
        now.bid !== last.bid ||
        now.ask !== last.ask ||
        now.bidQty !== last.bidQty ||
        now.askQty !== last.askQty);
    const quote = moved ? now : null;
    if (moved) this.lastQuote = now;
    if (prints.length === 0 && quote === null) return;
    this.pending = [];
    for (const listener of this.listeners) listener(prints, quote);
  }
}
