// What the gateway's order desk (gateway-orders.ts) and a venue's wire share: an order as asked
// for, the desk's record of it, where it is in its life in the desk's words, and the changes the
// desk tells the wire of.
import type { ClientOrderId, Symbol } from '../core/model/ids.ts';
import type { OrderType, Side, TimeInForce } from '../core/model/order.ts';
import type { ExchangeTrade, VenueOrderStatus } from '../sim/venue/exchange-order.ts';

/** An order as a client asks for it, in its instrument's lots and ticks. */
export interface DeskOrder {
  /** The symbol it trades (one the gateway serves); absent: the gateway's first. */
  readonly symbol?: Symbol;
  readonly side: Side;
  readonly type: OrderType;
  readonly tif: TimeInForce;
  readonly qty: number;
  readonly limitPrice: number | null;
  readonly stopPrice: number | null;
  /** Maker only: refused rather than matched if it would take (Binance's LIMIT_MAKER). */
  readonly postOnly?: boolean;
  /** Ticks a buy holds the account's quote at while it is open, by the wire's rule (fixed when it
   *  is placed): a market buy's valuation, an Alpaca buy stop's converted limit price; absent: what
   *  the simulated exchange locks (a limit or stop price; nothing for a market order). */
  readonly reservePrice?: number;
}

/** An order the desk took: what was asked for, its ids, and where it is in its life. */
export interface DeskRecord extends DeskOrder {
  readonly symbol: Symbol;
  /** The venue's id of the order. */
  readonly id: string;
  /** The client's id of the order. */
  readonly clientOrderId: string;
  /** The order's id at the simulated exchange (= id). */
  readonly cid: ClientOrderId;
  /** Venue time of the submission, epoch ms, unique across orders. */
  readonly submittedAt: number;
  /** The order exists although the exchange does not have it (yet): the venue will act on its
   *  request, whose answer is lost. Orders the exchange has always exist. */
  announced: boolean;
  /** When the exchange refused an announced order (venue time, epoch ms): it is rejected. */
  rejectedAt: number | null;
  pendingCancel: boolean;
  /** A replace is under way: the order is being cancelled and its successor not yet placed. */
  replacing: boolean;
  /** The order that replaced this one, and when (epoch ms): set once the successor exists. */
  replacedBy: string | null;
  replacedAt: number | null;
  /** The order this one replaced. */
  readonly replaces: string | null;
  newSent: boolean;
  closedSent: boolean;
  /** The ids the wire gave the order's executions, by the exchange's trade id. */
  readonly executionIds: Map<string, string>;
}

/** Where an order is in its life, in the desk's words (each wire spells them its own way). */
export type DeskStatus =
  | VenueOrderStatus
  /** Announced, not yet at the exchange. */
  | 'arriving'
  /** Announced and no longer arriving, without an exchange order. */
  | 'accepted'
  | 'replaced'
  | 'replacing'
  | 'pending_cancel';

/** A change of an order the wire tells its clients of; `at` is venue time (skew applied). */
export type DeskEvent =
  | {
      readonly kind:
        'new' | 'pending_cancel' | 'pending_replace' | 'replace_rejected' | 'replaced' | 'closed' | 'rejected';
      readonly rec: DeskRecord;
      readonly at: number;
    }
  | {
      readonly kind: 'fill';
      readonly rec: DeskRecord;
      readonly at: number;
      readonly trade: ExchangeTrade;
      /** How many of the order's executions there are up to this one, it included. */
      readonly trades: number;
      /** Signed position in the order's symbol right after the execution, lots. */
      readonly positionAfter: number;
    };
