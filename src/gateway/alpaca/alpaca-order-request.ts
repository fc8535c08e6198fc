// An Alpaca order request body (POST /v2/orders, PATCH's replacement) checked and turned into the
// gateway's terms: its symbol's lots and ticks, Alpaca's order types and times in force. Every
// problem is the AlpacaError Alpaca answers with (400/422, or the venue rules' refusal for a
// quantity off the lot or a price off the tick). What the account can afford is the desk's
// question (alpaca-orders.ts), not the body's.
import type { Symbol } from '../../core/model/ids.ts';
import type { Instrument } from '../../core/model/instrument.ts';
import { priceToTicks, qtyToLots } from '../../core/model/instrument.ts';
import type { OrderType, Side, TimeInForce } from '../../core/model/order.ts';
import { refusal } from '../../core/venues/index.ts';
import type { VenueRules } from '../../core/venues/venue-rules.ts';
import { alpacaError, invalid, parseAmount, type AlpacaError } from './wire.ts';

export type AlpacaTif = 'day' | 'gtc' | 'ioc' | 'fok';

/** Alpaca's times in force as the venue's. */
export const TIFS: Record<AlpacaTif, TimeInForce> = { day: 'DAY', gtc: 'GTC', ioc: 'IOC', fok: 'FOK' };
const TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit'];

export interface ParsedOrder {
  readonly clientOrderId: string | null;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: AlpacaTif;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
}

/** The order a request body asks for, or the error Alpaca answers it with; `instrumentOf` gives
 *  a served symbol's instrument (undefined: an asset the venue does not have). */
export function parseOrderRequest(
  body: unknown,
  instrumentOf: (symbol: string) => Instrument | undefined,
  rules: VenueRules,
): AlpacaError | ParsedOrder {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return alpacaError(400, 40010000, 'request body format is invalid');
  const b = body as Record<string, unknown>;
  const symbol = b['symbol'];
  if (typeof symbol !== 'string' || symbol === '') return invalid('symbol is required');
  const inst = instrumentOf(symbol);
  if (inst === undefined) return invalid(`could not find asset "${symbol.slice(0, 40)}"`);
  const side = b['side'];
  if (side !== 'buy' && side !== 'sell') return invalid('side must be buy or sell');
  const type = b['type'];
  if (typeof type !== 'string') return invalid('type is required');
  if (!(TYPES as readonly string[]).includes(type)) {
    return type === 'trailing_stop'
      ? alpacaError(422, 42210000, 'trailing_stop orders are not supported by this gateway')
      : invalid(`invalid order type "${type.slice(0, 40)}"`);
  }
  const tif = b['time_in_force'];
  if (typeof tif !== 'string') return invalid('time_in_force is required');
  // Own keys only: `in` would take a name every object inherits ("constructor") as a time in force.
  if (!Object.hasOwn(TIFS, tif)) {
    return tif === 'opg' || tif === 'cls'
      ? alpacaError(422, 42210000, `time_in_force ${tif} is not supported by this gateway`)
      : invalid(`invalid time_in_force "${tif.slice(0, 40)}"`);
  }
  const orderClass = b['order_class'];
  if (orderClass !== undefined && orderClass !== '' && orderClass !== 'simple')
    return alpacaError(422, 42210000, 'only simple orders are supported by this gateway');
  if (b['notional'] !== undefined && b['notional'] !== null)
    return alpacaError(422, 42210000, 'notional orders are not supported by this gateway; give qty');
  const extendedHours = b['extended_hours'];
  if (extendedHours !== undefined && extendedHours !== null && typeof extendedHours !== 'boolean')
    return invalid('extended_hours must be true or false');
  if (extendedHours === true) return alpacaError(422, 42210000, 'extended hours are not supported by this gateway');
  if (b['qty'] === undefined || b['qty'] === null) return invalid('qty is required');
  const qtyText = parseAmount(b['qty'], 'qty');
  if (typeof qtyText !== 'string') return qtyText;
  let qty: number;
  try {
    qty = qtyToLots(inst, qtyText);
  } catch (err) {
    if (tooLarge(err)) return invalid(`qty ${String(b['qty']).slice(0, 40)} is too large`);
    const r = refusal(rules, 'qty-off-lot', { symbol: inst.symbol });
    return alpacaError(403, Number(r.code), r.message);
  }
  const price = (field: 'limit_price' | 'stop_price', needed: boolean): number | null | AlpacaError => {
    const v = b[field];
    if (v === undefined || v === null) return needed ? invalid(`${field} is required for ${type} orders`) : null;
    if (!needed) return invalid(`${field} is not allowed for ${type} orders`);
    const text = parseAmount(v, field);
    if (typeof text !== 'string') return text;
    try {
      return priceToTicks(inst, text);
    } catch (err) {
      if (tooLarge(err)) return invalid(`${field} ${String(v).slice(0, 40)} is too large`);
      const r = refusal(rules, 'price-off-tick', { field, price: text });
      return alpacaError(422, Number(r.code), r.message);
    }
  };
  const limitPrice = price('limit_price', type === 'limit' || type === 'stop_limit');
  if (limitPrice !== null && typeof limitPrice !== 'number') return limitPrice;
  const stopPrice = price('stop_price', type === 'stop' || type === 'stop_limit');
  if (stopPrice !== null && typeof stopPrice !== 'number') return stopPrice;
  const cid = b['client_order_id'];
  if (cid !== undefined && cid !== null && (typeof cid !== 'string' || cid.length === 0 || cid.length > 128))
    return invalid('client_order_id must be a string of 1 to 128 characters');
  return {
    clientOrderId: typeof cid === 'string' ? cid : null,
    symbol: inst.symbol,
    side,
    type: type as OrderType,
    tif: tif as AlpacaTif,
    qty,
    limitPrice,
    stopPrice,
  };
}

/**
 * Whether a decimal on the grid was refused for its size (more steps than a safe integer holds)
 * rather than for being off the grid: it is then neither a fractional quantity nor a sub-penny
 * price, and the refusal says what it is.
 */
function tooLarge(err: unknown): boolean {
  return err instanceof Error && /too large/.test(err.message);
}
