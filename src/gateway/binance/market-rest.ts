// Binance's public REST answers at the gateway: exchangeInfo (every served symbol with its filters,
// and the gateway's limits), depth (with the update id the depth streams continue from), trades,
// aggTrades, klines (their rows: kline-rows.ts), avgPrice and the tickers (24hr, rolling windows,
// price, bookTicker; their statistics: ticker-stats.ts, as the ticker streams'). Each takes
// `symbol` (answered from that symbol's market: symbol-market.ts), and those Binance lets list
// several take `symbols` (a JSON array) or neither (every symbol: those
// served, and the commission asset's symbol listed for its price only when the scenario states
// commissions in another asset: price-only-symbol.ts); a symbol the gateway does not serve is -1121.
import { klineRows, zoneOffsetMs } from './kline-rows.ts';
import type { KlineSources } from './kline-rows.ts';
import { KLINE_INTERVALS, KlineBuckets } from './public-tape.ts';
import type { LimitSettings } from './request-limits.ts';
import type { RequestFields } from './request-fields.ts';
import { symbolFilters } from './symbol-filters.ts';
import type { SymbolMarket } from './symbol-market.ts';
import { BINANCE_ORDER_TYPES } from './binance-order-request.ts';
import {
  badRequest,
  illegal,
  INVALID_SYMBOL,
  isBinanceError,
  mandatory,
  price8,
  qty8,
  ZERO8,
  type BinanceError,
} from './wire.ts';
import {
  priceOnlyBookTicker,
  priceOnlyInfo,
  priceOnlyPrice,
  priceOnlyTicker,
  type PriceOnlySymbol,
} from './price-only-symbol.ts';
import { averagePrice, DAY_MS, rollingOpenTime, rollingTicker, ticker24h } from './ticker-stats.ts';

type Json = Record<string, unknown>;
export type MarketAnswer = { readonly body: unknown } | BinanceError;

/** The first served symbol's market, the gateway's limits and clock, and the other symbols'. */
export interface MarketRestOptions extends SymbolMarket {
  readonly limits: LimitSettings;
  /** The venue's time now (epoch ms, clock skew applied). */
  readonly now: () => number;
  /** The commission asset's symbol, listed for its price only (price-only-symbol.ts). */
  readonly priceOnly?: PriceOnlySymbol | null;
  /** Every other served symbol's market (the scenario's otherInstruments), in its order. */
  readonly others?: readonly SymbolMarket[];
}

const COMBINATION = badRequest(-1128, 'Combination of optional parameters invalid.');

/** `symbol` or `symbols` or neither: whether the answer is one object (a symbol was named) or a
 *  list, and which of the symbols served it holds (an unknown symbol is -1121). */
function symbolsOf(
  f: RequestFields,
  served: readonly string[],
): { one: boolean; names: readonly string[] } | BinanceError {
  const one = f.optional('symbol');
  if (isBinanceError(one)) return one;
  const many = f.optional('symbols');
  if (isBinanceError(many)) return many;
  if (one !== undefined && many !== undefined) return COMBINATION;
  if (one !== undefined) return served.includes(one) ? { one: true, names: [one] } : INVALID_SYMBOL;
  if (many === undefined) return { one: false, names: served };
  let list: unknown;
  try {
    list = JSON.parse(many);
  } catch {
    list = null;
  }
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string'))
    return illegal('symbols', '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$');
  if (list.some((s) => !served.includes(s as string))) return INVALID_SYMBOL;
  const names = list as string[];
  if (new Set(names).size < names.length) return badRequest(-1151, 'Symbol is present multiple times in the list.');
  return { one: false, names };
}

/** `type`: FULL (the default) or MINI. */
const tickerType = (f: RequestFields) =>
  f.oneOf('type', ['FULL', 'MINI'], () => badRequest(-1139, 'Invalid ticker type.'));

