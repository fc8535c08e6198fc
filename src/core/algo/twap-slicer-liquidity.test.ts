// The liquidity cap in the TWAP planner: more, smaller slices at plan time, bounded by the cap's
// minimum interval and never a refusal; and the stored cap re-plans the same slices, with the same
// client order ids, whatever volume a restarted process would read now.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { Rng } from '../clock/rng.ts';
import { canonicalJson } from '../log/canonical-json.ts';
import { makeInstrument, type Instrument } from '../model/instrument.ts';
import type { PlannedLiquidityCap } from '../model/liquidity-events.ts';
import { liquidityCapOf, plannedCap, twapCapOf } from './liquidity-cap.ts';
import { twapClientOrderId, twapParentKey } from './twap-client-order-id.ts';
import { MAX_TWAP_SLICES, planTwapSlices, type TwapPlan, type TwapSpec } from './twap-slicer.ts';

const grid = (minNotional: number): Instrument =>
  makeInstrument({ symbol: 'SYM', tickSize: '1', lotSize: '1', minNotional: String(minNotional) });

const base: TwapSpec = {
  side: 'buy',
  qty: 103,
  startTime: 1_723_161_600_000,
  durationMs: 300_000,
  intervalMs: 60_000,
  instrument: grid(0),
  referencePrice: 100,
  childType: 'market',
};
const qtys = (plan: TwapPlan): number[] => plan.slices.map((s) => s.qty);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const cap = (maxSliceQty: number, minIntervalMs = 1000) => ({ liquidityCap: { maxSliceQty, minIntervalMs } });

describe('planTwapSlices: the liquidity cap', () => {
  it('adds slices until none exceeds the cap, and says how many and why', () => {
    const plan = planTwapSlices({ ...base, ...cap(10) });
    expect(plan.totalSlices).toBe(11);
    expect(qtys(plan)).toEqual([10, 10, 10, 10, 9, 9, 9, 9, 9, 9, 9]);
    expect(sum(qtys(plan))).toBe(103);
    expect(plan.liquidityMaxSliceQty).toBe(10);
    expect(plan.intervalMs).toBe(27_272);
    expect(plan.adjustments).toEqual([
      { kind: 'liquidity_cap', requested: 5, used: 11, maxSliceQty: 10 },
      { kind: 'interval', requested: 60_000, used: 27_272 },
    ]);
  });

  it('changes nothing when the requested slices are under it already', () => {
    const plan = planTwapSlices({ ...base, ...cap(21) });
    expect(qtys(plan)).toEqual([21, 21, 21, 20, 20]);
    expect(plan.adjustments).toEqual([]);
  });

  it('with a user maxSliceQty, the smaller of the two sizes the slices', () => {
    const tighter = planTwapSlices({ ...base, maxSliceQty: 30, ...cap(10) });
    expect(Math.max(...qtys(tighter))).toBe(10);
    expect(tighter.adjustments.slice(0, 1)).toEqual([
      { kind: 'liquidity_cap', requested: 5, used: 11, maxSliceQty: 10 },
    ]);
    const looser = planTwapSlices({ ...base, maxSliceQty: 10, ...cap(30) });
    expect(looser.adjustments.map((a) => a.kind)).toEqual(['max_slice_qty', 'interval']);
  });

  it('never makes slices closer than its minimum interval: then they exceed the cap, and the plan says so', () => {
    // 103 lots at a cap of 1 would be 103 slices; 5 minutes hold 300 a second apart, 10 at 30 s.
    const plan = planTwapSlices({ ...base, ...cap(1, 30_000) });
    expect(plan.totalSlices).toBe(10);
    expect(plan.intervalMs).toBe(30_000);
    expect(plan.adjustments).toContainEqual({ kind: 'liquidity_cap', requested: 5, used: 10, maxSliceQty: 1 });
    expect(plan.adjustments).toContainEqual({
      kind: 'liquidity_cap_overridden',
      requested: 1,
      used: 11,
      by: 'min_interval',
    });
  });

  it('is never a refusal, where a user maxSliceQty asking as much is one', () => {
    const tight = { ...base, qty: 1_000, durationMs: 100, intervalMs: 50 };
    expect(() => planTwapSlices({ ...tight, maxSliceQty: 1 })).toThrow(/maxSliceQty/);
    const plan = planTwapSlices({ ...tight, ...cap(1, 1) });
    expect(plan.totalSlices).toBe(100);
    expect(sum(qtys(plan))).toBe(1_000);
    // A minimum interval longer than the duration: the requested slices, uncapped.
    expect(planTwapSlices({ ...tight, ...cap(1, 1_000) }).totalSlices).toBe(2);
  });

  it('loses to the minimum notional, as maxSliceQty does', () => {
    // A cap of 2 lots asks for 50 slices; a 60-unit minimum at 10 ticks needs 6 lots a slice.
    const plan = planTwapSlices({ ...base, qty: 100, referencePrice: 10, instrument: grid(60), ...cap(2, 1) });
    expect(plan.totalSlices).toBe(16);
    expect(plan.adjustments).toContainEqual({
      kind: 'liquidity_cap_overridden',
      requested: 2,
      used: 7,
      by: 'min_notional',
    });
  });

  it('keeps randomized sizes under the cap', () => {
    const plan = planTwapSlices(
      { ...base, qty: 1_000, ...cap(40), randomize: { sizePct: 50, timeJitterPct: 50 } },
      new Rng(7).stream('twap/P'),
    );
    expect(sum(qtys(plan))).toBe(1_000);
    expect(Math.max(...qtys(plan))).toBeLessThanOrEqual(40);
  });
});

