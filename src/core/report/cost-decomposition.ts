// Implementation shortfall of one parent, split into the parts a desk asks about, in exact
// integers so that the parts add up to the total to the last unit (docs/0071-cost-decomposition.md):
//   delay       = side * X * (m_arrival - m_decision)            the market moved before we started
//   timing      = sum side * x_j * (m_j - m_arrival)              the mid moved while we worked
//   spread      = sum side * x_j * (p_j - m_j)                    each fill against the mid at its time
//   opportunity = side * (X - sum x_j) * (m_end - m_arrival)      what did not fill, marked at the end
//   fees
// and total = sum side * x_j * (p_j - m_decision) + side * (X - sum x_j) * (m_end - m_decision)
// + fees, the cost against the decision mid. Mids are in half ticks (bid + ask is a whole number of
// ticks), so every figure is in half notional units (half a tick times a lot), as a bigint: a
// product of a large quantity and a price may pass 2^53.
import { sideSign, type Side } from '../model/order.ts';

/** One fill: lots, its notional in notional units (ticks x lots, whole), and the mid (half ticks)
 *  in force when it traded. */
export interface CostFill {
  readonly qty: number;
  readonly notional: number;
  readonly mid2: number;
}

export interface ShortfallInput {
  readonly side: Side;
  /** Lots ordered. */
  readonly qty: number;
  /** Mids in half ticks: when the parent was asked for, when it started, and when it ended. */
  readonly decisionMid2: number;
  readonly arrivalMid2: number;
  readonly endMid2: number;
  readonly fills: readonly CostFill[];
  /** Fees paid, notional units. */
  readonly fees: number;
}

/** Each part in half notional units; positive = cost. */
export interface ShortfallParts {
  readonly delay: bigint;
  readonly timing: bigint;
  readonly spread: bigint;
  readonly opportunity: bigint;
  readonly fees: bigint;
  readonly total: bigint;
}

export const COST_PARTS = ['delay', 'timing', 'spread', 'opportunity', 'fees'] as const;
export type CostPart = (typeof COST_PARTS)[number];

/** The parts, and their sum as the total (which equals shortfallTotal of the same input). */
export function decomposeShortfall(input: ShortfallInput): ShortfallParts {
  const s = BigInt(sideSign(input.side));
  const X = BigInt(input.qty);
  const ma = BigInt(input.arrivalMid2);
  let filled = 0n;
  let timing = 0n;
  let spread = 0n;
  for (const f of input.fills) {
    const x = BigInt(f.qty);
    const m = BigInt(f.mid2);
    filled += x;
    timing += s * x * (m - ma);
    spread += s * (2n * BigInt(f.notional) - x * m);
  }
  const delay = s * X * (ma - BigInt(input.decisionMid2));
  const opportunity = s * (X - filled) * (BigInt(input.endMid2) - ma);
  const fees = 2n * BigInt(input.fees);
  return { delay, timing, spread, opportunity, fees, total: delay + timing + spread + opportunity + fees };
}

/** The cost against the decision mid, computed directly (not from the parts): what the fills
 *  paid over the decision mid, what did not fill marked from the decision mid to the end, and
 *  the fees. */
export function shortfallTotal(input: ShortfallInput): bigint {
  const s = BigInt(sideSign(input.side));
  const md = BigInt(input.decisionMid2);
  let filled = 0n;
  let paid = 0n;
  for (const f of input.fills) {
    filled += BigInt(f.qty);
    paid += s * (2n * BigInt(f.notional) - BigInt(f.qty) * md);
  }
  return paid + s * (BigInt(input.qty) - filled) * (BigInt(input.endMid2) - md) + 2n * BigInt(input.fees);
}
