// A symbol's statistics over a window of its public tape, as Binance's tickers state them: one
// computation (windowStats) behind GET /api/v3/ticker/24hr, GET /api/v3/ticker (rolling windows),
// GET /api/v3/avgPrice and the ticker streams, which relabel the REST answer of the same moment
// (ticker-streams.ts), so a stream and REST agree at any moment of the venue's clock. Windows
// include both ends: the 24-hour one is [now - 24 h, now]; a rolling one opens on the minute,
// [minute of now - window, now], as Binance's does (up to 59,999 ms wider than the window).
import type { Instrument } from '../../core/model/instrument.ts';
import type { FeedQuote, TapePrint } from '../market-feed.ts';
import type { PublicTape } from './public-tape.ts';
import { price8, qty8, quote8, ZERO8 } from './wire.ts';

type Json = Record<string, unknown>;

export const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** avgPrice's window (Binance's `mins`: 5). */
export const AVG_PRICE_MS = 300_000;

/** What a window of the tape holds: its first and last prints, extremes (ticks), volume (lots)
 *  and notional (lots x ticks, bigints: a day of trades passes 2^53 units), and the price of the
 *  last print before it. */
export interface WindowStats {
  readonly openTime: number;
  readonly closeTime: number;
  readonly first: TapePrint | null;
  readonly last: TapePrint | null;
  readonly high: number;
  readonly low: number;
  readonly volume: bigint;
  readonly units: bigint;
  readonly count: number;
  readonly before: number | null;
}

/** The prints at venue times in [openTime, closeTime]. */
export function windowStats(tape: PublicTape, openTime: number, closeTime: number): WindowStats {
  const prints = tape.prints;
  const start = tape.firstAtOrAfter(openTime);
  let first: TapePrint | null = null;
  let last: TapePrint | null = null;
  let high = -Infinity;
  let low = Infinity;
  let volume = 0n;
  let units = 0n;
  let count = 0;
  for (let i = start; i < prints.length; i++) {
    const p = prints[i] as TapePrint;
    if (p.time + tape.skewMs > closeTime) break;
    first ??= p;
    last = p;
    high = Math.max(high, p.price);
    low = Math.min(low, p.price);
    volume += BigInt(p.qty);
    units += BigInt(p.qty) * BigInt(p.price);
    count++;
  }
  const before = prints[start - 1]?.price ?? null;
  return { openTime, closeTime, first, last, high, low, volume, units, count, before };
}

/** Where a rolling window of `windowMs` open at `now`: on the minute, as Binance's. */
export const rollingOpenTime = (now: number, windowMs: number): number =>
  Math.floor(now / MINUTE_MS) * MINUTE_MS - windowMs;

/** The shapes of Binance's tickers: ticker/24hr FULL, ticker (rolling) FULL, either's MINI. */
export type TickerShape = 'full24h' | 'fullRolling' | 'mini';

/** A window's ticker as REST states it, in Binance's field order; `quote` only for full24h. */
export function tickerOf(inst: Instrument, s: WindowStats, shape: TickerShape, quote: FeedQuote | null): Json {
  const px = (ticks: number | null) => (ticks === null ? ZERO8 : price8(inst, ticks));
  const open = s.first?.price ?? null;
  const close = s.last?.price ?? null;
  const mini = {
    openPrice: px(open),
    highPrice: px(s.count > 0 ? s.high : null),
    lowPrice: px(s.count > 0 ? s.low : null),
    lastPrice: px(close),
    volume: qty8(inst, s.volume),
    quoteVolume: quote8(inst, s.units),
    openTime: s.openTime,
    closeTime: s.closeTime,
    firstId: s.first?.id ?? -1,
    lastId: s.last?.id ?? -1,
    count: s.count,
  };
  if (shape === 'mini') return { symbol: inst.symbol, ...mini };
  const change = open !== null && close !== null ? close - open : 0;
  const tick = Number(inst.tickSize);
  const changes = {
    priceChange: price8(inst, change),
    priceChangePercent: open ? ((change / open) * 100).toFixed(3) : '0.000',
    weightedAvgPrice: s.volume > 0n ? ((Number(s.units) / Number(s.volume)) * tick).toFixed(8) : ZERO8,
  };
  if (shape === 'fullRolling') return { symbol: inst.symbol, ...changes, ...mini };
  const { lastPrice, ...rest } = mini;
  return {
    symbol: inst.symbol,
    ...changes,
    prevClosePrice: px(s.before),
    lastPrice,
    lastQty: s.last ? qty8(inst, s.last.qty) : ZERO8,
    bidPrice: px(quote?.bid ?? null),
    bidQty: qty8(inst, quote?.bid != null ? quote.bidQty : 0),
    askPrice: px(quote?.ask ?? null),
    askQty: qty8(inst, quote?.ask != null ? quote.askQty : 0),
    ...rest,
  };
}

/** GET /api/v3/ticker/24hr's entry of a symbol at `now`. */
export function ticker24h(
  inst: Instrument,
  tape: PublicTape,
  now: number,
  quote: FeedQuote | null,
  mini: boolean,
): Json {
  return tickerOf(inst, windowStats(tape, now - DAY_MS, now), mini ? 'mini' : 'full24h', quote);
}

/** GET /api/v3/ticker's entry of a symbol at `now` over a window of `windowMs`. */
export function rollingTicker(inst: Instrument, tape: PublicTape, now: number, windowMs: number, mini: boolean): Json {
  return tickerOf(inst, windowStats(tape, rollingOpenTime(now, windowMs), now), mini ? 'mini' : 'fullRolling', null);
}

/** GET /api/v3/avgPrice at `now`: the volume-weighted price of the last 5 minutes' trades and
 *  the last one's time (none: "0.00000000" and now). */
export function averagePrice(inst: Instrument, tape: PublicTape, now: number): { price: string; closeTime: number } {
  const s = windowStats(tape, now - AVG_PRICE_MS, now);
  const tick = Number(inst.tickSize);
  return {
    price: s.volume > 0n ? ((Number(s.units) / Number(s.volume)) * tick).toFixed(8) : ZERO8,
    closeTime: s.last ? s.last.time + tape.skewMs : now,
  };
}
