// Bars from the venue's tape and the trading calendar: through the real SDK (stockBarSingle,
// collectStockBarSingle, legacyCalendar) against the gateway, and the bar builder's paging as a
// property over random tapes. The gateway serves test/fixtures/gateway/alpaca-aapl.yaml (a static
// AAPL book: 10 at 187.50, then 100 at 187.60 on the ask).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeFrame, TimeFrameUnit } from '@alpacahq/alpaca-trade-api';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { barsPage, type AlpacaBar } from '../../src/gateway/alpaca/history.ts';
import type { TapePrint } from '../../src/gateway/market-feed.ts';
import { gatewayClient } from '../fixtures/gateway/alpaca-client.ts';
import { gateway, KEY, refusal, SECRET, waitFor } from '../support/gateway-harness.ts';

const AAPL = makeInstrument({ symbol: 'AAPL', tickSize: '0.01', lotSize: '1', minNotional: '1' });

describe('bars through the real SDK', () => {
  it('the tape’s prints become bars whose volume, count, open and close are the trades’', async () => {
    const gw = await gateway();
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const o = await alpaca.trading.orders.market({ symbol: 'AAPL', qty: 30, side: 'buy' });
    await waitFor(
      async () => (await alpaca.trading.orders.getOrderByOrderID({ orderId: o.id as string })).status === 'filled',
    );
    const start = new Date(Date.now() - 2 * 86_400_000); // bars are selected by their start time
    for (const timeframe of ['1Min', '5Min', '15Min', '1Hour', '1Day']) {
      const r = await alpaca.marketData.stocks.stockBarSingle({ symbol: 'AAPL', timeframe, start });
      expect(r.symbol).toBe('AAPL');
      const bars = r.bars;
      // Two prints a few ms apart: one bar, or two when a bucket boundary fell between them.
      expect(bars.length, timeframe).toBeGreaterThanOrEqual(1);
      expect(bars.reduce((s, b) => s + b.v, 0)).toBe(30);
      expect(bars.reduce((s, b) => s + b.n, 0)).toBe(2);
      expect(bars[0]?.o).toBe(187.5);
      expect(bars[bars.length - 1]?.c).toBe(187.6);
      expect(Math.max(...bars.map((b) => b.h))).toBe(187.6);
      expect(Math.min(...bars.map((b) => b.l))).toBe(187.5);
      expect(bars.reduce((s, b) => s + b.vw * b.v, 0) / 30).toBeCloseTo((10 * 187.5 + 20 * 187.6) / 30, 6);
      for (const b of bars) expect(b.t).toBeInstanceOf(Date);
    }
    const all = await alpaca.marketData.collectStockBarSingle({
      symbol: 'AAPL',
      timeframe: timeFrame(1, TimeFrameUnit.Minute),
      start,
      limit: 1,
    });
    expect(all.reduce((s, b) => s + b.v, 0)).toBe(30);
    const none = await alpaca.marketData.stocks.stockBarSingle({ symbol: 'MSFT', timeframe: '1Min', start });
    expect(none.bars).toEqual([]);
    const multi = await alpaca.marketData.stocks.stockBars({ symbols: 'AAPL,MSFT', timeframe: '1Day', start });
    expect(Object.keys(multi.bars)).toEqual(['AAPL']);
    expect(
      await refusal(alpaca.marketData.stocks.stockBarSingle({ symbol: 'AAPL', timeframe: '7Days', start })),
    ).toMatchObject({ status: 400 });
    expect(
      await refusal(
        alpaca.marketData.stocks.stockBarSingle({ symbol: 'AAPL', timeframe: '1Min', start, pageToken: 'nope!' }),
      ),
    ).toMatchObject({ status: 400 });
  });
});