/** Valid specs with a liquidity cap, over small grids where every rule bites often. */
const cappedArb = fc
  .record({
    qty: fc.integer({ min: 1, max: 5_000 }),
    price: fc.integer({ min: 1, max: 1_000 }),
    instMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 20_000 })),
    durationMs: fc.integer({ min: 1, max: 3_600_000 }),
    count: fc.integer({ min: 1, max: 200 }),
    capLots: fc.integer({ min: 1, max: 3_000 }),
    minIntervalMs: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 120_000 })),
    userMax: fc.option(fc.integer({ min: 1, max: 3_000 }), { nil: undefined }),
    randomize: fc.option(
      fc.record({ sizePct: fc.integer({ min: 0, max: 50 }), timeJitterPct: fc.integer({ min: 0, max: 100 }) }),
      { nil: undefined },
    ),
    seed: fc.nat(),
  })
  .map((r) => {
    const qty = Math.max(r.qty, Math.ceil(r.instMin / r.price));
    const spec: TwapSpec = {
      ...base,
      qty,
      durationMs: Math.max(r.durationMs, r.count),
      sliceCount: r.count,
      intervalMs: undefined,
      instrument: grid(r.instMin),
      referencePrice: r.price,
      liquidityCap: { maxSliceQty: r.capLots, minIntervalMs: r.minIntervalMs },
      ...(r.userMax !== undefined ? { maxSliceQty: r.userMax } : {}),
      ...(r.randomize !== undefined ? { randomize: r.randomize } : {}),
    };
    return { spec, seed: r.seed };
  });

/** Plans, or undefined when the user's own maxSliceQty makes the plan impossible (not the cap). */
function planned(spec: TwapSpec, rng: Rng): TwapPlan | undefined {
  try {
    return planTwapSlices(spec, rng);
  } catch (err) {
    expect(String(err)).toMatch(/^TwapPlanError: maxSliceQty/);
    expect(spec.maxSliceQty).toBeDefined();
    return undefined;
  }
}

