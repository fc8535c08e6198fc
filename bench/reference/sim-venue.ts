// The simulated venue behind the Broker port: the exchange core (sim-exchange.ts) plus what
// stands between it and us: latency on each path, scheduled faults, the venue's own refusal
// codes, and two channels that keep their own order (REST answers; the execution stream).
// Market models drive it through setLevel / marketTrade / refreshTop; our market-data view
// (MarketDataPort) follows the venue's top of book after the market-data latency and freezes
// while quotes are stale. What a query's answer says is built in venue-queries.ts.
import type { ClientOrderId, Symbol, VenueOrderId } from '../../src/core/model/ids.ts';
import type { OrderRequest } from '../../src/core/model/order.ts';
import type { CancelRejectReport, FailureCategory, VenueMessage } from '../../src/core/model/reports.ts';
import type {
  Broker,
  MarketDataPort,
  MarketWindow,
  OrdersCursor,
  ReportHandler,
  TapeSlice,
  TopOfBook,
} from '../../src/core/ports/broker.ts';
import { MarketTape } from '../../src/sim/venue/market-tape.ts';
import type { Clock } from '../../src/core/ports/clock.ts';
import type { FaultSchedule } from '../../src/sim/faults.ts';
import type { LatencyModel } from '../../src/sim/latency-model.ts';
import type { SimExchange } from './sim-exchange.ts';
import { accountAnswer, openOrdersAnswer, orderAnswer, ordersPageAnswer, type Commission } from './venue-queries.ts';
import {
  isValidClientId,
  orderShapeRefusal,
  refusal,
  type RefusalReason,
  type VenueRules,
} from '../../src/core/venues/venue-rules.ts';

export interface SimVenueOptions {
  readonly rules: VenueRules;
  /** Reports a fault that changed an outcome, for the event log. */
  readonly onFault: (fault: string, detail: string) => void;
  /** How the venue states a trade's commission, when not in quote (fee is in notional units). */
  readonly commission?: Commission;
  /** The venue's clock against ours, ms (positive: ahead): the times it states are on its clock. */
  readonly clockSkewMs?: number;
}

class Channel {
  private last = -Infinity;
  constructor(private readonly clock: Clock) {}
  /** Delivers `fn` after `delay`, never before anything this channel delivered earlier. */
  send(delay: number, fn: () => void): void {
    const at = Math.max(this.clock.now() + delay, this.last);
    this.last = at;
    this.clock.post(fn, at - this.clock.now());
  }
}

const EMPTY_TOP: TopOfBook = { bid: null, bidQty: 0, ask: null, askQty: 0 };

export class SimVenue implements Broker, MarketDataPort {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  private handler: ReportHandler = () => {
    throw new Error('SimVenue: no report handler set');
  };
  private readonly rest: Channel;
  private readonly stream: Channel;
  private readonly data: Channel;
  private view: TopOfBook = EMPTY_TOP;
  private viewAt: number | null = null;
  /** Every trade and the true mid path, for benchmarks. */
  readonly tape = new MarketTape();
  private tapeBid: number | null = null;
  private tapeAsk: number | null = null;
  private get skewMs(): number {
    return this.options.clockSkewMs ?? 0;
  }
  /** The top last sent towards our view; null when the view may be behind it (quotes were stale). */
  private published: TopOfBook | null = EMPTY_TOP;

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
    this.data = new Channel(clock);
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

  /** The one book, as the current venue lists its books (what the harness and audit read). */
  get allBooks(): ReadonlyArray<{ readonly exchange: SimExchange }> {
    return [{ exchange: this.exchange }];
  }

