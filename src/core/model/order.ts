// What an order is: sides, types, time in force, and the immutable request of one child order.
// Prices in ticks and quantities in lots (see instrument.ts).
import type { ClientOrderId, ParentOrderId, Symbol } from './ids.ts';

export const SIDES = ['buy', 'sell'] as const;
export type Side = (typeof SIDES)[number];

export const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const TIMES_IN_FORCE = ['GTC', 'IOC', 'FOK', 'DAY'] as const;
export type TimeInForce = (typeof TIMES_IN_FORCE)[number];

/** The request of one order sent to a venue. */
export interface OrderRequest {
  readonly clientOrderId: ClientOrderId;
  readonly parentId: ParentOrderId;
  readonly sliceNum: number;
  readonly totalSlices: number;
  readonly scheduledTime: number;
  readonly symbol: Symbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly qty: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  /** Maker only: refused rather than matched if it would take liquidity. */
  readonly postOnly?: boolean;
}

/**
 * The request of `fields` (an OrderCreated event, an earlier request) with quantity `qty` and its
 * prices: `limitPrice` and `stopPrice` when not null, after every other field, as a rest copy of
 * `fields` without its prices then spread with them would have it. Written out field by field:
 * V8 gives a rest or spread copy a hidden class outside its shape tree, and fields added to it
 * then made a new class for every order once the site had seen a few shapes.
 */
export function requestWith(
  fields: Omit<OrderRequest, 'limitPrice' | 'stopPrice' | 'qty'>,
  qty: number,
  limitPrice: number | null | undefined,
  stopPrice: number | null | undefined,
): OrderRequest {
  const request: { -readonly [K in keyof OrderRequest]: OrderRequest[K] } = {
    clientOrderId: fields.clientOrderId,
    parentId: fields.parentId,
    sliceNum: fields.sliceNum,
    totalSlices: fields.totalSlices,
    scheduledTime: fields.scheduledTime,
    symbol: fields.symbol,
    side: fields.side,
    type: fields.type,
    tif: fields.tif,
    qty,
  };
  if (fields.postOnly !== undefined) request.postOnly = fields.postOnly;
  if (limitPrice !== null && limitPrice !== undefined) request.limitPrice = limitPrice;
  if (stopPrice !== null && stopPrice !== undefined) request.stopPrice = stopPrice;
  return request;
}

/** +1 for buys, -1 for sells: signed position arithmetic without branches. */
export const sideSign = (side: Side): 1 | -1 => (side === 'buy' ? 1 : -1);
