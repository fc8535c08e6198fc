import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageDailyVolume, liquidityCapOf, PCT_DECIMALS, type VolumeReading } from './liquidity-cap.ts';

const reading = (advLots: number): VolumeReading => ({
  symbol: 'AAPL',
  advLots,
  days: 20,
  source: 'test',
  readAt: 0,
});

describe('liquidityCapOf', () => {
  it('is the floor of ADV x pct / 100 in whole lots', () => {
    expect(liquidityCapOf(reading(1_000_000), 1).maxSliceQty).toBe(10_000);
    expect(liquidityCapOf(reading(999), 1).maxSliceQty).toBe(9);
    expect(liquidityCapOf(reading(1000), 0.5).maxSliceQty).toBe(5);
    expect(liquidityCapOf(reading(1000), 100).maxSliceQty).toBe(1000);
    // 0.07% of 30,000 is exactly 21: a float product (20.999...) must not floor it to 20.
    expect(liquidityCapOf(reading(30_000), 0.07).maxSliceQty).toBe(21);
  });

  it('is one lot at least: a cap must let something trade', () => {
    expect(liquidityCapOf(reading(50), 1).maxSliceQty).toBe(1);
    expect(liquidityCapOf(reading(1), 0.0001).maxSliceQty).toBe(1);
  });

  it('keeps the reading beside the share and the lots', () => {
    expect(liquidityCapOf(reading(2000), 2)).toEqual({ ...reading(2000), pctOfAdv: 2, maxSliceQty: 40 });
  });

  it('refuses a share outside (0, 100] and a volume that is not whole lots', () => {
    expect(() => liquidityCapOf(reading(100), 0)).toThrow(/pctOfAdv/);
    expect(() => liquidityCapOf(reading(100), 101)).toThrow(/pctOfAdv/);
    expect(() => liquidityCapOf(reading(0), 1)).toThrow(/advLots/);
    expect(() => liquidityCapOf(reading(1.5), 1)).toThrow(/advLots/);
  });

  it('equals the exact rational floor for every volume and share of at most 4 decimals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 1, max: 100 * 10 ** PCT_DECIMALS }),
        (adv, scaled) => {
          const pct = scaled / 10 ** PCT_DECIMALS;
          const exact = (BigInt(adv) * BigInt(scaled)) / BigInt(100 * 10 ** PCT_DECIMALS);
          const cap = liquidityCapOf(reading(adv), pct).maxSliceQty;
          expect(cap).toBe(Math.max(1, Number(exact)));
          expect(cap).toBeGreaterThanOrEqual(1);
          expect(cap).toBeLessThanOrEqual(adv);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('averageDailyVolume', () => {
  it('averages the last `days` complete days, floored to a lot', () => {
    expect(averageDailyVolume([100, 200, 300], 20)).toEqual({ advLots: 200, days: 3 });
    expect(averageDailyVolume([1_000_000, 100, 200, 301], 3)).toEqual({ advLots: 200, days: 3 });
  });

  it('says why there is none: no complete day, or no volume on any of them', () => {
    expect(averageDailyVolume([], 20)).toEqual({ unavailable: 'no complete daily bar' });
    expect(averageDailyVolume([0, 0], 20)).toEqual({ unavailable: 'no volume in the last 2 daily bars' });
    expect(averageDailyVolume([0, 1], 20)).toEqual({ unavailable: 'no volume in the last 2 daily bars' });
  });

  it('is the mean of the last days, whatever came before them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 10 ** 12 }), { maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 30 }),
        (lots, days) => {
          const used = lots.slice(-days);
          const got = averageDailyVolume(lots, days);
          const mean = used.length === 0 ? 0 : Math.floor(used.reduce((a, b) => a + b, 0) / used.length);
          if (mean < 1) expect('unavailable' in got).toBe(true);
          else expect(got).toEqual({ advLots: mean, days: used.length });
        },
      ),
      { numRuns: 300 },
    );
  });
});
