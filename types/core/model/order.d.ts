import type { ClientOrderId, ParentOrderId, Symbol } from './ids.js';
export declare const SIDES: readonly ["buy", "sell"];
export type Side = (typeof SIDES)[number];
export declare const ORDER_TYPES: readonly ["market", "limit", "stop", "stop_limit"];
export type OrderType = (typeof ORDER_TYPES)[number];
export declare const TIMES_IN_FORCE: readonly ["GTC", "IOC", "FOK", "DAY"];
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
export declare function requestWith(fields: Omit<OrderRequest, 'limitPrice' | 'stopPrice' | 'qty'>, qty: number, limitPrice: number | null | undefined, stopPrice: number | null | undefined): OrderRequest;
/** +1 for buys, -1 for sells: signed position arithmetic without branches. */
export declare const sideSign: (side: Side) => 1 | -1;
