// The simulated venue behind the Broker port: the exchange core (sim-exchange.ts) plus what
// stands between it and us: latency on each path, scheduled faults, the venue's own refusal
// codes, and two channels that keep their own order (REST answers; the execution stream).
// Market models drive it through setLevel / marketTrade / refreshTop; our market-data view
// (MarketDataPort, kept in market-data-feed.ts) follows the venue's top of book after the
// market-data latency and freezes while quotes are stale. What a query's answer says is built in
// venue-queries.ts, and what a request a fault strikes gets in request-faults.ts.
import type { ClientOrderId, Symbol, VenueOrderId } from '../../core/model/ids.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type { VenueMessage } from '../../core/model/reports.ts';
import type {
  Broker,
  MarketDataPort,
  MarketWindow,
  OrdersCursor,
  ReportHandler,
  TapeSlice,
  TopOfBook,
} from '../../core/ports/broker.ts';
import { MarketTape } from './market-tape.ts';
import { Channel, MarketDataFeed } from './market-data-feed.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { deliveryOf, type Delivery, type FaultSchedule, type RequestFate } from '../faults.ts';
import type { LatencyModel } from '../latency-model.ts';
import type { SimExchange } from './sim-exchange.ts';
import {
  accountAnswer,
  openOrdersAnswer,
  orderAnswer,
  ordersPageAnswer,
  stamped,
  type Commission,
} from './venue-queries.ts';
import { cancelRefusal, FaultedRequests, refusalReport } from './request-faults.ts';
import {
  isValidClientId,
  orderShapeRefusal,
  type RefusalReason,
  type VenueRules,
} from '../../core/venues/venue-rules.ts';

export interface SimVenueOptions {
  readonly rules: VenueRules;
  /** Reports a fault that changed an outcome, for the event log. */
  readonly onFault: (fault: string, detail: string) => void;
  /** How the venue states a trade's commission, when not in quote (fee is in notional units). */
  readonly commission?: Commission;
  /** The venue's clock against ours, ms (positive: ahead): the times it states are on its clock. */
  readonly clockSkewMs?: number;
}

/** A market model that may keep its events as data while the book is quiet (see
 *  SyntheticModel): the venue has it apply them before anything reads the market (catchUp), and
 *  put the book in step too before anything reaches the matching engine (catchUpBook), and
 *  tells it when one of our orders may have come to rest (wake). */
export interface DeferringMarket {
  catchUp(): void;
  catchUpBook(): void;
  wake(): void;
}

export class SimVenue implements Broker, MarketDataPort {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  private handler: ReportHandler = () => {
    throw new Error('SimVenue: no report handler set');
  };
  private readonly rest: Channel;
  private readonly stream: Channel;
  /** Our delayed market-data view. */
  private readonly feed: MarketDataFeed;
  /** Every trade and the true mid path, for benchmarks. */
  readonly tape = new MarketTape();
  private tapeBid: number | null = null;
  private tapeAsk: number | null = null;
  private get skewMs(): number {
    return this.options.clockSkewMs ?? 0;
  }
  private market: DeferringMarket | null = null;
  private faultedRequests: FaultedRequests | null = null;

  constructor(
    private readonly clock: Clock,
    readonly exchange: SimExchange,
    private readonly latency: LatencyModel,
    private readonly faults: FaultSchedule,
    private readonly options: SimVenueOptions,
  ) {
    this.clientIdMaxLength = options.rules.clientIdMaxLength;
    this.ordersSinceBy = options.rules.ordersSinceBy;
    this.rest = new Channel(clock);
    this.stream = new Channel(clock);
    this.feed = new MarketDataFeed(clock, latency, faults);
    exchange.setListener({
      accepted: () => {},
      filled: (o, t) => {
        this.tape.trade(t.time, t.price, t.qty);
        this.streamReport({
          kind: 'FillReport',
          clientOrderId: o.clientOrderId,
          venueOrderId: o.venueOrderId,
          tradeId: t.tradeId,
          qty: t.qty,
          price: t.price,
          fee: t.fee,
          liquidity: t.liquidity,
          venueTime: t.time + this.skewMs,
          ...(this.options.commission ? { commission: this.options.commission(t.fee, t.price) } : {}),
        });
        this.refreshTop(); // what we took is gone from the top we see
      },
      canceled: () => {}, // our cancels are answered on the REST channel
      expired: (o, reason) => this.streamReport({ kind: 'ExpiredReport', clientOrderId: o.clientOrderId, reason }),
    });
  }

