// One symbol's book at the simulated venue: its exchange core (matching, our orders on it), the
// market model that drives it, the tape of its trades and true mid, and our delayed market-data
// view of it. A venue trading several symbols holds one per symbol (sim-venue.ts); the market
// model of a symbol drives only its book (through a VenueMarketSink over it).
import type { MarketWindow, TapeSlice, TopOfBook } from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import type { FaultSchedule } from '../faults.ts';
import type { LatencyModel } from '../latency-model.ts';
import { MarketDataFeed } from './market-data-feed.ts';
import { MarketTape } from './market-tape.ts';
import type { SimExchange } from './sim-exchange.ts';
import type { Commission } from './venue-queries.ts';

/** A market model that may keep its events as data while the book is quiet (see
 *  SyntheticModel): the venue has it apply them before anything reads the market (catchUp), and
 *  put the book in step too before anything reaches the matching engine (catchUpBook), and
 *  tells it when one of our orders may have come to rest (wake). */
export interface DeferringMarket {
  catchUp(): void;
  catchUpBook(): void;
  wake(): void;
}

const OUTAGE = 'market data outage (scenario fault market_data_outage)';

export class VenueBook {
  /** Our delayed market-data view. */
  private readonly feed: MarketDataFeed;
  /** Every trade and the true mid path, for benchmarks. */
  readonly tape = new MarketTape();
  private tapeBid: number | null = null;
  private tapeAsk: number | null = null;
  market: DeferringMarket | null = null;

  constructor(
    private readonly clock: Clock,
    readonly exchange: SimExchange,
    latency: LatencyModel,
    private readonly faults: FaultSchedule,
    /** How the venue states this symbol's commissions, when not in quote. */
    readonly commission?: Commission,
  ) {
    this.feed = new MarketDataFeed(clock, latency, faults);
  }

  // ---- our delayed view (MarketDataPort for this symbol) -------------------------------

  topOfBook(): TopOfBook {
    this.market?.catchUp();
    return this.feed.top();
  }

  /** Why our market-data path fails now (a market_data_outage window: nothing reaches the view,
   *  which keeps its last quote as a live adapter's does when its stream drops), or null. */
  feedFailure(): string | null {
    return this.faults.hasMarketDataOutage && this.faults.marketDataDown(this.clock.now()) ? OUTAGE : null;
  }

  window(from: number, to: number): MarketWindow {
    this.market?.catchUp();
    return this.tape.window(from, to);
  }

  lastUpdateAt(): number | null {
    this.market?.catchUp();
    return this.feed.lastUpdateAt();
  }

  tradesSince(cursor: number): TapeSlice {
    this.market?.catchUp();
    return this.tape.since(cursor);
  }

  // ---- what the market model drives ----------------------------------------------------

  /** Whether a model may keep its events as data now, showing no bid level under `lowestBid` and
   *  no ask level over `highestAsk` until it asks again: the book is quiet within that range
   *  (BookMatcher.gridQuiet) and market data has a fixed delay (a drawn one would take its draws
   *  from the latency stream out of turn). */
  canDefer(lowestBid: number, highestAsk: number): boolean {
    return this.exchange.gridQuiet(lowestBid, highestAsk) && this.feed.fixedDelay();
  }

  /** Market models report other participants' trades here (the exchange sees them too). */
  marketTrade(price: number, qty: number): void {
    this.tape.trade(this.clock.now(), price, qty);
  }

  /** Market models call this after each market change; publishes the top if it moved. The top
   *  is the best level on each side with volume left for others: a displayed level our trades
   *  emptied is not a price anyone can trade at, so it is neither quoted nor a size of zero. */
  refreshTop(): void {
    const ex = this.exchange;
    const bid = ex.bestAvailable('bid');
    const ask = ex.bestAvailable('ask');
    this.publishTop(bid, bid === null ? 0 : ex.available('bid', bid), ask, ask === null ? 0 : ex.available('ask', ask));
  }

  /** What refreshTop does with a top of book it was given instead of reading the book: a model
   *  that kept its events as data knows each one's top without drawing it (see DeferringMarket). */
  publishTop(bid: number | null, bidQty: number, ask: number | null, askQty: number): void {
    if (bid !== this.tapeBid || ask !== this.tapeAsk) {
      // The true market, for benchmarks: recorded whatever our (delayed, maybe stale) view shows.
      this.tapeBid = bid;
      this.tapeAsk = ask;
      this.tape.mid(this.clock.now(), bid !== null && ask !== null ? (bid + ask) / 2 : null);
    }
    this.feed.publish(bid, bidQty, ask, askQty);
  }

  /** Around a deferring market's catch-up (see MarketDataFeed.catchUpStarted). */
  catchUpStarted(): void {
    this.feed.catchUpStarted();
  }

  catchUpEnded(): void {
    this.feed.catchUpEnded();
  }
}
