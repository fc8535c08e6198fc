// Reading Binance's 1-minute klines back in pages: every minute in the span once and in order,
// each request within Binance's limit and starting where the previous page ended, a bounded
// number of requests, and a venue whose answer does not read (or does not move on) refused with
// one message instead of a loop. A row's VWAP is its quote volume over its volume, in ticks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { makeInstrument } from '../../core/model/instrument.ts';
import { BAR_MS } from '../market-history.ts';
import { KLINES_PER_PAGE, MAX_PAGES, MAX_SPAN_MS, minuteBarOf, readMinuteKlines } from './binance-klines.ts';

const BTC = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const T0 = 1_723_161_600_000; // a whole minute

/** Binance's row for the minute at `start`: one trade of `lots` at `ticks` (none when 0 lots). */
function row(start: number, ticks: number, lots: number): unknown[] {
  const price = (ticks / 100).toFixed(8);
  const base = (lots / 100_000).toFixed(8);
  const quote = ((ticks * lots) / 10_000_000).toFixed(8);
  return [start, price, price, price, price, base, start + BAR_MS - 1, quote, lots > 0 ? 1 : 0, base, quote, '0'];
}

/** A venue holding a kline for every minute in [first, last], answering as Binance's klines do:
 *  from the minute of startTime (or the first), up to endTime, `limit` rows. */
function venue(first: number, last: number, price = (i: number) => 6_000_000 + (i % 997)) {
  const asked: Array<Record<string, string | number>> = [];
  return {
    asked,
    async publicGetKlines(p: Record<string, string | number>): Promise<unknown> {
      asked.push(p);
      const from = Math.max(first, Math.floor(Number(p['startTime']) / BAR_MS) * BAR_MS);
      const to = Math.min(last, Number(p['endTime']));
      const rows: unknown[][] = [];
      for (let at = from; at <= to && rows.length < Number(p['limit']); at += BAR_MS) {
        const i = (at - first) / BAR_MS;
        rows.push(row(at, price(i), i % 3 === 0 ? 0 : (i % 50) + 1));
      }
      return rows;
    },
  };
}

