// GET /api/v3/klines at the local Binance gateway states the venue's tape as Binance states its
// klines: each row [open time, open, high, low, close, volume, close time, quote volume, trades,
// taker buy volume, taker buy quote volume, "0"], prices and amounts as 8-decimal strings, every
// interval from the first trade's to now's (one without trades at the previous close), within
// startTime and endTime, `limit` rows from the start or else the latest. A property against a
// model of the tape written here; the wire against the tape of a synthetic and of the recorded
// replay market; and bad parameters answered with Binance's error body and a 4xx.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { DepthBook } from '../../src/gateway/binance/depth-book.ts';
import { MarketRest } from '../../src/gateway/binance/market-rest.ts';
import { PublicTape } from '../../src/gateway/binance/public-tape.ts';
import { RequestFields } from '../../src/gateway/binance/request-fields.ts';
import { BINANCE_LIMITS } from '../../src/gateway/binance/request-limits.ts';
import type { BinanceGateway } from '../../src/gateway/binance/binance-gateway.ts';
import type { MarketFeed, TapePrint } from '../../src/gateway/market-feed.ts';
import { binanceGateway, raw } from '../support/binance-gateway-harness.ts';
import { waitFor } from '../support/gateway-harness.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const T0 = 1_723_161_600_000; // 2024-08-09 00:00 UTC
const LENGTH: Record<string, number> = { '1s': 1000, '1m': 60_000, '3m': 180_000, '1h': 3_600_000 };

/** An integer with `places` implied decimals as Binance's 8-decimal string. */
function dec8(n: number, places: number): string {
  const s = BigInt(n)
    .toString()
    .padStart(places + 1, '0');
  return `${s.slice(0, s.length - places)}.${s.slice(s.length - places)}${'0'.repeat(8 - places)}`;
}

/** The kline row of `prints` (one interval's, in tape order), or an empty one at `close`. All
 *  prints count as buyers taking (the tape here has no quotes to say otherwise). */
function rowOf(open: number, len: number, prints: readonly TapePrint[], close: number): unknown[] {
  const price = (t: number) => dec8(t, 2);
  const volume = prints.reduce((s, p) => s + p.qty, 0);
  const quote = prints.reduce((s, p) => s + p.qty * p.price, 0);
  const prices = prints.map((p) => p.price);
  const [o, h, l, c] =
    prints.length === 0
      ? [close, close, close, close]
      : [prices[0]!, Math.max(...prices), Math.min(...prices), prices.at(-1)!];
  return [
    open,
    price(o),
    price(h),
    price(l),
    price(c),
    dec8(volume, 5),
    open + len - 1,
    dec8(quote, 7),
    prints.length,
    dec8(volume, 5),
    dec8(quote, 7),
    '0',
  ];
}

/** Binance's answer for the tape, written from its documentation. */
function expectedRows(
  prints: readonly TapePrint[],
  len: number,
  now: number,
  q: { start?: number; end?: number; limit: number },
): unknown[][] {
  if (prints.length === 0) return [];
  const bucket = (t: number) => Math.floor(t / len) * len;
  const all: unknown[][] = [];
  let close = 0;
  for (let at = bucket(prints[0]!.time); at <= bucket(Math.min(q.end ?? Infinity, now)); at += len) {
    const row = rowOf(
      at,
      len,
      prints.filter((p) => p.time >= at && p.time < at + len),
      close,
    );
    close = Math.round(Number(row[4]) * 100);
    all.push(row);
  }
  if (q.start === undefined) return all.slice(Math.max(0, all.length - q.limit));
  return all.filter((r) => (r[0] as number) >= bucket(q.start!)).slice(0, q.limit);
}

/** The gateway's market REST over a tape of `prints` at venue time `now`. */
function restOver(prints: readonly TapePrint[], now: number): MarketRest {
  const feed = { prints, onNews: () => {} } as unknown as MarketFeed;
  return new MarketRest({
    inst: BTC,
    assets: { base: 'BTC', quote: 'USDT' },
    feed,
    tape: new PublicTape(feed, BTC, 0),
    depth: {} as DepthBook,
    limits: BINANCE_LIMITS,
    now: () => now,
    halted: () => false,
  });
}