  book(_symbol: string): { readonly exchange: SimExchange } {
    return { exchange: this.exchange };
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  // ---- MarketDataPort: our delayed view ------------------------------------------------

  topOfBook(_symbol: Symbol): TopOfBook {
    return this.view;
  }

  window(_symbol: Symbol, from: number, to: number): MarketWindow {
    return this.tape.window(from, to);
  }

  lastUpdateAt(_symbol: Symbol): number | null {
    return this.viewAt;
  }

  tradesSince(_symbol: Symbol, cursor: number): TapeSlice {
    return this.tape.since(cursor);
  }

  /** Market models report other participants' trades here (the exchange sees them too). */
  marketTrade(price: number, qty: number): void {
    this.tape.trade(this.clock.now(), price, qty);
  }

  /** Market models call this after each market change; publishes the top if it moved (the best
   *  level on each side with volume left: one our trades emptied is not quoted). */
  refreshTop(): void {
    const bid = this.exchange.bestAvailable('bid');
    const ask = this.exchange.bestAvailable('ask');
    const top: TopOfBook = {
      bid,
      bidQty: bid === null ? 0 : this.exchange.available('bid', bid),
      ask,
      askQty: ask === null ? 0 : this.exchange.available('ask', ask),
    };
    if (bid !== this.tapeBid || ask !== this.tapeAsk) {
      // The true market, for benchmarks: recorded whatever our (delayed, maybe stale) view shows.
      this.tapeBid = bid;
      this.tapeAsk = ask;
      this.tape.mid(this.clock.now(), bid !== null && ask !== null ? (bid + ask) / 2 : null);
    }
    const p = this.published;
    if (p && p.bid === top.bid && p.ask === top.ask && p.bidQty === top.bidQty && p.askQty === top.askQty) return;
    // While quotes are stale nothing is sent, and a top that arrives stale is dropped: either
    // way the view is behind, so the first refresh after the window sends the current top.
    if (this.faults.quotesStale(this.clock.now())) {
      this.published = null;
      return;
    }
    this.published = top;
    this.data.send(this.latency.sample('marketData'), () => {
      if (!this.faults.quotesStale(this.clock.now())) {
        this.view = top;
        this.viewAt = this.clock.now();
      } else this.published = null;
    });
  }

  // ---- Broker --------------------------------------------------------------------------

  submit(order: OrderRequest): void {
    const cid = order.clientOrderId;
    this.request(cid, 'submit', () => {
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
          this.clock.schedule(() => this.exchange.activate(cid), rules.hours.nextOpen(now) - now);
        }
      }
      if (typeof result === 'string') {
        // Quantities in the venue's messages are lots (shares on an equities venue).
        const vars = { requested: String(order.qty), available: String(Math.max(0, this.exchange.freePosition)) };
        return { kind: 'RejectReport', clientOrderId: cid, ...this.refusalReport(result, vars) };
      }
      return { kind: 'AckReport', clientOrderId: cid, venueOrderId: result.venueOrderId };
    });
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
          ? this.cancelRefusal('cancel-finished-order', { status: String(done.status).toLowerCase() })
          : this.cancelRefusal('cancel-unknown-order')),
      };
    });
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    const stamp = askedAfterSeq === undefined ? {} : { askedAfterSeq };
    this.request(
      clientOrderId,
      'query',
      () =>
        ({
          ...orderAnswer(this.exchange, clientOrderId, this.options.commission, this.skewMs),
          ...stamp,
        }) as VenueMessage,
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
      () =>
        ({ ...openOrdersAnswer(this.exchange, asOf, this.options.commission, this.skewMs), ...stamp }) as VenueMessage,
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
        ({
          ...ordersPageAnswer(this.exchange, since, limit, after, by, asOf, this.options.commission, this.skewMs),
          ...stamp,
        }) as VenueMessage,
      'orders_since',
      stamp,
    );
  }

  queryAccount(requestId?: string): void {
    const stamp = requestId === undefined ? {} : { requestId };
    const asOf = this.clock.now();
    this.request(
      null,
      'query',
      () => ({ ...accountAnswer(this.exchange, asOf), ...stamp }) as VenueMessage,
      'account',
      stamp,
    );
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

  /**
   * One REST request through latency and faults. `process` runs at the venue when the request
   * reaches it and returns the answer, which travels back unless the request's fate loses it.
   */
  private request(
    cid: ClientOrderId | null,
    what: 'submit' | 'cancel' | 'query',
    process: () => VenueMessage,
    query: 'order' | 'open_orders' | 'orders_since' | 'account' = 'order',
    stamp: { askedAfterSeq?: number; requestId?: string } = {},
  ): void {
    const fate = this.faults.requestFate(this.clock.now(), what === 'submit');
    const entry = this.latency.sample('orderEntry');
    const back = () => this.latency.sample('ack');
    const label = `${what} ${cid ?? '(snapshot)'}`;
    // The simulator knows why each request failed: the class and category go on the report (a
    // failed read is always transient here; a sent command's outcome is unknown).
    const unknown = (reason: string, category: FailureCategory): VenueMessage =>
      what === 'query'
        ? { kind: 'QueryFailedReport', clientOrderId: cid, query, failure: 'transient', category, reason, ...stamp }
        : {
            kind: 'OutcomeUnknownReport',
            clientOrderId: cid as ClientOrderId,
            request: what,
            reason,
            ...(category === 'timeout' || category === 'server' || category === 'network' ? { category } : {}),
          };
    switch (fate.kind) {
      case 'deliver':
        this.clock.post(() => {
          const answer = process();
          this.rest.send(back(), () => this.handler(answer));
        }, entry);
        return;
      case 'rate_limited':
        this.options.onFault('rate_limit', `${label}: 429`);
        this.rest.send(entry + back(), () =>
          this.handler(
            what === 'query'
              ? unknown('429 Too Many Requests', 'rate_limit')
              : what === 'submit'
                ? {
                    kind: 'RetryableRejectReport',
                    clientOrderId: cid as ClientOrderId,
                    ...this.refusalReport('rate-limited'),
                  }
                : {
                    kind: 'CancelRejectReport',
                    clientOrderId: cid as ClientOrderId,
                    ...this.cancelRefusal('rate-limited'),
                  },
          ),
        );
        return;
      case 'rejected':
        this.options.onFault('reject_window', `${label}: ${fate.reason}`);
        this.rest.send(entry + back(), () =>
          this.handler({
            kind: 'RejectReport',
            clientOrderId: cid as ClientOrderId,
            code: fate.code,
            reason: fate.reason,
          }),
        );
        return;
      case 'timeout':
      case 'server_error': {
        const detail = fate.kind === 'timeout' ? `timed out after ${fate.timeoutMs} ms` : '503 Service Unavailable';
        this.options.onFault(
          fate.kind === 'timeout' ? 'outage' : 'http_5xx',
          `${label}: ${detail}; venue received it: ${fate.received}`,
        );
        if (fate.received) this.clock.post(() => void process(), entry);
        const wait = fate.kind === 'timeout' ? fate.timeoutMs : entry + back();
        this.rest.send(wait, () => this.handler(unknown(detail, fate.kind === 'timeout' ? 'timeout' : 'server')));
        return;
      }
    }
  }

  private refusalReport(
    reason: RefusalReason,
    vars: Readonly<Record<string, string>> = {},
  ): { code: string; reason: string } {
    const { code, message } = refusal(this.options.rules, reason, { price: '', symbol: '', field: 'price', ...vars });
    return { code, reason: message };
  }

  /** A refused cancel with its class from the rules table (not found, transient, not cancelable). */
  private cancelRefusal(
    reason: RefusalReason,
    vars: Record<string, string> = {},
  ): {
    code: string;
    reason: string;
    failure: CancelRejectReport['failure'];
  } {
    const { failure } = refusal(this.options.rules, reason, { price: '', symbol: '', field: 'price', ...vars });
    if (failure !== 'not_found' && failure !== 'transient' && failure !== 'not_cancelable')
      throw new Error(`${this.options.rules.id}: a refused cancel cannot be of class ${failure} (${reason})`);
    return { ...this.refusalReport(reason, vars), failure };
  }
}

export { statusReport } from './venue-queries.ts';