/** The most symbols GET /api/v3/ticker takes. */
export const MAX_WINDOW_SYMBOLS = 100;
const WINDOW_SIZE = /^([1-9][0-9]?)([mhd])$/;
const WINDOW_SIZE_TEXT = '1m..59m, 1h..23h, 1d..7d';
const UNIT_MS: Readonly<Record<string, [number, number]>> = { m: [60_000, 59], h: [3_600_000, 23], d: [86_400_000, 7] };

/** A rolling window's size as GET /api/v3/ticker takes it (1m-59m, 1h-23h, 1d-7d), in ms; else
 *  null. */
export function windowSizeMs(text: string): number | null {
  const m = WINDOW_SIZE.exec(text);
  if (!m) return null;
  const [unit, most] = UNIT_MS[m[2] as string] as [number, number];
  const n = Number(m[1]);
  return n <= most ? n * unit : null;
}

export class MarketRest {
  /** The served symbols' markets, the first symbol's first. */
  private readonly markets: ReadonlyMap<string, SymbolMarket>;
  /** The symbols the public endpoints that list several know: the served ones, then the
   *  price-only one. */
  private readonly served: readonly string[];

  constructor(private readonly o: MarketRestOptions) {
    this.markets = new Map([o, ...(o.others ?? [])].map((m) => [m.inst.symbol as string, m]));
    const traded = [...this.markets.keys()];
    this.served = o.priceOnly && !traded.includes(o.priceOnly.symbol) ? [...traded, o.priceOnly.symbol] : traded;
  }

  /** The market of a request's mandatory `symbol`, or -1121 when the gateway does not serve it. */
  private market(f: RequestFields): SymbolMarket | BinanceError {
    const s = f.symbol([...this.markets.keys()]);
    return isBinanceError(s) ? s : (this.markets.get(s) as SymbolMarket);
  }

  /** Each symbol's entry: a served one's from `served`, the price-only symbol's from `other`. */
  private each(
    names: readonly string[],
    served: (m: SymbolMarket) => Json,
    other: (p: PriceOnlySymbol) => Json,
  ): Json[] {
    const p = this.o.priceOnly;
    return names.map((n) => {
      const m = this.markets.get(n);
      return m !== undefined || !p ? served(m ?? this.o) : other(p);
    });
  }

  /** What a symbol's klines are read from. */
  private klineSources(m: SymbolMarket): KlineSources {
    return {
      tape: m.tape,
      now: this.o.now,
      dailyHistory: m.dailyHistory ?? null,
      minuteHistory: m.minuteHistory ?? null,
    };
  }

  exchangeInfo(f: RequestFields): MarketAnswer {
    const which = symbolsOf(f, this.served);
    if (isBinanceError(which)) return which;
    const status = f.oneOf('symbolStatus', ['TRADING', 'HALT', 'BREAK'], () =>
      badRequest(-1122, 'Invalid symbolStatus.'),
    );
    if (isBinanceError(status)) return status;
    if (status !== undefined && (f.params.has('symbol') || f.params.has('symbols'))) return COMBINATION;
    const permissions = f.optional('permissions');
    if (isBinanceError(permissions)) return permissions;
    const spot = permissions === undefined || permissions.includes('SPOT');
    const symbols = this.each(which.names, (m) => this.symbolInfo(m), priceOnlyInfo).filter(
      (info) => spot && (status === undefined || status === info['status']),
    );
    const s = this.o.limits;
    return {
      body: {
        timezone: 'UTC',
        serverTime: this.o.now(),
        rateLimits: [
          { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: s.weightPerMinute },
          { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: s.ordersPer10s },
          { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: s.ordersPerDay },
        ],
        exchangeFilters: [],
        symbols,
      },
    };
  }

