// The ticker statistics and their stream events over generated tapes: a window's statistics are
// those of a model written here from Binance's documentation (both ends in, a rolling window
// opened on the minute); each stream event carries the REST answer of its moment under Binance's
// keys, in Binance's order; an all-market array repeats nobody whose statistics did not change;
// the stream names Binance knows parse, the rest do not; windowSize as GET /api/v3/ticker takes it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../../core/model/instrument.ts';
import type { MarketFeed, TapePrint } from '../market-feed.ts';
import { windowSizeMs } from './market-rest.ts';
import { PublicTape } from './public-tape.ts';
import { parseStream, type TickerKind } from './stream-names.ts';
import { avgPriceEvent, restTickerOf, TickerMoment, tickerEvent, type TickerMarket } from './ticker-streams.ts';
import { averagePrice, rollingOpenTime, windowStats } from './ticker-stats.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const T0 = 1_723_161_600_000; // 2024-08-09 00:00 UTC
const HOUR = 3_600_000;

/** A tape over 30 hours from T0, prints in time order numbered from 1. */
const tapeArb = fc
  .array(
    fc.record({
      at: fc.integer({ min: 0, max: 30 * HOUR }),
      price: fc.integer({ min: 6_000_000, max: 6_100_000 }),
      qty: fc.integer({ min: 1, max: 200_000 }),
    }),
    { maxLength: 40, size: 'max' },
  )
  .map((ps) =>
    [...ps]
      .sort((a, b) => a.at - b.at)
      .map((p, i): TapePrint => ({ id: i + 1, time: T0 + p.at, price: p.price, qty: p.qty })),
  );

function marketOver(prints: readonly TapePrint[], inst = BTC): TickerMarket {
  const quote = { bid: 6_049_999, bidQty: 20_000, ask: 6_050_000, askQty: 10_000, time: T0 };
  const feed = { prints, onNews: () => {}, quote: () => quote } as unknown as MarketFeed;
  return { inst, feed, tape: new PublicTape(feed, inst, 0) };
}

const KINDS: readonly TickerKind[] = ['ticker', 'miniTicker', 'ticker_1h', 'ticker_4h', 'ticker_1d'];

/** Each event's keys in Binance's order (web-socket-streams.md), and the REST field of each. */
const WIRE: Record<TickerKind, Array<[string, string]>> = {
  ticker: Object.entries({
    p: 'priceChange',
    P: 'priceChangePercent',
    w: 'weightedAvgPrice',
    x: 'prevClosePrice',
    c: 'lastPrice',
    Q: 'lastQty',
    b: 'bidPrice',
    B: 'bidQty',
    a: 'askPrice',
    A: 'askQty',
    o: 'openPrice',
    h: 'highPrice',
    l: 'lowPrice',
    v: 'volume',
    q: 'quoteVolume',
    O: 'openTime',
    C: 'closeTime',
    F: 'firstId',
    L: 'lastId',
    n: 'count',
  }),
  miniTicker: Object.entries({
    c: 'lastPrice',
    o: 'openPrice',
    h: 'highPrice',
    l: 'lowPrice',
    v: 'volume',
    q: 'quoteVolume',
  }),
  ticker_1h: [],
  ticker_4h: [],
  ticker_1d: [],
};
const ROLLING = Object.entries({
  p: 'priceChange',
  P: 'priceChangePercent',
  o: 'openPrice',
  h: 'highPrice',
  l: 'lowPrice',
  c: 'lastPrice',
  w: 'weightedAvgPrice',
  v: 'volume',
  q: 'quoteVolume',
  O: 'openTime',
  C: 'closeTime',
  F: 'firstId',
  L: 'lastId',
  n: 'count',
});
WIRE.ticker_1h = WIRE.ticker_4h = WIRE.ticker_1d = ROLLING;
const EVENT: Record<TickerKind, string> = {
  ticker: '24hrTicker',
  miniTicker: '24hrMiniTicker',
  ticker_1h: '1hTicker',
  ticker_4h: '4hTicker',
  ticker_1d: '1dTicker',
};

