// POST /api/v3/order's parameters checked and turned into the gateway's terms (lots, ticks, the
// simulated venue's order types), refused as Binance refuses them: a symbol the gateway does not
// serve -1121 (a served one's filters are its own instrument's), side
// -1117, type -1116, time in force -1115 (one sent where the type takes none -1106), a missing
// price, quantity or stop price -1102 (one sent where the type takes none -1106), a client id off
// Binance's pattern -1100, and filter failures -1013 (symbol-filters.ts). The types are MARKET,
// LIMIT, STOP_LOSS, STOP_LOSS_LIMIT and LIMIT_MAKER (post-only); take-profit, iceberg, trailing,
// pegged and quote-quantity orders are refused as on a symbol that does not allow them (-2010,
// exchangeInfo says so). What the account can afford is the simulated venue's question.
import type { Instrument } from '../../core/model/instrument.ts';
import type { OrderType, Side, TimeInForce } from '../../core/model/order.ts';
import { isValidClientId, refusal, type VenueRules } from '../../core/venues/index.ts';
import type { DeskOrder } from '../desk-record.ts';
import { RequestFields, SIGNED_PARAMS } from './request-fields.ts';
import { checkPrice, checkQty } from './symbol-filters.ts';
import { badRequest, isBinanceError, mandatory, type BinanceError } from './wire.ts';

export const BINANCE_ORDER_TYPES = ['LIMIT', 'LIMIT_MAKER', 'MARKET', 'STOP_LOSS', 'STOP_LOSS_LIMIT'] as const;
export type BinanceOrderType = (typeof BINANCE_ORDER_TYPES)[number];
export const RESPONSE_TYPES = ['ACK', 'RESULT', 'FULL'] as const;
export type ResponseType = (typeof RESPONSE_TYPES)[number];

const TYPES: Record<BinanceOrderType, OrderType> = {
  LIMIT: 'limit',
  LIMIT_MAKER: 'limit',
  MARKET: 'market',
  STOP_LOSS: 'stop',
  STOP_LOSS_LIMIT: 'stop_limit',
};
const TIFS = ['GTC', 'IOC', 'FOK'] as const;

/** The parameters POST /api/v3/order reads. */
export const ORDER_PARAMS = [
  'symbol',
  'side',
  'type',
  'timeInForce',
  'quantity',
  'quoteOrderQty',
  'price',
  'newClientOrderId',
  'stopPrice',
  'trailingDelta',
  'icebergQty',
  'newOrderRespType',
  'selfTradePreventionMode',
  'pegPriceType',
  'pegOffsetValue',
  'pegOffsetType',
  ...SIGNED_PARAMS,
];

export interface ParsedOrder {
  readonly order: DeskOrder;
  readonly binanceType: BinanceOrderType;
  /** The client's id, or null: the gateway makes one. */
  readonly clientOrderId: string | null;
  readonly respType: ResponseType;
}

const notSupported = (what: string): BinanceError => badRequest(-2010, `${what} are not supported for this symbol.`);

/** The order POST /api/v3/order asks for, or Binance's refusal: `served` holds the instrument
 *  of every symbol the gateway serves. */
