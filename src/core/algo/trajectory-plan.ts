// A sliced parent's plan from its target trajectory. The slice grid is TWAP's (twap-slicer.ts:
// the slice count, times, randomized times, minimum notional, largest slice and liquidity cap
// rules, each change recorded); a trajectory other than the straight line re-sizes its slices
// so that the cumulative after each slice follows the curve. TWAP (and Almgren-Chriss at urgency
// 0, whose limit is TWAP's line) keeps TWAP's plan exactly, sizes included, so its client order
// ids and every digest stay as they were. Why: docs/0072-target-trajectories.md.
import type { Rng } from '../clock/rng.ts';
import type { PlannedHistory, PlannedTrajectory } from '../model/events.ts';
import type { HistoryProfile, HistoryUnavailable } from './history-profile.ts';
import {
  DEFAULT_HISTORY_DAYS,
  kappaPerSecond,
  trajectoryOf,
  validateTrajectory,
  type TrajectorySpec,
  type VolumeProfile,
  FLAT_PROFILE,
} from './trajectory.ts';
import { planTwapSlices, TwapPlanError, type TwapAdjustment, type TwapPlan, type TwapSlice } from './twap-slicer.ts';
import type { TwapSpec } from './twap-spec.ts';

export interface TrajectoryPlanResult {
  readonly plan: TwapPlan;
  /** What the stored plan says of its trajectory (TwapPlanned.trajectory); null for TWAP. */
  readonly trajectory: PlannedTrajectory | null;
}

/** Reads a VWAP's history profile for the plan's horizon (history-profile.ts readHistoryProfile
 *  over the node's source and hours), once, as the parent is planned. */
export type HistoryReader = (
  start: number,
  horizonMs: number,
  days: number,
) => (HistoryProfile | HistoryUnavailable) & { readonly source: string | null };

/**
 * Plans a sliced parent: TWAP's grid, re-sized to `trajectory` unless that is the straight line.
 * `profile` is what a VWAP without weights of its own follows (trajectory.ts defaultProfile), and
 * what one with `profile: history` falls back to when `history` has too little (or is absent).
 * Throws TwapPlanError naming the field, as planTwapSlices does.
 */
