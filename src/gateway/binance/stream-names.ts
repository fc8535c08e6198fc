// Binance's market stream names, parsed: `<symbol>@trade`, `@aggTrade`, `@bookTicker`,
// `@depth` and `@depth@100ms` / `@depth@1000ms` (diffs), `@depth5|10|20` with the same speeds
// (partial books), `@kline_<interval>`. Symbols are lower case, as Binance requires; anything
// else is not a stream (SUBSCRIBE answers "invalid stream").
import { KLINE_INTERVALS } from './public-tape.ts';

export type StreamSpec =
  | { readonly kind: 'trade' | 'aggTrade' | 'bookTicker'; readonly symbol: string }
  | { readonly kind: 'depth'; readonly symbol: string; readonly speedMs: 100 | 1000 }
  | {
      readonly kind: 'partialDepth';
      readonly symbol: string;
      readonly levels: 5 | 10 | 20;
      readonly speedMs: 100 | 1000;
    }
  | { readonly kind: 'kline'; readonly symbol: string; readonly interval: string };

const NAME =
  /^([a-z0-9]{1,20})@(trade|aggTrade|bookTicker|depth(5|10|20)?(@(100|1000)ms)?|kline_([0-9]{1,2}[smhdwM]))$/;

export function parseStream(name: string): StreamSpec | null {
  const m = NAME.exec(name);
  if (!m) return null;
  const symbol = (m[1] as string).toUpperCase();
  const what = m[2] as string;
  if (what === 'trade' || what === 'aggTrade' || what === 'bookTicker') return { kind: what, symbol };
  if (what.startsWith('kline_')) {
    const interval = m[6] as string;
    return KLINE_INTERVALS.includes(interval) ? { kind: 'kline', symbol, interval } : null;
  }
  const speedMs = m[5] === '100' ? 100 : 1000;
  const levels = m[3];
  if (levels === undefined) return { kind: 'depth', symbol, speedMs };
  return { kind: 'partialDepth', symbol, levels: Number(levels) as 5 | 10 | 20, speedMs };
}