  private symbolInfo(m: SymbolMarket): Json {
    const { base, quote } = m.assets;
    return {
      symbol: m.inst.symbol,
      status: m.halted() ? 'HALT' : 'TRADING',
      baseAsset: base,
      baseAssetPrecision: 8,
      quoteAsset: quote,
      quotePrecision: 8,
      quoteAssetPrecision: 8,
      baseCommissionPrecision: 8,
      quoteCommissionPrecision: 8,
      orderTypes: [...BINANCE_ORDER_TYPES],
      icebergAllowed: false,
      ocoAllowed: false,
      otoAllowed: false,
      opoAllowed: false,
      quoteOrderQtyMarketAllowed: false,
      allowTrailingStop: false,
      cancelReplaceAllowed: true,
      amendAllowed: false,
      pegInstructionsAllowed: false,
      isSpotTradingAllowed: true,
      isMarginTradingAllowed: false,
      filters: symbolFilters(m.inst),
      permissions: [],
      permissionSets: [['SPOT']],
      defaultSelfTradePreventionMode: 'NONE',
      allowedSelfTradePreventionModes: ['NONE'],
    };
  }

  depth(f: RequestFields): MarketAnswer {
    const m = this.market(f);
    if (isBinanceError(m)) return m;
    const limit = f.limit(100, 5000, true);
    if (isBinanceError(limit)) return limit;
    const snap = m.depth.snapshot(limit);
    const levels = (side: Array<[number, number]>) => side.map(([p, q]) => [price8(m.inst, p), qty8(m.inst, q)]);
    return { body: { lastUpdateId: snap.lastUpdateId, bids: levels(snap.bids), asks: levels(snap.asks) } };
  }

  trades(f: RequestFields): MarketAnswer {
    const m = this.market(f);
    if (isBinanceError(m)) return m;
    const limit = f.limit(500, 1000, true);
    if (isBinanceError(limit)) return limit;
    const prints = m.tape.prints;
    return { body: prints.slice(Math.max(0, prints.length - limit)).map((p) => m.tape.trade(p)) };
  }

  /** GET /api/v3/aggTrades: each print is its own aggregate (the tape keeps no taker orders). */
  aggTrades(f: RequestFields): MarketAnswer {
    const m = this.market(f);
    if (isBinanceError(m)) return m;
    const fromId = f.long('fromId');
    if (isBinanceError(fromId)) return fromId;
    const start = f.long('startTime');
    if (isBinanceError(start)) return start;
    const end = f.long('endTime');
    if (isBinanceError(end)) return end;
    if (start !== undefined && end !== undefined && end - start > 3_600_000)
      return badRequest(-1127, 'More than 1 hours between startTime and endTime.');
    const limit = f.limit(500, 1000);
    if (isBinanceError(limit)) return limit;
    const tape = m.tape;
    const picked = tape.prints.filter((p) => {
      const t = p.time + tape.skewMs;
      return (
        (fromId === undefined || p.id >= fromId) &&
        (start === undefined || t >= start) &&
        (end === undefined || t <= end)
      );
    });
    const fromStart = fromId !== undefined || start !== undefined;
    const page = fromStart ? picked.slice(0, limit) : picked.slice(Math.max(0, picked.length - limit));
    const i = m.inst;
    return {
      body: page.map((p) => ({
        a: p.id,
        p: price8(i, p.price),
        q: qty8(i, p.qty),
        f: p.id,
        l: p.id,
        T: p.time + tape.skewMs,
        m: tape.isBuyerMaker(p),
        M: true,
      })),
    };
  }

  klines(f: RequestFields): MarketAnswer {
    const m = this.market(f);
    if (isBinanceError(m)) return m;
    const interval = f.required('interval');
    if (isBinanceError(interval)) return interval;
    if (!KLINE_INTERVALS.includes(interval)) return badRequest(-1120, 'Invalid interval.');
    const start = f.long('startTime');
    if (isBinanceError(start)) return start;
    const end = f.long('endTime');
    if (isBinanceError(end)) return end;
    const limit = f.limit(500, 1000);
    if (isBinanceError(limit)) return limit;
    const zone = f.optional('timeZone');
    if (isBinanceError(zone)) return zone;
    const offset = zone === undefined ? 0 : zoneOffsetMs(zone);
    if (offset === null) return badRequest(-1130, "Data sent for parameter 'timeZone' is not valid.");
    const buckets = new KlineBuckets(interval, offset);
    return { body: klineRows(this.klineSources(m), buckets, start, end, limit).map((k) => m.tape.klineRow(k)) };
  }

