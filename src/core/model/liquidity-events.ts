// What the log says about the liquidity cap's input (../algo/liquidity-cap.ts): a symbol's average
// daily volume was read (from the scenario, or the venue's daily bars), or the cap is off for a
// symbol and why (no source, the request failed, no volume). The engine folds them into the caps
// it plans TWAPs with, and a restarted process folds them from the durable log instead of reading
// the venue again.

/** A symbol's average daily volume: the cap of every TWAP planned on it from now on. */
export interface DailyVolumeRead {
  readonly kind: 'DailyVolumeRead';
  readonly symbol: string;
  /** Lots per day (the floor of the mean). */
  readonly advLots: number;
  /** Complete days averaged; null when the source states the average (a scenario). */
  readonly days: number | null;
  readonly source: string;
}

/** The warning that TWAPs on `symbol` are planned without a liquidity cap, and why; once per
 *  symbol until a reading arrives. Never a refusal: the orders trade uncapped. */
export interface LiquidityCapOff {
  readonly kind: 'LiquidityCapOff';
  readonly symbol: string;
  readonly reason: string;
}

export type LiquidityEvent = DailyVolumeRead | LiquidityCapOff;

/** The cap a TWAP was planned with, as its TwapPlanned stores it: every input its slice sizes
 *  came from, so the plan can be made again without a fresh volume. */
export interface PlannedLiquidityCap {
  /** Lots a day, the complete days averaged (null: stated), and percent of it. */
  readonly advLots: number;
  readonly days: number | null;
  readonly pctOfAdv: number;
  /** The largest slice (lots), and the closest the slices it added may be (ms). */
  readonly maxSliceQty: number;
  readonly minIntervalMs: number;
  /** Where the volume came from, and when it was read (epoch ms). */
  readonly source: string;
  readonly readAt: number;
}
