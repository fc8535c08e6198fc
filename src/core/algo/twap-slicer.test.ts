import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { Rng } from '../clock/rng.ts';
import { deriveClientOrderId } from '../model/client-order-id.ts';
import { makeInstrument, type Instrument } from '../model/instrument.ts';
import { ALPACA_EQUITIES } from '../venues/alpaca-equities.ts';
import { BINANCE_SPOT } from '../venues/binance-spot.ts';
import { isValidClientId } from '../venues/index.ts';
import { twapClientOrderId, twapParentKey } from './twap-client-order-id.ts';
import { planTwapSlices, TwapPlanError, type TwapPlan, type TwapSpec } from './twap-slicer.ts';

const RUNS = { numRuns: 300 };
/** An integer grid (tick 1, lot 1) so notional units read as price x lots. */
const grid = (minNotional: number): Instrument =>
  makeInstrument({ symbol: 'SYM', tickSize: '1', lotSize: '1', minNotional: String(minNotional) });
const BTCUSDT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

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

/** Valid specs over small integer grids, where every rule bites often. */
const specArb = (randomized: boolean): fc.Arbitrary<{ spec: TwapSpec; seed: number }> =>
  fc
    .record({
      side: fc.constantFrom('buy' as const, 'sell' as const),
      qty: fc.integer({ min: 1, max: 5_000 }),
      price: fc.integer({ min: 1, max: 1_000 }),
      instMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 100_000 })),
      extraMin: fc.option(fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 500_000 })), {
        nil: undefined,
      }),
      maxSliceQty: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }),
      durationMs: fc.integer({ min: 1, max: 3_600_000 }),
      byCount: fc.boolean(),
      count: fc.integer({ min: 1, max: 400 }),
      intervalShare: fc.double({ min: 0, max: 1, noNaN: true }),
      startTime: fc.integer({ min: 0, max: 2_000_000_000_000 }),
      sizePct: fc.double({ min: 0, max: 50, noNaN: true }),
      timeJitterPct: fc.double({ min: 0, max: 100, noNaN: true }),
      seed: fc.nat(),
    })
    .map((r) => {
      const qty = Math.max(r.qty, Math.ceil(r.instMin / r.price)); // the whole order clears the venue minimum
      const durationMs = Math.max(r.durationMs, r.count);
      const spec: TwapSpec = {
        side: r.side,
        qty,
        startTime: r.startTime,
        durationMs,
        instrument: grid(r.instMin),
        referencePrice: r.price,
        childType: 'market',
        ...(r.byCount
          ? { sliceCount: r.count }
          : { intervalMs: Math.max(1, Math.floor(durationMs * r.intervalShare)) }),
        ...(r.extraMin !== undefined ? { minSliceNotionalUnits: r.extraMin } : {}),
        ...(r.maxSliceQty !== undefined ? { maxSliceQty: r.maxSliceQty } : {}),
        ...(randomized ? { randomize: { sizePct: r.sizePct, timeJitterPct: r.timeJitterPct } } : {}),
      };
      return { spec, seed: r.seed };
    });

/**
 * Plans the spec, or checks that the one refusal a generated spec can meet is right: maxSliceQty
 * asking for more slices than the duration holds 1 ms apart (after the minimum notional's cap).
 */
function planOrRefused(spec: TwapSpec, rng?: Rng): TwapPlan | undefined {
  try {
    return planTwapSlices(spec, rng);
  } catch (e) {
    expect(e).toBeInstanceOf(TwapPlanError);
    expect((e as TwapPlanError).field).toBe('maxSliceQty');
    const min = Math.max(spec.instrument.minNotionalUnits, spec.minSliceNotionalUnits ?? 0);
    const cap = Math.max(1, Math.floor(spec.qty / Math.max(1, Math.ceil(min / spec.referencePrice))));
    expect(Math.min(Math.ceil(spec.qty / spec.maxSliceQty!), cap)).toBeGreaterThan(spec.durationMs);
    return undefined;
  }
}

