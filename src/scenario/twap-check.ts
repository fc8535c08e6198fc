// TWAPs checked at validation by the planner itself (core/algo/twap-slicer.ts and its spec
// checks), so a TWAP that cannot be planned is refused before anything runs, with the same rules
// as at run time. The market price is not known yet; the plan is made at a price high enough that
// the minimum notional allows one-lot slices: the most slices any price can give, so a plan that
// passes here passes at every price.
import { Rng } from '../core/clock/rng.ts';
import type { TrajectorySpec } from '../core/algo/trajectory.ts';
import { planTrajectorySlices } from '../core/algo/trajectory-plan.ts';
import { TwapPlanError, type TwapLiquidityCap } from '../core/algo/twap-slicer.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { OrderType } from '../core/model/order.ts';
import { toTwapParams } from './scenario-requests.ts';
import type { TwapEntry } from './execution-schema.ts';

type Path = (string | number)[];

/** The scenario field each planner input comes from (relative to the twap block, or the order). */
const FIELD: Record<string, { readonly inTwap: boolean; readonly key: string }> = {
  durationMs: { inTwap: true, key: 'duration' },
  intervalMs: { inTwap: true, key: 'interval' },
  sliceCount: { inTwap: true, key: 'slices' },
  'intervalMs, sliceCount': { inTwap: true, key: 'interval' },
  maxSliceQty: { inTwap: true, key: 'maxSliceQty' },
  minSliceNotionalUnits: { inTwap: true, key: 'minSliceNotional' },
  limitOffsetTicks: { inTwap: true, key: 'limitOffsetTicks' },
  stopOffsetTicks: { inTwap: true, key: 'stopOffsetTicks' },
  'randomize.sizePct': { inTwap: true, key: 'randomize' },
  'randomize.timeJitterPct': { inTwap: true, key: 'randomize' },
  qty: { inTwap: false, key: 'qty' },
  startTime: { inTwap: false, key: 'at' },
  childType: { inTwap: false, key: 'type' },
};

export interface TwapUse {
  /** Where the TWAP's parameters are (orders[i].twap or routing.defaultTwap). */
  readonly twapPath: Path;
  /** The order or signal it executes, and what to call it when the parameters are elsewhere. */
  readonly ownerPath: Path;
  readonly owner: string | null;
  readonly twap: TwapEntry;
  /** Lots; the child order type. */
  readonly qty: number;
  readonly type: OrderType;
  /** Epoch ms. */
  readonly startTime: number;
  /** The liquidity cap a backtest will plan it with (a stated volume), if any. */
  readonly liquidityCap?: TwapLiquidityCap | undefined;
  /** The order's algo block (its path) and the trajectory it asks for, if any. */
  readonly algoPath?: Path | undefined;
  readonly trajectory?: TrajectorySpec | undefined;
  /** The offset of its placement policy, when it has one: its limit children's offset. */
  readonly placementOffsetTicks?: number | undefined;
}

/** A trajectory input the planner names ('profile', 'profile.3', 'urgency'...), as its path in
 *  the algo block; null for the grid's own fields. */
function algoField(field: string): Path | null {
  const [head, ...rest] = field.split('.');
  if (head === undefined || !['profile', 'urgency', 'volatility', 'impact'].includes(head)) return null;
  return [head, ...rest.map((k) => (/^\d+$/.test(k) ? Number(k) : k))];
}

/**
 * Plans the TWAP as the engine would, at the price that gives the most slices. Returns the number
 * of slices, or null after reporting the planner's refusal at the scenario field it names.
 */
export function checkTwapPlan(
  use: TwapUse,
  inst: Instrument,
  issue: (path: Path, message: string) => void,
): number | null {
  const p = toTwapParams(use.twap, inst);
  const minUnits = Math.max(inst.minNotionalUnits, p.minSliceNotionalUnits ?? 0);
  try {
    const { plan } = planTrajectorySlices(
      {
        side: 'buy',
        qty: use.qty,
        startTime: use.startTime,
        durationMs: p.durationMs,
        instrument: inst,
        referencePrice: Math.max(1, minUnits),
        childType: use.type,
        ...(p.intervalMs !== undefined ? { intervalMs: p.intervalMs } : { sliceCount: p.sliceCount }),
        maxSliceQty: p.maxSliceQty,
        liquidityCap: use.liquidityCap,
        minSliceNotionalUnits: p.minSliceNotionalUnits,
        randomize: p.randomize,
        limitOffsetTicks: p.limitOffsetTicks ?? (use.type === 'limit' ? use.placementOffsetTicks : undefined),
        stopOffsetTicks: p.stopOffsetTicks,
      },
      use.trajectory,
      new Rng(0),
    );
    return plan.totalSlices;
  } catch (err) {
    if (!(err instanceof TwapPlanError)) throw err;
    const f = FIELD[err.field];
    const inAlgo = use.algoPath === undefined ? null : algoField(err.field);
    const path =
      inAlgo !== null && use.algoPath !== undefined
        ? [...use.algoPath, ...inAlgo]
        : f === undefined
          ? use.twapPath
          : f.inTwap
            ? [...use.twapPath, f.key]
            : [...use.ownerPath, f.key];
    const forWhom = use.owner === null ? '' : ` for ${use.owner}`;
    issue(path, `the TWAP planner refuses this TWAP${forWhom}: ${err.field}: ${err.problem}`);
    return null;
  }
}
