// The daily history the local gateways state before their first day when the scenario gives
// liquidity.adv: Alpaca's 1Day bars of the trading days before it (every day when always open;
// weekends and holidays left out with the venue's calendar), Binance's 1d klines of the days
// before it; the day bars of the gateway's own days stay its tape's, and shorter bars never show
// the history. Over the wire: what a client reading GET /v2/stocks/{symbol}/bars and GET
// /api/v3/klines sees.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeInstrument, type Instrument } from '../../src/core/model/instrument.ts';
import { ALWAYS_OPEN, NYSE_HOURS } from '../../src/core/venues/index.ts';
import { startAlpacaGateway } from '../../src/gateway/alpaca/alpaca-gateway.ts';
import { barsPage, historyDays, type BarsPage } from '../../src/gateway/alpaca/history.ts';
import type { DepthBook } from '../../src/gateway/binance/depth-book.ts';
import { MarketRest } from '../../src/gateway/binance/market-rest.ts';
import { ticker24h } from '../../src/gateway/binance/ticker-stats.ts';
import { PublicTape } from '../../src/gateway/binance/public-tape.ts';
import { RequestFields } from '../../src/gateway/binance/request-fields.ts';
import { BINANCE_LIMITS } from '../../src/gateway/binance/request-limits.ts';
import type { DailyHistory } from '../../src/gateway/daily-history.ts';
import type { MarketFeed, TapePrint } from '../../src/gateway/market-feed.ts';
import { readDailyKlineVolumes } from '../../src/live/binance/binance-daily-volume.ts';
import { binanceGateway } from '../support/binance-gateway-harness.ts';
import { onCleanup } from '../support/gateway-harness.ts';

const DAY = 86_400_000;
const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });
const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
// Friday 2024-08-09, 12:00 in New York.
const STARTED = Date.parse('2024-08-09T16:00:00Z');
const history = (lots: number, price: number): DailyHistory => ({
  lots: BigInt(lots),
  days: 60,
  startedAt: STARTED,
  price: () => price,
});