describe('planTwapSlices: the liquidity cap, for any parent and cap', () => {
  it('sums to the parent; no slice exceeds the cap unless the plan says what forced it, and that holds', () => {
    fc.assert(
      fc.property(cappedArb, ({ spec, seed }) => {
        const plan = planned(spec, new Rng(seed).stream('twap/P'));
        if (plan === undefined) return;
        const c = spec.liquidityCap!;
        // Checked for every case: expect is called only on a mismatch.
        expectIs(sum(qtys(plan)), spec.qty);
        const wholeLots = plan.slices.every((s) => Number.isSafeInteger(s.qty) && s.qty >= 1);
        expectIs(wholeLots, true);
        if (!(plan.totalSlices <= MAX_TWAP_SLICES)) expect(plan.totalSlices).toBeLessThanOrEqual(MAX_TWAP_SLICES);
        const over = plan.adjustments.find((a) => a.kind === 'liquidity_cap_overridden');
        const largest = Math.max(...qtys(plan));
        if (over === undefined) {
          if (!(largest <= c.maxSliceQty)) expect(largest).toBeLessThanOrEqual(c.maxSliceQty);
          return;
        }
        // Forced: more slices than the minimum interval allows, or slices under the minimum notional.
        if (!(Object.is(over.requested, c.maxSliceQty) && Object.is(over.used, largest)))
          expect(over).toMatchObject({ requested: c.maxSliceQty, used: largest });
        if (!(largest > c.maxSliceQty)) expect(largest).toBeGreaterThan(c.maxSliceQty);
        // The count before the cap: requested, or raised by the user's own maxSliceQty.
        const before = Math.max(spec.sliceCount!, spec.maxSliceQty ? Math.ceil(spec.qty / spec.maxSliceQty) : 0);
        const byInterval = Math.max(before, Math.floor(spec.durationMs / c.minIntervalMs));
        const min = Math.max(spec.instrument.minNotionalUnits, spec.minSliceNotionalUnits ?? 0);
        const byNotional = Math.max(1, Math.floor(spec.qty / Math.max(1, Math.ceil(min / spec.referencePrice))));
        if (over.kind === 'liquidity_cap_overridden' && over.by === 'min_interval') {
          if (!(plan.totalSlices <= byInterval)) expect(plan.totalSlices).toBeLessThanOrEqual(byInterval);
        } else expectIs(plan.totalSlices, byNotional);
        // One more slice would break what forced it.
        const uncapped = Math.ceil(spec.qty / c.maxSliceQty);
        if (!(uncapped > plan.totalSlices)) expect(uncapped).toBeGreaterThan(plan.totalSlices);
      }),
      { numRuns: 400 },
    );
  });

  it('re-planned after a restart from the stored cap, every slice not yet sent keeps its client order id and size', () => {
    fc.assert(
      fc.property(
        cappedArb,
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.nat(),
        ({ spec, seed }, advThen, advNow, pctScaled, sent) => {
          const pct = pctScaled / 10_000;
          const minIntervalMs = spec.liquidityCap!.minIntervalMs;
          const reading = (advLots: number, readAt: number) => ({
            symbol: 'SYM',
            advLots,
            days: 20,
            source: 'x',
            readAt,
          });
          // The first process plans with the volume it read, and stores the cap with the plan.
          const stored = plannedCap(liquidityCapOf(reading(advThen, 1), pct), minIntervalMs);
          const first = planned({ ...spec, liquidityCap: twapCapOf(stored) }, new Rng(seed).stream('twap/P'));
          if (first === undefined) return;
          const key = twapParentKey('P', { ...spec, liquidityCap: twapCapOf(stored) });
          // The log keeps it as canonical JSON; a restarted process reads it back...
          const back = JSON.parse(canonicalJson({ kind: 'TwapPlanned', liquidityCap: stored }))
            .liquidityCap as PlannedLiquidityCap;
          // Checked for every case: expect is called only on a mismatch.
          expectEqual(back, stored);
          // ...while the venue's volume has moved on: the stored cap, not a fresh one, re-plans.
          const fresh = plannedCap(liquidityCapOf(reading(advNow, 2), pct), minIntervalMs);
          const again = planned({ ...spec, liquidityCap: twapCapOf(back) }, new Rng(seed).stream('twap/P'));
          const keyAgain = twapParentKey('P', { ...spec, liquidityCap: twapCapOf(fresh) });
          if (again === undefined) expect(again).toBeDefined();
          expectEqual(keyAgain, key); // the cap is no part of a slice's id: the sizes must agree
          const from = sent % (first.totalSlices + 1);
          const rest = (plan: TwapPlan) =>
            plan.slices.slice(from).map((s) => ({
              id: twapClientOrderId(key, s.sliceNum, 36),
              qty: s.qty,
              at: s.scheduledTime,
            }));
          expectEqual(rest(again!), rest(first));
          expectIs(again!.totalSlices, first.totalSlices);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a fresh volume would have re-planned other sizes under the same ids: why the cap is stored', () => {
    const at = (advLots: number, readAt: number) =>
      plannedCap(liquidityCapOf({ symbol: 'SYM', advLots, days: 20, source: 'x', readAt }, 1), 1);
    const first = planTwapSlices({ ...base, liquidityCap: twapCapOf(at(2_000, 1)) });
    const wrong = planTwapSlices({ ...base, liquidityCap: twapCapOf(at(900, 2)) });
    expect(qtys(first)).toEqual([18, 17, 17, 17, 17, 17]);
    expect(qtys(wrong)).toEqual([9, 9, 9, 9, 9, 9, 9, 8, 8, 8, 8, 8]);
    // Slice 2 keeps its id and changes its size, and slices 7 to 12 are new ids: sent on top of
    // what the first plan sent, they would overfill the parent.
    expect(wrong.slices[1]!.qty).not.toBe(first.slices[1]!.qty);
    expect(wrong.totalSlices).toBeGreaterThan(first.totalSlices);
  });
});
