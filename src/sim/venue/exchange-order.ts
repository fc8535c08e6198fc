// The venue's own record of one of our orders: what the venue knows, which is what a lookup by
// client order id returns. Mutable, owned by SimExchange.
import type { ClientOrderId, TradeId, VenueOrderId } from '../../core/model/ids.ts';
import type { OrderType, Side, TimeInForce } from '../../core/model/order.ts';

export type VenueOrderStatus = 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired' | 'rejected';

export interface ExchangeTrade {
  readonly tradeId: TradeId;
  readonly qty: number;
  readonly price: number;
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  readonly time: number;
}

export interface ExchangeOrder {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  /** Mutable only through SimExchange.modify. */
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  readonly postOnly: boolean;
  readonly createdAt: number;
  status: VenueOrderStatus;
  /** False for a stop that has not triggered yet. */
  triggered: boolean;
  filled: number;
  /** Sum of price x qty of fills, notional units. */
  notional: number;
  /** Volume ahead of us at our price: displayed market volume plus our own earlier orders there
   *  (resting limit orders only). */
  ahead: number;
  updatedAt: number;
  readonly trades: ExchangeTrade[];
}

export const isOpenStatus = (s: VenueOrderStatus): boolean => s === 'new' || s === 'partially_filled';
