// Markouts of our fills: the mid a fixed time after each fill against the fill's price, signed so
// that positive is favourable to us (a buy after which the mid rose), and the reversion after a
// parent's last fill: how far the mid came back from where our trading left it (positive = it came
// back, the part of our impact that was temporary). A horizon past the run's end is unavailable,
// never zero. Figures in half notional units (half a tick times a lot), as cost-decomposition.ts.
import { sideSign, type Side } from '../model/order.ts';
import type { MidTimeline } from './mid-timeline.ts';

/** The horizons a run reports when its scenario names none: 1 s, 5 s, 30 s, 5 min. */
export const DEFAULT_MARKOUT_HORIZONS_MS: readonly number[] = [1_000, 5_000, 30_000, 300_000];

/** One fill as the markouts read it. */
export interface MarkoutFill {
  readonly qty: number;
  /** Notional units (ticks x lots). */
  readonly notional: number;
  readonly liquidity: 'maker' | 'taker' | 'inferred';
  /** When it traded (epoch ms, our clock). */
  readonly at: number;
}

/** Sums over the fills whose horizon the run reached: markout (half units, positive =
 *  favourable), the fills' notional (units) and how many, in all and per liquidity. */
export interface MarkoutSums {
  value: bigint;
  notional: number;
  fills: number;
  makerValue: bigint;
  makerNotional: number;
  takerValue: bigint;
  takerNotional: number;
}

export const emptyMarkoutSums = (): MarkoutSums => ({
  value: 0n,
  notional: 0,
  fills: 0,
  makerValue: 0n,
  makerNotional: 0,
  takerValue: 0n,
  takerNotional: 0,
});

/** Adds each fill's markout at `horizonMs` to `into`; fills whose horizon is past `endAt`, or
 *  with no mid by then, are left out. */
export function addMarkouts(
  into: MarkoutSums,
  mids: MidTimeline,
  symbol: string,
  side: Side,
  fills: readonly MarkoutFill[],
  horizonMs: number,
  endAt: number,
): void {
  const s = BigInt(sideSign(side));
  for (const f of fills) {
    const t = f.at + horizonMs;
    if (t > endAt) continue;
    const m = mids.atOrBefore(symbol, t);
    if (m === null) continue;
    const v = s * (BigInt(f.qty) * BigInt(m.mid2) - 2n * BigInt(f.notional));
    into.value += v;
    into.notional += f.notional;
    into.fills++;
    if (f.liquidity === 'maker') {
      into.makerValue += v;
      into.makerNotional += f.notional;
    } else if (f.liquidity === 'taker') {
      into.takerValue += v;
      into.takerNotional += f.notional;
    }
  }
}

/** A markout sum in bps of the notional it covers (half units over twice the notional); null
 *  when it covers none. */
export function markoutBps(value: bigint, notional: number): number | null {
  if (notional <= 0) return null;
  return Math.round((Number(value) / (2 * notional)) * 1_000_000) / 100 + 0;
}

/** Reversion after the last fill, bps of the mid it left: side x (mid after the fill - mid
 *  `horizonMs` later); null past the run's end or without a mid. */
export function reversionBps(
  mids: MidTimeline,
  symbol: string,
  side: Side,
  lastFillAt: number,
  learnedAt: number,
  horizonMs: number,
  endAt: number,
): number | null {
  const t = lastFillAt + horizonMs;
  if (t > endAt) return null;
  const after = mids.atOrBefore(symbol, Math.min(Math.max(lastFillAt, learnedAt), t));
  const later = mids.atOrBefore(symbol, t);
  if (after === null || later === null || after.mid2 <= 0) return null;
  return Math.round(((sideSign(side) * (after.mid2 - later.mid2)) / after.mid2) * 1_000_000) / 100 + 0;
}
