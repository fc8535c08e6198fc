// The Alpaca adapter: execsim's venue ports (Broker, MarketDataPort) on the official SDK v4.
// Commands and queries become REST calls; their answers, and the trade_updates stream's events,
// become VenueMessages through the report handler. Every command and query gets exactly one
// answer (a lost one is OutcomeUnknownReport or QueryFailedReport), never a thrown error; no SDK
// type crosses the port; prices are ticks, quantities lots, times epoch ms; the key id and
// secret never appear in a report (every report's text is scrubbed of them on the way out).
//
// Decisions, each for a reason stated where it is made:
// - cancel confirmation: Alpaca answers DELETE with 204 when it ACCEPTS a cancel; the order is
//   canceled when the stream says `canceled`. The cancel's answer (CancelReport) is emitted on
//   the first of: the stream's `canceled` event for the order, or a follow-up lookup of the
//   order (GET /v2/orders/{id}) showing it canceled. The lookups run right after the 204 and then
//   with a doubling delay (cancelConfirm), so a cancel is confirmed even while the stream is
//   down. A lookup showing the order filled, expired or rejected answers CancelRejectReport
//   'not_cancelable' (the order finished before the cancel took effect); still open after the
//   last lookup: OutcomeUnknownReport (request 'cancel'), and core looks the order up.
// - a stream `canceled` for an order with no cancel of ours waiting (an IOC remainder, a cancel
//   from elsewhere) is a CancelReport too, at most once per order.
// - fills: FillReport per execution from the stream (trade id = Alpaca's execution_id, qty and
//   price of that execution, fee 0: Alpaca charges no commission per fill, liquidity 'taker':
//   Alpaca does not say). An execution price off the tick grid (sub-penny price improvement) is
//   rounded to the nearest tick; the lookup's average price stays exact. A POST answer that
//   already shows fills is acked only: the fills come on the stream or, if the stream lost them,
//   through core's lookup (filledQty + avgPrice, inferred fills).
// - request timeout: the SDK's per-attempt deadline (default 10 s). A submit or cancel without an
//   HTTP answer (timeout, reset) or with a 5xx is of unknown outcome; a refused connection never
//   sent anything, so it is RetryableRejectReport (submit) or a 'transient' cancel refusal.
import {
  clientOrderId as toClientOrderId,
  tradeId as toTradeId,
  venueOrderId as toVenueOrderId,
  type ClientOrderId,
  type Symbol,
  type VenueOrderId,
} from '../../core/model/ids.ts';
import { lotsToQty, ticksToPrice, quoteToUnits, type Instrument } from '../../core/model/instrument.ts';
import type { OrderRequest } from '../../core/model/order.ts';
import type {
  CancelRejectReport,
  OrdersPageReport,
  ConnectionReport,
  OrderStatusReport,
  QueryFailedReport,
  VenueMessage,
} from '../../core/model/reports.ts';
import type {
  Broker,
  MarketDataPort,
  MarketWindow,
  OrdersCursor,
  ReportHandler,
  TapeSlice,
  TopOfBook,
} from '../../core/ports/broker.ts';
import type { Clock } from '../../core/ports/clock.ts';
import { ALPACA_EQUITIES } from '../../core/venues/alpaca-equities.ts';
import { refusal, type VenueRules } from '../../core/venues/venue-rules.ts';
import type { Subscription } from 'rxjs';
import { lotsOf, msOf, orderFields, orderRow, plainDecimal, ticksOf, type OrderRow } from './alpaca-convert.ts';
import {
  failureCode,
  failureText,
  readFailure,
  redactor,
  refusalClass,
  refusalReason,
  wireFailure,
  type WireFailure,
} from './alpaca-failures.ts';
import { AlpacaMarketFeed, type MarketFeedOptions } from './alpaca-market-data.ts';
import { alpacaEndpoints, makeAlpacaClient, type AlpacaClient } from './alpaca-sdk.ts';
import { tradeEventAction } from './alpaca-statuses.ts';

/** A stream's connection changed: reported as a ConnectionReport on every transition (a
 *  reconnect is disconnected then connected). */
export type ConnectionChange = Omit<ConnectionReport, 'kind'>;

/** A venue's market clock: open now, and when it next opens and closes (epoch ms, when stated). */
export interface MarketClock {
  readonly isOpen: boolean;
  readonly nextOpen: number | null;
  readonly nextClose: number | null;
}

