// Venue truth: what a venue (simulated or live) tells us about our orders. Each report's `kind`
// equals its type name; the engine appends reports to the event log verbatim before reacting.
import type { Side } from './order.ts';
import type { ClientOrderId, Symbol, TradeId, VenueOrderId } from './ids.ts';

/**
 * What a failed request means, decided by the venue's adapter (from the venue's rules table for
 * refusals the venue states; from the transport for timeouts and resets), never by core: core
 * reads the report's kind and this class, and keeps codes and text for people and the log.
 * - reject: refused, and asking again unchanged will be refused again (RejectReport; a read
 *   refused for good: QueryFailedReport with failure 'reject');
 * - transient: not processed, ask again later (RetryableRejectReport; a refused cancel or a
 *   failed read with failure 'transient');
 * - unknown_outcome: sent, and whether the venue acted is unknown (OutcomeUnknownReport);
 * - not_found: the venue has no such order (OrderNotFoundReport; a cancel refused 'not_found');
 * - not_cancelable: the order exists and cannot be cancelled, usually because it is finished (a
 *   cancel refused 'not_cancelable').
 */
export type FailureClass = 'reject' | 'transient' | 'unknown_outcome' | 'not_found' | 'not_cancelable';

/** Why a read failed, for people and metrics (FillQueryFailed.category): set by the adapter. */
export const FAILURE_CATEGORIES = [
  'rate_limit',
  'server',
  'network',
  'timeout',
  'validation',
  'refused',
  'unrecognised',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export interface AckReport {
  readonly kind: 'AckReport';
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
}
/** The venue refused the order (failure class 'reject'). `code` and `reason` are for people and
 *  the log only: core decides nothing by them. */
export interface RejectReport {
  readonly kind: 'RejectReport';
  readonly clientOrderId: ClientOrderId;
  /** The venue's own code (e.g. Binance -2010, Alpaca 40310000), as a string. */
  readonly code: string;
  readonly reason: string;
  /** The refusal says the venue already holds an order with this client id (the adapter maps
   *  the answer back to our reason). For a resend, that order is ours: the send found it, it is
   *  no refusal of the order. */
  readonly duplicate?: true;
}
/** One execution of one of our orders, as a venue reports it (on the stream or in a lookup). */
export interface ReportedTrade {
  readonly tradeId: TradeId;
  /** Lots. */
  readonly qty: number;
  /** Ticks. */
  readonly price: number;
  /** Notional units (tick x lot) of quote currency. */
  readonly fee: number;
  readonly liquidity: 'maker' | 'taker';
  /** Venue time of the trade, epoch ms. */
  readonly venueTime: number;
  /** The commission as the venue stated it, when it did so in its own asset and amount
   *  (Binance: commission + commissionAsset, often BNB or the base asset); `fee` is then its
   *  value in quote as the reporter gave it (see TradeCommission). */
  readonly commission?: TradeCommission;
}

/**
 * A commission in the asset the venue took it in, and how `fee` values it. The simulated venue
 * states one beside the fee it charged (the fee is its own, in notional units). A live adapter
 * values it before it reports the fill, so the ledger's fees count it: the quote asset at its
 * amount, the base asset at the trade's price, any other asset (BNB) at a price it names in
 * `valuedAt`; without a price it says `unvalued` and `fee` is 0 (the fold records a
 * CommissionUnvalued event and the report names the amount). See
 * docs/0047-valuing-commissions-in-another-asset.md.
 */
export interface TradeCommission {
  readonly asset: string;
  readonly amount: string;
  /** The quote price of one `asset` that `fee` values the commission at (an asset neither base
   *  nor quote), as a decimal, and where it came from: the scenario's commissionPrices or the
   *  venue's own ticker. */
  readonly valuedAt?: { readonly price: string; readonly source: 'scenario' | 'ticker' };
  /** No price was known for `asset`: `fee` (0) leaves this commission out. */
  readonly unvalued?: true;
  /** Lots of the base asset the venue kept back as this commission (a fraction of a lot is
   *  usual: Binance states commissions to 8 decimals): the account's base moves by the fill's
   *  quantity less these. Absent: the commission came out of another balance (the simulated
   *  venue takes every fee from the quote balance). */
  readonly baseLots?: number;
}

export interface FillReport extends ReportedTrade {
  readonly kind: 'FillReport';
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
}
/** The venue refused a submit without processing it (rate limit; failure class 'transient'): it
 *  may be sent again with the same client order id. */
export interface RetryableRejectReport {
  readonly kind: 'RetryableRejectReport';
  readonly clientOrderId: ClientOrderId;
  readonly code: string;
  readonly reason: string;
}
export interface CancelReport {
  readonly kind: 'CancelReport';
  readonly clientOrderId: ClientOrderId;
}
export interface CancelRejectReport {
  readonly kind: 'CancelRejectReport';
  readonly clientOrderId: ClientOrderId;
  readonly code: string;
  readonly reason: string;
  /** What the refusal means, decided by the venue's adapter from its rules table (core never
   *  reads the text): the venue has no such order; the request was not processed (rate limit:
   *  ask again); or the order cannot be cancelled (already finished). */
  readonly failure: Extract<FailureClass, 'not_found' | 'transient' | 'not_cancelable'>;
}
export interface ExpiredReport {
  readonly kind: 'ExpiredReport';
  readonly clientOrderId: ClientOrderId;
  readonly reason: string;
}
/** A request whose outcome we cannot know (timeout, disconnect, 5xx after sending): failure class
 *  'unknown_outcome'. Core looks the order up by client id before doing anything else. */
export interface OutcomeUnknownReport {
  readonly kind: 'OutcomeUnknownReport';
  readonly clientOrderId: ClientOrderId;
  readonly request: 'submit' | 'cancel';
  readonly reason: string;
  /** What the transport saw, when the adapter knows: no answer in time ('timeout'), an error
   *  answer after sending ('server'), a dropped connection ('network'). For people, metrics and
   *  the local gateway's wire; core treats every unknown outcome alike. */
  readonly category?: Extract<FailureCategory, 'timeout' | 'server' | 'network'>;
}
/** A lookup by client order id found no such order at the venue (failure class 'not_found'). */
export interface OrderNotFoundReport {
  readonly kind: 'OrderNotFoundReport';
  readonly clientOrderId: ClientOrderId;
  /** Echo of the lookup's stamp (Broker.queryOrder): the sequence number of our last log entry
   *  when it was asked. A "not found" asked before our latest send of the order says nothing
   *  about that send (it is stale); absent on answers to unstamped lookups. */
  readonly askedAfterSeq?: number;
}

/**
 * The venue's answer to a lookup by client order id: its full truth about the order. Also a row
 * of an open-orders or orders-since listing (without `kind`), and a stream message that carries
 * the whole order (source 'stream').
 *
 * Two ways to state the fills, chosen by the adapter from what the venue gives:
 * - `trades` listed (Binance myTrades, the simulator): every execution with its id; core applies
 *   the ones it has not seen, and they must add up to `filledQty`.
 * - `trades` absent (Alpaca: filled_qty and filled_avg_price only): `filledQty` is the venue's
 *   cumulative filled quantity and `avgPrice` its average price. When the cumulative exceeds
 *   what core holds, core records ONE inferred fill for the difference (apply-event.ts,
 *   inferFill): trade id `inferred:<clientOrderId>:<cumulative lots>`, price such that the
 *   order's average equals the venue's, fee 0. Executions that arrive later with their own ids
 *   (the stream) are matched against it by quantity and never counted twice.
 * An empty `trades` list means "the venue lists executions and there are none", not "unknown".
 */
export interface OrderStatusReport {
  readonly kind: 'OrderStatusReport';
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  /** In our names: the adapter maps the venue's spelling (in its folder under src/live/) before reporting. */
  readonly status: 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired' | 'rejected';
  /** Lots ordered, and lots filled so far (cumulative, never decreasing). */
  readonly qty: number;
  readonly filledQty: number;
  /** The executions, when the venue lists them; absent when it states only the cumulative. */
  readonly trades?: readonly ReportedTrade[];
  /**
   * Average price of the `filledQty` lots, in fractional ticks (the venue's decimal average
   * divided by the tick size, unrounded). Required when `trades` is absent and `filledQty` > 0;
   * ignored when `trades` is listed.
   */
  readonly avgPrice?: number;
  /** The venue's last update time of the order, epoch ms, when it states one (conflict checks
   *  order full-state reports by it: src/core/order/status-cas.ts). */
  readonly updatedAt?: number;
  /** Who delivered this full state; a lookup when absent. */
  readonly source?: 'stream' | 'lookup' | 'reconciliation' | 'manual';
  /** The order as the venue describes it, when it does (an orphan can only be adopted with it). */
  readonly side?: Side;
  /** Echo of the lookup's stamp, when this answers a stamped lookup (see OrderNotFoundReport). */
  readonly askedAfterSeq?: number;
  /** Ticks; null for an order without a limit. */
  readonly limitPrice?: number | null;
  /** The order's symbol, stated by a venue that trades several of the node's symbols (an
   *  orphan is then quarantined on its own symbol only). */
  readonly symbol?: Symbol;
}

/** A read (lookup, snapshot) that failed. Its class and category are the adapter's; `reason` is
 *  the venue's or the transport's text, for people and the log. */
export interface QueryFailedReport {
  readonly kind: 'QueryFailedReport';
  readonly clientOrderId: ClientOrderId | null;
  readonly query: 'order' | 'open_orders' | 'orders_since' | 'account';
  /** transient: ask again after a backoff; reject: refused for good (bad request, auth), asking
   *  again will not help (fill detection stops polling; the deadline still applies). */
  readonly failure: Extract<FailureClass, 'transient' | 'reject'>;
  readonly category: FailureCategory;
  readonly reason: string;
  /** Echo of the lookup's stamp, for a failed stamped lookup (see OrderNotFoundReport). */
  readonly askedAfterSeq?: number;
  /** Echo of a failed snapshot request's id (see SnapshotStamp). */
  readonly requestId?: string;
}

/**
 * A change of the adapter's connection to the venue (a live venue; the simulator has none). The
 * execution stream can drop silently and reconnect; what it carried in between is lost to us, so
 * core answers a reconnect (disconnected, then connected) with a reconciliation pass. The first
 * `connected` is the start, not a reconnect.
 */
export interface ConnectionReport {
  readonly kind: 'ConnectionReport';
  readonly stream: 'orders' | 'market_data';
  readonly state: 'connected' | 'disconnected';
  readonly reason: string;
}

/**
 * What every snapshot answer (open orders, a page of orders, the account) carries besides its
 * content: which request it answers, and how new it is. Snapshots asked concurrently may answer
 * out of order (a live venue's requests race on separate connections), so a reader matches an
 * answer to its request by id, never by arrival.
 */
export interface SnapshotStamp {
  /** Echo of the request's id (Broker.queryOpenOrders and friends), when it had one. */
  readonly requestId?: string;
  /** Epoch ms on our clock no later than the moment the venue took the snapshot (the adapter
   *  stamps when the request was sent): the snapshot shows at least everything before it.
   *  Every adapter in this repository states it; hand-made reports in tests may leave it out. */
  readonly asOf?: number;
}

/** Snapshot answers for reconciliation: every open order, and the account. */
export interface OpenOrdersReport extends SnapshotStamp {
  readonly kind: 'OpenOrdersReport';
  readonly orders: ReadonlyArray<Omit<OrderStatusReport, 'kind'>>;
}
/** One row of an orders listing: the order's full state with the venue's times. */
export type OrdersPageRow = Omit<OrderStatusReport, 'kind'> & {
  readonly updatedAt: number;
  /** When the venue received the order (its own clock), when it states it. */
  readonly submittedAt?: number;
};
/** One page of an orders listing since a time (filtered and sorted by the time the venue's
 *  `Broker.ordersSinceBy` names); `next` (null on the last page) asks for the rest. */
export interface OrdersPageReport extends SnapshotStamp {
  readonly kind: 'OrdersPageReport';
  readonly since: number;
  readonly orders: ReadonlyArray<OrdersPageRow>;
  readonly next: { readonly at: number; readonly venueOrderId: string } | null;
}
/** One asset's balance at the venue: `free` may be used by a new order, `locked` is held by open
 *  orders. `locked` is null when the venue states only what is free. */
export interface AssetBalance {
  readonly free: number;
  readonly locked: number | null;
}
/**
 * The venue's account answer for the run's symbol. `position` and `quote` are the totals core
 * compares (reconciliation, position checks, the startup baseline); `balances` splits them into
 * free and locked when the venue gives the split.
 * - base: lots of the symbol's base asset (Binance: the base asset's free and locked; Alpaca:
 *   qty_available as free and qty - qty_available as locked);
 * - quote: notional units (tick x lot) of the quote currency (Binance: the quote asset's free
 *   and locked; Alpaca: cash, with locked null).
 * A venue that reports no split leaves `balances` out.
 */
export interface AccountReport extends SnapshotStamp {
  readonly kind: 'AccountReport';
  /** The symbol the position is of. */
  readonly symbol: Symbol;
  /** Signed position in lots (free + locked base). */
  readonly position: number;
  /** Quote balance in notional units (free + locked quote). */
  readonly quote: number;
  readonly balances?: { readonly base: AssetBalance; readonly quote: AssetBalance };
  /** The positions of the node's other symbols on the same account, when it trades several
   *  (`quote` is then the one balance they share, in account units: see NodeConfig). */
  readonly others?: readonly SymbolPosition[];
}

/** The position of `symbol` an account answer states: its own, or one of `others` (0 when the
 *  answer names neither: the account holds none of it). */
export function positionIn(report: AccountReport, symbol: string): number {
  if (report.symbol === symbol) return report.position;
  return report.others?.find((o) => o.symbol === symbol)?.position ?? 0;
}

/** One more symbol's position in an account answer: lots, and its base split when stated. */
export interface SymbolPosition {
  readonly symbol: Symbol;
  readonly position: number;
  readonly base?: AssetBalance;
}

/** Reports about one of our orders (they carry its client order id). */
export type VenueReport =
  | OrderStatusReport
  | AckReport
  | RejectReport
  | RetryableRejectReport
  | FillReport
  | CancelReport
  | CancelRejectReport
  | ExpiredReport
  | OutcomeUnknownReport
  | OrderNotFoundReport;

/** Everything a venue can tell us. */
export type VenueMessage =
  VenueReport | QueryFailedReport | OpenOrdersReport | OrdersPageReport | AccountReport | ConnectionReport;

/** Messages that show the venue answers (a failed read, a refusal without processing or an
 *  unknown outcome does not): what lookups backing off after failures wait for. */
const ANSWERING = new Set<string>([
  'AckReport',
  'RejectReport',
  'FillReport',
  'CancelReport',
  'ExpiredReport',
  'OrderStatusReport',
  'OrderNotFoundReport',
  'AccountReport',
  'OpenOrdersReport',
  'OrdersPageReport',
]);
export const showsVenueAnswering = (msg: { readonly kind: string }): boolean => ANSWERING.has(msg.kind);
