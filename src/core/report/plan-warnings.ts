// What a TWAP's planner changed of what was asked, as warnings: of the run report (JSON and
// printed) and of the service's plan answer. Each change the plan logged (TwapPlanned's
// adjustments, made by twap-slicer.ts: a slice count raised by maxSliceQty or the liquidity cap,
// lowered by the minimum notional or the lot size, the interval that follows, slices larger than
// the largest asked) is one warning with what was asked, what was planned and why. A plan that
// kept what was asked has none. Beside them, of the run report only: an iceberg whose display is
// worth less than the minimum notional at the price its child has at arrival (the runner refuses
// such a child, and the iceberg shows nothing until it draws again or its horizon comes).
import { leastLotsWorth, pegPriceAt, type IcebergParams } from '../algo/iceberg.ts';
import type { TwapAdjustment } from '../algo/twap-slicer.ts';
import type { AlgoPlanned } from '../model/algo-events.ts';
import type { ParentOrderCreated, TwapPlanned } from '../model/events.ts';
import { lotsToQty, ticksToPrice, unitsToQuote, type Instrument } from '../model/instrument.ts';

/** The kinds of a TWAP plan's changes: twap_slices: the number of slices; twap_interval: the
 *  time between them; twap_slice_size: slices larger than the largest asked for. */
export const PLAN_WARNING_KINDS = ['twap_slices', 'twap_interval', 'twap_slice_size'] as const;
/** A TWAP plan's, or iceberg_display: an iceberg's display under the minimum notional. */
export type PlanWarningKind = (typeof PLAN_WARNING_KINDS)[number] | 'iceberg_display';

export interface PlanWarning {
  readonly kind: PlanWarningKind;
  /** The parent order whose plan changed. */
  readonly parent: string;
  /** What was asked and what the plan has, with their units ("30000 slices", "PT1S", "0.001"). */
  readonly asked: string;
  readonly planned: string;
  /** The rule that made the change. */
  readonly why: string;
}

const DAY_MS = 86_400_000;

/** Milliseconds as an ISO-8601 duration of days and time, as scenario files write them
 *  (90_000 is PT1M30S, 2_592_000_000 is P30D, 1_350 is PT1.35S). */
