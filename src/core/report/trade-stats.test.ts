// The statistics' arithmetic (trade-stats.ts) and the equity curve they are of (equity-track.ts):
// figures in their ranges and consistent with each other, ratios unchanged by the curve's scale,
// null where the run cannot give them, and the curve's samples, drawdown and exposure on worked
// examples.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EquityTrack } from './equity-track.ts';
import { curveFigures, tradeFigures, YEAR_MS } from './trade-stats.ts';

const nets = fc.array(fc.integer({ min: -1_000, max: 1_000 }), { maxLength: 30, size: 'max' });

describe('trade figures', () => {
  it('win rate in [0,1], expectancy the mean, profit factor wins over losses (null without a loss)', () => {
    fc.assert(
      fc.property(nets, (xs) => {
        const f = tradeFigures(xs);
        expect(f.trades).toBe(xs.length);
        expect(f.wins + f.losses).toBeLessThanOrEqual(f.trades);
        if (xs.length === 0) expect([f.winRate, f.expectancy]).toEqual([null, null]);
        else {
          expect(f.winRate as number).toBeGreaterThanOrEqual(0);
          expect(f.winRate as number).toBeLessThanOrEqual(1);
          expect((f.expectancy as number) * xs.length).toBeCloseTo(f.total, 6);
        }
        const won = xs.filter((x) => x > 0).reduce((s, x) => s + x, 0);
        const lost = xs.filter((x) => x < 0).reduce((s, x) => s + x, 0);
        if (f.losses === 0) expect(f.profitFactor).toBeNull();
        else expect(f.profitFactor as number).toBeCloseTo(won / -lost, 5);
        if (f.avgWin !== null) expect(f.avgWin).toBeGreaterThan(0);
        if (f.avgLoss !== null) expect(f.avgLoss).toBeLessThan(0);
        // The same trades in another order: the same figures.
        expect(tradeFigures([...xs].reverse())).toEqual(f);
      }),
    );
  });
});

describe('Sharpe and Sortino of a sampled curve', () => {
  it('do not change with the curve scaled; annualized by sqrt(intervals in a year)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 3, maxLength: 40, size: 'max' }),
        fc.integer({ min: 2, max: 50 }),
        (samples, k) => {
          const a = curveFigures(samples, 60_000);
          const b = curveFigures(
            samples.map((x) => x * k),
            60_000,
          );
          expect(b.intervals).toBe(samples.length - 1);
          expect(b.sharpe === null).toBe(a.sharpe === null);
          if (a.sharpe !== null) expect(b.sharpe as number).toBeCloseTo(a.sharpe, 5);
          if (a.sortino !== null) expect(b.sortino as number).toBeCloseTo(a.sortino, 5);
          expect(a.annualizationFactor).toBeCloseTo(Math.sqrt(YEAR_MS / 60_000), 5);
          const changes = samples.slice(1).map((x, i) => x - (samples[i] as number));
          expect(a.sortino === null).toBe(!changes.some((c) => c < 0));
        },
      ),
    );
  });

  it('on a worked curve, and null below two intervals or without variation', () => {
    // Changes 1, -1, 3: mean 1, sample sd 2, downside sqrt(1/3).
    const f = curveFigures([0, 1, 0, 3], 60_000);
    expect(f.sharpe).toBe(0.5);
    expect(f.sortino).toBeCloseTo(Math.sqrt(3), 5);
    expect(curveFigures([0, 5], 60_000).sharpe).toBeNull();
    expect(curveFigures([0, 1, 2, 3], 60_000)).toMatchObject({ sharpe: null, sortino: null, intervals: 3 });
  });
});

describe('the equity curve as the statistics see it', () => {
  it('samples the value after every change up to each instant, drawdown from peak to recovery, exposure', () => {
    const t = new EquityTrack(10);
    t.start(0);
    t.observe(5, 4, true); // peak 4 at 5
    t.observe(10, 1, true); // at the instant 10: counted there
    t.observe(25, 6, false); // recovered past 4 at 25
    t.observe(31, 3, true); // a fall of 3 from 6: not larger than the first
    expect(t.sampled(40)).toEqual([0, 1, 1, 6, 3]);
    expect(t.drawdown()).toEqual({ amount: 3, peak: 4, from: 5, recovered: 25 });
    expect(t.exposedMs(40)).toBe(20 + 9);
    expect(t.span(40)).toEqual({ start: 0, end: 40 });
  });

  it('past its most samples keeps every other one at twice the interval: the same grid, coarser', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 40 }), v: fc.integer({ min: -50, max: 50 }) }), {
          maxLength: 30,
          size: 'max',
        }),
        (steps) => {
          const full = new EquityTrack(3);
          const thin = new EquityTrack(3, 4);
          let now = 0;
          for (const t of [full, thin]) t.start(0);
          for (const s of steps) {
            now += s.dt;
            for (const t of [full, thin]) t.observe(now, s.v, false);
          }
          const all = full.sampled(now);
          const kept = thin.sampled(now);
          const k = thin.intervalMs / 3;
          expect(kept.length).toBeLessThanOrEqual(4);
          expect(kept).toEqual(all.filter((_, i) => i % k === 0));
        },
      ),
    );
  });

  it('a drawdown never recovered runs to the end; drawdown >= 0 and exposure within the run', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ dt: fc.integer({ min: 0, max: 50 }), v: fc.integer({ min: -50, max: 50 }), hold: fc.boolean() }),
        ),
        (steps) => {
          const t = new EquityTrack(7);
          t.start(0);
          let now = 0;
          let peak = 0;
          let worst = 0;
          for (const s of steps) {
            now += s.dt;
            t.observe(now, s.v, s.hold);
            peak = Math.max(peak, s.v);
            worst = Math.max(worst, peak - s.v);
          }
          const d = t.drawdown();
          expect(d.amount).toBe(worst);
          expect(d.amount).toBeGreaterThanOrEqual(0);
          if (d.recovered !== null) expect(d.recovered).toBeGreaterThanOrEqual(d.from);
          expect(t.exposedMs(now)).toBeLessThanOrEqual(now);
          expect(t.sampled(now)).toHaveLength(Math.floor(now / 7) + 1);
        },
      ),
    );
  });
});
