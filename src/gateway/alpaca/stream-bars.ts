// The minute bars Alpaca's market-data stream sends on its `bars` channel: when a minute of the
// venue's clock ends, one bar per served symbol that printed in it (open, high, low, close, volume,
// trade count and volume-weighted price of its tape's prints), stamped with the minute's start.
// Minutes without a print send nothing, as Alpaca's stream does. Read from each symbol's market
// feed, so the stream's bars agree with the REST bars of the same minute.
import type { VenueClock } from '../gateway-clock.ts';
import type { MarketFeed } from '../market-feed.ts';
import type { HistoryMinute } from '../minute-history.ts';

const MINUTE_MS = 60_000;

/** One minute of one symbol's prints, in ticks and lots (notional: ticks x lots); `start` is
 *  venue time (epoch ms): the minute history's shape. */
export type TapeMinute = HistoryMinute;

/**
 * Calls `send` at the end of every minute of the venue's clock (its time is the clock's plus
 * `skewMs`) with each feed's bar of that minute. Runs until the clock stops.
 */
export function everyMinuteBar(
  clock: VenueClock,
  skewMs: number,
  feeds: readonly MarketFeed[],
  send: (symbol: string, bar: TapeMinute) => void,
): void {
  const cursors = new Map<MarketFeed, number>(feeds.map((f) => [f, f.prints.length]));
  const arm = (): void => {
    const venueNow = clock.now() + skewMs;
    const end = (Math.floor(venueNow / MINUTE_MS) + 1) * MINUTE_MS;
    clock.schedule(() => {
      for (const feed of feeds) {
        const bar = minuteOf(feed, cursors, end - MINUTE_MS, end, skewMs);
        if (bar !== null) send(feed.symbol, bar);
      }
      arm();
    }, end - venueNow);
  };
  arm();
}

/** The feed's bar of [from, to) (venue time), from its prints past the cursor; moves the cursor
 *  past the prints before `to`. */
function minuteOf(
  feed: MarketFeed,
  cursors: Map<MarketFeed, number>,
  from: number,
  to: number,
  skewMs: number,
): TapeMinute | null {
  let i = cursors.get(feed) ?? 0;
  let bar: {
    open: number;
    high: number;
    low: number;
    close: number;
    lots: number;
    notional: number;
    trades: number;
  } | null = null;
  for (; i < feed.prints.length; i++) {
    const p = feed.prints[i]!;
    const at = p.time + skewMs;
    if (at >= to) break;
    if (at < from) continue; // a print of an earlier minute whose bar was already sent
    if (bar === null)
      bar = { open: p.price, high: p.price, low: p.price, close: p.price, lots: 0, notional: 0, trades: 0 };
    bar.high = Math.max(bar.high, p.price);
    bar.low = Math.min(bar.low, p.price);
    bar.close = p.price;
    bar.lots += p.qty;
    bar.notional += p.price * p.qty;
    bar.trades += 1;
  }
  cursors.set(feed, i);
  return bar === null ? null : { start: from, ...bar };
}
