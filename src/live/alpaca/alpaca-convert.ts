// Alpaca's times and Order objects in our units: prices in ticks, quantities in lots, times in
// epoch ms. Alpaca's trading API sends amounts as decimal strings ("187.5"); its
// market-data API as JSON numbers. The SDK's Order keeps the raw snake_case keys beside its
// camelCase ones; this reads the raw keys first (exact strings), the camelCase second.
import { clientOrderId as toClientOrderId, venueOrderId as toVenueOrderId } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import { fractionalTicksOf, lotsOf, ticksOf } from '../wire-amounts.ts';
import type { VenueOrderRow } from '../live-venue.ts';
import type { VenueInstruments } from '../venue-instruments.ts';
import { ourStatus } from './alpaca-statuses.ts';

// The amounts' readers are shared with the other adapters (../wire-amounts.ts).
export { fractionalTicksOf, lotsOf, plainDecimal, ticksOf } from '../wire-amounts.ts';

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
export interface AlpacaOrderFields {
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

export function orderFields(order: Record<string, unknown>): AlpacaOrderFields {
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

/**
 * The order's full state without executions (Alpaca lists none): cumulative filled lots and
 * their average price in fractional ticks. Null when the order cannot be read (no id or client
 * id, or no quantity: a notional order, which the adapter never sends).
 */
export function orderRow(
  inst: Instrument,
  order: Record<string, unknown>,
  source: VenueOrderRow['source'],
): VenueOrderRow | null {
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

/** The order's row read with its symbol's instrument, stating the symbol when the adapter trades
 *  several; null when it cannot be read or is of a symbol the adapter does not trade. */
export function tradedOrderRow(
  instruments: VenueInstruments,
  order: Record<string, unknown>,
  source: VenueOrderRow['source'],
): VenueOrderRow | null {
  const symbol = orderFields(order).symbol;
  const inst = instruments.forRow(symbol);
  const row = inst === null ? null : orderRow(inst, order, source);
  return row === null || inst === null ? null : instruments.stated(row, inst.symbol);
}
