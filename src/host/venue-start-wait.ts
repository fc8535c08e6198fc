// What a live process's startup waits for before the node starts, each wait bounded by the same
// time. The venue's execution stream: fills of our orders must not slip between the startup
// snapshot and the stream (a stream that connects later is a reconnect, reconciled then). And,
// meanwhile, the venue's first top of book: the pre-trade checks value a market order at the
// touch and refuse one with no price, and a venue may show its book only on its market stream
// after the start (Binance's is a depth snapshot synced with the diff stream; Alpaca's latest
// quote is one REST read), so an order due at the start, or a resumed TWAP's catch-up, would be
// refused for a book that was a moment away. Both waits run on the process's clock.
import type { Symbol } from '../core/model/ids.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { Clock } from '../core/ports/clock.ts';
import type { LiveVenue } from '../live/live-venue.ts';

/** How often the startup looks whether the venue's book has arrived (ms). */
const QUOTE_POLL_MS = 20;

export class VenueStartWait {
  private ordersUp = false;
  private readonly waiters: Array<() => void> = [];

  /** Hears a message of the venue (the process's broker hands it every one): the execution
   *  stream's connection reports say whether it is up. */
  note(m: VenueMessage): void {
    if (m.kind !== 'ConnectionReport' || m.stream !== 'orders') return;
    this.ordersUp = m.state === 'connected';
    if (this.ordersUp) for (const w of this.waiters.splice(0)) w();
  }

  /** Settles once the execution stream is up and the venue shows a bid or an ask for each of
   *  `symbols`, each waited for `waitMs` at most on `clock`. */
  async ready(venue: LiveVenue, symbols: readonly Symbol[], waitMs: number, clock: Clock): Promise<void> {
    const ordersStream = this.ordersUp
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = clock.schedule(resolve, waitMs);
          this.waiters.push(() => {
            t.unsubscribe();
            resolve();
          });
        });
    await Promise.all([ordersStream, ...symbols.map((symbol) => firstQuote(venue, symbol, waitMs, clock))]);
  }
}

/** Settles when the venue shows a bid or an ask for the symbol, or after `waitMs` on `clock`. */
async function firstQuote(venue: LiveVenue, symbol: Symbol, waitMs: number, clock: Clock): Promise<void> {
  const quoted = (): boolean => {
    const top = venue.topOfBook(symbol);
    return top.bid !== null || top.ask !== null;
  };
  const deadline = clock.now() + waitMs;
  while (!quoted() && clock.now() < deadline)
    await new Promise<void>((resolve) => clock.schedule(() => resolve(), QUOTE_POLL_MS));
}