  /** Schedules the venue's own calendar: DAY orders expire at each session close. */
  start(): void {
    const hours = this.options.rules.hours;
    if (hours.kind === '24/7') return;
    const scheduleClose = (): void => {
      const close = hours.sessionClose(this.clock.now());
      this.clock.schedule(() => {
        this.exchange.expireDayOrders();
        scheduleClose();
      }, close - this.clock.now());
    };
    scheduleClose();
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  /** The market model that keeps events as data while the book is quiet. */
  setDeferringMarket(market: DeferringMarket): void {
    this.market = market;
  }

  /** Whether a model may keep its events as data now, showing no bid level under `lowestBid` and
   *  no ask level over `highestAsk` until it asks again: the book is quiet within that range
   *  (BookMatcher.gridQuiet) and market data has a fixed delay (a drawn one would take its draws
   *  from the latency stream out of turn). */
  canDefer(lowestBid: number, highestAsk: number): boolean {
    return this.exchange.gridQuiet(lowestBid, highestAsk) && this.feed.fixedDelay();
  }

  // ---- MarketDataPort: our delayed view ------------------------------------------------

  topOfBook(_symbol: Symbol): TopOfBook {
    this.market?.catchUp();
    return this.feed.top();
  }

  window(_symbol: Symbol, from: number, to: number): MarketWindow {
    this.market?.catchUp();
    return this.tape.window(from, to);
  }

  lastUpdateAt(_symbol: Symbol): number | null {
    this.market?.catchUp();
    return this.feed.lastUpdateAt();
  }

  tradesSince(_symbol: Symbol, cursor: number): TapeSlice {
    this.market?.catchUp();
    return this.tape.since(cursor);
  }

  /** Market models report other participants' trades here (the exchange sees them too). */
  marketTrade(price: number, qty: number): void {
    this.tape.trade(this.clock.now(), price, qty);
  }

  /** Market models call this after each market change; publishes the top if it moved. The top
   *  is the best level on each side with volume left for others: a displayed level our trades
   *  emptied is not a price anyone can trade at, so it is neither quoted nor a size of zero. */
  refreshTop(): void {
    const ex = this.exchange;
    const bid = ex.bestAvailable('bid');
    const ask = ex.bestAvailable('ask');
    this.publishTop(bid, bid === null ? 0 : ex.available('bid', bid), ask, ask === null ? 0 : ex.available('ask', ask));
  }

  /** What refreshTop does with a top of book it was given instead of reading the book: a model
   *  that kept its events as data knows each one's top without drawing it (see DeferringMarket). */
  publishTop(bid: number | null, bidQty: number, ask: number | null, askQty: number): void {
    if (bid !== this.tapeBid || ask !== this.tapeAsk) {
      // The true market, for benchmarks: recorded whatever our (delayed, maybe stale) view shows.
      this.tapeBid = bid;
      this.tapeAsk = ask;
      this.tape.mid(this.clock.now(), bid !== null && ask !== null ? (bid + ask) / 2 : null);
    }
    this.feed.publish(bid, bidQty, ask, askQty);
  }

  /** Around a deferring market's catch-up (see MarketDataFeed.catchUpStarted). */
  catchUpStarted(): void {
    this.feed.catchUpStarted();
  }

  catchUpEnded(): void {
    this.feed.catchUpEnded();
  }

  // ---- Broker --------------------------------------------------------------------------

  /** Sends an order request; returns what becomes of it (the Broker port ignores it; the gateway,
   *  which plays the venue, makes an order whose answer is lost exist from its request). */
  submit(order: OrderRequest): Delivery {
    const cid = order.clientOrderId;
    const fate = this.request(cid, 'submit', () => {
      const rules = this.options.rules;
      const now = this.clock.now();
      const open = rules.hours.isOpen(now);
      let result: RefusalReason | ReturnType<SimExchange['submit']> | null = !isValidClientId(rules, cid)
        ? 'invalid-client-id'
        : (orderShapeRefusal(rules, order.type, order.tif) ??
          (order.postOnly && !rules.postOnly.supported ? 'unsupported-order-type' : null) ??
          (!open && rules.whenClosed === 'reject' ? 'market-closed' : null));
      if (result === null) {
        result = this.exchange.submit(order, order.postOnly === true, !open);
        if (typeof result !== 'string' && !open) {
          this.clock.schedule(
            () => this.atMatchingEngine(() => this.exchange.activate(cid)),
            rules.hours.nextOpen(now) - now,
          );
        }
      }
      if (typeof result === 'string') {
        // Quantities in the venue's messages are lots (shares on an equities venue).
        const vars = { requested: String(order.qty), available: String(Math.max(0, this.exchange.freePosition)) };
        return {
          kind: 'RejectReport',
          clientOrderId: cid,
          ...refusalReport(this.options.rules, result, vars),
          ...(result === 'duplicate-client-id' ? { duplicate: true as const } : {}),
        };
      }
      return { kind: 'AckReport', clientOrderId: cid, venueOrderId: result.venueOrderId };
    });
    return deliveryOf(fate);
  }

  cancel(clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null): void {
    this.request(clientOrderId, 'cancel', () => {
      if (this.exchange.cancel(clientOrderId)) return { kind: 'CancelReport', clientOrderId };
      // A finished order: the venue says so where its rules have the answer (Alpaca: 422 "order
      // is already in "filled" state"); Binance answers -2011 "Unknown order sent." for it too.
      const done = this.exchange.order(clientOrderId);
      const finished = done !== undefined && this.options.rules.errors['cancel-finished-order'] !== undefined;
      return {
        kind: 'CancelRejectReport',
        clientOrderId,
        ...(finished
          ? cancelRefusal(this.options.rules, 'cancel-finished-order', { status: String(done.status).toLowerCase() })
          : cancelRefusal(this.options.rules, 'cancel-unknown-order')),
      };
    });
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    const stamp = askedAfterSeq === undefined ? {} : { askedAfterSeq };
    this.request(
      clientOrderId,
      'query',
      () => stamped(orderAnswer(this.exchange, clientOrderId, this.options.commission, this.skewMs), stamp),
      'order',
      stamp,
    );
  }

  queryOpenOrders(requestId?: string): void {
    const stamp = requestId === undefined ? {} : { requestId };
    const asOf = this.clock.now();
    this.request(
      null,
      'query',
      () => stamped(openOrdersAnswer(this.exchange, asOf, this.options.commission, this.skewMs), stamp),
      'open_orders',
      stamp,
    );
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new Error(`queryOrdersSince: limit must be a positive integer, got ${limit}`);
    const stamp = requestId === undefined ? {} : { requestId };
    const asOf = this.clock.now();
    const by = this.ordersSinceBy;
    this.request(
      null,
      'query',
      () =>
        stamped(
          ordersPageAnswer(this.exchange, since, limit, after, by, asOf, this.options.commission, this.skewMs),
          stamp,
        ),
      'orders_since',
      stamp,
    );
  }

  queryAccount(requestId?: string): void {
    const stamp = requestId === undefined ? {} : { requestId };
    const asOf = this.clock.now();
    this.request(null, 'query', () => stamped(accountAnswer(this.exchange, asOf), stamp), 'account', stamp);
  }

  /** Execution-stream reports (fills, cancels and expiries the venue initiates). */
  streamReport(report: VenueMessage): void {
    const fate = this.faults.reportFate(this.clock.now());
    if (fate.kind === 'lose') {
      this.options.onFault(
        'lost_reports',
        `${report.kind} for ${'clientOrderId' in report ? report.clientOrderId : '-'} lost`,
      );
      return;
    }
    if (fate.extraDelayMs > 0)
      this.options.onFault('delayed_reports', `${report.kind} delayed ${fate.extraDelayMs} ms`);
    this.stream.send(this.latency.sample('fillReport') + fate.extraDelayMs, () => this.handler(report));
  }

  /** A request reaching the matching engine: the market caught up first, and told afterwards
   *  when an order may now rest. */
  private atMatchingEngine<T>(process: () => T): T {
    this.market?.catchUpBook();
    const result = process();
    this.market?.wake();
    return result;
  }

  /**
   * One REST request through latency and faults. `process` runs at the venue when the request
   * reaches it and returns the answer, which travels back unless the request's fate loses it.
   * Returns that fate, drawn as the request is sent.
   */
  private request(
    cid: ClientOrderId | null,
    what: 'submit' | 'cancel' | 'query',
    process: () => VenueMessage,
    query: 'order' | 'open_orders' | 'orders_since' | 'account' = 'order',
    stamp: { askedAfterSeq?: number; requestId?: string } = {},
  ): RequestFate {
    const fate = this.faults.requestFate(this.clock.now(), what === 'submit');
    const entry = this.latency.sample('orderEntry');
    if (fate.kind === 'deliver') {
      this.clock.post(() => {
        const answer = this.atMatchingEngine(process);
        this.rest.send(this.ackDelay(), () => this.handler(answer));
      }, entry);
      return fate;
    }
    this.faulted().fail(fate, cid, what, process, query, stamp, entry);
    return fate;
  }

  /** The ack leg's latency, drawn when the answer leaves the matching engine (created once). */
  private readonly ackDelay = (): number => this.latency.sample('ack');

  /** What a request a fault struck gets (request-faults.ts); built only then. */
  private faulted(): FaultedRequests {
    return (this.faultedRequests ??= new FaultedRequests({
      clock: this.clock,
      rest: this.rest,
      rules: this.options.rules,
      onFault: this.options.onFault,
      ackDelay: this.ackDelay,
      answer: (m) => this.handler(m),
      atMatchingEngine: (process) => this.atMatchingEngine(process),
    }));
  }
}

export { statusReport } from './venue-queries.ts';
