// Reduce-only, enforced on our side from what the VENUE reports (its position and its open orders
// for the symbol), never from a client's "reduce only" / "closing" flag: the order type has no such
// flag to trust. Pure functions on integers (lots). The rule is stricter than the usual
// available-to-close formula, which assumes every open order fills: only the side against the
// position, nothing when flat, and at most |position| less the reducing orders already open
// (docs/0037-reduce-only-from-the-venues-position.md). Fail closed: an unknown, stale or malformed
// venue answer denies, with the reason.
import type { Side } from '../model/order.ts';
import type { Denial } from './pre-trade.ts';

export interface OpenOrder {
  readonly side: Side;
  /** Remaining (unfilled) quantity in lots. */
  readonly qty: number;
}

/** What the venue said, for one symbol; null fields: the venue could not be asked. */
export interface VenueExposure {
  /** Signed lots: + long, - short; 0 when flat (Alpaca answers 404 when flat: that is 0, not null). */
  readonly position: number | null;
  readonly openOrders: readonly OpenOrder[] | null;
  /** Clock time the venue's answer was taken. */
  readonly observedAt: number | null;
}

/** How old the venue's answer may be: the check needs live data at order time; 5 s is ours. */
const DEFAULT_REDUCE_ONLY_MAX_AGE_MS = 5_000;

export interface ReduceOnlyOptions {
  readonly now: number;
  readonly maxAgeMs?: number;
  /** Lots as a person reads them in a denial (the instrument's decimal quantity); default: lots. */
  readonly qty?: (lots: number) => string;
}

interface OpenTotals {
  readonly buy: number;
  readonly sell: number;
}

function openTotals(openOrders: readonly OpenOrder[]): OpenTotals {
  let buy = 0;
  let sell = 0;
  for (const o of openOrders) {
    if (o.side === 'buy') buy += o.qty;
    else sell += o.qty;
  }
  return { buy, sell };
}

/** The effective position if every open order filled, signed: position + buys - sells. This is
 *  the usual available-to-close formula's number for long and short alike (its short branch,
 *  written with magnitudes, means the same); the rule enforced here is stricter (checkReduceOnly). */
export function effectivePosition(position: number, openOrders: readonly OpenOrder[]): number {
  const t = openTotals(openOrders);
  return position + t.buy - t.sell;
}

/** The side that reduces the current position; null when flat (nothing to reduce). */
export function reducingSide(position: number): Side | null {
  return position > 0 ? 'sell' : position < 0 ? 'buy' : null;
}

/** Lots a new order on the reducing side may have: |position| minus the reducing orders
 *  already open, never below 0; 0 when flat. */
export function availableToClose(position: number, openOrders: readonly OpenOrder[]): number {
  const side = reducingSide(position);
  if (side === null) return 0;
  const t = openTotals(openOrders);
  return Math.max(0, Math.abs(position) - (side === 'buy' ? t.buy : t.sell));
}

const deny = (code: string, reason: string, field?: string): Denial =>
  field === undefined ? { code, reason } : { code, reason, field };
const lots = (n: number): boolean => Number.isSafeInteger(n);

/** Checks the venue's answer is complete, fresh and well-formed (fail closed). */
function checkExposureKnown(exposure: VenueExposure | null, options: ReduceOnlyOptions): Denial | null {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_REDUCE_ONLY_MAX_AGE_MS;
  if (!exposure || exposure.position === null || exposure.position === undefined) {
    return deny(
      'reduce-only-position-unknown',
      'the venue position is unknown (venue not reachable): reduce-only cannot be verified, order denied',
    );
  }
  if (exposure.openOrders === null || exposure.openOrders === undefined) {
    return deny(
      'reduce-only-open-orders-unknown',
      'the venue open orders are unknown (venue not reachable): reduce-only cannot be verified, order denied',
    );
  }
  if (exposure.observedAt === null || exposure.observedAt === undefined || !Number.isFinite(exposure.observedAt)) {
    return deny(
      'reduce-only-exposure-stale',
      'the venue position has no observation time: reduce-only cannot be verified, order denied',
    );
  }
  const age = options.now - exposure.observedAt;
  if (age > maxAgeMs) {
    return deny(
      'reduce-only-exposure-stale',
      `the venue position is ${age} ms old (limit ${maxAgeMs} ms): reduce-only cannot be verified, order denied`,
    );
  }
  if (!lots(exposure.position))
    return deny(
      'reduce-only-exposure-invalid',
      `the venue position ${exposure.position} is not a whole number of lots: order denied`,
    );
  for (const o of exposure.openOrders) {
    if (!lots(o.qty) || o.qty < 0 || (o.side !== 'buy' && o.side !== 'sell')) {
      return deny(
        'reduce-only-exposure-invalid',
        `an open order (${String(o.side)} ${o.qty}) is not a side and a whole, non-negative number of lots: order denied`,
      );
    }
  }
  return null;
}

/**
 * Null when the order only reduces the venue position under any fills of the open orders;
 * otherwise the denial. Per order: position > 0: only sells, position < 0: only buys, position 0:
 * deny; available_to_close = max(0, |position| - SUM(open orders on the reducing side)); qty above
 * it is DENIED, never capped here: a caller that wants to cap sends min(qty, availableToClose(...))
 * as a new order. For ANY fills of the open orders (all, none, partial) the position with the new
 * order filled keeps the sign of the current position or is 0, and the new order only ever moves it
 * toward 0. Fail closed: position or open orders unknown (null), snapshot time unknown or older
 * than maxAgeMs, or any malformed number: deny with the reason.
 */
export function checkReduceOnly(
  order: { readonly side: Side; readonly qty: number },
  exposure: VenueExposure | null,
  options: ReduceOnlyOptions,
): Denial | null {
  const unknown = checkExposureKnown(exposure, options);
  if (unknown) return unknown;
  const { position, openOrders } = exposure as { position: number; openOrders: readonly OpenOrder[] };
  const q = options.qty ?? String;
  if (!lots(order.qty) || order.qty <= 0)
    return deny('reduce-only-invalid-qty', `quantity must be a positive whole number of lots, got ${order.qty}`, 'qty');
  const side = reducingSide(position);
  if (side === null) {
    return deny(
      'reduce-only-flat',
      'the venue position is flat: there is nothing to reduce (open orders are not a position), order denied',
      'side',
    );
  }
  if (order.side !== side) {
    return deny(
      'reduce-only-wrong-side',
      `the venue position is ${position > 0 ? 'long' : 'short'} ${q(Math.abs(position))}: a ${order.side} would increase it; only a ${side} reduces it`,
      'side',
    );
  }
  const available = availableToClose(position, openOrders);
  const pending = Math.abs(position) - available;
  if (available === 0) {
    return deny(
      'reduce-only-nothing-to-close',
      `the venue position ${position < 0 ? '-' : ''}${q(Math.abs(position))} is already covered by open ${side} orders: nothing left to close`,
      'qty',
    );
  }
  if (order.qty > available) {
    return deny(
      'reduce-only-exceeds-available',
      `${side} ${q(order.qty)} is more than the ${q(available)} available to close (position ${q(Math.abs(position))}, ${q(pending)} already in open ${side} orders): it would flip the position`,
      'qty',
    );
  }
  return null;
}
