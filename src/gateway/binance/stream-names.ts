// Binance's market stream names, parsed: `<symbol>@trade`, `@aggTrade`, `@bookTicker`,
// `@depth` and `@depth@100ms` / `@depth@1000ms` (diffs), `@depth5|10|20` with the same speeds
// (partial books), `@kline_<interval>`, the tickers `@ticker`, `@miniTicker`,
// `@ticker_<1h|4h|1d>` and `@avgPrice`, and the all-market tickers `!miniTicker@arr` and
// `!ticker_<1h|4h|1d>@arr`. Symbols are lower case, as Binance requires; anything else is not a
// stream (SUBSCRIBE answers "invalid stream"), `!ticker@arr` too: Binance retired it on
// 2026-03-26 (docs/0092-ticker-streams.md).
import { KLINE_INTERVALS } from './public-tape.ts';

/** A ticker stream's statistics: the 24-hour ticker, its mini form, or a rolling window's. */
export type TickerKind = 'ticker' | 'miniTicker' | 'ticker_1h' | 'ticker_4h' | 'ticker_1d';

export type StreamSpec =
  | { readonly kind: 'trade' | 'aggTrade' | 'bookTicker' | 'avgPrice'; readonly symbol: string }
  | { readonly kind: 'depth'; readonly symbol: string; readonly speedMs: 100 | 1000 }
  | {
      readonly kind: 'partialDepth';
      readonly symbol: string;
      readonly levels: 5 | 10 | 20;
      readonly speedMs: 100 | 1000;
    }
  | { readonly kind: 'kline'; readonly symbol: string; readonly interval: string }
  /** One symbol's ticker, or (symbol null) every served symbol's in an array. */
  | { readonly kind: 'ticker'; readonly symbol: string | null; readonly ticker: TickerKind };

const NAME =
  /^([a-z0-9]{1,20})@(trade|aggTrade|bookTicker|avgPrice|ticker|miniTicker|ticker_(?:1h|4h|1d)|depth(5|10|20)?(@(100|1000)ms)?|kline_([0-9]{1,2}[smhdwM]))$/;
const ALL_MARKET = /^!(miniTicker|ticker_(?:1h|4h|1d))@arr$/;

export function parseStream(name: string): StreamSpec | null {
  const all = ALL_MARKET.exec(name);
  if (all) return { kind: 'ticker', symbol: null, ticker: all[1] as TickerKind };
  const m = NAME.exec(name);
  if (!m) return null;
  const symbol = (m[1] as string).toUpperCase();
  const what = m[2] as string;
  if (what === 'trade' || what === 'aggTrade' || what === 'bookTicker' || what === 'avgPrice')
    return { kind: what, symbol };
  if (what === 'ticker' || what === 'miniTicker' || what.startsWith('ticker_'))
    return { kind: 'ticker', symbol, ticker: what as TickerKind };
  if (what.startsWith('kline_')) {
    const interval = m[6] as string;
    return KLINE_INTERVALS.includes(interval) ? { kind: 'kline', symbol, interval } : null;
  }
  const speedMs = m[5] === '100' ? 100 : 1000;
  const levels = m[3];
  if (levels === undefined) return { kind: 'depth', symbol, speedMs };
  return { kind: 'partialDepth', symbol, levels: Number(levels) as 5 | 10 | 20, speedMs };
}
