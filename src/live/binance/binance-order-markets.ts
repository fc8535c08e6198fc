// Which symbol each of our orders is on, for the calls Binance asks a symbol of (a cancel, a
// lookup by client id) while the Broker port names an order by its client id alone. An adapter of
// one instrument always has the answer; of several, it remembers the symbol each order was sent
// or seen on, and an order it has not seen (a resumed run's, an orphan) is looked for on every
// market by its client id, never by a venue order id (Binance numbers orders per symbol: the
// same id on another symbol is another order).
import type { ReadyMarket, ReadyMarkets } from './binance-ready-markets.ts';

export class OrderMarkets {
  /** Our symbol of each wire client id seen, oldest first (bounded). */
  private readonly symbols = new Map<string, string>();

  constructor(private readonly max = 100_000) {}

  /** The order with this wire client id is on `symbol`. */
  note(wireId: string, symbol: string): void {
    if (this.symbols.get(wireId) === symbol) return;
    this.symbols.delete(wireId);
    this.symbols.set(wireId, symbol);
    if (this.symbols.size > this.max) {
      const oldest = this.symbols.keys().next().value;
      if (oldest !== undefined) this.symbols.delete(oldest);
    }
  }

  /** The market the order is known to be on, or null when it may be on any of several. */
  known(wireId: string, ready: ReadyMarkets): ReadyMarket | null {
    if (ready.all.length === 1) return ready.first;
    const symbol = this.symbols.get(wireId);
    return symbol === undefined ? null : ready.of(symbol);
  }

  /** The markets to look for the order on: the one it is known to be on, else every one. */
  candidates(wireId: string, ready: ReadyMarkets): readonly ReadyMarket[] {
    const known = this.known(wireId, ready);
    return known === null ? ready.all : [known];
  }
}
