// The recent quotes a service session holds for its symbol: the venue's top of book, looked at on
// the session's timer and before each read, kept when it changed (price, size or the venue's update
// time), the newest `limit` of them. The latest-quote answer and readiness read them, and they
// answer while the venue's feed is down: they age, and are stale past `staleMs`. (The quote
// fallback's own bounded store of good quotes is QuoteRing, quote-ring.ts.)
import type { Symbol } from '../model/ids.ts';
import type { MarketDataPort, TopOfBook } from '../ports/broker.ts';

/** A quote the session held: the venue's top of book and when the venue last updated it. */
export interface HeldQuote {
  readonly symbol: Symbol;
  readonly top: TopOfBook;
  /** The venue's time of the data (epoch ms), or when the session saw it. */
  readonly at: number;
}

/** A held quote as read at some time: how old it was, and whether that is stale. */
export type AgedQuote = HeldQuote & { ageMs: number; stale: boolean };

export class RecentQuotes {
  private readonly quotes: HeldQuote[] = [];

  constructor(
    private readonly limit: number,
    private readonly staleMs: number,
  ) {}

  /** Keeps the venue's top of book for `symbol` when it has a side and changed since the last
   *  quote kept; `now` stands for the venue's update time when it gives none. */
  sample(venue: Pick<MarketDataPort, 'topOfBook' | 'lastUpdateAt'>, symbol: Symbol, now: () => number): void {
    const top = venue.topOfBook(symbol);
    if (top.bid === null && top.ask === null) return;
    const at = venue.lastUpdateAt(symbol) ?? now();
    const last = this.quotes.at(-1);
    if (
      last !== undefined &&
      last.at === at &&
      last.top.bid === top.bid &&
      last.top.ask === top.ask &&
      last.top.bidQty === top.bidQty &&
      last.top.askQty === top.askQty
    )
      return;
    this.quotes.push({ symbol, top: { ...top }, at });
    if (this.quotes.length > this.limit) this.quotes.splice(0, this.quotes.length - this.limit);
  }

  /** The newest quote held for `symbol`, its age at `now` and whether it is stale; null before
   *  the first. */
  latest(symbol: Symbol, now: number): AgedQuote | null {
    for (let i = this.quotes.length - 1; i >= 0; i--) {
      const q = this.quotes[i] as HeldQuote;
      if (q.symbol !== symbol) continue;
      const ageMs = Math.max(0, now - q.at);
      return { ...q, ageMs, stale: ageMs > this.staleMs };
    }
    return null;
  }
}