describe("Alpaca's day bars of the history", () => {
  it('always open: each of the 60 days before the first, at New York midnight', () => {
    const days = historyDays(history(1000, 18_750), ALWAYS_OPEN);
    expect(days).toHaveLength(60);
    expect(days.at(-1)).toEqual({ at: Date.parse('2024-08-08T04:00:00Z'), lots: 1000, price: 18_750 });
    expect(days[0]!.at).toBe(Date.parse('2024-06-10T04:00:00Z'));
  });

  it("with the venue's calendar: its trading days only (no weekend, no July 4)", () => {
    const days = historyDays(history(1000, 18_750), NYSE_HOURS).map((d) => new Date(d.at).toISOString().slice(0, 10));
    expect(days).not.toContain('2024-07-04');
    expect(days).not.toContain('2024-08-03'); // a Saturday
    expect(days).toContain('2024-08-02');
    expect(days.length).toBeGreaterThan(20);
    expect(days.length).toBeLessThan(60);
  });

  it('as 1Day bars before the tape, never in shorter bars', () => {
    const prints: TapePrint[] = [{ id: 1, time: STARTED + 1000, price: 18_760, qty: 7 }];
    const days = historyDays(history(1000, 18_750), ALWAYS_OPEN);
    const page = (q: Record<string, string>) =>
      barsPage(
        prints,
        AAPL,
        0,
        STARTED + 60_000,
        (k) => q[k],
        () => days,
      ) as BarsPage;
    const start = new Date(STARTED - 5 * DAY).toISOString();
    const daily = page({ timeframe: '1Day', start });
    expect(daily.bars.map((b) => [b.t, b.v, b.c])).toEqual([
      ['2024-08-05T04:00:00.000Z', 1000, 187.5],
      ['2024-08-06T04:00:00.000Z', 1000, 187.5],
      ['2024-08-07T04:00:00.000Z', 1000, 187.5],
      ['2024-08-08T04:00:00.000Z', 1000, 187.5],
      ['2024-08-09T04:00:00.000Z', 7, 187.6], // today: the tape's own
    ]);
    expect(page({ timeframe: '1Hour', start }).bars.map((b) => b.v)).toEqual([7]);
  });

  it('over the wire, through the gateway started from a scenario with liquidity.adv', async () => {
    const gw = await startAlpacaGateway({
      scenarioFile: 'test/fixtures/gateway/alpaca-aapl-adv.yaml',
      keyId: 'k',
      secretKey: 's',
      port: 0,
    });
    onCleanup(() => gw.close());
    const start = new Date(Date.now() - 10 * DAY).toISOString();
    const res = await fetch(`${gw.url}/v2/stocks/AAPL/bars?timeframe=1Day&start=${start}&sort=desc&limit=3`, {
      headers: { 'APCA-API-KEY-ID': 'k', 'APCA-API-SECRET-KEY': 's' },
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { bars: Array<{ v: number }> };
    expect(body.bars).toHaveLength(3);
    // Newest first: today's tape (nothing traded yet, so no bar), then the history's days.
    expect(body.bars.map((b) => b.v)).toEqual([1000, 1000, 1000]);
  });
});

describe("Binance's 1d klines of the history", () => {
  const restOver = (prints: readonly TapePrint[], now: number, h: DailyHistory | null) => {
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
      dailyHistory: h,
    });
  };
  const klines = (rest: MarketRest, q: Record<string, string>) =>
    (rest.klines(new RequestFields(new Map(Object.entries({ symbol: 'BTCUSDT', ...q })))) as { body: unknown[][] })
      .body;
  const t0 = Date.parse('2024-08-09T00:00:00Z');
  const prints: TapePrint[] = [{ id: 1, time: t0 + 3_600_000, price: 6_100_000, qty: 1_000 }];
  const h: DailyHistory = { lots: 150_050_000n, days: 60, startedAt: t0 + 3_000_000, price: () => 6_000_000 };

  it('the days before the first, then the tape, with volume, quote volume and close times', () => {
    const rows = klines(restOver(prints, t0 + 7_200_000, h), { interval: '1d', limit: '3' });
    expect(rows.map((r) => [r[0], r[5], r[6], r[7], r[8]])).toEqual([
      [t0 - 2 * DAY, '1500.50000000', t0 - DAY - 1, '90030000.00000000', 1],
      [t0 - DAY, '1500.50000000', t0 - 1, '90030000.00000000', 1],
      [t0, '0.01000000', t0 + DAY - 1, '610.00000000', 1],
    ]);
    expect(klines(restOver(prints, t0 + 7_200_000, h), { interval: '1d', limit: '1000' })).toHaveLength(61);
    // From a startTime, as Binance reads it; shorter intervals are the tape's alone.
    expect(klines(restOver(prints, t0 + 7_200_000, h), { interval: '1d', startTime: String(t0 - DAY) })).toHaveLength(
      2,
    );
    expect(klines(restOver(prints, t0 + 7_200_000, h), { interval: '1h' })).toHaveLength(2);
  });

  it('without a history: the tape alone, as before', () => {
    expect(klines(restOver(prints, t0 + 7_200_000, null), { interval: '1d' }).map((r) => r[0])).toEqual([t0]);
    expect(klines(restOver([], t0, null), { interval: '1d' })).toEqual([]);
  });

  it('over the wire, through the gateway started from a scenario with liquidity.adv', async () => {
    const gw = await binanceGateway('test/fixtures/gateway/binance-btcusdt-adv.yaml');
    const res = await fetch(`${gw.url}/api/v3/klines?symbol=BTCUSDT&interval=1d&limit=21`, {
      signal: AbortSignal.timeout(5000),
    });
    expect(res.status).toBe(200);
    const rows = (await res.json()) as unknown[][];
    expect(rows).toHaveLength(21);
    expect(rows.slice(0, 20).map((r) => r[5])).toEqual(Array(20).fill('1500.50000000'));
  });
});

/** `count` steps of a decimal `step` as Binance writes it (at least 8 places), by string
 *  arithmetic on the step's digits: no float and no code of the gateway's. */
function stepsText(count: bigint, ...steps: string[]): string {
  let digits = count;
  let places = 0;
  for (const step of steps) {
    const [whole, frac = ''] = step.split('.') as [string, string?];
    digits *= BigInt(whole + frac);
    places += frac.length;
  }
  const text = digits.toString().padStart(places + 1, '0');
  const int = text.slice(0, text.length - places);
  const fraction = text.slice(text.length - places).replace(/0+$/, '');
  return `${int}.${fraction.padEnd(8, '0')}`;
}