/** A tape over 20 minutes from T0: prints in time order, numbered from 1. */
const tapeArb = fc
  .array(
    fc.record({
      at: fc.integer({ min: 0, max: 20 * 60_000 }),
      price: fc.integer({ min: 6_000_000, max: 6_100_000 }),
      qty: fc.integer({ min: 1, max: 200_000 }),
    }),
    { maxLength: 60, size: 'max' },
  )
  .map((ps) =>
    [...ps]
      .sort((a, b) => a.at - b.at)
      .map((p, i): TapePrint => ({ id: i + 1, time: T0 + p.at, price: p.price, qty: p.qty })),
  );

describe('klines over a tape, as Binance states them', () => {
  it('every interval in range, its prices, volumes and trades, startTime, endTime and limit as Binance reads them', () => {
    fc.assert(
      fc.property(
        tapeArb,
        fc.integer({ min: 0, max: 5 * 60_000 }),
        fc.constantFrom('1s', '1m', '3m', '1h'),
        fc.option(fc.integer({ min: -10 * 60_000, max: 30 * 60_000 }), { nil: undefined }),
        fc.option(fc.integer({ min: -10 * 60_000, max: 30 * 60_000 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
        (prints, after, interval, start, end, limit) => {
          const now = (prints.at(-1)?.time ?? T0) + after;
          const params = new Map<string, string>([
            ['symbol', 'BTCUSDT'],
            ['interval', interval],
          ]);
          if (start !== undefined) params.set('startTime', String(T0 + start));
          if (end !== undefined) params.set('endTime', String(T0 + end));
          if (limit !== undefined) params.set('limit', String(limit));
          const answer = restOver(prints, now).klines(new RequestFields(params));
          expect(answer).toEqual({
            body: expectedRows(prints, LENGTH[interval]!, now, {
              ...(start === undefined ? {} : { start: T0 + start }),
              ...(end === undefined ? {} : { end: T0 + end }),
              limit: limit ?? 500,
            }),
          });
        },
      ),
    );
  });

  it('answers from a long tape: the latest 1,000 of 200,000 seconds, and a page from a start inside a second', () => {
    const prints = Array.from({ length: 200_000 }, (_, i): TapePrint => ({
      id: i + 1,
      time: T0 + i * 1000,
      price: 6_000_000 + (i % 100),
      qty: 1,
    }));
    const rest = restOver(prints, prints.at(-1)!.time);
    const rows = (
      rest.klines(
        new RequestFields(
          new Map([
            ['symbol', 'BTCUSDT'],
            ['interval', '1s'],
            ['limit', '1000'],
          ]),
        ),
      ) as {
        body: unknown[][];
      }
    ).body;
    expect(rows).toHaveLength(1000);
    expect(rows[0]?.[0]).toBe(T0 + 199_000 * 1000);
    const from = (
      rest.klines(
        new RequestFields(
          new Map([
            ['symbol', 'BTCUSDT'],
            ['interval', '1s'],
            ['startTime', String(T0 + 5_500)],
            ['limit', '2'],
          ]),
        ),
      ) as { body: unknown[][] }
    ).body;
    expect(from.map((r) => [r[0], r[1], r[8]])).toEqual([
      [T0 + 5_000, '60000.05000000', 1],
      [T0 + 6_000, '60000.06000000', 1],
    ]);
  });
});

/** GET klines at the gateway (a 200 with a list). */
async function klines(gw: BinanceGateway, params: Record<string, string>): Promise<unknown[][]> {
  const answer = await raw(gw, 'GET', 'klines', { symbol: 'BTCUSDT', ...params });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as unknown[][];
}

/** Each row against the gateway's tape read after the answer: a row whose interval had ended
 *  holds every print of it; the newest may have had more prints since (its first `trades`). */
function checkAgainstTape(gw: BinanceGateway, rows: readonly unknown[][], len: number): void {
  const prints = gw.feed.prints;
  const skew = gw.venue.scenario.venue.clockSkewMs;
  let close = 0;
  rows.forEach((row, i) => {
    const open = row[0] as number;
    const inside = prints.filter((p) => p.time + skew >= open && p.time + skew < open + len);
    const counted = i === rows.length - 1 ? inside.slice(0, row[8] as number) : inside;
    const want = rowOf(
      open,
      len,
      counted.map((p) => ({ ...p, time: p.time + skew })),
      close,
    );
    // Who took (the taker buy fields) is inferred from the quotes: checked as a part of the volume.
    expect(row.slice(0, 9), `row ${i}`).toEqual(want.slice(0, 9));
    expect(Number(row[9])).toBeLessThanOrEqual(Number(row[5]));
    expect(Number(row[10])).toBeLessThanOrEqual(Number(row[7]));
    expect(row[11]).toBe('0');
    close = Math.round(Number(row[4]) * 100);
  });
}

describe('klines on the wire, against the tape the gateway serves', () => {
  for (const [name, file] of [
    ['a synthetic market', 'test/fixtures/gateway/binance-synthetic.yaml'],
    ['the recorded replay', 'scenarios/gateway/btcusdt-replay.yaml'],
  ] as const) {
    it(`${name}: rows as the tape, and startTime, endTime and limit honoured`, { timeout: 90_000 }, async () => {
      const gw = await binanceGateway(file);
      const seconds = (t: number) => Math.floor(t / 1000);
      // Three whole seconds since the first trade (the gateway's clock is the wall clock).
      const first = await waitFor(() => gw.feed.prints[0]);
      await waitFor(() => seconds(Date.now()) > seconds(first.time) + 2);
      const all = await klines(gw, { interval: '1s' });
      expect(all.length).toBeGreaterThanOrEqual(4);
      checkAgainstTape(gw, all, 1000);
      const [r0, r1, r2] = all as [unknown[], unknown[], unknown[]];
      // From a start inside a second (its second's row first), `limit` rows.
      const from = await klines(gw, { interval: '1s', startTime: String((r1[0] as number) + 400), limit: '2' });
      expect(from).toEqual([r1, r2]);
      // Up to an end inside a second (its second's row last), the latest rows before it.
      const upTo = await klines(gw, { interval: '1s', endTime: String((r1[0] as number) + 999), limit: '3' });
      expect(upTo).toEqual([r0, r1]);
      const between = await klines(gw, {
        interval: '1s',
        startTime: String(r0[0]),
        endTime: String(r2[0]),
      });
      expect(between).toEqual([r0, r1, r2]);
      // One minute's row (or two, across a minute's edge) holds every second's.
      const minutes = await klines(gw, { interval: '1m', startTime: String(r0[0]) });
      checkAgainstTape(gw, minutes, 60_000);
      expect(minutes[0]?.[0]).toBe(Math.floor((r0[0] as number) / 60_000) * 60_000);
    });
  }
});

describe('klines refuse bad parameters as Binance does', () => {
  it('answers each with a 4xx and Binance’s error body', async () => {
    const gw = await binanceGateway();
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ symbol: 'BTCUSDT' }, -1102, "Mandatory parameter 'interval' was not sent, was empty/null, or malformed."],
      [{ symbol: 'BTCUSDT', interval: '2m' }, -1120, 'Invalid interval.'],
      [{ symbol: 'ETHUSDT', interval: '1m' }, -1121, 'Invalid symbol.'],
      [
        { symbol: 'BTCUSDT', interval: '1m', startTime: 'yesterday' },
        -1100,
        "Illegal characters found in parameter 'startTime'; legal range is '^-?[0-9]{1,19}$'.",
      ],
      [{ symbol: 'BTCUSDT', interval: '1m', endTime: '' }, -1105, "Parameter 'endTime' was empty."],
      [{ symbol: 'BTCUSDT', interval: '1m', limit: '0' }, -1130, "Data sent for parameter 'limit' is not valid."],
      [{ symbol: 'BTCUSDT', interval: '1m', limit: '1001' }, -1130, "Data sent for parameter 'limit' is not valid."],
      [
        { symbol: 'BTCUSDT', interval: '1d', timeZone: '15:00' },
        -1130,
        "Data sent for parameter 'timeZone' is not valid.",
      ],
      [
        { symbol: 'BTCUSDT', interval: '1m', since: '1' },
        -1104,
        "Not all sent parameters were read; read '2' parameter(s) but was sent '3'.",
      ],
    ];
    for (const [params, code, msg] of cases) {
      const answer = await raw(gw, 'GET', 'klines', params);
      expect([answer.status, answer.body], JSON.stringify(params)).toEqual([400, { code, msg }]);
    }
  });
});
