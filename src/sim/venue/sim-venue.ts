// The simulated venue behind the Broker port: the exchange core (sim-exchange.ts) plus what
// stands between it and us: latency on each path, scheduled faults, the venue's own refusal
// codes, and two channels that keep their own order (REST answers; the execution stream).
// Books, queries, faults and several symbols: docs/0069-core-and-simulator-notes.md.
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
import type { MarketTape } from './market-tape.ts';
import { Channel } from './market-data-feed.ts';
import { VenueBook } from './venue-book.ts';
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

export type { DeferringMarket } from './venue-book.ts';

export class SimVenue implements Broker, MarketDataPort {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  private handler: ReportHandler = () => {
    throw new Error('SimVenue: no report handler set');
  };
  private readonly rest: Channel;
  private readonly stream: Channel;
  private get skewMs(): number {
    return this.options.clockSkewMs ?? 0;
  }
  private faultedRequests: FaultedRequests | null = null;
  /** The first symbol's book (the only one of a venue of one symbol), and every book by symbol. */
  private readonly primary: VenueBook;
  private readonly books = new Map<Symbol, VenueBook>();
  private readonly bookList: VenueBook[] = [];

  constructor(
    private readonly clock: Clock,
    exchange: SimExchange,
    private readonly latency: LatencyModel,
    private readonly faults: FaultSchedule,
    private readonly options: SimVenueOptions,
  ) {
    this.clientIdMaxLength = options.rules.clientIdMaxLength;
    this.ordersSinceBy = options.rules.ordersSinceBy;
    this.rest = new Channel(clock);
    this.stream = new Channel(clock);
    this.primary = this.addExchange(exchange);
  }

  /** The first symbol's exchange core (the only one of a venue of one symbol). */
  get exchange(): SimExchange {
    return this.primary.exchange;
  }

  /** The first symbol's tape. */
  get tape(): MarketTape {
    return this.primary.tape;
  }

  /** Every book, in the order they were added (the first symbol's first). */
  get allBooks(): readonly VenueBook[] {
    return this.bookList;
  }

