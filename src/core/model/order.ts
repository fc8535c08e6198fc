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

/** +1 for buys, -1 for sells: signed position arithmetic without branches. */
export const sideSign = (side: Side): 1 | -1 => (side === 'buy' ? 1 : -1);