export function planTrajectorySlices(
  spec: TwapSpec,
  trajectory: TrajectorySpec | undefined,
  rng?: Rng,
  profile: VolumeProfile = FLAT_PROFILE,
  history?: HistoryReader,
): TrajectoryPlanResult {
  const plan = planTwapSlices(spec, rng);
  if (trajectory === undefined || trajectory.kind === 'linear') return { plan, trajectory: null };
  const horizonMs = plan.totalSlices * plan.intervalMs;
  // A history profile is read here, for the horizon the grid gives, into weights per minute of
  // it: the plan then follows (and stores) those weights as it would a given profile.
  let effective = trajectory;
  let read: PlannedHistory | null = null;
  if (trajectory.kind === 'vwap' && trajectory.profile === 'history') {
    validateTrajectory(trajectory);
    const days = trajectory.days ?? DEFAULT_HISTORY_DAYS;
    const got = history?.(plan.startTime, horizonMs, days) ?? {
      unavailable: 'this run reads no minute history',
      source: null,
    };
    if ('weights' in got && got.weights.some((w) => w > 0)) {
      effective = { kind: 'vwap', profile: got.weights };
      read = { days, daysUsed: got.daysUsed, source: got.source };
    } else {
      effective = { kind: 'vwap' };
      const why = 'unavailable' in got ? got.unavailable : 'no volume in the horizon on any day read';
      read = { days, source: got.source, unavailable: why };
    }
  }
  let t;
  try {
    t = trajectoryOf(effective, plan.startTime, horizonMs, profile);
  } catch (err) {
    if (err instanceof TwapPlanError) throw err;
    // A venue calendar asked about a year it does not list, say.
    throw new TwapPlanError(
      'profile',
      `no volume profile for the horizon: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const stored: PlannedTrajectory =
    effective.kind === 'pov'
      ? {
          kind: 'pov',
          rate: effective.rate,
          maxRate: effective.maxRate,
          minChildQty: effective.minChildQty,
          end: effective.end,
        }
      : effective.kind === 'vwap'
        ? {
            kind: 'vwap',
            profile: read !== null && read.unavailable === undefined ? 'history' : (t.profile?.name ?? 'flat'),
            ...(Array.isArray(effective.profile) ? { weights: [...effective.profile] } : {}),
            ...(t.fellBack ? { fellBack: true } : {}),
            ...(read !== null ? { history: read } : {}),
          }
        : {
            kind: 'almgren-chriss',
            urgency: effective.urgency,
            volatility: effective.volatility,
            impact: effective.impact,
            kappaPerSecond: kappaPerSecond(effective),
          };
  return { plan: t.linear ? plan : resizeToTrajectory(plan, t.fractionAt), trajectory: stored };
}

/**
 * Re-sizes a TWAP plan's slices to a trajectory F. Slice i (0-based, sent at the start of its
 * bucket [start + i interval, start + (i + 1) interval)) brings the cumulative to
 * round(qty x F(end of its bucket)) lots, the last one to qty: the sizes are whole lots, none
 * negative, summing to qty. Then, in order:
 * 1. no slice above the largest allowed (maxSliceQty, the liquidity cap, unless the TWAP plan
 *    itself had to override them): the excess goes to the next slices, and what is left at the
 *    end to the latest slices with room (the grid has room: its count was raised for it);
 * 2. a slice under minSliceLots (one lot, or the minimum notional's) is not made: its lots go to
 *    the next slice, and a remainder at the end to the last slice made (the minimum notional wins
 *    over the largest slice, as in TWAP's plan).
 * Each rule that changed something is recorded in the plan's adjustments.
 */
export function resizeToTrajectory(plan: TwapPlan, fractionAt: (t: number) => number): TwapPlan {
  const n = plan.slices.length;
  if (n <= 1) return plan;
  const qty = plan.qty;
  const sizes = new Float64Array(n);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const target = i === n - 1 ? qty : Math.round(qty * fractionAt(plan.startTime + (i + 1) * plan.intervalMs));
    const c = Math.min(qty, Math.max(prev, target));
    sizes[i] = c - prev;
    prev = c;
  }
  const adjustments: TwapAdjustment[] = [...plan.adjustments];
  if (plan.randomize !== undefined && plan.randomize.sizePct > 0)
    adjustments.push({ kind: 'trajectory_size_randomize', requested: plan.randomize.sizePct, used: 0 });

  const maxLots = largestAllowed(plan);
  const asked = largest(sizes);
  if (asked > maxLots) {
    let carry = 0;
    for (let i = 0; i < n; i++) {
      const s = (sizes[i] as number) + carry;
      sizes[i] = Math.min(s, maxLots);
      carry = s - (sizes[i] as number);
    }
    for (let i = n - 1; i >= 0 && carry > 0; i--) {
      const give = Math.min(maxLots - (sizes[i] as number), carry);
      sizes[i] = (sizes[i] as number) + give;
      carry -= give;
    }
    sizes[n - 1] = (sizes[n - 1] as number) + carry; // none left: the grid holds qty at maxLots
  }

  const minLots = Math.max(1, plan.minSliceLots);
  const slices: TwapSlice[] = [];
  let pending = 0;
  for (let i = 0; i < n; i++) {
    pending += sizes[i] as number;
    if (pending >= minLots) {
      const at = (plan.slices[i] as TwapSlice).scheduledTime;
      slices.push({ sliceNum: slices.length + 1, qty: pending, scheduledTime: at });
      pending = 0;
    }
  }
  if (pending > 0) {
    const last = slices.pop();
    slices.push(
      last === undefined
        ? { sliceNum: 1, qty: pending, scheduledTime: (plan.slices[0] as TwapSlice).scheduledTime }
        : { ...last, qty: last.qty + pending },
    );
  }
  if (slices.length < n)
    adjustments.push({ kind: 'trajectory_slices', requested: n, used: slices.length, minSliceLots: minLots });
  const used = slices.reduce((m, s) => Math.max(m, s.qty), 0);
  if (asked > maxLots || used > maxLots)
    adjustments.push({ kind: 'trajectory_max_slice', requested: asked, used, maxSliceQty: maxLots });
  return { ...plan, totalSlices: slices.length, slices, adjustments };
}

/** The largest slice the plan allows: maxSliceQty and the liquidity cap, each unless the TWAP
 *  plan recorded overriding it (then its slices exceed it too). */
export function largestAllowed(plan: TwapPlan): number {
  const overridden = (kind: TwapAdjustment['kind']) => plan.adjustments.some((a) => a.kind === kind);
  const max = overridden('max_slice_qty_overridden') ? Infinity : (plan.maxSliceQty ?? Infinity);
  const liq = overridden('liquidity_cap_overridden') ? Infinity : (plan.liquidityMaxSliceQty ?? Infinity);
  return Math.min(max, liq);
}

function largest(a: Float64Array): number {
  let m = 0;
  for (const v of a) if (v > m) m = v;
  return m;
}
