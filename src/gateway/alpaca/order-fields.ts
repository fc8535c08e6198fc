// The gateway's orders in Alpaca's fields: the Order object (every field of Alpaca's, now or as
// of an event's executions), the status Alpaca names for where the desk's order is (pending_new,
// pending_replace, an IOC or FOK remainder `canceled`), its names of the times in force, and the
// asset id it gives each symbol. The requests and events are alpaca-orders.ts's.
import { fractionalTicksToPrice, lotsToQty, ticksToPrice, type Instrument } from '../../core/model/instrument.ts';
import type { TimeInForce } from '../../core/model/order.ts';
import type { DeskRecord, DeskStatus } from '../desk-record.ts';
import type { GatewayOrders } from '../gateway-orders.ts';
import { rfc3339 } from './wire.ts';
import { TIFS, type AlpacaTif } from './alpaca-order-request.ts';

export type AlpacaOrderJson = Record<string, string | boolean | null>;

/** Alpaca's name of each time in force. */
export const TIF_NAMES = Object.fromEntries(Object.entries(TIFS).map(([name, tif]) => [tif, name])) as Record<
  TimeInForce,
  AlpacaTif
>;

/** What an order's fields are read from: the desk, each served symbol's instrument, the venue's
 *  clock skew, and Alpaca's status of an order now. */
export interface AlpacaOrderView {
  readonly desk: GatewayOrders;
  instrument(symbol: string): Instrument;
  readonly skewMs: number;
  status(rec: DeskRecord): string;
}

/** Alpaca's status of an order where the desk's is `status`. */
export function alpacaStatus(status: DeskStatus, rec: DeskRecord): string {
  switch (status) {
    case 'arriving':
      return 'pending_new';
    case 'replacing':
      return 'pending_replace';
    case 'expired':
      // The exchange expires what Alpaca cancels: an IOC or FOK remainder, a market order's
      // rest without liquidity. Only a DAY limit or stop order closed by the session's end is
      // expired.
      return rec.tif === 'DAY' && rec.type !== 'market' ? 'expired' : 'canceled';
    default:
      return status;
  }
}

/**
 * The Order object, now or as of the first `trades` executions (an event's snapshot). Every
 * field of Alpaca's Order; amounts as strings, times in RFC 3339 on the venue's clock.
 */
export function orderJson(view: AlpacaOrderView, rec: DeskRecord, trades?: number): AlpacaOrderJson {
  const o = view.desk.exchangeOrder(rec);
  const inst = view.instrument(rec.symbol);
  const all = o?.trades ?? [];
  const done = trades === undefined ? all : all.slice(0, trades);
  let filled = 0;
  let notional = 0;
  for (const t of done) {
    filled += t.qty;
    notional += t.qty * t.price;
  }
  const last = done[done.length - 1];
  let status: string;
  let updatedAt: number;
  if (trades === undefined) {
    status = view.status(rec);
    updatedAt = o ? o.updatedAt + view.skewMs : (rec.rejectedAt ?? rec.submittedAt);
  } else {
    status = trades === 0 ? 'new' : filled >= rec.qty ? 'filled' : 'partially_filled';
    updatedAt = last ? last.time + view.skewMs : o ? o.createdAt + view.skewMs : rec.submittedAt;
  }
  const at = (ms: number) => rfc3339(ms);
  const typeName = rec.type;
  return {
    id: rec.id,
    client_order_id: rec.clientOrderId,
    created_at: at(rec.submittedAt),
    updated_at: at(updatedAt),
    submitted_at: at(rec.submittedAt),
    filled_at: status === 'filled' && last ? at(last.time + view.skewMs) : null,
    expired_at: status === 'expired' ? at(updatedAt) : null,
    canceled_at: status === 'canceled' ? at(updatedAt) : null,
    failed_at: status === 'rejected' ? at(updatedAt) : null,
    replaced_at: status === 'replaced' && rec.replacedAt !== null ? at(rec.replacedAt) : null,
    replaced_by: status === 'replaced' ? rec.replacedBy : null,
    replaces: rec.replaces,
    asset_id: symbolUuid(rec.symbol),
    symbol: rec.symbol,
    asset_class: 'us_equity',
    notional: null,
    qty: lotsToQty(inst, rec.qty),
    filled_qty: lotsToQty(inst, filled),
    filled_avg_price: filled > 0 ? fractionalTicksToPrice(inst, notional / filled) : null,
    order_class: '',
    order_type: typeName,
    type: typeName,
    side: rec.side,
    position_intent: rec.side === 'buy' ? 'buy_to_open' : 'sell_to_close',
    time_in_force: TIF_NAMES[rec.tif],
    limit_price: rec.limitPrice === null ? null : ticksToPrice(inst, rec.limitPrice),
    stop_price: rec.stopPrice === null ? null : ticksToPrice(inst, rec.stopPrice),
    trail_price: null,
    trail_percent: null,
    hwm: null,
    status,
    extended_hours: false,
    legs: null,
  };
}

/** A stable UUID-shaped asset id for a symbol. */
export function symbolUuid(symbol: string): string {
  let h = 0x811c9dc5;
  const parts: string[] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    parts.push(h.toString(16).padStart(8, '0'));
  }
  const hex = parts.join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
