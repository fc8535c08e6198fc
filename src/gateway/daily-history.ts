// The daily history a gateway states before its own first day, so that a paper run's liquidity
// cap (which averages the venue's complete daily bars) has days to average: each of the
// HISTORY_DAYS days before the day the gateway started traded the scenario's `liquidity.adv` of
// its symbol, at the market's price when asked. Only day bars (Alpaca's 1Day, Binance's 1d
// klines) show it; every shorter bar is built from the gateway's own tape, as before. Without
// `liquidity.adv` a gateway has no history: its day bars are its tape's, and the only day of
// those is today's, still open, which a client leaves out.
import type { Instrument } from '../core/model/instrument.ts';
import { gatewayDailyLots } from '../scenario/liquidity-schema.ts';
import type { Scenario } from '../scenario/schema.ts';
import type { MarketFeed } from './market-feed.ts';

/** Days of history before the gateway's first day: enough for 20 trading days and more. */
export const HISTORY_DAYS = 60;

export interface DailyHistory {
  /** Lots traded each day (a bigint: a liquid symbol's day on a fine lot grid can pass 2^53). */
  readonly lots: bigint;
  /** Days stated before the gateway's first day. */
  readonly days: number;
  /** The venue's time (epoch ms) when the gateway started: its first day holds it. */
  readonly startedAt: number;
  /** Ticks: the price every bar of the history states (the market's, when asked). */
  price(): number;
}

/** The scenario's history for the gateway's instrument, or null when it states no ADV. */
export function dailyHistoryOf(
  scenario: Scenario,
  inst: Instrument,
  feed: MarketFeed,
  startedAt: number,
): DailyHistory | null {
  const lots = gatewayDailyLots(scenario.liquidity, inst);
  if (lots === null || lots < 1n) return null;
  return {
    lots,
    days: HISTORY_DAYS,
    startedAt,
    price: () => {
      const last = feed.lastPrint();
      if (last !== null) return last.price;
      const q = feed.quote();
      if (q?.bid != null && q.ask != null) return Math.round((q.bid + q.ask) / 2);
      return q?.bid ?? q?.ask ?? 1;
    },
  };
}
