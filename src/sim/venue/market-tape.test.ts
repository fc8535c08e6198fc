import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarketTape } from './market-tape.ts';

describe('MarketTape', () => {
  it('computes VWAP and volume over a closed window', () => {
    const t = new MarketTape();
    t.trade(10, 100, 1);
    t.trade(20, 110, 3);
    t.trade(30, 200, 5);
    expect(t.window(10, 20)).toMatchObject({ vwap: (100 + 330) / 4, volume: 4 });
    expect(t.window(21, 29)).toMatchObject({ vwap: null, volume: 0 });
  });

  it('time-weights the mid, counting the mid in force at the start', () => {
    const t = new MarketTape();
    t.mid(0, 100);
    t.mid(10, 200);
    t.mid(30, null); // one side empty: not counted
    t.mid(40, 300);
    expect(t.window(5, 20).twapMid).toBeCloseTo((100 * 5 + 200 * 10) / 15);
    expect(t.window(0, 50).twapMid).toBeCloseTo((100 * 10 + 200 * 20 + 300 * 10) / 40);
    expect(t.window(35, 38).twapMid).toBeNull();
  });

  it('property: a constant mid has that TWAP over any window; VWAP lies within the traded prices', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e6 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 50 })), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (mid, trades, a, b) => {
          const t = new MarketTape();
          t.mid(0, mid);
          trades.forEach(([px, q], i) => t.trade(i, px, q));
          const [from, to] = a <= b ? [a, b] : [b, a];
          const w = t.window(from, to);
          expect(w.twapMid).toBe(mid);
          const inside = trades.filter((_, i) => i >= from && i <= to);
          if (inside.length === 0) expect(w.vwap).toBeNull();
          else {
            expect(w.vwap as number).toBeGreaterThanOrEqual(Math.min(...inside.map(([p]) => p)) - 1e-9);
            expect(w.vwap as number).toBeLessThanOrEqual(Math.max(...inside.map(([p]) => p)) + 1e-9);
            expect(w.volume).toBe(inside.reduce((s, [, q]) => s + q, 0));
          }
        },
      ),
    );
  });
});
