// The TWAP plan: a pure function from a parent order's parameters to its slices (how many lots at
// what virtual time); each slice's client order id is derived in twap-client-order-id.ts. No
// clock, no I/O: the slice scheduler turns a stored plan into commands on the Clock. The rules,
// numbered in planTwapSlices, apply in order and each change is recorded in the plan's
// `adjustments`: the requested count, raised by maxSliceQty, raised by the liquidity cap (no
// closer than its minimum interval), lowered by the minimum notional in whole lots (which wins),
// the interval stretched to span the duration, the remainder front-loaded, then the seeded
// randomization.
import type { OrderType, Side } from '../model/order.ts';
import { MAX_TWAP_SLICES, TwapPlanError, validateTwapSpec } from './twap-spec-check.ts';
import type { Rng } from '../clock/rng.ts';

export { MAX_TWAP_SLICES, TwapPlanError } from './twap-spec-check.ts';

export type { TwapLiquidityCap, TwapRandomize, TwapSpec } from './twap-spec.ts';
import type { TwapRandomize, TwapSpec } from './twap-spec.ts';

export interface TwapSlice {
  /** 1-based. */
  readonly sliceNum: number;
  readonly qty: number;
  readonly scheduledTime: number;
}

/** What the planner changed and why; `requested`/`used` are slices, ms or lots by kind. */
export type TwapAdjustment =
  | { readonly kind: 'max_slice_qty'; readonly requested: number; readonly used: number }
  | { readonly kind: 'min_notional'; readonly requested: number; readonly used: number; readonly minSliceLots: number }
  | { readonly kind: 'lot_size'; readonly requested: number; readonly used: number }
  | { readonly kind: 'max_slice_qty_overridden'; readonly requested: number; readonly used: number }
  /** Slices added so that none exceeds the liquidity cap (maxSliceQty lots). */
  | { readonly kind: 'liquidity_cap'; readonly requested: number; readonly used: number; readonly maxSliceQty: number }
  /** The cap asked for more slices than its minimum interval (`min_interval`) or the minimum
   *  notional (`min_notional`) allow: `requested` the cap, `used` the largest slice. */
  | {
      readonly kind: 'liquidity_cap_overridden';
      readonly requested: number;
      readonly used: number;
      readonly by: 'min_interval' | 'min_notional';
    }
  | { readonly kind: 'interval'; readonly requested: number; readonly used: number }
  /** A trajectory's slice too small for one lot or the minimum notional (minSliceLots): its lots
   *  went to the next slice (trajectory-plan.ts); `requested`/`used` are slices. */
  | {
      readonly kind: 'trajectory_slices';
      readonly requested: number;
      readonly used: number;
      readonly minSliceLots: number;
    }
  /** A trajectory asked for a slice above the largest allowed (maxSliceQty or the liquidity cap):
   *  the excess went to later slices, or earlier ones at the end; `requested` the largest the
   *  trajectory asked, `used` the largest planned, `maxSliceQty` the limit. */
  | {
      readonly kind: 'trajectory_max_slice';
      readonly requested: number;
      readonly used: number;
      readonly maxSliceQty: number;
    }
  /** Randomized sizes do not apply to a trajectory's slices (its sizes follow the curve); the
   *  times keep their jitter. `requested` the sizePct asked. */
  | { readonly kind: 'trajectory_size_randomize'; readonly requested: number; readonly used: number };

export interface TwapPlan {
  readonly side: Side;
  readonly qty: number;
  readonly startTime: number;
  readonly durationMs: number;
  readonly totalSlices: number;
  readonly intervalMs: number;
  /** max(instrument minimum, minSliceNotionalUnits), notional units, and in lots at referencePrice. */
  readonly minNotionalUnits: number;
  readonly minSliceLots: number;
  readonly referencePrice: number;
  readonly maxSliceQty?: number;
  /** The liquidity cap's largest slice (lots), when one was given. */
  readonly liquidityMaxSliceQty?: number;
  readonly randomize?: TwapRandomize;
  readonly childType: OrderType;
  readonly limitOffsetTicks?: number;
  readonly stopOffsetTicks?: number;
  readonly slices: readonly TwapSlice[];
  readonly adjustments: readonly TwapAdjustment[];
}

/**
 * Plans a TWAP. Pure: the same spec and the same rng seed and stream name give the same plan; the
 * rng's own state is not used or advanced (sizes and times draw from its 'sizes' and 'times'
 * sub-streams). Pass a stream per parent, e.g. rng.stream(`twap/${parentId}`).
 */