  avgPrice(f: RequestFields): MarketAnswer {
    const m = this.market(f);
    if (isBinanceError(m)) return m;
    const { price, closeTime } = averagePrice(m.inst, m.tape, this.o.now());
    return { body: { mins: 5, price, closeTime } };
  }

  ticker24h(f: RequestFields): MarketAnswer {
    const which = symbolsOf(f, this.served);
    if (isBinanceError(which)) return which;
    const type = tickerType(f);
    if (isBinanceError(type)) return type;
    const now = this.o.now();
    const mini = type === 'MINI';
    const list = this.each(
      which.names,
      (m) => ticker24h(m.inst, m.tape, now, m.feed.quote(), mini),
      (p) => priceOnlyTicker(p, now - DAY_MS, now, mini ? 'mini' : 'full24h'),
    );
    return { body: which.one ? list[0] : list };
  }

  /** GET /api/v3/ticker: `symbol` or `symbols` (one of them, at most 100), over `windowSize`. */
  tickerWindow(f: RequestFields): MarketAnswer {
    if (!f.params.has('symbol') && !f.params.has('symbols')) return mandatory('symbol');
    const which = symbolsOf(f, this.served);
    if (isBinanceError(which)) return which;
    if (which.names.length > MAX_WINDOW_SYMBOLS)
      return badRequest(-1101, `Too many values sent for parameter 'symbols', max limit is ${MAX_WINDOW_SYMBOLS}.`);
    const size = f.optional('windowSize');
    if (isBinanceError(size)) return size;
    const windowMs = windowSizeMs(size ?? '1d');
    if (windowMs === null) return illegal('windowSize', WINDOW_SIZE_TEXT);
    const type = tickerType(f);
    if (isBinanceError(type)) return type;
    const now = this.o.now();
    const mini = type === 'MINI';
    const list = this.each(
      which.names,
      (m) => rollingTicker(m.inst, m.tape, now, windowMs, mini),
      (p) => priceOnlyTicker(p, rollingOpenTime(now, windowMs), now, mini ? 'mini' : 'fullRolling'),
    );
    return { body: which.one ? list[0] : list };
  }

  tickerPrice(f: RequestFields): MarketAnswer {
    const which = symbolsOf(f, this.served);
    if (isBinanceError(which)) return which;
    const list = this.each(
      which.names,
      (m) => {
        const last = m.feed.lastPrint();
        return { symbol: m.inst.symbol, price: last ? price8(m.inst, last.price) : ZERO8 };
      },
      priceOnlyPrice,
    );
    return { body: which.one ? list[0] : list };
  }

  /** The best bid and ask of a symbol (the first served unless given) as the venue's market data
   *  shows them now. */
  bookTicker(m: SymbolMarket = this.o): Json {
    const q = m.feed.quote();
    const i = m.inst;
    return {
      symbol: i.symbol,
      bidPrice: q?.bid != null ? price8(i, q.bid) : ZERO8,
      bidQty: q?.bid != null ? qty8(i, q.bidQty) : ZERO8,
      askPrice: q?.ask != null ? price8(i, q.ask) : ZERO8,
      askQty: q?.ask != null ? qty8(i, q.askQty) : ZERO8,
    };
  }

  bookTickerAnswer(f: RequestFields): MarketAnswer {
    const which = symbolsOf(f, this.served);
    if (isBinanceError(which)) return which;
    const list = this.each(which.names, (m) => this.bookTicker(m), priceOnlyBookTicker);
    return { body: which.one ? list[0] : list };
  }
}
