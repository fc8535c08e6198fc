// One symbol's market as the Binance gateway serves it: the instrument and its assets, its market
// feed, public tape (trades, klines, tickers) and depth book (its book less what our orders took,
// plus our own resting orders), whether it is halted, and its histories before the gateway's
// start. The gateway builds one per served symbol (the scenario's instrument first, then its
// otherInstruments); the REST routes and the market streams read the one a request names.
import { assetsOf, type Assets } from '../../core/fills/fees.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import type { BookSide } from '../../sim/book/l2-book.ts';
import { dailyHistoryOf, type DailyHistory } from '../daily-history.ts';
import type { GatewayVenue } from '../gateway-venue.ts';
import { MarketFeed } from '../market-feed.ts';
import { minuteHistoryOf, type MinuteHistory } from '../minute-history.ts';
import { DepthBook, MAX_DEPTH, type Levels } from './depth-book.ts';
import { PublicTape } from './public-tape.ts';

export interface SymbolMarket {
  readonly inst: Instrument;
  readonly assets: Assets;
  readonly feed: MarketFeed;
  readonly tape: PublicTape;
  readonly depth: DepthBook;
  /** Whether the venue refuses orders of this symbol now (a halt). */
  readonly halted: () => boolean;
  /** The days before the gateway's first, as 1d klines (the scenario's liquidity.adv), or null. */
  readonly dailyHistory?: DailyHistory | null;
  /** The minutes before the gateway's start, as intraday klines, or null. */
  readonly minuteHistory?: MinuteHistory | null;
}

/** Our open limit orders' remainders where they rest, by symbol (the public book shows them). */
export type Resting = (symbol: string) => ReadonlyArray<{ side: BookSide; price: number; qty: number }>;

/** Every served symbol's market, in the order the gateway serves them (build them before the
 *  venue starts: a feed misses no print). */
export function symbolMarkets(gv: GatewayVenue, resting: Resting): SymbolMarket[] {
  const skewMs = gv.scenario.venue.clockSkewMs;
  return gv.served.map((one) => {
    const inst = one.instrument;
    const feed = new MarketFeed(gv, inst.symbol);
    const depth = new DepthBook({
      levels: (side: BookSide): Levels => {
        const at = new Map<number, number>();
        for (const [price] of one.exchange.book.depth(side, MAX_DEPTH)) {
          const qty = one.exchange.available(side, price);
          if (qty > 0) at.set(price, qty);
        }
        for (const r of resting(inst.symbol)) if (r.side === side) at.set(r.price, (at.get(r.price) ?? 0) + r.qty);
        return [...at].sort(side === 'bid' ? (a, b) => b[0] - a[0] : (a, b) => a[0] - b[0]);
      },
    });
    return {
      inst,
      assets: assetsOf(inst.symbol),
      feed,
      tape: new PublicTape(feed, inst, skewMs),
      depth,
      halted: () => one.exchange.halted,
      dailyHistory: dailyHistoryOf(gv.scenario, inst, feed, gv.startedAt + skewMs),
      minuteHistory: minuteHistoryOf(gv.scenario, gv.file, inst, feed, gv.startedAt, skewMs),
    };
  });
}
