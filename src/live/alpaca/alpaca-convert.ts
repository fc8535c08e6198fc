// Alpaca's amounts, times and Order objects in our units: prices in ticks, quantities in lots,
// times in epoch ms. Alpaca's trading API sends amounts as decimal strings ("187.5"); its
// market-data API as JSON numbers. The SDK's Order keeps the raw snake_case keys beside its
// camelCase ones; this reads the raw keys first (exact strings), the camelCase second.
import { clientOrderId as toClientOrderId, venueOrderId as toVenueOrderId } from '../../core/model/ids.ts';
import { parseDecimal } from '../../core/model/decimal.ts';
import { priceToTicks, qtyToLots, type Instrument } from '../../core/model/instrument.ts';
import type { OrderStatusReport } from '../../core/model/reports.ts';
import { ourStatus } from './alpaca-statuses.ts';

/** A plain decimal string from a string or number, exponent notation expanded ("1e-7" -> "0.0000001"). */
export function plainDecimal(value: unknown): string | null {
  let text: string;
  if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'string') text = value.trim();
  else return null;
  const m = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/.exec(text);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return null;
  const sign = m[1] === '-' ? '-' : '';
  const frac = m[3] ?? '';
  let digits = (m[2] ?? '') + frac;
  let scale = frac.length - Number(m[4] ?? '0');
  if (scale < 0) {
    digits += '0'.repeat(-scale);
    scale = 0;
  }
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale).replace(/^0+(?=\d)/, '');
  const fraction = padded.slice(padded.length - scale);
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Steps of `step` in a decimal, exactly when on the grid, else rounded to the nearest step. */
function stepsOf(value: string, step: string, exact: (v: string) => number): number {
  try {
    return exact(value);
  } catch {
    return Math.round(fractionalSteps(value, step));
  }
}

function fractionalSteps(value: string, step: string): number {
  const v = parseDecimal(value);
  const s = parseDecimal(step);
  return (Number(v.mantissa) / Number(s.mantissa)) * 10 ** (s.scale - v.scale);
}

/** A price in whole ticks (an off-grid price, e.g. sub-penny price improvement, rounds to the nearest). */
export function ticksOf(inst: Instrument, value: unknown): number | null {
  const d = plainDecimal(value);
  return d === null ? null : stepsOf(d, inst.tickSize, (v) => priceToTicks(inst, v));
}

/** A price in fractional ticks, unrounded (averages). */
export function fractionalTicksOf(inst: Instrument, value: unknown): number | null {
  const d = plainDecimal(value);
  return d === null ? null : fractionalSteps(d, inst.tickSize);
}

/** A quantity in lots (off the lot grid rounds to the nearest lot). */
export function lotsOf(inst: Instrument, value: unknown): number | null {
  const d = plainDecimal(value);
  return d === null ? null : stepsOf(d, inst.lotSize, (v) => qtyToLots(inst, v));
}

/** Epoch ms of a Date or an RFC 3339 string; null when absent or unreadable. */
export function msOf(value: unknown): number | null {
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : null;
  if (typeof value === 'string' && value !== '') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

/** The fields of an Alpaca Order the adapter reads (raw keys, or the SDK's camelCase). */
export interface OrderFields {
  readonly id: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly status: string;
  readonly side: 'buy' | 'sell' | null;
  readonly qty: unknown;
  readonly filledQty: unknown;
  readonly filledAvgPrice: unknown;
  readonly limitPrice: unknown;
  readonly updatedAt: number | null;
  readonly submittedAt: number | null;
}

export function orderFields(order: Record<string, unknown>): OrderFields {
  const pick = (raw: string, camel: string): unknown => (order[raw] !== undefined ? order[raw] : order[camel]);
  const side = pick('side', 'side');
  return {
    id: String(pick('id', 'id') ?? ''),
    clientOrderId: String(pick('client_order_id', 'clientOrderId') ?? ''),
    symbol: String(pick('symbol', 'symbol') ?? ''),
    status: String(pick('status', 'status') ?? ''),
    side: side === 'buy' || side === 'sell' ? side : null,
    qty: pick('qty', 'qty'),
    filledQty: pick('filled_qty', 'filledQty'),
    filledAvgPrice: pick('filled_avg_price', 'filledAvgPrice'),
    limitPrice: pick('limit_price', 'limitPrice'),
    updatedAt: msOf(pick('updated_at', 'updatedAt')) ?? msOf(pick('created_at', 'createdAt')),
    submittedAt: msOf(pick('submitted_at', 'submittedAt')) ?? msOf(pick('created_at', 'createdAt')),
  };
}

export type OrderRow = Omit<OrderStatusReport, 'kind'>;

/**
 * The order's full state without executions (Alpaca lists none): cumulative filled lots and
 * their average price in fractional ticks. Null when the order cannot be read (no id or client
 * id, or no quantity: a notional order, which the adapter never sends).
 */
export function orderRow(
  inst: Instrument,
  order: Record<string, unknown>,
  source: OrderRow['source'],
): OrderRow | null {
  const f = orderFields(order);
  if (f.id === '' || f.clientOrderId === '') return null;
  const filledQty = lotsOf(inst, f.filledQty) ?? 0;
  const qty = lotsOf(inst, f.qty);
  if (qty === null) return null;
  const avg = filledQty > 0 ? fractionalTicksOf(inst, f.filledAvgPrice) : null;
  const limit = f.limitPrice === null || f.limitPrice === undefined ? null : ticksOf(inst, f.limitPrice);
  return {
    clientOrderId: toClientOrderId(f.clientOrderId),
    venueOrderId: toVenueOrderId(f.id),
    status: ourStatus(f.status, qty, filledQty),
    qty,
    filledQty,
    ...(avg === null ? {} : { avgPrice: avg }),
    ...(f.updatedAt === null ? {} : { updatedAt: f.updatedAt }),
    ...(source === undefined ? {} : { source }),
    ...(f.side === null ? {} : { side: f.side }),
    limitPrice: limit,
  };
}