/** The invariants every plan keeps, randomized or not: the list of those it breaks. */
function violations(spec: TwapSpec, plan: TwapPlan): string[] {
  const out: string[] = [];
  const min = Math.max(spec.instrument.minNotionalUnits, spec.minSliceNotionalUnits ?? 0);
  const n = plan.totalSlices;
  if (n !== plan.slices.length || n < 1) out.push(`totalSlices ${n} vs ${plan.slices.length} slices`);
  if (sum(qtys(plan)) !== spec.qty) out.push(`sum ${sum(qtys(plan))} != ${spec.qty}`);
  // Never under the venue's own minimum, even as the single whole order.
  if (spec.qty * spec.referencePrice < spec.instrument.minNotionalUnits)
    out.push('whole order under the venue minimum');
  if (plan.intervalMs < 1 || n * plan.intervalMs > spec.durationMs)
    out.push(`interval ${plan.intervalMs} x ${n} outside ${spec.durationMs} ms`);
  const overridden = plan.adjustments.some((a) => a.kind === 'max_slice_qty_overridden');
  plan.slices.forEach((s, i) => {
    if (!Number.isSafeInteger(s.qty) || s.qty < 1) out.push(`slice ${i + 1}: ${s.qty} lots`);
    // No slice under the minimum notional unless it is the single whole order.
    if (n > 1 && s.qty * spec.referencePrice < min) out.push(`slice ${i + 1}: ${s.qty} lots under the minimum`);
    // maxSliceQty holds unless the plan says the minimum notional overrode it.
    if (spec.maxSliceQty !== undefined && !overridden && s.qty > spec.maxSliceQty)
      out.push(`slice ${i + 1}: over maxSliceQty`);
    if (s.sliceNum !== i + 1) out.push(`slice ${i + 1}: numbered ${s.sliceNum}`);
    const from = spec.startTime + i * plan.intervalMs;
    if (s.scheduledTime < from || s.scheduledTime >= from + plan.intervalMs)
      out.push(`slice ${i + 1}: time outside its interval`);
    if (i > 0 && s.scheduledTime <= plan.slices[i - 1]!.scheduledTime) out.push(`slice ${i + 1}: out of order`);
  });
  // Fewer slices only when one more would put a slice under the minimum.
  if (plan.adjustments.some((a) => a.kind === 'min_notional' || a.kind === 'lot_size')) {
    if (Math.floor(spec.qty / (n + 1)) * spec.referencePrice >= min && n !== spec.qty)
      out.push(`${n} slices, ${n + 1} would do`);
  }
  return out;
}

