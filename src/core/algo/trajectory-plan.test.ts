import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { Rng } from '../clock/rng.ts';
import { makeInstrument, type Instrument } from '../model/instrument.ts';
import { largestAllowed, planTrajectorySlices, resizeToTrajectory } from './trajectory-plan.ts';
import { bucketProfile, kappaPerSecond, remainingFraction, type TrajectorySpec } from './trajectory.ts';
import { planTwapSlices, TwapPlanError, type TwapPlan, type TwapSpec } from './twap-slicer.ts';

const RUNS = { numRuns: 300 };
/** An integer grid (tick 1, lot 1) so notional units read as price x lots. */
const grid = (minNotional: number): Instrument =>
  makeInstrument({ symbol: 'SYM', tickSize: '1', lotSize: '1', minNotional: String(minNotional) });

const base: TwapSpec = {
  side: 'buy',
  qty: 100,
  startTime: 1_723_161_600_000,
  durationMs: 300_000,
  intervalMs: 60_000,
  instrument: grid(0),
  referencePrice: 100,
  childType: 'market',
};
const qtys = (plan: TwapPlan): number[] => plan.slices.map((s) => s.qty);
const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Lots the plan has sent by time t (slices at or before it). */
const cumulativeBy = (plan: TwapPlan, t: number): number =>
  plan.slices.reduce((a, s) => (s.scheduledTime <= t ? a + s.qty : a), 0);

/** Specs with one-lot minimum slices and no largest slice: the trajectory alone sizes them. */
const plainSpecArb = fc
  .record({
    qty: fc.integer({ min: 1, max: 100_000 }),
    count: fc.integer({ min: 1, max: 200 }),
    intervalMs: fc.integer({ min: 1, max: 600_000 }),
    startTime: fc.integer({ min: 0, max: 2_000_000_000_000 }),
    side: fc.constantFrom('buy' as const, 'sell' as const),
  })
  .map((r): TwapSpec => ({
    ...base,
    side: r.side,
    qty: r.qty,
    startTime: r.startTime,
    durationMs: r.count * r.intervalMs,
    intervalMs: r.intervalMs,
  }));

const acArb = fc.record({
  urgency: fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
  volatility: fc.double({ min: 1e-3, max: 0.5, noNaN: true }),
  impact: fc.double({ min: 1e-7, max: 1e-1, noNaN: true }),
});

/** Every grid time of the TWAP plan and the end of its bucket. */
const buckets = (plan: TwapPlan): Array<{ at: number; end: number }> =>
  plan.slices.map((_, i) => ({
    at: plan.startTime + i * plan.intervalMs,
    end: plan.startTime + (i + 1) * plan.intervalMs,
  }));

