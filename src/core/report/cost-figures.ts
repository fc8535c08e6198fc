// The shapes of a parent's and a run's cost figures as the run report has them (cost-fold.ts
// folds them), and the exact decimal arithmetic that writes them: half notional units to quote
// currency, and sums of decimal strings, so the parts written still add up to the total.
import { formatScaled, parseDecimal, parseStep } from '../model/decimal.ts';
import { unitsToQuote, type Instrument } from '../model/instrument.ts';
import { COST_PARTS, type CostPart, type ShortfallParts } from './cost-decomposition.ts';

/** The parts of the shortfall and their total, quote-currency decimal strings; positive = cost. */
export type CostBreakdown = Readonly<Record<CostPart | 'total', string>>;
/** The same in bps of the decision value (the whole quantity at the decision mid). */
export type CostBreakdownBps = Readonly<Record<CostPart | 'total', number>>;

/** Markouts at one horizon: qty-weighted over the fills whose horizon the run reached, bps of
 *  their notional, positive = favourable; null when none did (unavailable, not zero). */
export interface MarkoutFigure {
  readonly horizonMs: number;
  readonly bps: number | null;
  /** Fills counted, of the fills there are. */
  readonly fills: number;
  readonly of: number;
  /** The same over our maker (resting) and taker (crossing) fills; null when there are none. */
  readonly makerBps: number | null;
  readonly takerBps: number | null;
}

export interface ParentCosts {
  /** When the parent was asked for (its signal's arrival, else its creation), and the mid then. */
  readonly decisionAt: number;
  readonly decisionPrice: string | null;
  /** The mid when it started (the report's arrival price). */
  readonly arrivalPrice: string | null;
  /** Its end (completion, else the run's end) and the mid then: what did not fill is marked at it. */
  readonly endAt: number | null;
  readonly endPrice: string | null;
  /** delay + timing + spread + opportunity + fees = total, exactly; null without an arrival mid. */
  readonly quote: CostBreakdown | null;
  readonly bps: CostBreakdownBps | null;
  /** The oldest mid a fill was measured against: how long before the fill it was seen (ms). */
  readonly midAgeMs: number | null;
  /** Against the arrival mid, the market's VWAP and its time-weighted mid over the horizon (bps,
   *  positive = we paid more / got less), and our share of the volume. */
  readonly slippage: {
    readonly arrivalBps: number | null;
    readonly vwapBps: number | null;
    readonly twapBps: number | null;
  };
  readonly participationRate: number | null;
  readonly markouts: readonly MarkoutFigure[];
  /** Per horizon: bps the mid came back from where the last fill left it (positive = it came
   *  back); null past the run's end or without a fill. */
  readonly reversion: ReadonlyArray<{ readonly horizonMs: number; readonly bps: number | null }>;
}

/** The run's costs: every parent's parts summed, bps of their decision value summed, and the
 *  markouts over every fill. */
export interface RunCosts {
  readonly quote: CostBreakdown;
  readonly bps: CostBreakdownBps | null;
  readonly markouts: readonly MarkoutFigure[];
}

/** Slippage figures the run report works out already, handed in. */
export type Slippage = Pick<ParentCosts, 'slippage' | 'participationRate'>;

export function breakdown<T>(parts: ShortfallParts, f: (v: bigint) => T): Readonly<Record<CostPart | 'total', T>> {
  return {
    delay: f(parts.delay),
    timing: f(parts.timing),
    spread: f(parts.spread),
    opportunity: f(parts.opportunity),
    fees: f(parts.fees),
    total: f(parts.total),
  };
}

export function breakdownOf<T>(q: CostBreakdown, f: (v: string) => T): Readonly<Record<CostPart | 'total', T>> {
  return {
    delay: f(q.delay),
    timing: f(q.timing),
    spread: f(q.spread),
    opportunity: f(q.opportunity),
    fees: f(q.fees),
    total: f(q.total),
  };
}

export const bps = (value: number, of: number): number => Math.round((value / of) * 1_000_000) / 100 + 0;

/**
 * A breakdown's values (quote amounts as numbers) in bps of `of`, to two decimals, the parts
 * rounded so that they add up to the rounded total exactly: each part is rounded down, and the
 * hundredths the total still lacks go to the parts that lost the most (largest remainders), as
 * a breakdown printed as a sum must add up.
 */
export function bpsBreakdown(values: Readonly<Record<CostPart | 'total', number>>, of: number): CostBreakdownBps {
  const hundredths = (v: number): number => (v / of) * 1_000_000;
  const total = Math.round(hundredths(values.total));
  const exact = COST_PARTS.map((k) => hundredths(values[k]));
  const down = exact.map(Math.floor);
  let lacking = total - down.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (lacking <= 0) break;
    down[i] = (down[i] as number) + 1;
    lacking--;
  }
  const out: Record<string, number> = { total: total / 100 + 0 };
  COST_PARTS.forEach((k, i) => (out[k] = (down[i] as number) / 100 + 0));
  return out as CostBreakdownBps;
}

/** Half notional units (half a tick times a lot) as an exact quote-currency decimal string. */
export function halfUnitsToQuote(inst: Instrument, half: bigint): string {
  const unit = parseStep(unitsToQuote(inst, 1));
  return formatScaled(half * unit.mantissa * 5n, unit.scale + 1);
}

/** The exact sum of decimal strings ("0" for none). */
export function addDecimals(values: readonly string[]): string {
  const parsed = values.map(parseDecimal);
  const scale = parsed.reduce((m, d) => Math.max(m, d.scale), 0);
  const sum = parsed.reduce((s, d) => s + d.mantissa * 10n ** BigInt(scale - d.scale), 0n);
  return formatScaled(sum, scale);
}