export function isoDuration(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.round(rest) / 1000;
  const time = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}${seconds > 0 ? `${seconds}S` : ''}`;
  if (days === 0 && time === '') return 'PT0S';
  return `P${days > 0 ? `${days}D` : ''}${time === '' ? '' : `T${time}`}`;
}

/** A TWAP plan's warning (its kind one of PLAN_WARNING_KINDS). */
export type TwapPlanWarning = PlanWarning & { readonly kind: (typeof PLAN_WARNING_KINDS)[number] };

/** The warnings of one parent's logged plan, in the order the planner made the changes. */
export function planWarnings(parent: string, plan: TwapPlanned, inst: Instrument): TwapPlanWarning[] {
  return plan.adjustments.map((text) => warningOf(parent, plan, inst, text));
}

/**
 * The warning of an iceberg (its logged plan and parent) whose display is worth less than the
 * minimum notional at the price its child has at arrival (its peg at the arrival book, never
 * worse than the parent's limit; else the limit), or null. When displayMax is worth the
 * minimum, the iceberg draws from the smallest display that is (iceberg.ts), and the warning
 * says the range it draws from. Else such a child is refused before it is sent
 * (intent-runner.ts), and the iceberg, asking for the same child again, shows nothing until its
 * horizon. A display that is all the parent has (or that takes the rest with it, as the iceberg
 * does with a rest under the minimum) is not such a child; a parent worth less than the minimum
 * as a whole is the pre-trade checks' to refuse.
 */
export function icebergWarning(
  parent: string,
  plan: AlgoPlanned,
  created: ParentOrderCreated,
  inst: Instrument,
): PlanWarning | null {
  if (plan.algo !== 'iceberg') return null;
  const p = plan.params as IcebergParams;
  const buy = created.side === 'buy';
  const book = { bid: created.arrivalBid, ask: created.arrivalAsk };
  const price = p.peg === undefined ? plan.worstPrice : pegPriceAt(buy, book, p.peg, plan.worstPrice);
  const total = created.qty;
  const min = inst.minNotionalUnits;
  if (price === null || price < 1 || total * price < min) return null;
  /** Whether a child drawn at `display` lots is refused: shown alone, and under the minimum. */
  const refused = (display: number): boolean =>
    display < total && (total - display) * price >= min && display * price < min;
  if (!refused(p.displayMin)) return null;
  const qty = (lots: number): string => lotsToQty(inst, lots);
  const worth = (lots: number): string =>
    `${qty(lots)} at ${ticksToPrice(inst, price)} is ${unitsToQuote(inst, lots * price)}, under the minimum notional ` +
    `${inst.spec.minNotional} (priced as its child is at arrival)`;
  const least = leastLotsWorth(min, price);
  const enough = `a display of at least ${qty(least)} is worth it`;
  const asked =
    p.displayMin === p.displayMax
      ? `a display of ${qty(p.displayMin)}`
      : `a display of ${qty(p.displayMin)} to ${qty(p.displayMax)}`;
  if (least <= p.displayMax)
    return {
      kind: 'iceberg_display',
      parent,
      asked,
      planned: `a display of ${qty(least)} to ${qty(p.displayMax)}`,
      why: `${worth(p.displayMin)}: each child is drawn from the smallest display worth the minimum at its price`,
    };
  const horizon =
    p.end === 'complete' ? 'then what is left goes at once (end: complete)' : 'then it ends unfilled (end: stop)';
  // The size is drawn from a stream of the number of children placed so far: a refused child is
  // asked for again the same, and refused again, until the horizon.
  const again = p.repegTicks === undefined ? '' : ` (and again every ${isoDuration(p.checkEveryMs)}, the same)`;
  const stalls = (more: string): string =>
    `so the iceberg shows nothing${more} until its horizon, ${horizon}; ${enough}`;
  if (refused(p.displayMax))
    return {
      kind: 'iceberg_display',
      parent,
      asked,
      planned: 'no child shown before its horizon',
      why: `${worth(p.displayMax)}: every child is refused before it is sent${again}, ${stalls('')}`,
    };
  return {
    kind: 'iceberg_display',
    parent,
    asked,
    planned: `a child under ${qty(least)} refused, and nothing shown after it`,
    why: `${worth(p.displayMin)}: such a child is refused before it is sent${again}, ${stalls(' more')}`,
  };
}

function warningOf(parent: string, plan: TwapPlanned, inst: Instrument, text: string): TwapPlanWarning {
  const qty = (lots: number): string => lotsToQty(inst, lots);
  const slices = (n: number): string => `${n} slice${n === 1 ? '' : 's'}`;
  const a = parseAdjustment(text);
  switch (a?.kind) {
    case 'max_slice_qty':
      return {
        kind: 'twap_slices',
        parent,
        asked: slices(a.requested),
        planned: slices(a.used),
        why: 'raised so that no slice is larger than maxSliceQty',
      };
    case 'liquidity_cap':
      return {
        kind: 'twap_slices',
        parent,
        asked: slices(a.requested),
        planned: slices(a.used),
        why: `raised so that no slice is larger than the liquidity cap of ${qty(a.maxSliceQty)}, a share of the average daily volume`,
      };
    case 'min_notional': {
      const notional =
        plan.minNotionalUnits === undefined || plan.referencePrice === undefined
          ? ''
          : ` of ${unitsToQuote(inst, plan.minNotionalUnits)} at the price ${ticksToPrice(inst, plan.referencePrice)}`;
      return {
        kind: 'twap_slices',
        parent,
        asked: slices(a.requested),
        planned: slices(a.used),
        why: `lowered so that every slice is worth the minimum notional${notional}: at least ${qty(a.minSliceLots)} a slice`,
      };
    }
    case 'lot_size':
      return {
        kind: 'twap_slices',
        parent,
        asked: slices(a.requested),
        planned: slices(a.used),
        why: `lowered to one lot of ${qty(1)} a slice at least: the order has ${a.used} lots`,
      };
    case 'interval':
      return {
        kind: 'twap_interval',
        parent,
        asked: isoDuration(a.requested),
        planned: isoDuration(a.used),
        why: `the changed number of slices still spans the duration, ${isoDuration(plan.durationMs)}`,
      };
    case 'max_slice_qty_overridden':
      return {
        kind: 'twap_slice_size',
        parent,
        asked: `at most ${qty(a.requested)} a slice`,
        planned: `up to ${qty(a.used)}`,
        why: 'the minimum notional wins over maxSliceQty: no slice may be worth less than it',
      };
    case 'liquidity_cap_overridden':
      return {
        kind: 'twap_slice_size',
        parent,
        asked: `at most ${qty(a.requested)} a slice, the liquidity cap`,
        planned: `up to ${qty(a.used)}`,
        why:
          a.by === 'min_interval'
            ? `the cap needs more slices than the duration holds ${isoDuration(plan.liquidityCap?.minIntervalMs ?? 0)} apart, the liquidity's minimum interval`
            : 'the minimum notional wins over the liquidity cap: no slice may be worth less than it',
      };
    case 'trajectory_slices':
      return {
        kind: 'twap_slices',
        parent,
        asked: slices(a.requested),
        planned: slices(a.used),
        why: `the trajectory gave some slices less than ${qty(a.minSliceLots)}: their quantity went to the next slice`,
      };
    case 'trajectory_max_slice':
      return {
        kind: 'twap_slice_size',
        parent,
        asked: `up to ${qty(a.requested)} a slice by the trajectory`,
        planned: `up to ${qty(a.used)}`,
        why: `no slice above ${qty(a.maxSliceQty)} (maxSliceQty or the liquidity cap): the rest went to other slices`,
      };
    case 'trajectory_size_randomize':
      return {
        kind: 'twap_slice_size',
        parent,
        asked: `sizes randomized by ${a.requested}%`,
        planned: 'sizes from the trajectory',
        why: "a trajectory's slice sizes follow its curve; the times keep their jitter",
      };
    default:
      // A change this version does not know (a log written by another): said as logged.
      return { kind: 'twap_slices', parent, asked: 'see why', planned: 'see why', why: text };
  }
}

function parseAdjustment(text: string): TwapAdjustment | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && 'kind' in value ? (value as TwapAdjustment) : null;
  } catch {
    return null;
  }
}

/** One parent's warnings as lines of the printed report: its TWAP plan's changes on one, an
 *  iceberg's display on one of its own. */
export function planWarningsLines(warnings: readonly PlanWarning[]): string[] {
  const lines: string[] = [];
  const twap = warnings.filter((w) => w.kind !== 'iceberg_display');
  if (twap.length > 0) {
    const parts = twap.map(
      (w) => `${w.kind === 'twap_interval' ? 'interval ' : ''}${w.asked} asked, ${w.planned} planned: ${w.why}`,
    );
    lines.push(`    warning: the plan changed what was asked: ${parts.join('; ')}`);
  }
  for (const w of warnings)
    if (w.kind === 'iceberg_display')
      lines.push(`    warning: iceberg display under the minimum notional: ${w.asked} asked, ${w.planned}: ${w.why}`);
  return lines;
}
