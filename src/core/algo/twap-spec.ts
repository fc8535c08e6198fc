// What a TWAP plan is asked for: the planner's input (TwapSpec) and its randomisation. Its own
// module so that the input checks (twap-spec-check.ts) and the planner (twap-slicer.ts) both
// depend on it and not on each other.
import type { Instrument } from '../model/instrument.ts';
import type { OrderType, Side } from '../model/order.ts';

export interface TwapRandomize {
  /** 0-50: each slice's size varied by up to +/- this percent of its even size. */
  readonly sizePct: number;
  /** 0-100: each slice's time moved forward by up to this share of the interval. */
  readonly timeJitterPct: number;
}

/** What the liquidity cap asks of a plan: slices of at most maxSliceQty lots, but never more
 *  slices than the duration holds minIntervalMs apart (or than were requested, if more). */
export interface TwapLiquidityCap {
  readonly maxSliceQty: number;
  readonly minIntervalMs: number;
}

/** Optional fields may also be given as undefined (absent). */
export interface TwapSpec {
  readonly side: Side;
  /** Lots. */
  readonly qty: number;
  /** Epoch ms. */
  readonly startTime: number;
  readonly durationMs: number;
  /** Exactly one of intervalMs and sliceCount. */
  readonly intervalMs?: number | undefined;
  readonly sliceCount?: number | undefined;
  readonly instrument: Instrument;
  /** Ticks: the price minimum-notional decisions are made at. */
  readonly referencePrice: number;
  /** Notional units (ticks x lots): a floor on top of the instrument's minimum. Default 0. */
  readonly minSliceNotionalUnits?: number | undefined;
  /** Lots: the user's own largest slice. */
  readonly maxSliceQty?: number | undefined;
  /** The liquidity cap (a share of average daily volume, computed by the caller: liquidity-cap.ts).
   *  Unlike maxSliceQty it never refuses a plan: it adds slices no closer than minIntervalMs. */
  readonly liquidityCap?: TwapLiquidityCap | undefined;
  readonly randomize?: TwapRandomize | undefined;
  readonly childType: OrderType;
  /** limit and stop_limit children: ticks from the touch on our side, positive = more passive.
   *  Applied at slice time by the scheduler; the plan only records it. */
  readonly limitOffsetTicks?: number | undefined;
  /** stop and stop_limit children: ticks beyond the touch where the stop triggers (positive). */
  readonly stopOffsetTicks?: number | undefined;
}