export function planTwapSlices(spec: TwapSpec, rng?: Rng): TwapPlan {
  const v = validateTwapSpec(spec, rng);
  const adjustments: TwapAdjustment[] = [];
  // 1. Requested count: `sliceCount`, or floor(durationMs / intervalMs) slices `intervalMs` apart.
  const requested = v.sliceCount ?? Math.floor(v.durationMs / (v.intervalMs as number));
  const requestedInterval = v.intervalMs ?? Math.floor(v.durationMs / requested);
  let n = requested;
  // 2. `maxSliceQty` raises the count to ceil(qty / maxSliceQty).
  const needForMax = v.maxSliceQty === undefined ? 0 : ceilDiv(v.qty, v.maxSliceQty);
  if (needForMax > n) {
    adjustments.push({ kind: 'max_slice_qty', requested: n, used: needForMax });
    n = needForMax;
  }
  // 2b. The liquidity cap raises it to ceil(qty / cap), but to no more slices than the duration
  //     holds minIntervalMs apart (or the count so far, if more): a cap from volume data must not
  //     turn a parent into a burst of orders, nor refuse it (the slices then exceed the cap, and
  //     the plan says so). It never raises the count past MAX_TWAP_SLICES.
  const liq = v.liquidityCap;
  const needForLiq = liq === undefined ? 0 : ceilDiv(v.qty, liq.maxSliceQty);
  let liqLimited = false;
  if (liq !== undefined && needForLiq > n) {
    const room = Math.max(n, Math.min(MAX_TWAP_SLICES, Math.floor(v.durationMs / liq.minIntervalMs)));
    const used = Math.min(needForLiq, room);
    liqLimited = used < needForLiq;
    if (used > n) adjustments.push({ kind: 'liquidity_cap', requested: n, used, maxSliceQty: liq.maxSliceQty });
    n = used;
  }
  // 3. The minimum notional lowers it to floor(qty / minSliceLots), at least 1, where minSliceLots =
  //    ceil(max(instrument minimum, minSliceNotionalUnits) / referencePrice). This is the usual
  //    floor(total * price / min_value) done in whole lots: the float version can leave a
  //    lot-rounded slice below the minimum (10 lots at 2 ticks, minimum 5: it says 4 slices, and
  //    its 2-lot slices are worth 4); ours says 3 slices of 4, 3, 3 lots. An order below only the
  //    extra minSliceNotionalUnits floor becomes one slice of the whole order: the one slice
  //    allowed under the minimum (below the instrument's own minimum twap-spec-check.ts refuses it).
  //    Conflict with 2: the minimum notional wins. A slice below the instrument's minimum is
  //    refused by the venue, so it is never an option; a slice above maxSliceQty only costs
  //    impact. The plan then records `max_slice_qty_overridden` with the largest slice.
  const cap = Math.max(1, Math.floor(v.qty / v.minSliceLots));
  if (n > cap) {
    adjustments.push(
      v.minSliceLots > 1
        ? { kind: 'min_notional', requested: n, used: cap, minSliceLots: v.minSliceLots }
        : { kind: 'lot_size', requested: n, used: cap },
    );
    n = cap;
  }
  const field = needForMax > requested ? 'maxSliceQty' : v.sliceCount !== undefined ? 'sliceCount' : 'intervalMs';
  if (n > MAX_TWAP_SLICES)
    throw new TwapPlanError(field, `gives ${n} slices, more than the ${MAX_TWAP_SLICES} a plan may have`);
  // 4. When the count changed, the interval becomes floor(durationMs / count): the slices still
  //    span the requested duration (keeping the interval and ending early would make the horizon
  //    depend on the minimum notional: not time-weighted over what the user asked for).
  const intervalMs = n === requested ? requestedInterval : Math.floor(v.durationMs / n);
  if (intervalMs < 1)
    throw new TwapPlanError(field, `gives ${n} slices, more than durationMs ${v.durationMs} holds 1 ms apart`);
  if (intervalMs !== requestedInterval)
    adjustments.push({ kind: 'interval', requested: requestedInterval, used: intervalMs });

  const overridden = needForMax > n;
  const liqOverridden = needForLiq > n;
  // 5. Sizes: floor(qty / count) lots each, the remainder front-loaded one lot at a time (103 over
  //    5: 21, 21, 21, 20, 20). Times: startTime + i * interval.
  // 6. Randomization (seeded; needs `rng`): each size drawn within +/- sizePct of its even size,
  //    clamped to [minSliceLots, maxSliceQty], then moved back to the exact total proportionally
  //    to each slice's room; each time moved forward by up to timeJitterPct of the interval,
  //    staying in [start + i * interval, start + (i + 1) * interval), so slices stay in order.
  const sizes =
    v.randomize !== undefined && v.randomize.sizePct > 0
      ? randomSizes(
          v.qty,
          n,
          v.minSliceLots,
          Math.min(
            overridden ? Infinity : (v.maxSliceQty ?? Infinity),
            liqOverridden || liq === undefined ? Infinity : liq.maxSliceQty,
          ),
          v.randomize.sizePct,
          (rng as Rng).stream('sizes'),
        )
      : evenSizes(v.qty, n);
  const jitterPct = v.randomize?.timeJitterPct ?? 0;
  const maxJitter = Math.min(Math.floor((intervalMs * jitterPct) / 100), intervalMs - 1);
  const times = maxJitter > 0 ? (rng as Rng).stream('times') : undefined;
  const slices: TwapSlice[] = new Array<TwapSlice>(n);
  let largest = 0;
  for (let i = 0; i < n; i++) {
    const qty = sizes[i] as number;
    if (qty > largest) largest = qty;
    const jitter = times === undefined ? 0 : times.int(maxJitter + 1);
    slices[i] = { sliceNum: i + 1, qty, scheduledTime: v.startTime + i * intervalMs + jitter };
  }
  if (overridden)
    adjustments.push({ kind: 'max_slice_qty_overridden', requested: v.maxSliceQty as number, used: largest });
  if (liqOverridden && liq !== undefined)
    adjustments.push({
      kind: 'liquidity_cap_overridden',
      requested: liq.maxSliceQty,
      used: largest,
      by: liqLimited ? 'min_interval' : 'min_notional',
    });

  return {
    side: v.side,
    qty: v.qty,
    startTime: v.startTime,
    durationMs: v.durationMs,
    totalSlices: n,
    intervalMs,
    minNotionalUnits: v.minNotionalUnits,
    minSliceLots: v.minSliceLots,
    referencePrice: v.referencePrice,
    ...(v.maxSliceQty !== undefined ? { maxSliceQty: v.maxSliceQty } : {}),
    ...(liq !== undefined ? { liquidityMaxSliceQty: liq.maxSliceQty } : {}),
    ...(v.randomize !== undefined
      ? { randomize: { sizePct: v.randomize.sizePct, timeJitterPct: v.randomize.timeJitterPct } }
      : {}),
    childType: v.childType,
    ...(v.limitOffsetTicks !== undefined ? { limitOffsetTicks: v.limitOffsetTicks } : {}),
    ...(v.stopOffsetTicks !== undefined ? { stopOffsetTicks: v.stopOffsetTicks } : {}),
    slices,
    adjustments,
  };
}

