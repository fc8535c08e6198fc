// The TWAP planner's input checks: every field of a TwapSpec validated and normalised, or one
// TwapPlanError naming the field. Kept apart from the planning arithmetic (twap-slicer.ts), which
// only ever sees a valid spec.
import type { Rng } from '../clock/rng.ts';
import { ORDER_TYPES, SIDES, type OrderType, type Side } from '../model/order.ts';
import type { TwapLiquidityCap, TwapRandomize, TwapSpec } from './twap-spec.ts';

/** Plans past this many slices are refused: memory and venue rate limits, not arithmetic. */
export const MAX_TWAP_SLICES = 1_000_000;

/** The longest TWAP: 366 days, a year with its leap day. A parent worked over longer is a
 *  standing programme, not one order (its plan, prices and limits would be a year stale); a
 *  duration typed wrong (P99999D for P9D) is refused instead of spreading an order over 270
 *  years. Waits this long are fine on every clock (the wall clock re-arms past Node's 24.8-day
 *  timer limit). */
export const MAX_TWAP_DURATION_MS = 366 * 86_400_000;

export class TwapPlanError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'TwapPlanError';
  }
}

export interface ValidTwapSpec {
  side: Side;
  qty: number;
  startTime: number;
  durationMs: number;
  intervalMs: number | undefined;
  sliceCount: number | undefined;
  referencePrice: number;
  minNotionalUnits: number;
  minSliceLots: number;
  maxSliceQty: number | undefined;
  liquidityCap: TwapLiquidityCap | undefined;
  randomize: TwapRandomize | undefined;
  childType: OrderType;
  limitOffsetTicks: number | undefined;
  stopOffsetTicks: number | undefined;
}

/** A whole-number input of at least `min`, or a TwapPlanError naming the field. */
export function whole(field: string, value: unknown, unit: string, min: number, minText: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value))
    throw new TwapPlanError(field, `must be a whole number of ${unit}, got ${String(value)}`);
  if (value < min) throw new TwapPlanError(field, `${minText}, got ${value}`);
  return value;
}

const optionalWhole = (
  field: string,
  value: unknown,
  unit: string,
  min: number,
  minText: string,
): number | undefined => (value === undefined ? undefined : whole(field, value, unit, min, minText));

function percent(field: string, value: unknown, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new TwapPlanError(field, `must be a percentage from 0 to ${max}, got ${String(value)}`);
  }
  return value;
}