/** Instruments from coarse to fine grids: the finer the lot, the more lots a day holds. */
const GRIDS: readonly Instrument[] = [
  BTC,
  makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.00000001', lotSize: '0.00000001', minNotional: '0.0001' }),
  makeInstrument({ symbol: 'BTCUSDT', tickSize: '1', lotSize: '1', minNotional: '1' }),
  makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.5', lotSize: '0.001', minNotional: '5' }),
];

describe('1d klines of volumes past 2^53 lots and notional units', () => {
  const t0 = Date.parse('2024-08-09T00:00:00Z');
  const restFor = (inst: Instrument, prints: readonly TapePrint[], now: number, h: DailyHistory | null) => {
    const feed = { prints, onNews: () => {} } as unknown as MarketFeed;
    return new MarketRest({
      inst,
      assets: { base: 'BTC', quote: 'USDT' },
      feed,
      tape: new PublicTape(feed, inst, 0),
      depth: {} as DepthBook,
      limits: BINANCE_LIMITS,
      now: () => now,
      halted: () => false,
      dailyHistory: h,
    });
  };
  const dayRows = (rest: MarketRest, limit: number) =>
    (
      rest.klines(
        new RequestFields(
          new Map([
            ['symbol', 'BTCUSDT'],
            ['interval', '1d'],
            ['limit', String(limit)],
          ]),
        ),
      ) as {
        body: unknown[][];
      }
    ).body;

  it("a history's days state its volume and quote volume exactly, and the adapter reads them as lots", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...GRIDS),
        fc.bigInt({ min: 1n, max: 2n ** 90n }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        async (inst, lots, price) => {
          const h: DailyHistory = { lots, days: 60, startedAt: t0 + 1000, price: () => price };
          const rows = dayRows(restFor(inst, [], t0 + 2000, h), 3);
          // Two days of the history, then today's (no trade yet: the history's price, no volume).
          expect(rows).toHaveLength(3);
          for (const row of rows.slice(0, 2)) {
            expect(row[5]).toBe(stepsText(lots, inst.lotSize));
            expect(row[7]).toBe(stepsText(lots * BigInt(price), inst.tickSize, inst.lotSize));
          }
          expect(rows[2]![5]).toBe('0.00000000');
          // What a paper run's adapter makes of them: whole lots, at most 2^53 - 1 a day.
          const read = await readDailyKlineVolumes(
            { publicGetKlines: async () => rows },
            'BTCUSDT',
            inst,
            t0 + 2000,
            20,
          );
          const expected = lots > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(lots);
          expect(read).toEqual([expected, expected]);
        },
      ),
    );
  });

  it("a day of the tape sums its trades' volumes exactly, in the kline and in the 24-hour ticker", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...GRIDS),
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: DAY - 1 }),
            qty: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
            price: fc.integer({ min: 1, max: 2 ** 40 }),
          }),
          { minLength: 1, maxLength: 40, size: 'max' },
        ),
        (inst, raw) => {
          const prints = [...raw]
            .sort((a, b) => a.at - b.at)
            .map((p, i): TapePrint => ({ id: i + 1, time: t0 + p.at, price: p.price, qty: p.qty }));
          const now = t0 + DAY - 1;
          const volume = prints.reduce((s, p) => s + BigInt(p.qty), 0n);
          const units = prints.reduce((s, p) => s + BigInt(p.qty) * BigInt(p.price), 0n);
          const [row] = dayRows(restFor(inst, prints, now, null), 1) as [unknown[]];
          expect([row[5], row[7], row[8]]).toEqual([
            stepsText(volume, inst.lotSize),
            stepsText(units, inst.tickSize, inst.lotSize),
            prints.length,
          ]);
          const tape = new PublicTape({ prints, onNews: () => {} } as unknown as MarketFeed, inst, 0);
          const ticker = ticker24h(inst, tape, now, null, true);
          expect([ticker['volume'], ticker['quoteVolume']]).toEqual([row[5], row[7]]);
        },
      ),
    );
  });
});