describe('ticker statistics', () => {
  it('a window holds the prints at times in [open, close], and the price before it is the last print earlier', () => {
    fc.assert(
      fc.property(
        tapeArb,
        fc.integer({ min: 0, max: 31 * HOUR }),
        fc.integer({ min: 0, max: 26 * HOUR }),
        (prints, at, len) => {
          const [from, to] = [T0 + at - len, T0 + at];
          const s = windowStats(marketOver(prints).tape, from, to);
          const inside = prints.filter((p) => p.time >= from && p.time <= to);
          expect(s.count).toBe(inside.length);
          expect(s.first?.id ?? null).toBe(inside[0]?.id ?? null);
          expect(s.last?.id ?? null).toBe(inside.at(-1)?.id ?? null);
          expect(s.volume).toBe(inside.reduce((v, p) => v + BigInt(p.qty), 0n));
          expect(s.units).toBe(inside.reduce((v, p) => v + BigInt(p.qty * p.price), 0n));
          if (inside.length > 0) {
            expect(s.high).toBe(Math.max(...inside.map((p) => p.price)));
            expect(s.low).toBe(Math.min(...inside.map((p) => p.price)));
          }
          expect(s.before).toBe(prints.filter((p) => p.time < from).at(-1)?.price ?? null);
        },
      ),
    );
  });

  it('a rolling window opens on the minute, the window before the minute of now', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 13 }), fc.constantFrom(60_000, HOUR, 86_400_000), (now, len) => {
        const open = rollingOpenTime(now, len);
        expect(Math.abs(open % 60_000)).toBe(0);
        expect(now - open - len).toBeGreaterThanOrEqual(0);
        expect(now - open - len).toBeLessThan(60_000);
      }),
    );
  });

  it('avgPrice is the volume-weighted price of the last 5 minutes, stamped with its last trade', () => {
    fc.assert(
      fc.property(tapeArb, fc.integer({ min: 0, max: 31 * HOUR }), (prints, at) => {
        const now = T0 + at;
        const inside = prints.filter((p) => p.time >= now - 300_000 && p.time <= now);
        const got = averagePrice(BTC, marketOver(prints).tape, now);
        const qty = inside.reduce((v, p) => v + p.qty, 0);
        const notional = inside.reduce((v, p) => v + p.qty * p.price, 0);
        expect(Number(got.price)).toBeCloseTo(qty > 0 ? notional / qty / 100 : 0, 6);
        expect(got.closeTime).toBe(inside.at(-1)?.time ?? now);
      }),
    );
  });
});

