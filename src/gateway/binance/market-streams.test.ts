import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { klineStep, klineSubscribed, type KlineSent } from './market-streams.ts';
import { KlineBuckets, type Kline } from './public-tape.ts';

const MINUTE = 60_000;
const buckets = new KlineBuckets('1m');

/** The 1m kline of the trades (times, ids from 1) at or before `upTo` in the interval from `start`. */
function klineOf(trades: readonly number[], start: number, upTo: number): Kline | undefined {
  const ids = trades.map((t, i) => [t, i + 1] as const).filter(([t]) => t >= start && t < start + MINUTE && t <= upTo);
  if (ids.length === 0) return undefined;
  return {
    start,
    end: start + MINUTE - 1,
    open: 100,
    high: 100,
    low: 100,
    close: 100,
    volume: BigInt(ids.length),
    quote: BigInt(100 * ids.length),
    takerBuyVolume: 0n,
    takerBuyQuote: 0n,
    count: ids.length,
    firstId: ids[0]![1],
    lastId: ids.at(-1)![1],
  };
}

/** The events of a kline stream subscribed at `subscribedAt` over its seconds at `ticks`. */
function run(trades: readonly number[], subscribedAt: number, ticks: readonly number[]): Array<[Kline, boolean]> {
  let sent: KlineSent = klineSubscribed('1m', subscribedAt);
  const events: Array<[Kline, boolean]> = [];
  for (const now of ticks) {
    const start = buckets.start(now);
    const step = klineStep(sent, start, (from) => klineOf(trades, from, start - 1), klineOf(trades, start, now));
    events.push(...step.events);
    sent = step.sent;
  }
  return events;
}

describe('a kline stream', () => {
  it("sends the subscription's interval closed when it ends before the stream's first second", () => {
    // Subscribed at 59.2 s, a trade at 59.6 s, the stream's first second at 60.1 s: the interval
    // of the trade has ended by then, and only its closed kline can tell the trade.
    const events = run([59_600], 59_200, [60_100, 61_100]);
    expect(events.map(([k, closed]) => [k.start, k.count, closed])).toEqual([[0, 1, true]]);
  });

  it('sends the kline of now when it changed, and nothing for an interval without trades', () => {
    const events = run([10_000, 12_500], 5_000, [11_000, 12_000, 13_000, 14_000, 61_000, 62_000]);
    expect(events.map(([k, closed]) => [k.start, k.count, closed])).toEqual([
      [0, 1, false],
      [0, 2, false],
      [0, 2, true],
    ]);
  });

  it('reports every trade after its subscription: each ended interval with trades closed exactly once, whole', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5 * MINUTE }),
        fc.array(fc.integer({ min: 1, max: 2_000 }), { minLength: 1, maxLength: 400, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 5 * MINUTE }), { maxLength: 30, size: 'max' }),
        (subscribedAt, gaps, tradeTimes) => {
          // Seconds about a second apart (never an interval or more: the stream would skip one).
          const ticks: number[] = [];
          let t = subscribedAt;
          for (const g of gaps) ticks.push((t += g));
          const last = ticks.at(-1)!;
          const trades = tradeTimes.map((x) => subscribedAt + x).sort((a, b) => a - b);
          const events = run(trades, subscribedAt, ticks);
          const closed = events.filter(([, c]) => c).map(([k]) => k);
          const ended = [...new Set(trades.filter((x) => x <= last).map((x) => buckets.start(x)))].filter(
            (start) => start + MINUTE <= buckets.start(last),
          );
          expect(closed.map((k) => k.start).sort((a, b) => a - b)).toEqual(ended.sort((a, b) => a - b));
          for (const k of closed) expect(k.count).toBe(klineOf(trades, k.start, Infinity)!.count);
        },
      ),
    );
  });
});