export function validateTwapSpec(spec: TwapSpec, rng: Rng | undefined): ValidTwapSpec {
  if (!SIDES.includes(spec.side)) throw new TwapPlanError('side', `must be buy or sell, got ${String(spec.side)}`);
  const qty = whole('qty', spec.qty, 'lots', 1, 'must be positive');
  const startTime = whole('startTime', spec.startTime, 'ms', 0, 'must not be negative');
  const durationMs = whole('durationMs', spec.durationMs, 'ms', 1, 'must be positive');
  if (durationMs > MAX_TWAP_DURATION_MS)
    throw new TwapPlanError(
      'durationMs',
      `${durationMs} ms is longer than a TWAP may run (${MAX_TWAP_DURATION_MS} ms, 366 days)`,
    );
  if (startTime + durationMs > Number.MAX_SAFE_INTEGER)
    throw new TwapPlanError('durationMs', 'ends past the largest safe epoch ms');
  if ((spec.intervalMs === undefined) === (spec.sliceCount === undefined)) {
    throw new TwapPlanError(
      'intervalMs, sliceCount',
      `give exactly one of them, got ${spec.intervalMs === undefined ? 'neither' : 'both'}`,
    );
  }
  const intervalMs = optionalWhole('intervalMs', spec.intervalMs, 'ms', 1, 'must be positive');
  const sliceCount = optionalWhole('sliceCount', spec.sliceCount, 'slices', 1, 'must be at least 1');
  if (intervalMs !== undefined && durationMs < intervalMs) {
    throw new TwapPlanError('durationMs', `${durationMs} ms is shorter than the interval of ${intervalMs} ms`);
  }
  if (sliceCount !== undefined && durationMs < sliceCount) {
    throw new TwapPlanError(
      'durationMs',
      `${durationMs} ms is shorter than the interval of ${sliceCount} slices at 1 ms each`,
    );
  }
  const referencePrice = whole('referencePrice', spec.referencePrice, 'ticks', 1, 'must be positive');
  const instrumentMin = whole(
    'instrument.minNotionalUnits',
    spec.instrument.minNotionalUnits,
    'notional units',
    0,
    'must not be negative',
  );
  const extraMin = whole(
    'minSliceNotionalUnits',
    spec.minSliceNotionalUnits ?? 0,
    'notional units',
    0,
    'must not be negative',
  );
  const maxSliceQty = optionalWhole('maxSliceQty', spec.maxSliceQty, 'lots', 1, 'must be positive');
  const liquidityCap =
    spec.liquidityCap === undefined
      ? undefined
      : {
          maxSliceQty: whole('liquidityCap.maxSliceQty', spec.liquidityCap.maxSliceQty, 'lots', 1, 'must be positive'),
          minIntervalMs: whole(
            'liquidityCap.minIntervalMs',
            spec.liquidityCap.minIntervalMs,
            'ms',
            1,
            'must be positive',
          ),
        };
  const childType = spec.childType;
  if (!ORDER_TYPES.includes(childType)) {
    throw new TwapPlanError(
      'childType',
      `unknown order type "${String(childType)}" (expected ${ORDER_TYPES.join(', ')})`,
    );
  }
  const needsLimit = childType === 'limit' || childType === 'stop_limit';
  const needsStop = childType === 'stop' || childType === 'stop_limit';
  if (needsLimit && spec.limitOffsetTicks === undefined)
    throw new TwapPlanError('limitOffsetTicks', `is required for ${childType} children`);
  if (!needsLimit && spec.limitOffsetTicks !== undefined)
    throw new TwapPlanError('limitOffsetTicks', `does not apply to ${childType} children`);
  if (needsStop && spec.stopOffsetTicks === undefined)
    throw new TwapPlanError('stopOffsetTicks', `is required for ${childType} children`);
  if (!needsStop && spec.stopOffsetTicks !== undefined)
    throw new TwapPlanError('stopOffsetTicks', `does not apply to ${childType} children`);
  const limitOffsetTicks = optionalWhole(
    'limitOffsetTicks',
    spec.limitOffsetTicks,
    'ticks',
    Number.MIN_SAFE_INTEGER,
    '',
  );
  const stopOffsetTicks = optionalWhole('stopOffsetTicks', spec.stopOffsetTicks, 'ticks', 1, 'must be positive');
  let randomize: TwapRandomize | undefined;
  if (spec.randomize !== undefined) {
    randomize = {
      sizePct: percent('randomize.sizePct', spec.randomize.sizePct, 50),
      timeJitterPct: percent('randomize.timeJitterPct', spec.randomize.timeJitterPct, 100),
    };
    if (rng === undefined) throw new TwapPlanError('rng', 'randomize needs a seeded Rng');
  }
  // Lots, via bigint: ceil(units / price) exactly, whatever the magnitudes.
  const minNotionalUnits = Math.max(instrumentMin, extraMin);
  const lotsFor = (units: number): number =>
    Math.max(1, Number((BigInt(units) + BigInt(referencePrice) - 1n) / BigInt(referencePrice)));
  const venueLots = lotsFor(instrumentMin);
  // The whole order below the instrument's minimum notional is refused: the venue would refuse it.
  if (qty < venueLots) {
    throw new TwapPlanError(
      'qty',
      `too few lots for one slice: ${qty} lots at ${referencePrice} ticks is under the instrument's minimum notional of ` +
        `${instrumentMin} units (${venueLots} lots)`,
    );
  }
  return {
    side: spec.side,
    qty,
    startTime,
    durationMs,
    intervalMs,
    sliceCount,
    referencePrice,
    minNotionalUnits,
    minSliceLots: lotsFor(minNotionalUnits),
    maxSliceQty,
    liquidityCap,
    randomize,
    childType,
    limitOffsetTicks,
    stopOffsetTicks,
  };
}