  /**
   * Another symbol's book on this venue and account (its exchange shares the account's quote
   * balance and the venue's order numbering: BookMatcher's `shared`). Our fills on it reach us
   * on the venue's one execution stream.
   */
  addExchange(exchange: SimExchange, commission: Commission | undefined = this.options.commission): VenueBook {
    const symbol = exchange.symbol;
    if (this.books.has(symbol)) throw new Error(`SimVenue: a second book for ${symbol}`);
    const book = new VenueBook(this.clock, exchange, this.latency, this.faults, commission);
    this.books.set(symbol, book);
    this.bookList.push(book);
    exchange.setListener({
      accepted: () => {},
      filled: (o, t) => {
        book.tape.trade(t.time, t.price, t.qty);
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
          ...(commission ? { commission: commission(t.fee, t.price) } : {}),
        });
        book.refreshTop(); // what we took is gone from the top we see
      },
      canceled: () => {}, // our cancels are answered on the REST channel
      expired: (o, reason) => this.streamReport({ kind: 'ExpiredReport', clientOrderId: o.clientOrderId, reason }),
    });
    return book;
  }

  /** The book of `symbol`; a venue of one symbol has only the one. */
  book(symbol: Symbol): VenueBook {
    if (this.bookList.length === 1) return this.primary;
    const book = this.books.get(symbol);
    if (!book) throw new Error(`SimVenue: no book for ${symbol}`);
    return book;
  }

  /** The book holding our order `id` (the first symbol's when none does). */
  private bookHolding(id: ClientOrderId): VenueBook {
    if (this.bookList.length === 1) return this.primary;
    for (const b of this.bookList) if (b.exchange.order(id) !== undefined) return b;
    return this.primary;
  }

  /** Schedules the venue's own calendar: DAY orders expire at each session close. */
  start(): void {
    const hours = this.options.rules.hours;
    if (hours.kind === '24/7') return;
    const scheduleClose = (): void => {
      const close = hours.sessionClose(this.clock.now());
      this.clock.schedule(() => {
        for (const b of this.bookList) b.exchange.expireDayOrders();
        scheduleClose();
      }, close - this.clock.now());
    };
    scheduleClose();
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  // ---- MarketDataPort: our delayed view ------------------------------------------------

  topOfBook(symbol: Symbol): TopOfBook {
    return this.book(symbol).topOfBook();
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return this.book(symbol).window(from, to);
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return this.book(symbol).lastUpdateAt();
  }

  feedFailure(symbol: Symbol): string | null {
    return this.book(symbol).feedFailure();
  }

  tradesSince(symbol: Symbol, cursor: number): TapeSlice {
    return this.book(symbol).tradesSince(cursor);
  }

  marketTrade(price: number, qty: number): void {
    this.primary.marketTrade(price, qty);
  }

  refreshTop(): void {
    this.primary.refreshTop();
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
      const book = this.books.get(order.symbol) ?? (this.bookList.length === 1 ? this.primary : null);
      const exchange = book?.exchange ?? null;
      let result: RefusalReason | ReturnType<SimExchange['submit']> | null = !isValidClientId(rules, cid)
        ? 'invalid-client-id'
        : exchange === null
          ? 'unknown-symbol'
          : (orderShapeRefusal(rules, order.type, order.tif) ??
            (order.postOnly && !rules.postOnly.supported ? 'unsupported-order-type' : null) ??
            (!open && rules.whenClosed === 'reject' ? 'market-closed' : null) ??
            this.usedElsewhere(cid, exchange));
      if (result === null && exchange !== null) {
        result = exchange.submit(order, order.postOnly === true, !open);
        if (typeof result !== 'string' && !open) {
          this.clock.schedule(
            () => this.atMatchingEngine(() => exchange.activate(cid)),
            rules.hours.nextOpen(now) - now,
          );
        }
      }
      if (typeof result === 'string' || result === null) {
        const reason = result ?? 'unknown-symbol';
        // Quantities in the venue's messages are lots (shares on an equities venue).
        const free = exchange === null ? 0 : Math.max(0, exchange.freePosition);
        const vars = { requested: String(order.qty), available: String(free), symbol: String(order.symbol) };
        return {
          kind: 'RejectReport',
          clientOrderId: cid,
          ...refusalReport(this.options.rules, reason, vars),
          ...(reason === 'duplicate-client-id' ? { duplicate: true as const } : {}),
        };
      }
      return { kind: 'AckReport', clientOrderId: cid, venueOrderId: result.venueOrderId };
    });
    return deliveryOf(fate);
  }

  /** A client id another of the venue's books holds (as its own uniqueness rule counts it): the
   *  venue's client ids are unique across its symbols. */
  private usedElsewhere(cid: ClientOrderId, exchange: SimExchange): RefusalReason | null {
    if (this.bookList.length === 1) return null;
    for (const b of this.bookList)
      if (b.exchange !== exchange && b.exchange.holdsClientId(cid)) return 'duplicate-client-id';
    return null;
  }

  cancel(clientOrderId: ClientOrderId, _venueOrderId: VenueOrderId | null): void {
    this.request(clientOrderId, 'cancel', () => {
      const exchange = this.bookHolding(clientOrderId).exchange;
      if (exchange.cancel(clientOrderId)) return { kind: 'CancelReport', clientOrderId };
      // A finished order: the venue says so where its rules have the answer (Alpaca: 422 "order
      // is already in "filled" state"); Binance answers -2011 "Unknown order sent." for it too.
      const done = exchange.order(clientOrderId);
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
      () => {
        const book = this.bookHolding(clientOrderId);
        return orderAnswer(book.exchange, clientOrderId, book.commission, this.skewMs, askedAfterSeq);
      },
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
      () => stamped(openOrdersAnswer(this.bookList, asOf, this.skewMs), stamp),
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
      () => stamped(ordersPageAnswer(this.bookList, since, limit, after, by, asOf, this.skewMs), stamp),
      'orders_since',
      stamp,
    );
  }

  queryAccount(requestId?: string): void {
    const stamp = requestId === undefined ? {} : { requestId };
    const asOf = this.clock.now();
    this.request(null, 'query', () => stamped(accountAnswer(this.bookList, asOf), stamp), 'account', stamp);
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
    const books = this.bookList;
    for (let i = 0; i < books.length; i++) (books[i] as VenueBook).market?.catchUpBook();
    const result = process();
    for (let i = 0; i < books.length; i++) (books[i] as VenueBook).market?.wake();
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
    // An order or a cancel reaches the matching engine. A query only reads our orders and
    // balances, which nothing kept as data can have touched (a market keeps only steps and trades
    // that cannot reach an order of ours), so it catches no market up.
    const atVenue = what === 'query' ? process : (): VenueMessage => this.atMatchingEngine(process);
    if (fate.kind === 'deliver') {
      this.clock.post(() => {
        const answer = atVenue();
        this.rest.send(this.ackDelay(), () => this.handler(answer));
      }, entry);
      return fate;
    }
    this.faulted().fail(fate, cid, what, atVenue, query, stamp, entry);
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
    }));
  }
}

export { statusReport } from './venue-queries.ts';