describe('planTwapSlices: even plans', () => {
  it('103 lots over 5 slices: 21, 21, 21, 20, 20 at start + i x interval', () => {
    const plan = planTwapSlices(base);
    expect(qtys(plan)).toEqual([21, 21, 21, 20, 20]);
    expect(plan.slices.map((s) => s.scheduledTime - base.startTime)).toEqual([0, 60_000, 120_000, 180_000, 240_000]);
    expect(plan).toMatchObject({ totalSlices: 5, intervalMs: 60_000, childType: 'market', adjustments: [] });
    expect(planTwapSlices({ ...base, intervalMs: undefined, sliceCount: 5 })).toEqual(plan);
  });

  it('always sums to the parent in whole lots, keeps every minimum, and is deterministic', () => {
    fc.assert(
      fc.property(specArb(false), ({ spec }) => {
        const plan = planOrRefused(spec);
        if (plan === undefined) return;
        // Checked for every case, on plans of up to thousands of slices: expect is called only on a mismatch.
        expectEqual(violations(spec, plan), []);
        const onGrid = plan.slices.every((s, i) => s.scheduledTime === spec.startTime + i * plan.intervalMs);
        expectIs(onGrid, true);
        // Front-loaded: sizes never grow and differ by at most one lot.
        const q = qtys(plan);
        const neverGrows = q.every((x, i) => i === 0 || x <= q[i - 1]!);
        expectIs(neverGrows, true);
        const spread = q[0]! - q[q.length - 1]!;
        if (!(spread <= 1)) expect(spread).toBeLessThanOrEqual(1);
        expectEqual(planTwapSlices(spec), plan);
      }),
      RUNS,
    );
  });

  it('the minimum-notional reduction: 0.005 BTC at 42,000 with a 50 USDT floor is 4 slices of 52.50, not 5 of 42', () => {
    const plan = planTwapSlices({
      ...base,
      qty: 500,
      instrument: BTCUSDT,
      referencePrice: 4_200_000,
      minSliceNotionalUnits: 500_000_000,
      intervalMs: undefined,
      sliceCount: 5,
    });
    expect(qtys(plan)).toEqual([125, 125, 125, 125]);
    expect(plan.intervalMs).toBe(75_000); // the 4 slices still span the 5 minutes
    expect(plan.adjustments).toEqual([
      { kind: 'min_notional', requested: 5, used: 4, minSliceLots: 120 },
      { kind: 'interval', requested: 60_000, used: 75_000 },
    ]);
  });

  it('counts in whole lots where the float formula leaves a slice under the minimum', () => {
    // Float formula: floor(10 x 2 / 5) = 4 slices -> 3, 3, 2, 2 lots, and 2 lots are worth 4 < 5.
    const plan = planTwapSlices({
      ...base,
      qty: 10,
      referencePrice: 2,
      instrument: grid(5),
      intervalMs: undefined,
      sliceCount: 10,
    });
    expect(qtys(plan)).toEqual([4, 3, 3]);
  });

  it('under only the extra floor, the whole order is one slice; under the venue minimum it is refused', () => {
    const plan = planTwapSlices({
      ...base,
      qty: 3,
      referencePrice: 10,
      instrument: grid(20),
      minSliceNotionalUnits: 50,
    });
    expect(plan.slices).toEqual([{ sliceNum: 1, qty: 3, scheduledTime: base.startTime }]);
    expect(plan.adjustments[0]).toEqual({ kind: 'min_notional', requested: 5, used: 1, minSliceLots: 5 });
    expect(() => planTwapSlices({ ...base, qty: 1, referencePrice: 10, instrument: grid(20) })).toThrow(
      "qty: too few lots for one slice: 1 lots at 10 ticks is under the instrument's minimum notional of 20 units (2 lots)",
    );
  });

  it('more slices than lots: one lot each', () => {
    const plan = planTwapSlices({ ...base, qty: 3, intervalMs: undefined, sliceCount: 10 });
    expect(qtys(plan)).toEqual([1, 1, 1]);
    expect(plan.adjustments[0]).toEqual({ kind: 'lot_size', requested: 10, used: 3 });
  });
});

describe('planTwapSlices: maxSliceQty', () => {
  it('makes more, smaller slices and shrinks the interval to fit the duration', () => {
    const plan = planTwapSlices({ ...base, qty: 100, maxSliceQty: 9 });
    expect(plan.totalSlices).toBe(12);
    expect(qtys(plan)).toEqual([9, 9, 9, 9, 8, 8, 8, 8, 8, 8, 8, 8]);
    expect(plan.intervalMs).toBe(25_000);
    expect(plan.maxSliceQty).toBe(9);
    expect(plan.adjustments).toEqual([
      { kind: 'max_slice_qty', requested: 5, used: 12 },
      { kind: 'interval', requested: 60_000, used: 25_000 },
    ]);
  });

  it('loses to the minimum notional: a venue refuses a slice under it, a big slice only costs impact', () => {
    // maxSliceQty 2 asks for 50 slices; at 10 ticks a 60-unit minimum needs 6 lots, so 16 slices.
    const plan = planTwapSlices({ ...base, qty: 100, referencePrice: 10, instrument: grid(60), maxSliceQty: 2 });
    expect(plan.totalSlices).toBe(16);
    expect(Math.min(...qtys(plan))).toBe(6);
    expect(plan.adjustments).toEqual([
      { kind: 'max_slice_qty', requested: 5, used: 50 },
      { kind: 'min_notional', requested: 50, used: 16, minSliceLots: 6 },
      { kind: 'interval', requested: 60_000, used: 18_750 },
      { kind: 'max_slice_qty_overridden', requested: 2, used: 7 },
    ]);
  });

  it('refuses more slices than the duration holds 1 ms apart', () => {
    expect(() => planTwapSlices({ ...base, qty: 1_000, durationMs: 100, intervalMs: 50, maxSliceQty: 1 })).toThrow(
      new TwapPlanError('maxSliceQty', 'gives 1000 slices, more than durationMs 100 holds 1 ms apart'),
    );
  });
});

