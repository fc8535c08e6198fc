// The liquidity cap: a TWAP's largest slice as a share of the symbol's average daily volume (ADV),
// decided when the parent is planned and never again. Pure arithmetic in whole lots: the ADV is
// the mean of complete days' volumes, the cap floor(ADV x pct / 100) to a lot (one lot at least:
// a cap must let something trade). What a plan stores is the whole cap (ADV, days, share, lots,
// source, when read), so a restarted process plans with it instead of a fresh volume and every
// slice keeps its size and client order id (docs/0051-liquidity-cap.md).
import type { PlannedLiquidityCap } from '../model/liquidity-events.ts';
import type { TwapLiquidityCap } from './twap-spec.ts';

/** A symbol's average daily volume as read from a source: the scenario, or the venue's bars. */
export interface VolumeReading {
  readonly symbol: string;
  /** Lots per day: the floor of the mean over `days` complete days. */
  readonly advLots: number;
  /** Complete days averaged; null when the source states the average itself (a scenario). */
  readonly days: number | null;
  /** Where it came from, e.g. "scenario", "alpaca 1Day bars", "binance 1d klines". */
  readonly source: string;
  /** When it was read (epoch ms on the run's clock). */
  readonly readAt: number;
}

/** The cap a plan used: the reading, the share of it, and the largest slice that gives. */
export interface LiquidityCap extends VolumeReading {
  /** Percent of ADV, (0, 100]. */
  readonly pctOfAdv: number;
  /** Lots: max(1, floor(advLots x pctOfAdv / 100)). */
  readonly maxSliceQty: number;
}

/** Percent with at most this many decimals: the cap is computed in exact integers from it. */
export const PCT_DECIMALS = 4;
const PCT_SCALE = 10 ** PCT_DECIMALS;

/** The cap of a reading at `pctOfAdv` percent: exact (bigint) floor, at least one lot. */
export function liquidityCapOf(reading: VolumeReading, pctOfAdv: number): LiquidityCap {
  if (!(pctOfAdv > 0 && pctOfAdv <= 100)) throw new Error(`pctOfAdv must be in (0, 100], got ${pctOfAdv}`);
  if (!Number.isSafeInteger(reading.advLots) || reading.advLots < 1)
    throw new Error(`advLots must be a positive whole number of lots, got ${reading.advLots}`);
  const scaled = BigInt(Math.round(pctOfAdv * PCT_SCALE));
  const lots = Number((BigInt(reading.advLots) * scaled) / BigInt(100 * PCT_SCALE));
  return { ...reading, pctOfAdv, maxSliceQty: Math.max(1, lots) };
}

/** What a plan stores of the cap it used (TwapPlanned.liquidityCap). */
export function plannedCap(cap: LiquidityCap, minIntervalMs: number): PlannedLiquidityCap {
  const { advLots, days, pctOfAdv, maxSliceQty, source, readAt } = cap;
  return { advLots, days, pctOfAdv, maxSliceQty, minIntervalMs, source, readAt };
}

/** What the planner is given of a stored cap: the same slices every time it is planned with it. */
export function twapCapOf(stored: PlannedLiquidityCap): TwapLiquidityCap {
  return { maxSliceQty: stored.maxSliceQty, minIntervalMs: stored.minIntervalMs };
}

/**
 * The average of the last `days` complete days' volumes (lots, oldest first), or why there is
 * none: no complete day, or no volume on any of them (a cap of zero volume would be one lot, a
 * plan of as many slices as lots: that is not a measurement to act on).
 */
export function averageDailyVolume(
  dailyLots: readonly number[],
  days: number,
): { readonly advLots: number; readonly days: number } | { readonly unavailable: string } {
  const used = dailyLots.slice(-days);
  if (used.length === 0) return { unavailable: 'no complete daily bar' };
  let sum = 0n;
  for (const v of used) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`a daily volume must be whole lots, got ${v}`);
    sum += BigInt(v);
  }
  const advLots = Number(sum / BigInt(used.length));
  if (advLots < 1) return { unavailable: `no volume in the last ${used.length} daily bars` };
  return { advLots, days: used.length };
}