function evenSizes(qty: number, n: number): Float64Array {
  const base = Math.floor(qty / n);
  const rem = qty - base * n;
  const sizes = new Float64Array(n).fill(base);
  for (let i = 0; i < rem; i++) sizes[i] = base + 1;
  return sizes;
}

/** Draws each size in [lo, hi] around its even size, then restores the exact total. */
function randomSizes(qty: number, n: number, minLots: number, maxLots: number, pct: number, rng: Rng): Float64Array {
  const even = evenSizes(qty, n);
  const lo = new Float64Array(n);
  const hi = new Float64Array(n);
  const sizes = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = even[i] as number;
    const d = Math.floor((e * pct) / 100);
    // lo <= e <= hi always (e >= minLots unless it is the single whole order; e <= maxLots unless
    // the cap was overridden, when maxLots is Infinity), so the even plan is always reachable.
    const l = Math.min(e, Math.max(minLots, e - d));
    const h = Math.max(e, Math.min(maxLots, e + d));
    lo[i] = l;
    hi[i] = h;
    const s = l + rng.int(h - l + 1);
    sizes[i] = s;
    sum += s;
  }
  let left = Math.abs(qty - sum);
  if (left === 0) return sizes;
  const dir = qty > sum ? 1 : -1;
  const room = (i: number): number =>
    dir > 0 ? (hi[i] as number) - (sizes[i] as number) : (sizes[i] as number) - (lo[i] as number);
  let totalRoom = 0;
  for (let i = 0; i < n; i++) totalRoom += room(i);
  // Every slice moves toward its bound by the same share of its room; the few lots that rounding
  // leaves over go one each to slices with room left, from a random start.
  const need = left;
  for (let i = 0; i < n && left > 0; i++) {
    const give = Math.min(room(i), left, Math.floor((room(i) * need) / totalRoom));
    sizes[i] = (sizes[i] as number) + dir * give;
    left -= give;
  }
  for (let i = rng.int(n); left > 0; i = (i + 1) % n) {
    if (room(i) > 0) {
      sizes[i] = (sizes[i] as number) + dir;
      left--;
    }
  }
  return sizes;
}

const ceilDiv = (a: number, b: number): number => Math.floor((a + b - 1) / b);
