// What a paper (and later live) run trades through: a venue adapter is the Broker and the
// MarketDataPort with a required life cycle, and the venue's market clock when it has one. Every
// venue folder under src/live/ builds one of these; nothing above src/live names an adapter.
import type { Broker, MarketDataPort } from '../core/ports/broker.ts';
import type { OrderStatusReport } from '../core/model/reports.ts';
import type { VenueBars } from './market-history.ts';

/** An order's state as an adapter read it from its venue: a status report without its kind. */
export type VenueOrderRow = Omit<OrderStatusReport, 'kind'>;

/** A reading of a venue's market clock: open now, and when it next opens and closes (epoch ms, when stated). */
export interface MarketClockReading {
  readonly isOpen: boolean;
  readonly nextOpen: number | null;
  readonly nextClose: number | null;
}

/** How a venue's read of its market history went: a failure says why. */
export interface MarketHistoryOutcome {
  readonly kind: string;
  readonly reason?: string;
}

/** A venue's daily volumes of a symbol: complete days only (the day in progress is left out),
 *  whole lots, oldest first, and what was read; or why they could not be read. */
export type DailyVolumes =
  | { readonly kind: 'read'; readonly dailyLots: readonly number[]; readonly source: string }
  | { readonly kind: 'failed'; readonly reason: string };

/** A venue adapter with a life cycle. `start(marketSince)`: market windows will be asked from
 *  then on, before the adapter started; an adapter that can read the venue's market history
 *  fills its record back to then and says how that went in backfilled(). `stop` resolves once no
 *  socket or timer of the adapter is left. `instrumentRefusal`, for a venue that states its
 *  rules for a symbol (Binance's exchangeInfo filters): why the run's instrument cannot trade
 *  there as the scenario describes it (one message naming the fields), or null; asked before
 *  anything is sent, and null too when the rules could not be read (the account read that
 *  follows tells an unreachable venue). `minuteBars`: the venue's 1-minute bars of a symbol
 *  starting in [from, until] (a strategy's warm-up); never rejects, bounded by the adapter's
 *  request deadline. `dailyVolumes`: the last `days` complete days' volumes from the venue's
 *  daily bars (the liquidity cap's input); never rejects, bounded by the request deadline too. */
export type LiveVenue = Broker &
  MarketDataPort & {
    start(marketSince?: number): void;
    stop(): Promise<void>;
    marketClock?(): Promise<MarketClockReading | null>;
    backfilled?(): Promise<MarketHistoryOutcome>;

    instrumentRefusal?(): Promise<string | null>;
    minuteBars?(symbol: string, from: number, until: number): Promise<VenueBars>;
    dailyVolumes?(symbol: string, days: number): Promise<DailyVolumes>;
  };