export function parseOrderRequest(
  f: RequestFields,
  served: ReadonlyMap<string, Instrument>,
  rules: VenueRules,
): ParsedOrder | BinanceError {
  const unread = f.unread(ORDER_PARAMS);
  if (unread) return unread;
  const symbol = f.symbol([...served.keys()]);
  if (isBinanceError(symbol)) return symbol;
  const inst = served.get(symbol) as Instrument;
  const side = f.required('side');
  if (isBinanceError(side)) return side;
  if (side !== 'BUY' && side !== 'SELL') return badRequest(-1117, 'Invalid side.');
  const typeText = f.required('type');
  if (isBinanceError(typeText)) return typeText;
  if (typeText === 'TAKE_PROFIT' || typeText === 'TAKE_PROFIT_LIMIT') return notSupported('Take profit orders');
  if (!(BINANCE_ORDER_TYPES as readonly string[]).includes(typeText)) return badRequest(-1116, 'Invalid orderType.');
  const type = typeText as BinanceOrderType;
  for (const [name, what] of [
    ['icebergQty', 'Iceberg orders'],
    ['trailingDelta', 'Trailing stop orders'],
    ['pegPriceType', 'Pegged orders'],
    ['pegOffsetValue', 'Pegged orders'],
    ['pegOffsetType', 'Pegged orders'],
  ] as const)
    if (f.params.has(name)) return notSupported(what);
  const stp = f.oneOf('selfTradePreventionMode', ['NONE'], () =>
    badRequest(-1130, "Data sent for parameter 'selfTradePreventionMode' is not valid."),
  );
  if (isBinanceError(stp)) return stp;
  const respType = f.oneOf('newOrderRespType', RESPONSE_TYPES, () =>
    badRequest(-1130, "Data sent for parameter 'newOrderRespType' is not valid."),
  );
  if (isBinanceError(respType)) return respType;

  const takesTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT';
  const takesPrice = takesTif || type === 'LIMIT_MAKER';
  const takesStop = type === 'STOP_LOSS' || type === 'STOP_LOSS_LIMIT';
  const tifText = f.optional('timeInForce');
  if (isBinanceError(tifText)) return tifText;
  let tif: TimeInForce = 'GTC';
  if (takesTif) {
    if (tifText === undefined) return mandatory('timeInForce');
    if (!(TIFS as readonly string[]).includes(tifText)) return badRequest(-1115, 'Invalid timeInForce.');
    tif = tifText as TimeInForce;
  } else if (tifText !== undefined) return badRequest(-1106, "Parameter 'timeInForce' sent when not required.");

  const market = type === 'MARKET' || type === 'STOP_LOSS';
  if (f.params.has('quoteOrderQty')) {
    if (type !== 'MARKET') return badRequest(-1106, "Parameter 'quoteOrderQty' sent when not required.");
    // Binance's own wording, "not support" included (errors.md lists it so).
    return badRequest(-2010, 'Quote order qty market orders are not support for this symbol.');
  }
  const qtyText = f.required('quantity');
  if (isBinanceError(qtyText)) return qtyText;
  const priced = (name: 'price' | 'stopPrice', needed: boolean): number | null | BinanceError => {
    const v = f.optional(name);
    if (isBinanceError(v)) return v;
    if (v === undefined) return needed ? mandatory(name) : null;
    if (!needed) return badRequest(-1106, `Parameter '${name}' sent when not required.`);
    return checkPrice(inst, name, v);
  };
  const limitPrice = priced('price', takesPrice);
  if (isBinanceError(limitPrice)) return limitPrice;
  const stopPrice = priced('stopPrice', takesStop);
  if (isBinanceError(stopPrice)) return stopPrice;
  const qty = checkQty(inst, qtyText, market);
  if (isBinanceError(qty)) return qty;

  const cid = f.optional('newClientOrderId');
  if (isBinanceError(cid)) return badRequest(-1118, 'New client order ID was empty.');
  const badId = clientIdRefusal(rules, cid);
  if (badId !== null) return badId;
  return {
    order: {
      symbol: inst.symbol,
      side: side === 'BUY' ? ('buy' as Side) : ('sell' as Side),
      type: TYPES[type],
      tif,
      qty,
      limitPrice,
      stopPrice,
      ...(type === 'LIMIT_MAKER' ? { postOnly: true } : {}),
    },
    binanceType: type,
    clientOrderId: cid ?? null,
    // MARKET and LIMIT answer FULL by default, every other type ACK.
    respType: respType ?? (type === 'MARKET' || type === 'LIMIT' ? 'FULL' : 'ACK'),
  };
}

/** A client id the venue would not take (Binance: ^[a-zA-Z0-9-_]{1,36}$), wherever a request
 *  names a new one (an order's, a cancel's, a cancel-replace's): its refusal, or null. */
export function clientIdRefusal(rules: VenueRules, cid: string | undefined): BinanceError | null {
  if (cid === undefined || isValidClientId(rules, cid)) return null;
  const r = refusal(rules, 'invalid-client-id');
  return badRequest(Number(r.code), r.message);
}