export interface AlpacaAdapterOptions {
  readonly instrument: Instrument;
  /** Alpaca's key id and secret (the runtime reads APCA_API_KEY_ID / APCA_API_SECRET_KEY). */
  readonly keyId: string;
  readonly secret: string;
  /** Trading REST base (default Alpaca paper); any other URL receives trading AND market data. */
  readonly baseUrl?: string;
  /** trade_updates websocket; default derived from baseUrl (ws(s)://…/stream). */
  readonly tradeStreamUrl?: string;
  /** Market-data websocket; default `${base as ws}/v2/iex`, or Alpaca's data host for Alpaca's base. */
  readonly dataStreamUrl?: string;
  readonly clock: Clock;
  readonly rules?: VenueRules;
  /**
   * Put before our client order ids on the wire (`<namespace>-<id>`) and taken off what comes
   * back: Alpaca keeps a client id unique forever, and the same scenario run twice on one day
   * derives the same ids, so a paper run names its orders by its run. Orders at the venue
   * without it are not this run's (reconciliation sees them as orphans).
   */
  readonly clientIdNamespace?: string;
  /** Per-request deadline, ms (default 10,000). */
  readonly requestTimeoutMs?: number;
  /** Follow-up lookups after a cancel's 204: how many, and the first delay (doubling). */
  readonly cancelConfirm?: { readonly lookups?: number; readonly firstDelayMs?: number };
  readonly marketData?: MarketFeedOptions;
  /** First reconnect delay of both streams, ms (SDK default 1 s, doubling to 64 s; retried forever). */
  readonly reconnectInitialMs?: number;
}

const OPEN_PAGE = 500; // Alpaca's largest page
const TERMINAL = new Set<OrderStatusReport['status']>(['filled', 'canceled', 'expired', 'rejected']);

/** A set that forgets its oldest members beyond `max` (execution ids, canceled orders). */
class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(v: string): boolean {
    return this.items.has(v);
  }
  add(v: string): void {
    this.items.add(v);
    if (this.items.size > this.max) {
      const oldest = this.items.values().next().value;
      if (oldest !== undefined) this.items.delete(oldest);
    }
  }
}

/** A cancel command waiting for its one answer. */
interface PendingCancel {
  timer: Subscription | null;
  done: boolean;
}

type TradeStream = ReturnType<AlpacaClient['trading']['stream']>;

export class AlpacaAdapter implements Broker, MarketDataPort {
  readonly clientIdMaxLength: number;
  /** Alpaca's `after` and `until` compare submission times. */
  readonly ordersSinceBy = 'submitted' as const;
  private handler: ReportHandler | null = null;
  private readonly alpaca: AlpacaClient;
  private readonly inst: Instrument;
  private readonly clock: Clock;
  private readonly rules: VenueRules;
  private readonly scrub: (text: string) => string;
  private readonly abort = new AbortController();
  private readonly feed: AlpacaMarketFeed;
  private readonly tradeStreamUrl: string;
  private stream: TradeStream | null = null;
  private started = false;
  private stopped = false;
  private readonly pendingCancels = new Map<string, PendingCancel[]>();
  /** Confirmation lookups scheduled on the clock (cancelled by stop()). */
  private readonly timers = new Set<Subscription>();
  private readonly cancelReported = new BoundedSet(100_000);
  private readonly executions = new BoundedSet(100_000);
  private readonly connected: Record<ConnectionChange['stream'], boolean> = { orders: false, market_data: false };
  private readonly confirmLookups: number;
  private readonly confirmFirstDelayMs: number;

