// TWAP slices' client order ids: a hash of the parent's parameters, its trade date and the slice
// number, shortened to the venue's limit. The same inputs give the same id on every retry and
// after a restart (a re-plan that sees another price too), so the venue can never hold two
// orders for one slice.
import { deriveClientOrderId, utcDate } from '../model/client-order-id.ts';
import { clientOrderId, type ClientOrderId } from '../model/ids.ts';
import type { Placement } from './placement.ts';
import type { Side } from '../model/order.ts';
import type { TrajectorySpec } from './trajectory.ts';
import type { TwapSpec } from './twap-slicer.ts';
import { whole } from './twap-spec-check.ts';

/** What a slice's client order id is derived from: the parent, never the slice's (re-sizable) qty. */
export interface TwapParentKey {
  readonly parentId: string;
  readonly symbol: string;
  readonly side: Side;
  /** The parent's lots. */
  readonly qty: number;
  /** The parent's UTC trade date (YYYY-MM-DD), so a plan crossing midnight keeps its ids. */
  readonly tradeDate: string;
  readonly paramsFingerprint: string;
}

/**
 * The parameters the user chose, as one string. Market-derived inputs (referencePrice, and
 * maxSliceQty from volume) and the rng are left out: a re-plan after a restart that sees another
 * price must still give slice k the id it had, so the venue refuses a second slice k.
 */
export function twapParamsFingerprint(spec: TwapSpec): string {
  const r = spec.randomize;
  return [
    'twap1',
    spec.side,
    spec.qty,
    spec.startTime,
    spec.durationMs,
    spec.intervalMs !== undefined ? `every ${spec.intervalMs}` : `count ${String(spec.sliceCount)}`,
    spec.childType,
    spec.limitOffsetTicks ?? '',
    spec.stopOffsetTicks ?? '',
    spec.minSliceNotionalUnits ?? 0,
    r === undefined ? '' : `${r.sizePct}/${r.timeJitterPct}`,
  ].join(';');
}

/** A trajectory other than the straight line, and a placement policy, are parameters the user
 *  chose: their inputs join the fingerprint (TWAP's stays as it was, and so do its ids). */
export function twapParentKey(
  parentId: string,
  spec: TwapSpec,
  trajectory?: TrajectorySpec,
  placement?: Placement,
): TwapParentKey {
  const base = twapParamsFingerprint(spec) + (placement === undefined ? '' : `;${JSON.stringify(placement)}`);
  return {
    parentId,
    symbol: spec.instrument.symbol,
    side: spec.side,
    qty: spec.qty,
    tradeDate: utcDate(spec.startTime),
    paramsFingerprint:
      trajectory === undefined || trajectory.kind === 'linear' ? base : `${base};${JSON.stringify(trajectory)}`,
  };
}

/** The slice's client order id: identical on every call (retry, restart), unique per slice. */
export function twapClientOrderId(parent: TwapParentKey, sliceNum: number, maxLength: number): ClientOrderId {
  whole('sliceNum', sliceNum, 'slices', 1, 'must be at least 1');
  const { parentId, symbol, side, qty, tradeDate, paramsFingerprint } = parent;
  return deriveClientOrderId(
    { parentId, symbol, side, qty, tradeDate, sliceNum, params: paramsFingerprint },
    maxLength,
  );
}

/**
 * The client order id of the k-th re-pricing of a slice (a chaser's replacement, k from 1): the
 * slice's id with `-r<k>`, its head shortened when the venue's limit needs the room. A slice's id
 * is `x` and hex digits only, so no replacement's id is ever a slice's; the same slice and k give
 * the same id after a restart, so the venue refuses a second k-th replacement.
 */
export function replacementClientOrderId(slice: ClientOrderId, k: number, maxLength: number): ClientOrderId {
  whole('k', k, 'replacements', 1, 'must be at least 1');
  const suffix = `-r${k}`;
  const room = maxLength - suffix.length;
  if (room < 8) throw new Error(`client order id limit ${maxLength} leaves no room for replacement ${k}`);
  return clientOrderId(slice.slice(0, room) + suffix);
}