describe('planTwapSlices: randomized', () => {
  it('keeps the total, whole lots, the minimums, and stays in order inside each interval', () => {
    fc.assert(
      fc.property(specArb(true), ({ spec, seed }) => {
        const rng = new Rng(seed).stream('twap/P1');
        const plan = planOrRefused(spec, rng);
        if (plan === undefined) return;
        // Checked for every case, on plans of up to thousands of slices: expect is called only on a mismatch.
        expectEqual(violations(spec, plan), []);
        expectEqual(planTwapSlices(spec, rng), plan); // pure: the rng's own state is not used
        expectEqual(planTwapSlices(spec, new Rng(seed).stream('twap/P1')), plan);
        // Every size within +/- sizePct of its even size, unless a minimum or the cap moved the bound.
        const even = qtys(planTwapSlices({ ...spec, randomize: undefined }));
        const pct = spec.randomize!.sizePct;
        const outside = plan.slices.filter((s, i) => {
          const e = even[i]!;
          const d = Math.floor((e * pct) / 100);
          return s.qty > e + d || s.qty < e - d;
        });
        expectEqual(outside, []);
      }),
      RUNS,
    );
  });

  it('varies sizes and times, and draws sizes and times from separate streams', () => {
    const spec: TwapSpec = {
      ...base,
      qty: 10_000,
      intervalMs: undefined,
      sliceCount: 100,
      randomize: { sizePct: 20, timeJitterPct: 80 },
    };
    const plan = planTwapSlices(spec, new Rng(7));
    expect(new Set(qtys(plan)).size).toBeGreaterThan(10);
    expect(plan.slices.some((s, i) => s.scheduledTime !== spec.startTime + i * plan.intervalMs)).toBe(true);
    expect(planTwapSlices(spec, new Rng(8))).not.toEqual(plan);
    const sizesOnly = planTwapSlices({ ...spec, randomize: { sizePct: 20, timeJitterPct: 0 } }, new Rng(7));
    expect(qtys(sizesOnly)).toEqual(qtys(plan));
    const timesOnly = planTwapSlices({ ...spec, randomize: { sizePct: 0, timeJitterPct: 80 } }, new Rng(7));
    expect(timesOnly.slices.map((s) => s.scheduledTime)).toEqual(plan.slices.map((s) => s.scheduledTime));
    expect(qtys(timesOnly)).toEqual(qtys(planTwapSlices({ ...spec, randomize: undefined })));
  });

  it('moves a time by at most timeJitterPct of the interval', () => {
    const spec: TwapSpec = {
      ...base,
      qty: 1_000,
      intervalMs: 1_000,
      durationMs: 100_000,
      randomize: { sizePct: 0, timeJitterPct: 25 },
    };
    const plan = planTwapSlices(spec, new Rng(3));
    plan.slices.forEach((s, i) => expect(s.scheduledTime - (spec.startTime + i * 1_000)).toBeLessThanOrEqual(250));
  });
});

describe('planTwapSlices: child types', () => {
  it('records the child type and its offsets', () => {
    expect(planTwapSlices({ ...base, childType: 'limit', limitOffsetTicks: -2 })).toMatchObject({
      childType: 'limit',
      limitOffsetTicks: -2,
    });
    const stopLimit = planTwapSlices({ ...base, childType: 'stop_limit', limitOffsetTicks: 3, stopOffsetTicks: 5 });
    expect(stopLimit).toMatchObject({ childType: 'stop_limit', limitOffsetTicks: 3, stopOffsetTicks: 5 });
    expect(planTwapSlices({ ...base, childType: 'stop', stopOffsetTicks: 1 })).not.toHaveProperty('limitOffsetTicks');
  });
});