describe('planTrajectorySlices', () => {
  it('TWAP, and a trajectory that is the straight line, keep the TWAP plan exactly', () => {
    const rng = new Rng(7);
    const spec: TwapSpec = { ...base, qty: 103, randomize: { sizePct: 20, timeJitterPct: 50 } };
    const twap = planTwapSlices(spec, rng.stream('p'));
    expect(planTrajectorySlices(spec, undefined, rng.stream('p'))).toEqual({ plan: twap, trajectory: null });
    expect(planTrajectorySlices(spec, { kind: 'linear' }, rng.stream('p')).plan).toEqual(twap);
    const ac0 = planTrajectorySlices(
      spec,
      { kind: 'almgren-chriss', urgency: 0, volatility: 0.02, impact: 1e-4 },
      rng.stream('p'),
    );
    expect(ac0.plan).toEqual(twap);
    expect(ac0.trajectory).toEqual({
      kind: 'almgren-chriss',
      urgency: 0,
      volatility: 0.02,
      impact: 1e-4,
      kappaPerSecond: 0,
    });
  });

  it('a flat VWAP is the straight line rounded lot by lot (TWAP front-loads its remainder)', () => {
    const spec: TwapSpec = { ...base, qty: 103 };
    expect(qtys(planTwapSlices(spec))).toEqual([21, 21, 21, 20, 20]);
    const flat = planTrajectorySlices(spec, { kind: 'vwap' });
    // round(103 i / 5): 21, 41, 62, 82, 103.
    expect(qtys(flat.plan)).toEqual([21, 20, 21, 20, 21]);
    expect(flat.trajectory).toEqual({ kind: 'vwap', profile: 'flat' });
  });

  it('urgency 0 gives the TWAP plan exactly, whatever the spec', () => {
    fc.assert(
      fc.property(plainSpecArb, fc.nat(), acArb, (spec, seed, p) => {
        const withRandom: TwapSpec = { ...spec, randomize: { sizePct: 10, timeJitterPct: 30 } };
        const twap = planTwapSlices(withRandom, new Rng(seed).stream('x'));
        const ac = planTrajectorySlices(
          withRandom,
          { kind: 'almgren-chriss', ...p, urgency: 0 },
          new Rng(seed).stream('x'),
        );
        expectEqual(ac.plan, twap);
      }),
      RUNS,
    );
  });

  it('an Almgren-Chriss plan: 100 lots over 5 slices at kappa T = 2', () => {
    // kappa = 2 / 300 s: urgency x sigma^2 / 3600 / eta = (2/300)^2 with sigma 0.06, eta 1e-6.
    const kappa = 2 / 300;
    const urgency = (kappa * kappa * 3600 * 1e-6) / (0.06 * 0.06);
    const { plan, trajectory } = planTrajectorySlices(base, {
      kind: 'almgren-chriss',
      urgency,
      volatility: 0.06,
      impact: 1e-6,
    });
    // 100 (1 - sinh(2 (1 - i/5)) / sinh 2) at i = 1..5: 34.5, 58.4, 75.5, 88.7, 100.
    expect(qtys(plan)).toEqual([35, 23, 18, 13, 11]);
    expect(plan.slices.map((s) => s.scheduledTime - base.startTime)).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
    expect(plan.adjustments).toEqual([]);
    expect(trajectory).toMatchObject({ kind: 'almgren-chriss', urgency });
    expect((trajectory as { kappaPerSecond: number }).kappaPerSecond).toBeCloseTo(kappa, 12);
  });

  it('the Almgren-Chriss plan is its closed form within one lot at every slice time', () => {
    fc.assert(
      fc.property(plainSpecArb, acArb, (spec, p) => {
        const { plan } = planTrajectorySlices(spec, { kind: 'almgren-chriss', ...p });
        const twap = planTwapSlices(spec);
        const kappa = kappaPerSecond(p) / 1000;
        const horizon = twap.totalSlices * twap.intervalMs;
        expectIs(sum(qtys(plan)), spec.qty);
        // Checked at every slice time of every case: expect is called only on a mismatch.
        for (const b of buckets(twap)) {
          // What the slice at b.at sends brings the parent to the curve at its bucket's end.
          const closed = spec.qty * (1 - remainingFraction(kappa, horizon, b.end - spec.startTime));
          const off = Math.abs(cumulativeBy(plan, b.at) - closed);
          if (!(off <= 1)) expect(off).toBeLessThanOrEqual(1);
        }
      }),
      RUNS,
    );
  });

  it('higher urgency front-loads: the cumulative at every slice time is non-decreasing in urgency', () => {
    fc.assert(
      fc.property(plainSpecArb, acArb, fc.double({ min: 1, max: 1e4, noNaN: true }), (spec, p, factor) => {
        const low = planTrajectorySlices(spec, { kind: 'almgren-chriss', ...p }).plan;
        const high = planTrajectorySlices(spec, { kind: 'almgren-chriss', ...p, urgency: p.urgency * factor }).plan;
        for (const b of buckets(planTwapSlices(spec))) {
          const [h, l] = [cumulativeBy(high, b.at), cumulativeBy(low, b.at)];
          if (!(h >= l)) expect(h).toBeGreaterThanOrEqual(l);
        }
      }),
      RUNS,
    );
  });

  it("VWAP's cumulative follows its profile within one lot at every slice time", () => {
    fc.assert(
      fc.property(
        plainSpecArb,
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 40, size: 'max' }),
        (spec, weights) => {
          fc.pre(weights.some((w) => w > 0));
          const { plan, trajectory } = planTrajectorySlices(spec, { kind: 'vwap', profile: weights });
          const twap = planTwapSlices(spec);
          const horizon = twap.totalSlices * twap.intervalMs;
          const profile = bucketProfile(weights, spec.startTime, horizon);
          const total = profile.volumeBetween(spec.startTime, spec.startTime + horizon);
          expectIs(sum(qtys(plan)), spec.qty);
          expectEqual(trajectory, { kind: 'vwap', profile: 'given', weights });
          for (const b of buckets(twap)) {
            const target = (spec.qty * profile.volumeBetween(spec.startTime, b.end)) / total;
            const off = Math.abs(cumulativeBy(plan, b.at) - target);
            if (!(off <= 1)) expect(off).toBeLessThanOrEqual(1);
          }
        },
      ),
      RUNS,
    );
  });
});