describe('ticker stream events', () => {
  it('each event is the REST answer of its moment under Binance keys, in Binance order, with REST types', () => {
    fc.assert(
      fc.property(tapeArb, fc.integer({ min: 0, max: 31 * HOUR }), fc.constantFrom(...KINDS), (prints, at, kind) => {
        const m = marketOver(prints);
        const now = T0 + at;
        const event = tickerEvent(m, kind, now);
        const rest = restTickerOf(m, kind, now);
        expect(Object.keys(event)).toEqual(['e', 'E', 's', ...WIRE[kind].map(([k]) => k)]);
        expect([event['e'], event['E'], event['s']]).toEqual([EVENT[kind], now, 'BTCUSDT']);
        for (const [key, field] of WIRE[kind]) expect(event[key]).toEqual(rest[field]);
        for (const key of ['O', 'C', 'F', 'L', 'n']) if (key in event) expect(typeof event[key]).toBe('number');
        for (const key of ['c', 'o', 'h', 'l', 'v', 'q']) expect(event[key]).toMatch(/^-?[0-9]+\.[0-9]{8}$/);
        if (kind !== 'miniTicker') expect(event['C']).toBe(now);
        if (kind === 'ticker_1h') expect(event['O']).toBe(rollingOpenTime(now, HOUR));
      }),
    );
  });

  it('avgPrice carries GET /api/v3/avgPrice of its moment', () => {
    fc.assert(
      fc.property(tapeArb, fc.integer({ min: 0, max: 31 * HOUR }), (prints, at) => {
        const m = marketOver(prints);
        const rest = averagePrice(BTC, m.tape, T0 + at);
        expect(avgPriceEvent(m, T0 + at)).toEqual({
          e: 'avgPrice',
          E: T0 + at,
          s: 'BTCUSDT',
          i: '5m',
          w: rest.price,
          T: rest.closeTime,
        });
      }),
    );
  });

  it('an all-market array lists a symbol first, then again only when its statistics changed', () => {
    fc.assert(
      fc.property(tapeArb, fc.integer({ min: 1, max: 120_000 }), fc.constantFrom(...KINDS), (prints, step, kind) => {
        const eth = makeInstrument({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '5' });
        const markets = [marketOver(prints), marketOver([], eth)];
        const seen = new Map<string, string>();
        const now = T0 + 31 * HOUR;
        expect(new TickerMoment(now).changed(markets, kind, seen).map((e) => e['s'])).toEqual(['BTCUSDT', 'ETHUSDT']);
        const later = new TickerMoment(now + step).changed(markets, kind, seen).map((e) => e['s']);
        // Only BTCUSDT's tape can change its statistics: a print may leave the window.
        const same = (k: TickerKind) =>
          JSON.stringify(
            WIRE[k].filter(([key]) => key !== 'O' && key !== 'C').map(([, f]) => restTickerOf(markets[0]!, k, now)[f]),
          ) ===
          JSON.stringify(
            WIRE[k]
              .filter(([key]) => key !== 'O' && key !== 'C')
              .map(([, f]) => restTickerOf(markets[0]!, k, now + step)[f]),
          );
        expect(later).toEqual(same(kind) ? [] : ['BTCUSDT']);
      }),
    );
  });
});

describe('stream names', () => {
  it('parses the ticker streams Binance serves and refuses the rest', () => {
    expect(parseStream('btcusdt@ticker')).toEqual({ kind: 'ticker', symbol: 'BTCUSDT', ticker: 'ticker' });
    expect(parseStream('btcusdt@miniTicker')).toEqual({ kind: 'ticker', symbol: 'BTCUSDT', ticker: 'miniTicker' });
    for (const w of ['1h', '4h', '1d'])
      expect(parseStream(`ethusdt@ticker_${w}`)).toEqual({ kind: 'ticker', symbol: 'ETHUSDT', ticker: `ticker_${w}` });
    expect(parseStream('btcusdt@avgPrice')).toEqual({ kind: 'avgPrice', symbol: 'BTCUSDT' });
    expect(parseStream('!miniTicker@arr')).toEqual({ kind: 'ticker', symbol: null, ticker: 'miniTicker' });
    expect(parseStream('!ticker_4h@arr')).toEqual({ kind: 'ticker', symbol: null, ticker: 'ticker_4h' });
    for (const bad of [
      'btcusdt@ticker_2h',
      'btcusdt@ticker_1m',
      'btcusdt@ticker_',
      'BTCUSDT@ticker',
      'btcusdt@miniticker',
      'btcusdt@avgprice',
      '!ticker@arr',
      '!ticker_2h@arr',
      '!bookTicker',
      'btcusdt@ticker@arr',
    ])
      expect(parseStream(bad)).toBeNull();
  });
});

describe('windowSize', () => {
  it('takes 1m-59m, 1h-23h and 1d-7d, and nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 120 }), fc.constantFrom('m', 'h', 'd', 'w', 's', 'M'), (n, unit) => {
        const most: Record<string, number> = { m: 59, h: 23, d: 7 };
        const len: Record<string, number> = { m: 60_000, h: HOUR, d: 86_400_000 };
        const ok = most[unit] !== undefined && n >= 1 && n <= most[unit]!;
        expect(windowSizeMs(`${n}${unit}`)).toBe(ok ? n * len[unit]! : null);
      }),
    );
    for (const bad of ['', '1', 'd', '01d', '1d2h', ' 1d', '1D', '1.5h']) expect(windowSizeMs(bad)).toBeNull();
  });
});