describe('planTwapSlices: invalid input names the field and the problem', () => {
  const cases: Array<[string, Record<string, unknown>, string, boolean?]> = [
    ['quantity zero', { qty: 0 }, 'qty: must be positive, got 0'],
    ['quantity negative', { qty: -5 }, 'qty: must be positive, got -5'],
    ['quantity fractional', { qty: 1.5 }, 'qty: must be a whole number of lots, got 1.5'],
    ['quantity NaN', { qty: Number.NaN }, 'qty: must be a whole number of lots, got NaN'],
    ['side', { side: 'long' }, 'side: must be buy or sell, got long'],
    ['startTime fractional', { startTime: 0.5 }, 'startTime: must be a whole number of ms, got 0.5'],
    ['startTime negative', { startTime: -1 }, 'startTime: must not be negative, got -1'],
    ['duration zero', { durationMs: 0 }, 'durationMs: must be positive, got 0'],
    [
      'duration past 366 days',
      { durationMs: 366 * 86_400_000 + 1 },
      'durationMs: 31622400001 ms is longer than a TWAP may run (31622400000 ms, 366 days)',
    ],
    [
      'duration shorter than the interval',
      { durationMs: 30_000 },
      'durationMs: 30000 ms is shorter than the interval of 60000 ms',
    ],
    [
      'duration shorter than the slices',
      { durationMs: 3, intervalMs: undefined, sliceCount: 5 },
      'durationMs: 3 ms is shorter than the interval of 5 slices at 1 ms each',
    ],
    ['both interval and count', { sliceCount: 5 }, 'intervalMs, sliceCount: give exactly one of them, got both'],
    [
      'neither interval nor count',
      { intervalMs: undefined },
      'intervalMs, sliceCount: give exactly one of them, got neither',
    ],
    ['interval zero', { intervalMs: 0 }, 'intervalMs: must be positive, got 0'],
    ['interval fractional', { intervalMs: 1.5 }, 'intervalMs: must be a whole number of ms, got 1.5'],
    ['sliceCount zero', { intervalMs: undefined, sliceCount: 0 }, 'sliceCount: must be at least 1, got 0'],
    [
      'sliceCount fractional',
      { intervalMs: undefined, sliceCount: 2.5 },
      'sliceCount: must be a whole number of slices, got 2.5',
    ],
    ['reference price zero', { referencePrice: 0 }, 'referencePrice: must be positive, got 0'],
    [
      'reference price fractional',
      { referencePrice: 100.5 },
      'referencePrice: must be a whole number of ticks, got 100.5',
    ],
    ['extra floor negative', { minSliceNotionalUnits: -1 }, 'minSliceNotionalUnits: must not be negative, got -1'],
    ['maxSliceQty zero', { maxSliceQty: 0 }, 'maxSliceQty: must be positive, got 0'],
    ['maxSliceQty fractional', { maxSliceQty: 0.5 }, 'maxSliceQty: must be a whole number of lots, got 0.5'],
    [
      'too few lots for one slice',
      { qty: 4, instrument: grid(500) },
      "qty: too few lots for one slice: 4 lots at 100 ticks is under the instrument's minimum notional of 500 units (5 lots)",
    ],
    [
      'unknown order type',
      { childType: 'iceberg' },
      'childType: unknown order type "iceberg" (expected market, limit, stop, stop_limit)',
    ],
    ['limit without offset', { childType: 'limit' }, 'limitOffsetTicks: is required for limit children'],
    [
      'stop-limit without limit offset',
      { childType: 'stop_limit', stopOffsetTicks: 2 },
      'limitOffsetTicks: is required for stop_limit children',
    ],
    ['stop without offset', { childType: 'stop' }, 'stopOffsetTicks: is required for stop children'],
    ['offset on a market child', { limitOffsetTicks: 1 }, 'limitOffsetTicks: does not apply to market children'],
    [
      'stop offset on a limit child',
      { childType: 'limit', limitOffsetTicks: 1, stopOffsetTicks: 1 },
      'stopOffsetTicks: does not apply to limit children',
    ],
    [
      'limit offset fractional',
      { childType: 'limit', limitOffsetTicks: 0.5 },
      'limitOffsetTicks: must be a whole number of ticks, got 0.5',
    ],
    ['stop offset zero', { childType: 'stop', stopOffsetTicks: 0 }, 'stopOffsetTicks: must be positive, got 0'],
    [
      'size percent too high',
      { randomize: { sizePct: 51, timeJitterPct: 0 } },
      'randomize.sizePct: must be a percentage from 0 to 50, got 51',
      true,
    ],
    [
      'size percent negative',
      { randomize: { sizePct: -1, timeJitterPct: 0 } },
      'randomize.sizePct: must be a percentage from 0 to 50, got -1',
      true,
    ],
    [
      'jitter percent too high',
      { randomize: { sizePct: 0, timeJitterPct: 101 } },
      'randomize.timeJitterPct: must be a percentage from 0 to 100, got 101',
      true,
    ],
    [
      'jitter percent NaN',
      { randomize: { sizePct: 0, timeJitterPct: Number.NaN } },
      'randomize.timeJitterPct: must be a percentage from 0 to 100, got NaN',
      true,
    ],
    ['randomize without rng', { randomize: { sizePct: 10, timeJitterPct: 10 } }, 'rng: randomize needs a seeded Rng'],
    [
      'too many slices',
      { qty: 2_000_000, durationMs: 3_000_000, intervalMs: 1 },
      'intervalMs: gives 2000000 slices, more than the 1000000 a plan may have',
    ],
  ];
  it.each(cases)('%s', (_name, change, message, withRng) => {
    const spec = { ...base, ...change } as TwapSpec;
    const run = (): TwapPlan => planTwapSlices(spec, withRng ? new Rng(1) : undefined);
    expect(run).toThrow(TwapPlanError);
    expect(run).toThrow(message);
    try {
      run();
    } catch (e) {
      expect((e as TwapPlanError).message).toBe(message);
      expect(message.startsWith(`${(e as TwapPlanError).field}: `)).toBe(true);
    }
  });
});