describe('bars paging (property)', () => {
  const tape = fc
    .array(
      fc.record({
        dt: fc.integer({ min: 0, max: 400_000 }),
        price: fc.integer({ min: 1, max: 50 }),
        qty: fc.integer({ min: 1, max: 9 }),
      }),
      {
        maxLength: 60,
        size: 'max',
      },
    )
    .map((steps) => {
      let time = Date.UTC(2024, 7, 9, 14, 0, 0);
      return steps.map((s, i): TapePrint => {
        time += s.dt;
        return { id: i + 1, time, price: 18_000 + s.price, qty: s.qty };
      });
    });

  it('pages of any size, either direction, concatenate to the whole listing; volumes add up', () => {
    fc.assert(
      fc.property(
        tape,
        fc.constantFrom('1Min', '5Min', '15Min', '1Hour', '1Day'),
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom('asc', 'desc'),
        (prints, timeframe, limit, sort) => {
          const q = (extra: Record<string, string>) => (k: string) =>
            ({ timeframe, start: '2024-08-09T00:00:00Z', end: '2024-08-12T00:00:00Z', sort, ...extra })[k];
          const whole = barsPage(prints, AAPL, 0, Date.UTC(2024, 7, 12), q({ limit: '10000' }));
          if ('status' in whole) throw new Error(whole.message);
          expect(whole.next_page_token).toBeNull();
          const paged: AlpacaBar[] = [];
          let token: string | null = null;
          for (let i = 0; i < 100; i++) {
            const page = barsPage(
              prints,
              AAPL,
              0,
              Date.UTC(2024, 7, 12),
              q({ limit: String(limit), ...(token ? { page_token: token } : {}) }),
            );
            if ('status' in page) throw new Error(page.message);
            expect(page.bars.length).toBeLessThanOrEqual(limit);
            paged.push(...page.bars);
            token = page.next_page_token;
            if (token === null) break;
          }
          expect(paged).toEqual(whole.bars);
          expect(whole.bars.reduce((s, b) => s + b.v, 0)).toBe(prints.reduce((s, p) => s + p.qty, 0));
          expect(whole.bars.reduce((s, b) => s + b.n, 0)).toBe(prints.length);
          const times = whole.bars.map((b) => Date.parse(b.t));
          const sorted = [...times].sort((a, b) => (sort === 'asc' ? a - b : b - a));
          expect(times).toEqual(sorted);
          expect(new Set(times).size).toBe(times.length);
          for (const b of whole.bars) expect(b.l <= Math.min(b.o, b.c) && b.h >= Math.max(b.o, b.c)).toBe(true);
        },
      ),
    );
  });

  it('day bars start at midnight in New York; minute bars on the minute', () => {
    const prints: TapePrint[] = [
      { id: 1, time: Date.UTC(2024, 7, 9, 3, 59, 59), price: 18_750, qty: 1 }, // 23:59:59 on Aug 8 in New York
      { id: 2, time: Date.UTC(2024, 7, 9, 4, 0, 1), price: 18_760, qty: 2 },
    ];
    const q = (timeframe: string) => (k: string) => ({ timeframe, start: '2024-08-08', end: '2024-08-10' })[k];
    const days = barsPage(prints, AAPL, 0, Date.UTC(2024, 7, 10), q('1Day'));
    if ('status' in days) throw new Error(days.message);
    expect(days.bars.map((b) => [b.t, b.v])).toEqual([
      ['2024-08-08T04:00:00.000Z', 1],
      ['2024-08-09T04:00:00.000Z', 2],
    ]);
    const minutes = barsPage(prints, AAPL, 0, Date.UTC(2024, 7, 10), q('1Min'));
    if ('status' in minutes) throw new Error(minutes.message);
    expect(minutes.bars.map((b) => b.t)).toEqual(['2024-08-09T03:59:00.000Z', '2024-08-09T04:00:00.000Z']);
  });
});

describe('calendar through the real SDK', () => {
  it('the venue’s calendar: Thanksgiving week 2024 with its holiday and early close, settlement T+1', async () => {
    const gw = await gateway(undefined, { hours: 'venue' });
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const days = await alpaca.trading.calendar.legacyCalendar({
      start: new Date('2024-11-25'),
      end: new Date('2024-12-02'),
    });
    expect(days.map((d) => [d.date?.toISOString().slice(0, 10), d.open, d.close])).toEqual([
      ['2024-11-25', '09:30', '16:00'],
      ['2024-11-26', '09:30', '16:00'],
      ['2024-11-27', '09:30', '16:00'],
      ['2024-11-29', '09:30', '13:00'],
      ['2024-12-02', '09:30', '16:00'],
    ]);
    expect(days.map((d) => d.settlementDate?.toISOString().slice(0, 10))).toEqual([
      '2024-11-26',
      '2024-11-27',
      '2024-11-29',
      '2024-12-02',
      '2024-12-03',
    ]);
    expect(
      await refusal(
        alpaca.trading.calendar.legacyCalendar({ start: new Date('2031-01-01'), end: new Date('2031-01-05') }),
      ),
    ).toMatchObject({ status: 422, code: 42210000 });
  });

  it('an always-open gateway lists every date, open all day', async () => {
    const gw = await gateway();
    const { alpaca } = gatewayClient(gw.url, KEY, SECRET);
    const days = await alpaca.trading.calendar.legacyCalendar({
      start: new Date('2024-11-28'),
      end: new Date('2024-12-01'),
    });
    expect(days.map((d) => [d.date?.toISOString().slice(0, 10), d.open, d.close])).toEqual([
      ['2024-11-28', '00:00', '23:59'],
      ['2024-11-29', '00:00', '23:59'],
      ['2024-11-30', '00:00', '23:59'],
      ['2024-12-01', '00:00', '23:59'],
    ]);
  });
});