  constructor(private readonly options: AlpacaAdapterOptions) {
    if (options.keyId === '' || options.secret === '')
      throw new Error('Alpaca adapter: key id and secret are required');
    const timeout = options.requestTimeoutMs ?? 10_000;
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new Error(`Alpaca adapter: requestTimeoutMs must be a positive number, got ${timeout}`);
    const endpoints = alpacaEndpoints(options.baseUrl);
    this.inst = options.instrument;
    this.clock = options.clock;
    this.rules = options.rules ?? ALPACA_EQUITIES;
    const ns = options.clientIdNamespace;
    this.clientIdMaxLength = this.rules.clientIdMaxLength - (ns === undefined ? 0 : ns.length + 1);
    this.scrub = redactor([options.keyId, options.secret]);
    this.alpaca = makeAlpacaClient({
      keyId: options.keyId,
      secret: options.secret,
      endpoints,
      requestTimeoutMs: timeout,
    });
    this.tradeStreamUrl = options.tradeStreamUrl ?? endpoints.tradeStreamUrl;
    this.confirmLookups = Math.max(1, options.cancelConfirm?.lookups ?? 5);
    this.confirmFirstDelayMs = Math.max(0, options.cancelConfirm?.firstDelayMs ?? 250);
    const reconnect =
      options.reconnectInitialMs === undefined ? {} : { initialReconnectMs: options.reconnectInitialMs };
    this.feed = new AlpacaMarketFeed(
      this.alpaca,
      this.inst,
      this.clock,
      options.dataStreamUrl ?? endpoints.dataStreamUrl,
      options.marketData ?? {},
      this.abort.signal,
      (state, reason) => this.connection('market_data', state, reason),
      reconnect,
    );
  }

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  /** Connects the trade_updates stream and market data. Idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const s = this.alpaca.trading.stream({
      url: this.tradeStreamUrl,
      maxReconnectAttempts: -1, // a live run keeps trying; core reconciles when it is back
      ...(this.options.reconnectInitialMs === undefined ? {} : { initialReconnectMs: this.options.reconnectInitialMs }),
    });
    this.stream = s;
    let lastError = '';
    s.onError((e) => (lastError = e));
    // Connected once Alpaca confirms the listen: from then on no event is missed.
    s.on('subscription', (streams: unknown) => {
      if (Array.isArray(streams) && streams.includes('trade_updates'))
        this.connection('orders', 'connected', 'trade_updates stream listening');
    });
    s.onDisconnect(() => this.connection('orders', 'disconnected', lastError || 'trade_updates stream closed'));
    s.onTradeUpdate((u) => this.onTradeUpdate(u as unknown as Record<string, unknown>));
    void s.whenAuthenticated().then((r) => {
      if (!r.authenticated) this.connection('orders', 'disconnected', `trade_updates stream: ${r.message}`, true);
    });
    s.subscribeTradeUpdates();
    s.connect();
    this.feed.start();
  }

  /** Closes the streams, cancels timers and in-flight requests; nothing is reported afterwards. */
  /**
   * The venue's market clock (GET /v2/clock): whether it trades now and its next open and close
   * (epoch ms). Null when it cannot be read: a paper run then goes by the rules' calendar alone.
   */
  async marketClock(): Promise<MarketClock | null> {
    try {
      const c = (await this.alpaca.trading.clock.legacyClock({ signal: this.abort.signal })) as unknown as Record<
        string,
        unknown
      >;
      const open = c['isOpen'] ?? c['is_open'];
      if (typeof open !== 'boolean') return null;
      return {
        isOpen: open,
        nextOpen: msOf(c['nextOpen'] ?? c['next_open']),
        nextClose: msOf(c['nextClose'] ?? c['next_close']),
      };
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    for (const t of [...this.timers]) t.unsubscribe();
    this.pendingCancels.clear();
    this.stream?.disconnect();
    this.stream = null;
    this.feed.stop();
  }

  // ---- MarketDataPort ----------------------------------------------------------------------

  topOfBook(symbol: Symbol): TopOfBook {
    return symbol === this.inst.symbol
      ? this.feed.recorder.topOfBook()
      : { bid: null, bidQty: 0, ask: null, askQty: 0 };
  }

  window(symbol: Symbol, from: number, to: number): MarketWindow {
    return symbol === this.inst.symbol ? this.feed.recorder.window(from, to) : { vwap: null, twapMid: null, volume: 0 };
  }

  lastUpdateAt(symbol: Symbol): number | null {
    return symbol === this.inst.symbol ? this.feed.recorder.lastUpdateAt() : null;
  }

  tradesSince(symbol: Symbol, cursor: number): TapeSlice {
    return symbol === this.inst.symbol
      ? this.feed.recorder.tradesSince(cursor)
      : { cursor, trades: 0, volume: 0, notional: 0, last: null };
  }

  // ---- Broker: commands --------------------------------------------------------------------

  submit(order: OrderRequest): void {
    const cid = order.clientOrderId;
    if (order.postOnly) {
      // Alpaca has no post-only order and would silently take liquidity: refuse it here.
      const r = refusal(this.rules, 'unsupported-order-type');
      this.later({ kind: 'RejectReport', clientOrderId: cid, code: r.code, reason: `post-only: ${r.message}` });
      return;
    }
    const body = {
      symbol: order.symbol,
      side: order.side,
      type: order.type,
      timeInForce: order.tif.toLowerCase() as 'day' | 'gtc' | 'ioc' | 'fok',
      qty: lotsToQty(this.inst, order.qty),
      clientOrderId: this.wire(cid),
      ...(order.limitPrice === undefined ? {} : { limitPrice: ticksToPrice(this.inst, order.limitPrice) }),
      ...(order.stopPrice === undefined ? {} : { stopPrice: ticksToPrice(this.inst, order.stopPrice) }),
    };
    this.alpaca.trading.orders.postOrder({ postOrderRequest: body }, { signal: this.abort.signal }).then(
      (o) => {
        const f = orderFields(this.local(o));
        if (f.status === 'rejected')
          this.emit({ kind: 'RejectReport', clientOrderId: cid, code: 'rejected', reason: 'order rejected by Alpaca' });
        else if (f.id === '')
          this.emit({
            kind: 'OutcomeUnknownReport',
            clientOrderId: cid,
            request: 'submit',
            reason: 'Alpaca answered the order without an id',
          });
        else this.emit({ kind: 'AckReport', clientOrderId: cid, venueOrderId: toVenueOrderId(f.id) });
      },
      (err: unknown) => this.emit(this.submitFailure(cid, wireFailure(err))),
    );
  }

  private submitFailure(cid: ClientOrderId, f: WireFailure): VenueMessage {
    const text = failureText(f);
    if (f.noAnswer && f.notSent)
      return { kind: 'RetryableRejectReport', clientOrderId: cid, code: failureCode(f), reason: `not sent: ${text}` };
    if (f.noAnswer || (f.httpStatus !== undefined && (f.httpStatus >= 500 || f.httpStatus === 408)))
      return {
        kind: 'OutcomeUnknownReport',
        clientOrderId: cid,
        request: 'submit',
        reason: text,
        category: unknownCategory(f),
      };
    const reason = refusalReason(this.rules, f);
    const cls = reason === null ? (f.httpStatus === 429 ? 'transient' : 'reject') : refusalClass(reason);
    if (cls === 'transient')
      return { kind: 'RetryableRejectReport', clientOrderId: cid, code: failureCode(f), reason: text };
    // reject, and any class a submit cannot have (a 404): refused as it stands.
    return { kind: 'RejectReport', clientOrderId: cid, code: failureCode(f), reason: text };
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    // Registered now, so a `canceled` on the stream that overtakes the DELETE's own answer
    // answers this cancel (once), and the flow's later answer is dropped.
    const pending: PendingCancel = { timer: null, done: false };
    const list = this.pendingCancels.get(clientOrderId) ?? [];
    list.push(pending);
    this.pendingCancels.set(clientOrderId, list);
    void this.cancelFlow(clientOrderId, venueOrderId, pending);
  }

  /** The one answer to one cancel command; later answers to it are dropped. */
  private settleCancel(cid: ClientOrderId, pending: PendingCancel, answer: VenueMessage): void {
    if (pending.done) return;
    pending.done = true;
    pending.timer?.unsubscribe();
    const rest = (this.pendingCancels.get(cid) ?? []).filter((p) => p !== pending);
    if (rest.length > 0) this.pendingCancels.set(cid, rest);
    else this.pendingCancels.delete(cid);
    if (answer.kind === 'CancelReport') this.cancelReported.add(cid);
    this.emit(answer);
  }

  private async cancelFlow(cid: ClientOrderId, known: VenueOrderId | null, pending: PendingCancel): Promise<void> {
    const answer = (report: VenueMessage): void => this.settleCancel(cid, pending, report);
    const signal = { signal: this.abort.signal };
    let id: string | null = known;
    if (id === null) {
      // Alpaca cancels only by its own id: find it by our client id first.
      let row: OrderRow | null;
      try {
        row = orderRow(
          this.inst,
          this.local(
            await this.alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: this.wire(cid) }, signal),
          ),
          'lookup',
        );
      } catch (err) {
        const f = wireFailure(err);
        answer(
          f.httpStatus === 404
            ? this.cancelReject(cid, f, 'not_found', 'lookup before cancel: ')
            : this.cancelReject(cid, f, 'transient', 'lookup before cancel failed: '),
        );
        return;
      }
      if (row === null) {
        answer({
          kind: 'CancelRejectReport',
          clientOrderId: cid,
          code: 'unreadable',
          reason: 'lookup before cancel: the order could not be read',
          failure: 'transient',
        });
        return;
      }
      if (TERMINAL.has(row.status)) {
        answer(this.finishedAnswer(cid, row.status));
        return;
      }
      id = row.venueOrderId;
    }
    try {
      await this.alpaca.trading.orders.deleteOrderByOrderID({ orderId: id }, signal);
    } catch (err) {
      answer(this.cancelFailure(cid, wireFailure(err)));
      return;
    }
    this.confirmCancel(cid, id, pending);
  }

  private cancelFailure(cid: ClientOrderId, f: WireFailure): VenueMessage {
    if (f.noAnswer && f.notSent) return this.cancelReject(cid, f, 'transient', 'not sent: ');
    if (f.noAnswer || (f.httpStatus !== undefined && (f.httpStatus >= 500 || f.httpStatus === 408)))
      return {
        kind: 'OutcomeUnknownReport',
        clientOrderId: cid,
        request: 'cancel',
        reason: failureText(f),
        category: unknownCategory(f),
      };
    if (f.httpStatus === 404) return this.cancelReject(cid, f, 'not_found');
    // 422: "order is already in "filled" state" (and pending_replace): it cannot be canceled. An
    // order already cancelled is what the cancel asked for: answered as done, as a cancel by
    // client id (which looks the order up first) answers it.
    if (f.httpStatus === 422 && /"canceled"/.test(f.message)) return { kind: 'CancelReport', clientOrderId: cid };
    if (f.httpStatus === 422) return this.cancelReject(cid, f, 'not_cancelable');
    // 429 and anything else (401/403: the cancel was not processed): ask again later.
    return this.cancelReject(cid, f, 'transient');
  }

  private cancelReject(
    cid: ClientOrderId,
    f: WireFailure,
    failure: CancelRejectReport['failure'],
    prefix = '',
  ): CancelRejectReport {
    return {
      kind: 'CancelRejectReport',
      clientOrderId: cid,
      code: failureCode(f),
      reason: prefix + failureText(f),
      failure,
    };
  }

  /** The answer to a cancel of an order that is already finished. */
  private finishedAnswer(cid: ClientOrderId, status: OrderStatusReport['status']): VenueMessage {
    if (status === 'canceled') return { kind: 'CancelReport', clientOrderId: cid };
    return {
      kind: 'CancelRejectReport',
      clientOrderId: cid,
      code: status,
      reason: `order is already ${status}`,
      failure: 'not_cancelable',
    };
  }

  /** After a 204: wait for the stream's `canceled`, and look the order up meanwhile. */
  private confirmCancel(cid: ClientOrderId, venueOrderId: string, pending: PendingCancel): void {
    const answer = (report: VenueMessage): void => this.settleCancel(cid, pending, report);
    const lookup = (attempt: number): void => {
      if (pending.done || this.stopped) return;
      this.alpaca.trading.orders.getOrderByOrderID({ orderId: venueOrderId }, { signal: this.abort.signal }).then(
        (o) => {
          const row = orderRow(this.inst, this.local(o), 'lookup');
          if (row !== null && TERMINAL.has(row.status)) answer(this.finishedAnswer(cid, row.status));
          else next(attempt, `the order is still ${orderFields(this.local(o)).status}`);
        },
        (err: unknown) => next(attempt, `lookup failed: ${failureText(wireFailure(err))}`),
      );
    };
    const next = (attempt: number, why: string): void => {
      if (pending.done || this.stopped) return;
      if (attempt + 1 >= this.confirmLookups) {
        answer({
          kind: 'OutcomeUnknownReport',
          clientOrderId: cid,
          request: 'cancel',
          reason: `cancel accepted (204) but not confirmed after ${this.confirmLookups} lookups: ${why}`,
        });
        return;
      }
      const timer = this.clock.schedule(() => lookup(attempt + 1), this.confirmFirstDelayMs * 2 ** attempt);
      pending.timer = timer;
      this.timers.add(timer);
      timer.add(() => this.timers.delete(timer));
    };
    lookup(0);
  }

  // ---- Broker: queries ---------------------------------------------------------------------

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    const stamp = askedAfterSeq === undefined ? {} : { askedAfterSeq };
    this.alpaca.trading.orders
      .getOrderByClientOrderId({ clientOrderId: this.wire(clientOrderId) }, { signal: this.abort.signal })
      .then(
        (o): VenueMessage => {
          const row = orderRow(this.inst, this.local(o), 'lookup');
          if (row === null)
            return this.queryFailed('order', clientOrderId, { message: 'the order could not be read' }, stamp);
          return { kind: 'OrderStatusReport', ...row, ...stamp };
        },
        (err: unknown): VenueMessage => {
          const f = wireFailure(err);
          if (f.httpStatus === 404) return { kind: 'OrderNotFoundReport', clientOrderId, ...stamp };
          return this.queryFailed('order', clientOrderId, f, stamp);
        },
      )
      .then((r) => this.emit(r));
  }

  queryOpenOrders(requestId?: string): void {
    const asOf = this.clock.now();
    void this.openOrders().then((r) => this.emit(stamped(r, requestId, asOf)));
  }

  private async openOrders(): Promise<VenueMessage> {
    // Paged oldest first by submission time. Alpaca's `after` is exclusive and a Date has only
    // milliseconds, so each page restarts 1 ms before the last row's time and rows already seen
    // are skipped by id: nothing is missed, nothing counted twice.
    const seen = new Map<string, OrderRow>();
    let after: string | undefined;
    try {
      for (let page = 0; page < 1000; page++) {
        const got = await this.alpaca.trading.orders.getAllOrders(
          {
            status: 'open',
            direction: 'asc',
            limit: OPEN_PAGE,
            symbols: this.inst.symbol,
            ...(after === undefined ? {} : { after }),
          },
          { signal: this.abort.signal },
        );
        let added = 0;
        let last: number | null = null;
        for (const o of got) {
          const raw = this.local(o);
          const f = orderFields(raw);
          last = f.submittedAt ?? last;
          if (f.symbol !== this.inst.symbol || seen.has(f.id)) continue;
          const row = orderRow(this.inst, raw, 'reconciliation');
          if (row !== null) {
            seen.set(f.id, row);
            added++;
          }
        }
        if (got.length < OPEN_PAGE || added === 0 || last === null) break;
        after = new Date(last - 1).toISOString();
      }
    } catch (err) {
      return this.queryFailed('open_orders', null, wireFailure(err));
    }
    return { kind: 'OpenOrdersReport', orders: [...seen.values()] };
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    if (!Number.isSafeInteger(limit) || limit < 1)
      throw new Error(`queryOrdersSince: limit must be a positive integer, got ${limit}`);
    const asOf = this.clock.now();
    void this.ordersSince(since, limit, after).then((r) => this.emit(stamped(r, requestId, asOf)));
  }

  /**
   * Alpaca lists orders by SUBMISSION time (its `after` filters on it, exclusive), so the page is
   * ordered by (submission time, venue order id) and the cursor is the last row's pair. The
   * request starts 1 ms before the later of `since` and the cursor's time (a Date has only
   * milliseconds), asks for some rows more than `limit`, and the rows at or before the cursor
   * are dropped here.
   */
  private async ordersSince(since: number, limit: number, cursor?: OrdersCursor): Promise<VenueMessage> {
    const from = Math.max(since, cursor?.at ?? since);
    const ask = Math.min(OPEN_PAGE, limit + 50);
    let got: unknown[];
    try {
      got = await this.alpaca.trading.orders.getAllOrders(
        {
          status: 'all',
          direction: 'asc',
          limit: ask,
          symbols: this.inst.symbol,
          after: new Date(from - 1).toISOString(),
        },
        { signal: this.abort.signal },
      );
    } catch (err) {
      return this.queryFailed('orders_since', null, wireFailure(err));
    }
    const rows: Array<{ at: number; row: OrderRow }> = [];
    for (const o of got) {
      const raw = this.local(o);
      const f = orderFields(raw);
      const row = orderRow(this.inst, raw, 'reconciliation');
      if (row === null || f.symbol !== this.inst.symbol || f.submittedAt === null || f.submittedAt < since) continue;
      rows.push({ at: f.submittedAt, row });
    }
    rows.sort((a, b) => a.at - b.at || (a.row.venueOrderId < b.row.venueOrderId ? -1 : 1));
    const after = rows.filter(
      (r) =>
        cursor === undefined || r.at > cursor.at || (r.at === cursor.at && r.row.venueOrderId > cursor.venueOrderId),
    );
    const page = after.slice(0, limit);
    const more = after.length > limit || got.length >= ask;
    const last = page[page.length - 1];
    const orders: OrdersPageReport['orders'] = page.map(({ at, row }) => ({
      ...row,
      updatedAt: row.updatedAt ?? at,
      submittedAt: at,
    }));
    return {
      kind: 'OrdersPageReport',
      since,
      orders,
      next: more && last ? { at: last.at, venueOrderId: last.row.venueOrderId } : null,
    };
  }

  queryAccount(requestId?: string): void {
    const asOf = this.clock.now();
    void this.account().then((r) => this.emit(stamped(r, requestId, asOf)));
  }

  private async account(): Promise<VenueMessage> {
    const signal = { signal: this.abort.signal };
    try {
      const [account, position] = await Promise.all([
        this.alpaca.trading.account.getAccount(signal),
        this.alpaca.trading.positions
          .getOpenPosition({ symbolOrAssetId: this.inst.symbol }, signal)
          .catch((err: unknown) => {
            if (wireFailure(err).httpStatus === 404) return null; // no position: flat
            throw err;
          }),
      ]);
      const raw = account as Record<string, unknown>;
      const cash = plainDecimal(raw['cash']);
      if (cash === null) return this.queryFailed('account', null, { message: 'the account shows no cash' });
      const quote = quoteToUnits(this.inst, cash);
      const p = position as Record<string, unknown> | null;
      const qty = p === null ? 0 : (lotsOf(this.inst, p['qty']) ?? 0);
      const available = p === null ? 0 : (lotsOf(this.inst, p['qty_available'] ?? p['qtyAvailable']) ?? qty);
      return {
        kind: 'AccountReport',
        symbol: this.inst.symbol,
        position: qty,
        quote,
        balances: {
          base: { free: available, locked: qty - available },
          quote: { free: quote, locked: null },
        },
      };
    } catch (err) {
      return this.queryFailed('account', null, wireFailure(err));
    }
  }

  private queryFailed(
    query: QueryFailedReport['query'],
    cid: ClientOrderId | null,
    f: Partial<WireFailure> & { message: string },
    stamp: { askedAfterSeq?: number } = {},
  ): QueryFailedReport {
    const wf: WireFailure = { noAnswer: false, notSent: false, ...f };
    const c =
      f.httpStatus === undefined && f.code === undefined && f.noAnswer === undefined
        ? { failure: 'transient' as const, category: 'unrecognised' as const, reason: f.message }
        : readFailure(wf);
    return { kind: 'QueryFailedReport', clientOrderId: cid, query, ...c, ...stamp };
  }

  // ---- trade_updates -----------------------------------------------------------------------

  private onTradeUpdate(u: Record<string, unknown>): void {
    if (this.stopped) return;
    const order = u['order'];
    if (typeof order !== 'object' || order === null) return;
    const raw = this.local(order);
    const f = orderFields(raw);
    // The stream is account-wide: only this instrument's orders are ours to report.
    if (f.symbol !== this.inst.symbol || f.clientOrderId === '' || f.id === '') return;
    const cid = toClientOrderId(f.clientOrderId);
    const event = String(u['event'] ?? '');
    switch (tradeEventAction(event)) {
      case 'fill': {
        const exec = u['execution_id'] ?? u['executionId'];
        const qty = lotsOf(this.inst, u['qty']);
        const price = ticksOf(this.inst, u['price']);
        if (typeof exec !== 'string' || exec === '' || qty === null || qty <= 0 || price === null) {
          // An execution we cannot read: the order's cumulative state carries it instead.
          const row = orderRow(this.inst, raw, 'stream');
          if (row) this.emit({ kind: 'OrderStatusReport', ...row });
          return;
        }
        if (this.executions.has(exec)) return; // Alpaca repeats events now and then
        this.executions.add(exec);
        this.emit({
          kind: 'FillReport',
          clientOrderId: cid,
          venueOrderId: toVenueOrderId(f.id),
          tradeId: toTradeId(exec),
          qty,
          price,
          fee: 0,
          liquidity: 'taker',
          venueTime: msOf(u['timestamp']) ?? f.updatedAt ?? this.clock.now(),
        });
        return;
      }
      case 'cancel':
        this.streamCanceled(cid);
        return;
      case 'expire':
        this.emit({ kind: 'ExpiredReport', clientOrderId: cid, reason: 'expired: its time in force ended' });
        return;
      case 'reject':
        this.emit({
          kind: 'RejectReport',
          clientOrderId: cid,
          code: 'rejected',
          reason: 'rejected by Alpaca after acceptance',
        });
        return;
      case 'status': {
        const row = orderRow(this.inst, raw, 'stream');
        if (row) this.emit({ kind: 'OrderStatusReport', ...row });
        return;
      }
      case 'ignore':
        return;
    }
  }

  /** `canceled` on the stream: answers every cancel of ours waiting for it, else reports it once. */
  private streamCanceled(cid: ClientOrderId): void {
    const waiting = this.pendingCancels.get(cid);
    if (waiting && waiting.length > 0) {
      this.pendingCancels.delete(cid);
      for (const p of [...waiting]) this.settleCancel(cid, p, { kind: 'CancelReport', clientOrderId: cid });
      return;
    }
    if (this.cancelReported.has(cid)) return;
    this.cancelReported.add(cid);
    this.emit({ kind: 'CancelReport', clientOrderId: cid });
  }

  // ---- client ids on the wire ---------------------------------------------------------------

  /** Our client id as the venue knows it. */
  private wire(cid: ClientOrderId): string {
    const ns = this.options.clientIdNamespace;
    return ns === undefined ? cid : `${ns}-${cid}`;
  }

  /**
   * An order from the SDK with its client id as we know it (the namespace taken off). A 2xx body
   * that is not an object (the SDK passes `null` through) reads as an order without fields, which
   * every caller already answers as unreadable; reading a field of `null` would throw out of a
   * promise callback and leave the command or query without its answer.
   */
  private local(order: unknown): Record<string, unknown> {
    if (typeof order !== 'object' || order === null) return {};
    const raw = order as Record<string, unknown>;
    const ns = this.options.clientIdNamespace;
    if (ns === undefined) return raw;
    const wire = raw['client_order_id'] ?? raw['clientOrderId'];
    if (typeof wire !== 'string' || !wire.startsWith(`${ns}-`)) return raw;
    const id = wire.slice(ns.length + 1);
    return { ...raw, client_order_id: id, clientOrderId: id };
  }

  // ---- reporting ---------------------------------------------------------------------------

  private connection(
    stream: ConnectionChange['stream'],
    state: ConnectionChange['state'],
    reason: string,
    force = false,
  ): void {
    if (this.stopped) return;
    if (this.connected[stream] === (state === 'connected') && !force) return;
    this.connected[stream] = state === 'connected';
    this.emit({ kind: 'ConnectionReport', stream, state, reason: this.scrub(reason) });
  }

  /** Delivers a report later (never inside the command that caused it). */
  private later(report: VenueMessage): void {
    void Promise.resolve().then(() => this.emit(report));
  }

  private emit(report: VenueMessage): void {
    if (this.stopped) return;
    const handler = this.handler;
    if (handler === null) throw new Error('AlpacaAdapter: no report handler set');
    handler(this.scrubbed(report));
  }

  private scrubbed(report: VenueMessage): VenueMessage {
    if (!('reason' in report) && !('code' in report)) return report;
    const r = { ...report } as Record<string, unknown>;
    for (const k of ['reason', 'code'] as const) if (typeof r[k] === 'string') r[k] = this.scrub(r[k]);
    return r as unknown as VenueMessage;
  }
}

/** A snapshot answer with its request's id and as-of time (the clock when the request was sent);
 *  a failed snapshot read echoes the id. */
function stamped(report: VenueMessage, requestId: string | undefined, asOf: number): VenueMessage {
  const id = requestId === undefined ? {} : { requestId };
  if (report.kind === 'QueryFailedReport') return { ...report, ...id };
  if (report.kind === 'OpenOrdersReport' || report.kind === 'OrdersPageReport' || report.kind === 'AccountReport')
    return { ...report, ...id, asOf };
  return report;
}

/** What the transport saw of a request whose outcome is unknown: an answer that was an error
 *  (5xx, 408), no answer in time, or a dropped connection. */
function unknownCategory(f: WireFailure): 'server' | 'timeout' | 'network' {
  if (f.httpStatus !== undefined) return 'server';
  return /TIMEOUT|ABORT/i.test(f.code ?? '') || /timed? ?out/i.test(f.message) ? 'timeout' : 'network';
}
