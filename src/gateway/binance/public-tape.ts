// The venue's public trades as Binance states them: GET /api/v3/trades and the trade stream (one
// print each, its tape number as the trade id) and klines (GET /api/v3/klines and the kline
// streams), all read from the gateway's market feed (../market-feed.ts), as the tickers are
// (ticker-stats.ts), so they agree. The simulated tape does not say which side took;
// `isBuyerMaker` is inferred from the top of book before the print (at or above the ask: a buyer
// took; at or below the bid: a seller; between: below the mid is a seller), as a recorded feed's
// classifiers do.
import type { Instrument } from '../../core/model/instrument.ts';
import type { MarketFeed, FeedQuote, TapePrint } from '../market-feed.ts';
import { price8, qty8, quote8 } from './wire.ts';

/** Kline intervals Binance serves, by name: their length (ms) or a calendar unit. */
const INTERVAL_MS: Readonly<Record<string, number>> = {
  '1s': 1000,
  '1m': 60_000,
  '3m': 180_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '2h': 7_200_000,
  '4h': 14_400_000,
  '6h': 21_600_000,
  '8h': 28_800_000,
  '12h': 43_200_000,
  '1d': 86_400_000,
  '3d': 259_200_000,
  '1w': 604_800_000,
  '1M': 0,
};
export const KLINE_INTERVALS = Object.keys(INTERVAL_MS);

/** Monday 1970-01-05 00:00 UTC: Binance's weeks start on Mondays. */
const FIRST_MONDAY = 4 * 86_400_000;

/** The kline buckets of an interval: where the one holding `t` starts, and the next start. */
export class KlineBuckets {
  private readonly len: number;

  /** `offsetMs`: the timeZone's offset (intervals of a day and more start at its midnight). */
  constructor(
    readonly interval: string,
    private readonly offsetMs = 0,
  ) {
    const len = INTERVAL_MS[interval];
    if (len === undefined) throw new Error(`unknown kline interval ${interval}`);
    this.len = len;
  }

  start(t: number): number {
    const local = t + this.offsetMs;
    if (this.interval === '1M') {
      const d = new Date(local);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - this.offsetMs;
    }
    const base = this.interval === '1w' ? FIRST_MONDAY : 0;
    return Math.floor((local - base) / this.len) * this.len + base - this.offsetMs;
  }

  next(start: number): number {
    if (this.interval !== '1M') return start + this.len;
    const d = new Date(start + this.offsetMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) - this.offsetMs;
  }

  previous(start: number): number {
    if (this.interval !== '1M') return start - this.len;
    const d = new Date(start + this.offsetMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1) - this.offsetMs;
  }
}

/** One kline's trades: open, high, low, close (ticks), volumes (lots, and notional units: lots x
 *  ticks), count, ids. The volumes are bigints: summed over a day or a month of trades (or a
 *  stated daily history) they pass 2^53 units long before any one trade does. */
export interface Kline {
  readonly start: number;
  readonly end: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: bigint;
  quote: bigint;
  takerBuyVolume: bigint;
  takerBuyQuote: bigint;
  count: number;
  firstId: number;
  lastId: number;
}

export class PublicTape {
  /** isBuyerMaker of each print, by print id - 1. */
  private readonly buyerMaker: boolean[] = [];
  private before: FeedQuote | null = null;

  constructor(
    private readonly feed: MarketFeed,
    private readonly inst: Instrument,
    /** The venue's clock against the wall clock, ms: times are stated on the venue's clock. */
    readonly skewMs: number,
  ) {
    feed.onNews((prints, quote) => {
      for (const p of prints) this.buyerMaker[p.id - 1] = this.sellerTook(p.price);
      if (quote) this.before = quote;
    });
  }

  private sellerTook(price: number): boolean {
    const q = this.before;
    if (!q) return false;
    if (q.ask !== null && price >= q.ask) return false;
    if (q.bid !== null && price <= q.bid) return true;
    return q.bid !== null && q.ask !== null && price < (q.bid + q.ask) / 2;
  }

  isBuyerMaker(p: TapePrint): boolean {
    return this.buyerMaker[p.id - 1] ?? false;
  }

  get prints(): readonly TapePrint[] {
    return this.feed.prints;
  }

  /** A print as GET /api/v3/trades states it. */
  trade(p: TapePrint): Record<string, unknown> {
    return {
      id: p.id,
      price: price8(this.inst, p.price),
      qty: qty8(this.inst, p.qty),
      quoteQty: quote8(this.inst, p.price * p.qty),
      time: p.time + this.skewMs,
      isBuyerMaker: this.isBuyerMaker(p),
      isBestMatch: true,
    };
  }

  /** The index of the first print at or after venue time `t` (the tape is in time order). */
  firstAtOrAfter(t: number): number {
    const prints = this.prints;
    let lo = 0;
    let hi = prints.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((prints[mid] as TapePrint).time + this.skewMs < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The price of the last print before venue time `t`, or null when none was. */
  priceBefore(t: number): number | null {
    return this.prints[this.firstAtOrAfter(t) - 1]?.price ?? null;
  }

  /** The klines with trades among the prints at venue times in [from, to], by start time. */
  klines(buckets: KlineBuckets, from = -Infinity, to = Infinity): Map<number, Kline> {
    const out = new Map<number, Kline>();
    const prints = this.prints;
    for (let i = this.firstAtOrAfter(from); i < prints.length; i++) {
      const p = prints[i] as TapePrint;
      const t = p.time + this.skewMs;
      if (t > to) break;
      const start = buckets.start(t);
      let k = out.get(start);
      if (!k) {
        k = {
          start,
          end: buckets.next(start) - 1,
          open: p.price,
          high: p.price,
          low: p.price,
          close: p.price,
          volume: 0n,
          quote: 0n,
          takerBuyVolume: 0n,
          takerBuyQuote: 0n,
          count: 0,
          firstId: p.id,
          lastId: p.id,
        };
        out.set(start, k);
      }
      k.high = Math.max(k.high, p.price);
      k.low = Math.min(k.low, p.price);
      k.close = p.price;
      const lots = BigInt(p.qty);
      const units = lots * BigInt(p.price);
      k.volume += lots;
      k.quote += units;
      if (!this.isBuyerMaker(p)) {
        k.takerBuyVolume += lots;
        k.takerBuyQuote += units;
      }
      k.count++;
      k.lastId = p.id;
    }
    return out;
  }

  /** A kline as GET /api/v3/klines states it (a row). */
  klineRow(k: Kline): unknown[] {
    return [
      k.start,
      price8(this.inst, k.open),
      price8(this.inst, k.high),
      price8(this.inst, k.low),
      price8(this.inst, k.close),
      qty8(this.inst, k.volume),
      k.end,
      quote8(this.inst, k.quote),
      k.count,
      qty8(this.inst, k.takerBuyVolume),
      quote8(this.inst, k.takerBuyQuote),
      '0',
    ];
  }

  /** An interval without trades, as Binance states one: every price the previous close. */
  emptyKline(start: number, end: number, close: number): Kline {
    return {
      start,
      end,
      open: close,
      high: close,
      low: close,
      close,
      volume: 0n,
      quote: 0n,
      takerBuyVolume: 0n,
      takerBuyQuote: 0n,
      count: 0,
      firstId: -1,
      lastId: -1,
    };
  }
}