describe('readMinuteKlines', () => {
  it('reads every minute in [from, until] once, in order, a page at a time from where the last ended', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 3_500 }),
        fc.integer({ min: -50, max: 3_600 }),
        fc.integer({ min: 0, max: 3_600 }),
        fc.integer({ min: 0, max: BAR_MS - 1 }),
        async (minutes, fromMinute, spanMinutes, untilMs) => {
          const v = venue(T0, T0 + minutes * BAR_MS);
          const from = T0 + fromMinute * BAR_MS;
          const until = from + spanMinutes * BAR_MS + untilMs;
          const bars = await readMinuteKlines(v, 'BTCUSDT', BTC, from, until);
          const want: number[] = [];
          for (let at = Math.max(T0, from); at <= Math.min(T0 + minutes * BAR_MS, until); at += BAR_MS) want.push(at);
          // Checked in every case, for every minute and page: expect is called only on a mismatch.
          expectEqual(
            bars.map((b) => b.start),
            want,
          );
          // Pages of Binance's most rows, each from the minute after the previous page's last.
          const most = Math.floor(want.length / KLINES_PER_PAGE) + 1;
          if (!(v.asked.length <= most)) expect(v.asked.length).toBeLessThanOrEqual(most);
          const page = { symbol: 'BTCUSDT', interval: '1m', endTime: until, limit: KLINES_PER_PAGE };
          v.asked.forEach((q, k) => {
            if (!Object.entries(page).every(([key, x]) => Object.is(q[key], x))) expect(q).toMatchObject(page);
            expectIs(q['startTime'], k === 0 ? from : (want[k * KLINES_PER_PAGE - 1] as number) + BAR_MS);
          });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sends at most MAX_PAGES requests, which cover the longest span the backfiller asks for', async () => {
    const v = venue(T0 - 2 * MAX_SPAN_MS, T0 + MAX_SPAN_MS);
    const bars = await readMinuteKlines(v, 'BTCUSDT', BTC, T0 - MAX_SPAN_MS, T0 + MAX_SPAN_MS);
    expect(v.asked).toHaveLength(MAX_PAGES);
    expect(bars).toHaveLength(MAX_PAGES * KLINES_PER_PAGE);
    // The span the backfiller asks for at most ends in a short page.
    const within = venue(T0, T0 + 10 * MAX_SPAN_MS);
    const all = await readMinuteKlines(within, 'BTCUSDT', BTC, T0, T0 + MAX_SPAN_MS - 1);
    expect(all).toHaveLength(MAX_SPAN_MS / BAR_MS);
    expect(all.at(-1)?.start).toBe(T0 + MAX_SPAN_MS - BAR_MS);
  });

  it('refuses an answer that does not read, or pages that do not move on', async () => {
    const answering = (rows: unknown) => ({ publicGetKlines: async () => rows });
    await expect(readMinuteKlines(answering({ code: 0 }), 'BTCUSDT', BTC, T0, T0 + BAR_MS)).rejects.toThrow(
      /^the venue's klines are not a list/,
    );
    await expect(
      readMinuteKlines(answering([[T0, '1', 'x', '1', '1', '1', T0 + 59_999, '1']]), 'BTCUSDT', BTC, T0, T0 + BAR_MS),
    ).rejects.toThrow(/^the venue sent a kline that does not read \(prices\): \[1723161600000,"1","x"/);
    await expect(
      readMinuteKlines(answering([row(T0 + BAR_MS, 100, 1), row(T0, 100, 1)]), 'BTCUSDT', BTC, T0, T0 + BAR_MS),
    ).rejects.toThrow(/not in time order/);
    // A venue that ignores startTime: the same full page of earlier minutes again.
    const stale = Array.from({ length: KLINES_PER_PAGE }, (_, i) => row(T0 - (KLINES_PER_PAGE - i) * BAR_MS, 100, 1));
    await expect(readMinuteKlines(answering(stale), 'BTCUSDT', BTC, T0, T0 + BAR_MS)).rejects.toThrow(
      /do not move forward/,
    );
  });
});

describe('minuteBarOf', () => {
  it("a minute's VWAP is its quote volume over its volume, in ticks; a minute without trades stands at its close", () => {
    const traded = [T0, '65000.00', '65010.00', '64990.00', '65005.00', '0.30000', T0 + 59_999, '19501.00', 3];
    const bar = minuteBarOf(BTC, traded);
    expect(bar).toMatchObject({
      start: T0,
      volume: 30_000,
      open: 6_500_000,
      low: 6_499_000,
      high: 6_501_000,
      close: 6_500_500,
    });
    expect(typeof bar === 'string' ? null : bar.vwap).toBeCloseTo(6_500_333.3333, 3);
    const quiet = [T0, '65005.00', '65005.00', '65005.00', '65005.00', '0.00000000', T0 + 59_999, '0.00000000', 0];
    expect(minuteBarOf(BTC, quiet)).toEqual({
      start: T0,
      volume: 0,
      vwap: 6_500_500,
      open: 6_500_500,
      low: 6_500_500,
      high: 6_500_500,
      close: 6_500_500,
    });
    expect(minuteBarOf(BTC, [T0, 'x', '1', '1', '1', '1', T0, '1'])).toMatch(/\(prices\)/);
    expect(minuteBarOf(BTC, [T0, '1', '1', '2', '1', '1', T0, '1'])).toMatch(/\(prices\)/);
    expect(minuteBarOf(BTC, [T0, '1', '1', '1', '1', '-1', T0, '1'])).toMatch(/\(volumes\)/);
    expect(minuteBarOf(BTC, ['1723161600000', '1', '1', '1', '1', '1', T0, '1'])).toMatch(/\(open time\)/);
    expect(minuteBarOf(BTC, { t: T0 })).toMatch(/\(not a row of at least 8 fields\)/);
  });
});