describe('twapClientOrderId', () => {
  const spec: TwapSpec = { ...base, qty: 1_000, intervalMs: undefined, sliceCount: 50 };

  it('is stable across calls and restarts, unique across slices, and within each venue limit', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40, size: 'max' }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom(BINANCE_SPOT, ALPACA_EQUITIES),
        (parentId, slices, venue) => {
          const plan = planTwapSlices({ ...spec, sliceCount: slices });
          const ids = plan.slices.map((s) =>
            twapClientOrderId(twapParentKey(parentId, spec), s.sliceNum, venue.clientIdMaxLength),
          );
          // Checked for every id of every case: expect is called only on a mismatch.
          expectIs(new Set(ids).size, ids.length);
          for (const id of ids) {
            if (!(id.length <= venue.clientIdMaxLength)) expect(id.length).toBeLessThanOrEqual(venue.clientIdMaxLength);
            expectIs(isValidClientId(venue, id), true);
          }
          // A "restart": a fresh key from the same stored parameters.
          const again = plan.slices.map((s) =>
            twapClientOrderId(twapParentKey(parentId, { ...spec }), s.sliceNum, venue.clientIdMaxLength),
          );
          expectEqual(again, ids);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("depends on the parent's chosen parameters and trade date, not on the market-derived ones", () => {
    const id = (s: TwapSpec, parentId = 'P1'): string => twapClientOrderId(twapParentKey(parentId, s), 3, 36);
    expect(id(spec)).toMatch(/^x[0-9a-f]{32}$/);
    expect(id(spec, 'P2')).not.toBe(id(spec));
    expect(id({ ...spec, durationMs: 600_000 })).not.toBe(id(spec));
    expect(id({ ...spec, childType: 'limit', limitOffsetTicks: 1 })).not.toBe(id(spec));
    expect(id({ ...spec, startTime: spec.startTime + 86_400_000 })).not.toBe(id(spec));
    expect(id({ ...spec, referencePrice: 101, maxSliceQty: 7 })).toBe(id(spec));
    expect(twapParentKey('P1', spec).tradeDate).toBe('2024-08-09');
  });

  it('leaves the ids derived without params as they were', () => {
    const inputs = { parentId: 'P1', symbol: 'SYM', side: 'buy', qty: 5, tradeDate: '2024-08-07', sliceNum: 1 };
    // sha256("P1|SYM|buy|5|2024-08-07|1"), the pre-TWAP derivation.
    expect(deriveClientOrderId(inputs, 36)).toBe('x161ef9041605bf2c468525120f5f4776');
    expect(deriveClientOrderId(inputs, 36)).not.toBe(deriveClientOrderId({ ...inputs, params: 'x' }, 36));
  });

  it('refuses a slice number that is not a positive whole number', () => {
    expect(() => twapClientOrderId(twapParentKey('P1', spec), 0, 36)).toThrow('sliceNum: must be at least 1, got 0');
  });
});
