// The one venue port, implemented by the simulated venue and by every live adapter. Commands go
// in and return nothing: the venue's answers arrive later as VenueReports through the handler,
// so core code never awaits a venue and stays on virtual time.
import type { ClientOrderId, Symbol, VenueOrderId } from '../model/ids.ts';
import type { OrderRequest } from '../model/order.ts';
import type { VenueMessage } from '../model/reports.ts';

/** Position in an orders listing: strictly after this (the listing's time, venue order id). */
export interface OrdersCursor {
  /** The row's update or submission time (Broker.ordersSinceBy), on the venue's clock. */
  readonly at: number;
  readonly venueOrderId: string;
}

export type ReportHandler = (report: VenueMessage) => void;

/**
 * The contract every adapter keeps (the simulated venue is the reference implementation):
 * - Every answer is a VenueMessage through the handler, never a return value or a thrown error;
 *   every command and query gets exactly one answer eventually (a lost one is an
 *   OutcomeUnknownReport or a QueryFailedReport, never silence the adapter knows of).
 * - No vendor type crosses the port: prices in ticks (fractional only where a report says so),
 *   quantities in lots, fees in notional units (tick x lot), times in epoch ms on the venue's
 *   clock, statuses in our names (reports.ts), mapped by the adapter.
 * - Failures carry their class (reports.ts FailureClass), decided by the adapter from the
 *   venue's rules table (src/core/venues: REFUSAL_CLASSES) or its transport; codes and text are
 *   for people and the log. Core never reads them.
 * - A full state without executions (OrderStatusReport without `trades`) states the venue's
 *   cumulative filled quantity and `avgPrice`; core infers the fills it has not seen. An adapter
 *   that can list executions should: fees and per-execution prices are then exact.
 */
export interface Broker {
  /** Venue limit on client order id length (36 for Binance, 128 for Alpaca). */
  readonly clientIdMaxLength: number;
  /**
   * Which time `queryOrdersSince` filters and sorts by: 'updated' (the order's last change) or
   * 'submitted' (when the venue received it: Alpaca's `after`, Binance's allOrders
   * `startTime`). Reconciliation is correct either way: by submission time it lists from the
   * oldest order still open when the previous pass began (reconciler.ts).
   */
  readonly ordersSinceBy: 'updated' | 'submitted';
  setReportHandler(handler: ReportHandler): void;
  /**
   * Connection life cycle, for venues reached over a network (the simulator has neither):
   * `start` opens the venue's streams (ConnectionReport as each connects), `stop` closes
   * everything and resolves once no socket or timer of the adapter is left. Commands sent
   * before `start` are answered like any other (REST needs no stream).
   */
  start?(): void;
  stop?(): Promise<void>;
  submit(order: OrderRequest): void;
  /**
   * Cancels one of our orders. `clientOrderId` always identifies it; `venueOrderId` is given
   * when core has seen the venue's ack (null before, and for orphans reconciliation cancels). An
   * adapter whose venue cancels only by its own id (Alpaca: DELETE /v2/orders/{id}) looks the
   * order up by client id first when `venueOrderId` is null (a not-found lookup answers the
   * cancel with CancelRejectReport failure 'not_found'; a failed one with failure 'transient').
   * The answer is CancelReport, CancelRejectReport (with its failure class: not_found,
   * transient, not_cancelable) or OutcomeUnknownReport (request 'cancel'). The simulated venue
   * cancels by client id either way. Core needs no capability flag: the lookup is the adapter's.
   */
  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void;
  /**
   * Looks an order up by client id: OrderStatusReport, OrderNotFoundReport or QueryFailedReport,
   * each echoing `askedAfterSeq` when given. Core stamps every lookup with the sequence number of
   * its last log entry, so an answer is matched to when it was asked: answers may arrive out of
   * order with our own later sends of the same order (see ExecutionEngine.broker).
   */
  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void;
  /**
   * Every open order: OpenOrdersReport or QueryFailedReport. The snapshot reads take an optional
   * `requestId` that their answer echoes (reports.ts SnapshotStamp): answers to concurrent reads
   * may arrive in any order.
   */
  queryOpenOrders(requestId?: string): void;
  /**
   * Orders updated (or submitted: `ordersSinceBy`) at or after `since` (epoch ms, venue clock),
   * ordered by (that time, venue order id), at most `limit` per page, starting strictly after
   * `after` when given (the previous page's `next` cursor): OrdersPageReport or
   * QueryFailedReport.
   */
  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void;
  /** The symbol's position and the balances: AccountReport or QueryFailedReport. The run's first
   *  answer, read before anything is sent, is its baseline (AccountBaseline). */
  queryAccount(requestId?: string): void;
}

/** Best bid and offer as the venue last showed them to us; prices in ticks, sizes in lots. */
export interface TopOfBook {
  readonly bid: number | null;
  readonly bidQty: number;
  readonly ask: number | null;
  readonly askQty: number;
}

/** What the market did over a window: for execution-quality reports. */
export interface MarketWindow {
  /** Volume-weighted trade price, ticks (fractional); null when nothing traded. */
  readonly vwap: number | null;
  /** Time-weighted mid, ticks (fractional); null without a two-sided quote. */
  readonly twapMid: number | null;
  /** Lots traded by everyone, us included. */
  readonly volume: number;
  /** Present when the source saw the market only from this time on, after the window's start
   *  (a live feed that started, or dropped old data, inside the window): the figures above
   *  then leave out what traded before it. */
  readonly coveredFrom?: number;
}

/** Trades on the venue's tape after a cursor, summed: see MarketDataPort.tradesSince. */
export interface TapeSlice {
  /** Where the next call continues from. */
  readonly cursor: number;
  readonly trades: number;
  /** Lots traded, and their notional (ticks x lots). */
  readonly volume: number;
  readonly notional: number;
  /** The price of the last trade on the whole tape (ticks), null before the first. */
  readonly last: number | null;
  /** The highest and lowest price of the trades summed (ticks), null when there were none. */
  readonly high: number | null;
  readonly low: number | null;
}

/** A local, synchronous read of the latest market data the adapter has received. */
export interface MarketDataPort {
  topOfBook(symbol: Symbol): TopOfBook;
  /** The market over [from, to] as the adapter recorded it. */
  window(symbol: Symbol, from: number, to: number): MarketWindow;
  /** When the adapter last received market data for the symbol (epoch ms), or null: none yet.
   *  The circuit breaker's stale-data condition measures the age of the data from this. */
  lastUpdateAt(symbol: Symbol): number | null;
  /**
   * The trades on the venue's public tape (everyone's, ours included) after `cursor`, summed,
   * with the cursor to continue from: 0 is the tape's start, and each call passes the cursor of
   * the previous answer, so no trade is counted twice or missed however many share a
   * millisecond. An adapter that keeps no tape leaves it out (market samples then carry no
   * trades).
   */
  tradesSince?(symbol: Symbol, cursor: number): TapeSlice;
  /**
   * Why the source's market data for the symbol cannot be trusted now (its market stream is
   * down, its quote read failed, the scenario's market_data_outage window), or null while it is
   * healthy. A source that cannot tell leaves it out; staleness still shows through
   * lastUpdateAt. Read on every quote by the quote fallback (src/core/market): keep it cheap.
   */
  feedFailure?(symbol: Symbol): string | null;
  /**
   * Why topOfBook has no quote for the symbol now although the venue may have one (its feed
   * failed and no fallback quote is young enough), or null: a port that only passes on what
   * its source shows leaves it out. Read when a consumer finds no quote, to say why.
   */
  noQuoteReason?(symbol: Symbol): string | null;
}
