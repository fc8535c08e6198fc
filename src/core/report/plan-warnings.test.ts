// Plan warnings: every change the TWAP planner makes to what was asked is a warning with what was
// asked, what was planned and why; a plan that keeps what was asked has none.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planTwapSlices, type TwapPlan, type TwapSpec } from '../algo/twap-slicer.ts';
import type { TwapPlanned } from '../model/events.ts';
import { parentOrderId } from '../model/ids.ts';
import { makeInstrument, type Instrument } from '../model/instrument.ts';
import { isoDuration, planWarnings, planWarningsLines } from './plan-warnings.ts';

const BTCUSDT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
const DAY = 86_400_000;

/** The TwapPlanned event the engine logs for `plan` (parent-start.ts), with what warnings read. */
function logged(plan: TwapPlan, over: Partial<TwapPlanned> = {}): TwapPlanned {
  return {
    kind: 'TwapPlanned',
    parentId: parentOrderId('P1'),
    childType: plan.childType,
    intervalMs: plan.intervalMs,
    durationMs: plan.durationMs,
    unfilledPolicy: 'carry',
    limitOffsetTicks: null,
    adjustments: plan.adjustments.map((a) => JSON.stringify(a)),
    minNotionalUnits: plan.minNotionalUnits,
    referencePrice: plan.referencePrice,
    ...over,
  };
}

const spec = (over: Partial<TwapSpec>, instrument: Instrument = BTCUSDT): TwapSpec => ({
  side: 'buy',
  qty: 22_222,
  startTime: 1_723_161_600_000,
  durationMs: 30_000_000,
  instrument,
  referencePrice: 100_000_000, // 1,000,000.00: one lot is worth 10, above the 5 minimum
  childType: 'market',
  sliceCount: 30_000,
  ...over,
});

