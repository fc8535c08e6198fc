// The klines GET /api/v3/klines answers at the gateway: every interval from the history's first
// to now, those with trades summed from the public tape's prints, those before the gateway's
// start from the scenario's daily history (1d) or its minute history (intraday), those without
// trades at the previous close; and the timeZone a request may shift its intervals by.
import type { DailyHistory } from '../daily-history.ts';
import type { HistoryMinute, MinuteHistory } from '../minute-history.ts';
import type { KlineBuckets, Kline, PublicTape } from './public-tape.ts';

/** What the klines are read from (MarketRestOptions carries them). */
export interface KlineSources {
  readonly tape: PublicTape;
  /** The venue's time now (epoch ms, clock skew applied). */
  readonly now: () => number;
  /** The days before the gateway's first, as 1d klines (the scenario's liquidity.adv), or null. */
  readonly dailyHistory?: DailyHistory | null;
  /** The minutes before the gateway's start, as intraday klines (liquidity.minuteHistoryDays), or null. */
  readonly minuteHistory?: MinuteHistory | null;
}

/** Every interval from the first trade's to now's (those without trades at the previous
 *  close), within startTime and endTime, `limit` of them: from the start, else the latest. Only
 *  the prints of the intervals answered are read (the tape is in time order). 1d klines begin
 *  with the history's days before the gateway's first day (dailyHistory), when it has one. */
export function klineRows(
  o: KlineSources,
  buckets: KlineBuckets,
  start: number | undefined,
  end: number | undefined,
  limit: number,
): Kline[] {
  const tape = o.tape;
  const firstPrint = tape.prints[0];
  const history = buckets.interval === '1d' ? (o.dailyHistory ?? null) : null;
  // Intraday klines reaching before the tape's first print begin with the minute history.
  const tapeTime = firstPrint === undefined ? o.now() : firstPrint.time + tape.skewMs;
  const minuteHistory = buckets.interval === '1d' ? null : (o.minuteHistory ?? null);
  const minutes = minuteHistory !== null && (start === undefined || start < tapeTime) ? minuteHistory.minutes() : [];
  if (firstPrint === undefined && history === null && minutes.length === 0) return [];
  // Where the tape's intervals begin, and the history's days before them.
  const tapeFirst = buckets.start(tapeTime);
  let first = tapeFirst;
  if (history !== null) {
    first = Math.min(tapeFirst, buckets.start(history.startedAt));
    for (let i = 0; i < history.days; i++) first = buckets.previous(first);
  }
  const firstMinute = minutes[0];
  if (firstMinute !== undefined) first = Math.min(first, buckets.start(firstMinute.start));
  const last = buckets.start(Math.min(end ?? Infinity, o.now()));
  const starts: number[] = [];
  if (start !== undefined) {
    for (let at = buckets.start(Math.max(start, first)); at <= last && starts.length < limit; at = buckets.next(at))
      starts.push(at);
  } else {
    // The latest `limit` intervals up to `last`, oldest first.
    for (let at = last; at >= first && starts.length < limit; at = buckets.previous(at)) starts.push(at);
    starts.reverse();
  }
  const from = starts[0];
  const to = starts.at(-1);
  if (from === undefined || to === undefined) return [];
  const withTrades = tape.klines(buckets, from, buckets.next(to) - 1);
  if (minutes.length > 0) mergeMinutes(withTrades, minutes, buckets, from, buckets.next(to) - 1, tapeTime);
  const price = history?.price() ?? 0;
  // An interval without trades: every price the close before it.
  let close = tape.priceBefore(from) ?? price;
  return starts.map((at) => {
    const k =
      history !== null && at < tapeFirst
        ? historyKline(at, buckets.next(at) - 1, history.lots, price)
        : (withTrades.get(at) ?? tape.emptyKline(at, buckets.next(at) - 1, close));
    close = k.close;
    return k;
  });
}

/** A klines timeZone ("8", "-1:00", "05:45"; -12:00 to +14:00) as an offset in ms, or null. */
export function zoneOffsetMs(text: string): number | null {
  const m = /^([+-]?)(\d{1,2})(?::(\d{2}))?$/.exec(text);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  const signed = m[1] === '-' ? -minutes : minutes;
  if (Number(m[3] ?? 0) > 59 || signed < -12 * 60 || signed > 14 * 60) return null;
  return signed * 60_000;
}

/** The history's minutes at venue times in [from, to] and before the tape's first print, summed
 *  into the klines by interval (before the tape's own trades of an interval both hold). */
function mergeMinutes(
  into: Map<number, Kline>,
  minutes: readonly HistoryMinute[],
  buckets: KlineBuckets,
  from: number,
  to: number,
  tapeTime: number,
): void {
  const made = new Map<number, Kline>();
  for (const m of minutes) {
    if (m.start < from || m.start > to || m.start >= tapeTime) continue;
    const at = buckets.start(m.start);
    let k = made.get(at);
    if (!k) {
      k = {
        start: at,
        end: buckets.next(at) - 1,
        open: m.open,
        high: m.high,
        low: m.low,
        close: m.close,
        volume: 0n,
        quote: 0n,
        takerBuyVolume: 0n,
        takerBuyQuote: 0n,
        count: 0,
        firstId: -1,
        lastId: -1,
      };
      made.set(at, k);
    }
    k.high = Math.max(k.high, m.high);
    k.low = Math.min(k.low, m.low);
    k.close = m.close;
    k.volume += BigInt(m.lots);
    k.quote += BigInt(Math.round(m.notional));
    k.count += m.trades;
  }
  for (const [at, h] of made) {
    const t = into.get(at);
    if (t === undefined) {
      into.set(at, h);
      continue;
    }
    into.set(at, {
      ...t,
      open: h.open,
      high: Math.max(h.high, t.high),
      low: Math.min(h.low, t.low),
      volume: h.volume + t.volume,
      quote: h.quote + t.quote,
      count: h.count + t.count,
    });
  }
}

/** A day of the history before the gateway's first: its volume at one price, as one trade. */
function historyKline(start: number, end: number, lots: bigint, price: number): Kline {
  return {
    start,
    end,
    open: price,
    high: price,
    low: price,
    close: price,
    volume: lots,
    quote: lots * BigInt(price),
    takerBuyVolume: 0n,
    takerBuyQuote: 0n,
    count: 1,
    firstId: -1,
    lastId: -1,
  };
}