/** Specs where every grid rule bites: minimum notionals, largest slices, the liquidity cap,
 *  randomized sizes and times. */
const ruleSpecArb = fc
  .record({
    qty: fc.integer({ min: 1, max: 5_000 }),
    price: fc.integer({ min: 1, max: 1_000 }),
    instMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 })),
    extraMin: fc.option(fc.integer({ min: 0, max: 50_000 }), { nil: undefined }),
    maxSliceQty: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }),
    liq: fc.option(
      fc.record({ maxSliceQty: fc.integer({ min: 1, max: 500 }), minIntervalMs: fc.integer({ min: 1, max: 60_000 }) }),
      {
        nil: undefined,
      },
    ),
    count: fc.integer({ min: 1, max: 300 }),
    durationMs: fc.integer({ min: 300, max: 3_600_000 }),
    randomize: fc.boolean(),
    seed: fc.nat(),
  })
  .map((r) => {
    const spec: TwapSpec = {
      ...base,
      qty: Math.max(r.qty, Math.ceil(r.instMin / r.price)),
      instrument: grid(r.instMin),
      referencePrice: r.price,
      durationMs: r.durationMs,
      sliceCount: r.count,
      intervalMs: undefined,
      ...(r.extraMin !== undefined ? { minSliceNotionalUnits: r.extraMin } : {}),
      ...(r.maxSliceQty !== undefined ? { maxSliceQty: r.maxSliceQty } : {}),
      ...(r.liq !== undefined ? { liquidityCap: r.liq } : {}),
      ...(r.randomize ? { randomize: { sizePct: 25, timeJitterPct: 60 } } : {}),
    };
    return { spec, seed: r.seed };
  });

const trajectoryArb: fc.Arbitrary<TrajectorySpec> = fc.oneof(
  acArb.map((p) => ({ kind: 'almgren-chriss' as const, ...p })),
  fc
    .array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 1, maxLength: 30, size: 'max' })
    .filter((w) => w.some((x) => x > 0))
    .map((profile) => ({ kind: 'vwap' as const, profile })),
);