describe('plan warnings', () => {
  it('30,000 slices asked of 22,222 lots: the count and the interval it changed, with why', () => {
    const plan = planTwapSlices(spec({}));
    expect(plan.totalSlices).toBe(22_222);
    const warnings = planWarnings('P1', logged(plan), BTCUSDT);
    expect(warnings).toEqual([
      {
        kind: 'twap_slices',
        parent: 'P1',
        asked: '30000 slices',
        planned: '22222 slices',
        why: 'lowered to one lot of 0.00001 a slice at least: the order has 22222 lots',
      },
      {
        kind: 'twap_interval',
        parent: 'P1',
        asked: 'PT1S',
        planned: 'PT1.35S',
        why: 'the changed number of slices still spans the duration, PT8H20M',
      },
    ]);
    expect(planWarningsLines(warnings)).toEqual([
      '    warning: the plan changed what was asked: 30000 slices asked, 22222 slices planned: lowered to one lot of ' +
        '0.00001 a slice at least: the order has 22222 lots; interval PT1S asked, PT1.35S planned: the changed number ' +
        'of slices still spans the duration, PT8H20M',
    ]);
  });

  it('the minimum notional lowers the count, and wins over maxSliceQty', () => {
    // At 60,000.00 a lot is worth 0.6: a slice needs 9 lots (5.4) to reach the 5 minimum.
    const plan = planTwapSlices(spec({ qty: 90, sliceCount: 30, referencePrice: 6_000_000, maxSliceQty: 2 }));
    expect(planWarnings('P1', logged(plan), BTCUSDT)).toEqual([
      {
        kind: 'twap_slices',
        parent: 'P1',
        asked: '30 slices',
        planned: '45 slices',
        why: 'raised so that no slice is larger than maxSliceQty',
      },
      {
        kind: 'twap_slices',
        parent: 'P1',
        asked: '45 slices',
        planned: '10 slices',
        why: 'lowered so that every slice is worth the minimum notional of 5 at the price 60000: at least 0.00009 a slice',
      },
      {
        kind: 'twap_interval',
        parent: 'P1',
        asked: 'PT16M40S',
        planned: 'PT50M',
        why: 'the changed number of slices still spans the duration, PT8H20M',
      },
      {
        kind: 'twap_slice_size',
        parent: 'P1',
        asked: 'at most 0.00002 a slice',
        planned: 'up to 0.00009',
        why: 'the minimum notional wins over maxSliceQty: no slice may be worth less than it',
      },
    ]);
  });

  it('the liquidity cap raises the count, and says when the minimum interval holds it back', () => {
    const raised = planTwapSlices(
      spec({ qty: 100, sliceCount: 2, liquidityCap: { maxSliceQty: 10, minIntervalMs: 1 } }),
    );
    expect(planWarnings('P1', logged(raised), BTCUSDT).map((w) => [w.kind, w.asked, w.planned])).toEqual([
      ['twap_slices', '2 slices', '10 slices'],
      ['twap_interval', 'PT4H10M', 'PT50M'],
    ]);
    const held = planTwapSlices(
      spec({
        qty: 100,
        sliceCount: 2,
        durationMs: 4 * 60_000,
        liquidityCap: { maxSliceQty: 10, minIntervalMs: 60_000 },
      }),
    );
    const cap = {
      advLots: 1_000,
      days: null,
      pctOfAdv: 1,
      maxSliceQty: 10,
      minIntervalMs: 60_000,
      source: 'scenario',
      readAt: 0,
    };
    expect(planWarnings('P1', logged(held, { liquidityCap: cap }), BTCUSDT).at(-1)).toEqual({
      kind: 'twap_slice_size',
      parent: 'P1',
      asked: 'at most 0.0001 a slice, the liquidity cap',
      planned: 'up to 0.00025',
      why: "the cap needs more slices than the duration holds PT1M apart, the liquidity's minimum interval",
    });
  });

  it('none for a plan that keeps what was asked; a change it does not know is said as logged', () => {
    const plan = planTwapSlices(spec({ qty: 300, sliceCount: 3 }));
    expect(plan.adjustments).toEqual([]);
    expect(planWarnings('P1', logged(plan), BTCUSDT)).toEqual([]);
    const odd = logged(plan, { adjustments: ['{"kind":"from_the_future","requested":1,"used":2}', 'not json'] });
    expect(planWarnings('P1', odd, BTCUSDT).map((w) => w.why)).toEqual([
      '{"kind":"from_the_future","requested":1,"used":2}',
      'not json',
    ]);
  });

  it('writes durations as scenario files do', () => {
    expect([0, 1, 1_350, 90_000, 30_000_000, 30 * DAY, DAY + 3_723_004].map(isoDuration)).toEqual([
      'PT0S',
      'PT0.001S',
      'PT1.35S',
      'PT1M30S',
      'PT8H20M',
      'P30D',
      'P1DT1H2M3.004S',
    ]);
  });

  it('property: a changed count, interval or largest slice is always a warning, and nothing else is', () => {
    const grid = (minNotional: number): Instrument =>
      makeInstrument({ symbol: 'SYM', tickSize: '1', lotSize: '1', minNotional: String(minNotional) });
    const arb = fc.record({
      qty: fc.integer({ min: 1, max: 5_000 }),
      price: fc.integer({ min: 1, max: 1_000 }),
      instMin: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
      maxSliceQty: fc.option(fc.integer({ min: 1, max: 2_000 }), { nil: undefined }),
      cap: fc.option(
        fc.record({
          maxSliceQty: fc.integer({ min: 1, max: 500 }),
          minIntervalMs: fc.integer({ min: 1, max: 60_000 }),
        }),
        {
          nil: undefined,
        },
      ),
      durationMs: fc.integer({ min: 400, max: 3_600_000 }),
      byCount: fc.boolean(),
      count: fc.integer({ min: 1, max: 400 }),
      intervalShare: fc.double({ min: 0, max: 1, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, (r) => {
        const instrument = grid(r.instMin);
        const s: TwapSpec = {
          side: 'buy',
          qty: Math.max(r.qty, Math.ceil(r.instMin / r.price)),
          startTime: 0,
          durationMs: r.durationMs,
          instrument,
          referencePrice: r.price,
          childType: 'market',
          ...(r.byCount
            ? { sliceCount: r.count }
            : { intervalMs: Math.max(1, Math.floor(r.durationMs * r.intervalShare)) }),
          maxSliceQty: r.maxSliceQty,
          liquidityCap: r.cap,
        };
        let plan: TwapPlan;
        try {
          plan = planTwapSlices(s);
        } catch {
          return; // refused: no plan, no warnings (the refusal is the run report's rejectedParents)
        }
        const warnings = planWarnings('P1', logged(plan), instrument);
        const askedCount = s.sliceCount ?? Math.floor(s.durationMs / (s.intervalMs as number));
        const askedInterval = s.intervalMs ?? Math.floor(s.durationMs / askedCount);
        const counts = warnings.filter((w) => w.kind === 'twap_slices');
        if (plan.totalSlices === askedCount && counts.length === 0) {
          // kept
        } else {
          // A chain of changes from what was asked to what was planned.
          expect(counts[0]?.asked).toBe(`${askedCount} slice${askedCount === 1 ? '' : 's'}`);
          expect(counts.at(-1)?.planned).toBe(`${plan.totalSlices} slice${plan.totalSlices === 1 ? '' : 's'}`);
          counts.slice(1).forEach((w, i) => expect(w.asked).toBe(counts[i]!.planned));
        }
        const intervals = warnings.filter((w) => w.kind === 'twap_interval');
        expect(intervals).toEqual(
          plan.intervalMs === askedInterval
            ? []
            : [expect.objectContaining({ asked: isoDuration(askedInterval), planned: isoDuration(plan.intervalMs) })],
        );
        const largest = Math.max(...plan.slices.map((x) => x.qty));
        const limit = Math.min(r.maxSliceQty ?? Infinity, r.cap?.maxSliceQty ?? Infinity);
        const sizes = warnings.filter((w) => w.kind === 'twap_slice_size');
        if (largest > limit) expect(sizes.length).toBeGreaterThan(0);
        else expect(sizes).toEqual([]);
        for (const w of warnings) {
          expect(w.parent).toBe('P1');
          expect(w.why.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
  });
});
