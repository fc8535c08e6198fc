// The feed's number conversion without decimal text is the exact decimal's double, for any count
// of steps of any step size an instrument may have. With several bar lengths, each closes on its
// own grid and a long bar is the short bars inside it.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { expectEqual, expectIs } from '../../test/support/hot-expect.ts';
import { fromSteps } from '../core/model/decimal.ts';
import { makeInstrument } from '../core/model/instrument.ts';
import type { MarketDataPort } from '../core/ports/broker.ts';
import type { Bar } from './strategy-api.ts';
import { asFraction, stepsToNumber, SymbolFeed } from './strategy-feed.ts';

describe('stepsToNumber', () => {
  it('equals Number() of the exact decimal', () => {
    const stepArb = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 12 })).map(([m, scale]) =>
      fromSteps(
        m,
        `1e-${scale}`.replace(/^1e-(\d+)$/, (_, d: string) => (d === '0' ? '1' : `0.${'0'.repeat(Number(d) - 1)}1`)),
      ),
    );
    fc.assert(
      fc.property(stepArb, fc.integer({ min: -1e12, max: 1e12 }), (step, n) => {
        const got = stepsToNumber(n, asFraction(step));
        // 20,000 cases: expect is called only on a mismatch.
        if (got !== null) expectIs(got, Number(fromSteps(n, step)));
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('SymbolFeed with several bar lengths', () => {
  it('closes each length on its own grid, and a long bar is the short bars inside it', () => {
    const inst = makeInstrument({ symbol: 'T', tickSize: '0.01', lotSize: '1', minNotional: '1' });
    const T0 = Date.UTC(2024, 7, 9);
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1_000 }), { minLength: 1, maxLength: 200, size: 'max' }),
        (mids) => {
          let at = 0;
          const port: MarketDataPort = {
            topOfBook: () => ({ bid: mids[at] as number, bidQty: 1, ask: mids[at] as number, askQty: 1 }),
            window: () => ({ vwap: null, twapMid: null, volume: 0 }),
            lastUpdateAt: () => null,
          };
          const feed = new SymbolFeed(inst, [10_000, 30_000]);
          const bars: Bar[] = [];
          for (at = 0; at < mids.length; at++) bars.push(...feed.sample(port, T0 + 1_000 * at).bars);
          const short = bars.filter((b) => b.ms === 10_000);
          const long = bars.filter((b) => b.ms === 30_000);
          expectIs(short.length + long.length, bars.length);
          expectIs(short.length, Math.floor((mids.length - 1) / 10));
          expectIs(long.length, Math.floor((mids.length - 1) / 30));
          for (const b of long) {
            const inside = short.filter((s) => s.time >= b.time && s.time < b.time + 30_000);
            const times = inside.map((s) => s.time);
            expectEqual(times, [b.time, b.time + 10_000, b.time + 20_000]);
            expectIs(b.open, inside[0]?.open);
            expectIs(b.close, inside[2]?.close);
            expectIs(b.high, Math.max(...inside.map((s) => s.high)));
            expectIs(b.low, Math.min(...inside.map((s) => s.low)));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