describe('every trajectory keeps the grid rules', () => {
  it('sizes sum to the quantity, none below one lot or the minimum notional, none above the largest slice unless recorded', () => {
    fc.assert(
      fc.property(ruleSpecArb, trajectoryArb, ({ spec, seed }, traj) => {
        let twap: TwapPlan;
        try {
          twap = planTwapSlices(spec, new Rng(seed).stream('t'));
        } catch (e) {
          if (!(e instanceof TwapPlanError)) expect(e).toBeInstanceOf(TwapPlanError);
          return;
        }
        const { plan } = planTrajectorySlices(spec, traj, new Rng(seed).stream('t'));
        const sizes = qtys(plan);
        expectIs(sum(sizes), spec.qty);
        expectIs(plan.totalSlices, plan.slices.length);
        expectEqual(
          plan.slices.map((s) => s.sliceNum),
          plan.slices.map((_, i) => i + 1),
        );
        // Checked for every slice of every case: expect is called only on a mismatch.
        for (const q of sizes) expectIs(Number.isSafeInteger(q) && q > 0, true);
        // Slices below the minimum: only the whole order, when it is below it.
        if (plan.slices.length > 1)
          for (const q of sizes) if (!(q >= plan.minSliceLots)) expect(q).toBeGreaterThanOrEqual(plan.minSliceLots);
        // Times: the grid's own (jitter included), in order.
        const gridTimes = new Set(twap.slices.map((s) => s.scheduledTime));
        for (let i = 0; i < plan.slices.length; i++) {
          const at = plan.slices[i]!.scheduledTime;
          expectIs(gridTimes.has(at), true);
          if (i > 0) {
            const before = plan.slices[i - 1]!.scheduledTime;
            if (!(at > before)) expect(at).toBeGreaterThan(before);
          }
        }
        const max = largestAllowed(twap);
        const kinds: string[] = plan.adjustments.map((a) => a.kind);
        const has = (kind: string): void => {
          if (!kinds.includes(kind)) expect(kinds).toContain(kind);
        };
        if (Math.max(...sizes) > max) has('trajectory_max_slice');
        // The grid's own changes are kept, in front of the trajectory's.
        expectEqual(plan.adjustments.slice(0, twap.adjustments.length), twap.adjustments);
        if (plan.slices.length < twap.slices.length) has('trajectory_slices');
        if (spec.randomize !== undefined && JSON.stringify(plan) !== JSON.stringify(twap))
          has('trajectory_size_randomize');
      }),
      RUNS,
    );
  });

  it('a steep trajectory is held to the largest slice: the excess goes to later slices', () => {
    const spec: TwapSpec = { ...base, qty: 100, sliceCount: 10, intervalMs: undefined, maxSliceQty: 15 };
    const { plan } = planTrajectorySlices(spec, {
      kind: 'almgren-chriss',
      urgency: 1e3,
      volatility: 0.1,
      impact: 1e-6,
    });
    expect(qtys(plan)).toEqual([15, 15, 15, 15, 15, 15, 10]);
    expect(plan.adjustments).toContainEqual({
      kind: 'trajectory_max_slice',
      requested: 100,
      used: 15,
      maxSliceQty: 15,
    });
    expect(plan.adjustments).toContainEqual({ kind: 'trajectory_slices', requested: 10, used: 7, minSliceLots: 1 });
  });

  it('slices under the minimum notional go to the next slice, the remainder to the last one made', () => {
    // 3 lots at 100 is worth 300; the minimum 250 makes 3 the smallest slice.
    const spec: TwapSpec = { ...base, qty: 20, sliceCount: 5, intervalMs: undefined, minSliceNotionalUnits: 250 };
    const twap = planTwapSlices(spec);
    expect(twap.minSliceLots).toBe(3);
    const resized = resizeToTrajectory(twap, (t) => ((t - base.startTime) / 300_000) ** 3);
    // Cubic: cumulative 0.16, 1.28, 4.32, 10.24, 20 lots: 0, 1, 3, 6, 10 by rounding.
    expect(qtys(resized)).toEqual([4, 6, 10]);
    expect(resized.slices.map((s) => s.sliceNum)).toEqual([1, 2, 3]);
    expect(resized.adjustments).toContainEqual({ kind: 'trajectory_slices', requested: 5, used: 3, minSliceLots: 3 });
  });
});
