// Test-only harness for fill detection: a FillMonitor on a VirtualClock, wired like the engine
// wires it (venue messages are logged, folded into the ledger, then handed to the monitor), and
// a scripted fake venue that holds the truth about every order. Tests decide every answer: lost
// pushes, failing or silent queries, "already filled" cancel refusals, slow answers, fills.
// Not imported by production code.
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import type { FillMonitorEnded } from '../../src/core/model/fill-events.ts';
import {
  clientOrderId,
  parentOrderId,
  tradeId,
  venueOrderId,
  type ClientOrderId,
  type VenueOrderId,
} from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { OrderType, Side, TimeInForce } from '../../src/core/model/order.ts';
import type { OrderStatusReport, ReportedTrade, VenueMessage } from '../../src/core/model/reports.ts';
import { OrderLedger, type AppliedTrade } from '../../src/core/order/order-ledger.ts';
import type { Broker, MarketDataPort, ReportHandler } from '../../src/core/ports/broker.ts';
import type { FillConfig, FillConfigInput, PartialFillPolicy } from '../../src/core/fills/fill-config.ts';
import { parseFillConfig } from '../../src/core/fills/fill-config.ts';
import { FillMonitor } from '../../src/core/fills/fill-monitor.ts';
import { appendAndFold } from '../../src/core/engine/execution-engine.ts';

/** 2023-11-14T22:13:20Z, a fixed epoch (no Date in src/core). */
export const T0 = 1_700_000_000_000;
export const INSTRUMENT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

/** A generous bound on the queries and cancels after a deadline: a few rounds per retry. */
export const STEP_BOUND = (maxRetries: number): number => 4 * (maxRetries + 1) + 4;

export type QueryAnswer = 'ok' | 'fail' | 'not_found' | 'silent';

export interface VenueScript {
  /** One-way latency of every answer and push, ms. */
  latencyMs: number;
  /** What the venue does with a submission. */
  submit: 'ack' | 'reject' | 'silent';
  /** A push (stream report) that is lost. Answers to our requests are never "pushes". */
  pushLost: (msg: VenueMessage) => boolean;
  /** The answer to the n-th (1-based) lookup of an order, asked at time `at`. */
  queryAnswer: (id: ClientOrderId, n: number, at: number) => QueryAnswer;
  /** The answer to the n-th account query. */
  accountAnswer: (n: number) => 'ok' | 'fail' | 'silent';
  /** Whether the n-th cancel request reaches the venue (else: no answer at all). */
  cancelArrives: (id: ClientOrderId, n: number) => boolean;
  /** Called when a cancel reaches the venue, before it is applied (to make a fill win the race). */
  beforeCancel: (id: ClientOrderId) => void;
  /** A position the venue states that differs from its truth (a desync), or null. */
  accountOverride: (truth: number) => number;
  /** Whether a lookup's answer lists the order's trades; false: only the cumulative quantity,
   *  its average price and the time of the last change, as Alpaca's order endpoint answers. */
  answerTrades: boolean;
}

export interface Truth {
  readonly id: ClientOrderId;
  readonly vid: VenueOrderId;
  readonly qty: number;
  readonly side: Side;
  status: OrderStatusReport['status'];
  filled: number;
  readonly trades: ReportedTrade[];
}

export type Call = {
  readonly call: 'submit' | 'cancel' | 'query' | 'account';
  readonly id: ClientOrderId | null;
  readonly at: number;
};
export type TraceItem = { readonly at: number; readonly event?: ExecEvent; readonly call?: Call };

const LIVE = new Set(['new', 'partially_filled']);

/** The fake venue: truth per order, answers scheduled on the clock after `latencyMs`. */
export class FakeVenue implements Broker {
  readonly clientIdMaxLength = 36;
  readonly ordersSinceBy = 'updated';
  readonly truth = new Map<ClientOrderId, Truth>();
  readonly calls: Call[] = [];
  private handler: ReportHandler = () => {};
  private lookups = new Map<ClientOrderId, number>();
  private cancels = new Map<ClientOrderId, number>();
  private accounts = 0;
  private trades = 0;
  constructor(
    private readonly clock: VirtualClock,
    readonly script: VenueScript,
    private readonly onCall: (c: Call) => void,
  ) {}

  setReportHandler(handler: ReportHandler): void {
    this.handler = handler;
  }
  /** Position the venue's fills add up to, lots. */
  get position(): number {
    let p = 0;
    for (const t of this.truth.values()) p += t.side === 'buy' ? t.filled : -t.filled;
    return p;
  }

  private log(call: Call['call'], id: ClientOrderId | null): void {
    const c = { call, id, at: this.clock.now() };
    this.calls.push(c);
    this.onCall(c);
  }

  private later(msg: () => VenueMessage | null, push = false): void {
    this.clock.schedule(() => {
      const m = msg();
      if (m && !(push && this.script.pushLost(m))) this.handler(m);
    }, this.script.latencyMs);
  }

  submit(order: Parameters<Broker['submit']>[0]): void {
    this.log('submit', order.clientOrderId);
    const id = order.clientOrderId;
    if (this.script.submit === 'silent') return;
    this.clock.schedule(() => {
      const vid = venueOrderId(`v-${id}`);
      const rejected = this.script.submit === 'reject';
      this.truth.set(id, {
        id,
        vid,
        qty: order.qty,
        side: order.side,
        status: rejected ? 'rejected' : 'new',
        filled: 0,
        trades: [],
      });
      this.later(
        () =>
          rejected
            ? { kind: 'RejectReport', clientOrderId: id, code: '-2010', reason: 'insufficient balance' }
            : { kind: 'AckReport', clientOrderId: id, venueOrderId: vid },
        true,
      );
    }, this.script.latencyMs);
  }

  cancel(id: ClientOrderId): void {
    this.log('cancel', id);
    const n = (this.cancels.get(id) ?? 0) + 1;
    this.cancels.set(id, n);
    if (!this.script.cancelArrives(id, n)) return;
    this.clock.schedule(() => {
      this.script.beforeCancel(id);
      const t = this.truth.get(id);
      if (t && LIVE.has(t.status)) {
        t.status = 'canceled';
        this.later(() => ({ kind: 'CancelReport', clientOrderId: id }), true);
      } else {
        const reason = t?.status === 'filled' ? 'Order was already filled' : 'Unknown order sent.';
        const failure = t ? ('not_cancelable' as const) : ('not_found' as const);
        this.later(() => ({ kind: 'CancelRejectReport', clientOrderId: id, code: '-2011', reason, failure }));
      }
    }, this.script.latencyMs);
  }

  queryOrder(id: ClientOrderId): void {
    this.log('query', id);
    const n = (this.lookups.get(id) ?? 0) + 1;
    this.lookups.set(id, n);
    const answer = this.script.queryAnswer(id, n, this.clock.now());
    if (answer === 'silent') return;
    this.later(() => {
      if (answer === 'fail')
        return {
          kind: 'QueryFailedReport',
          clientOrderId: id,
          query: 'order',
          failure: 'transient',
          category: 'server',
          reason: '503 Service Unavailable',
        };
      const t = this.truth.get(id);
      if (answer === 'not_found' || !t) return { kind: 'OrderNotFoundReport', clientOrderId: id };
      const report = {
        kind: 'OrderStatusReport' as const,
        clientOrderId: id,
        venueOrderId: t.vid,
        status: t.status,
        qty: t.qty,
        filledQty: t.filled,
      };
      if (this.script.answerTrades) return { ...report, trades: [...t.trades] };
      const last = t.trades.at(-1);
      return last
        ? {
            ...report,
            avgPrice: t.trades.reduce((sum, x) => sum + x.qty * x.price, 0) / t.filled,
            updatedAt: last.venueTime,
          }
        : report;
    });
  }

  queryOpenOrders(): void {}
  queryOrdersSince(): void {}
  queryAccount(): void {
    this.log('account', null);
    const answer = this.script.accountAnswer(++this.accounts);
    if (answer === 'silent') return;
    this.later(() =>
      answer === 'fail'
        ? {
            kind: 'QueryFailedReport',
            clientOrderId: null,
            query: 'account',
            failure: 'transient',
            category: 'server',
            reason: '503 Service Unavailable',
          }
        : {
            kind: 'AccountReport',
            symbol: INSTRUMENT.symbol,
            position: this.script.accountOverride(this.position),
            quote: 0,
          },
    );
  }

  /** The venue fills `qty` lots (capped at what remains) now, if the order is live; pushes a FillReport. */
  fill(id: ClientOrderId, qty: number, price: number, trade?: Partial<ReportedTrade>): number {
    const t = this.truth.get(id);
    if (!t || !LIVE.has(t.status)) return 0;
    const q = Math.min(qty, t.qty - t.filled);
    if (q <= 0) return 0;
    const r: ReportedTrade = {
      tradeId: tradeId(`t${++this.trades}`),
      qty: q,
      price,
      fee: 0,
      liquidity: 'taker',
      venueTime: this.clock.now(),
      ...trade,
    };
    t.trades.push(r);
    t.filled += q;
    t.status = t.filled === t.qty ? 'filled' : 'partially_filled';
    this.later(() => ({ kind: 'FillReport', clientOrderId: id, venueOrderId: t.vid, ...r }), true);
    return q;
  }

  /** The venue ends a live order by itself (an IOC remainder, a DAY close). */
  expire(id: ClientOrderId): void {
    const t = this.truth.get(id);
    if (!t || !LIVE.has(t.status)) return;
    t.status = 'expired';
    this.later(() => ({ kind: 'ExpiredReport', clientOrderId: id, reason: 'IOC remainder' }), true);
  }
}

export interface OrderSpec {
  qty: number;
  side?: Side;
  type?: OrderType;
  tif?: TimeInForce;
  limitPrice?: number;
  policy?: PartialFillPolicy;
  timeoutMs?: number;
}

export interface HarnessOptions {
  config?: FillConfigInput;
  script?: Partial<VenueScript>;
  seed?: number;
  top?: { bid: number | null; ask: number | null };
  priceOf?: (asset: string) => number | null;
}

export class Harness {
  readonly clock = new VirtualClock(T0);
  readonly log = new EventLog(this.clock);
  readonly ledger = new OrderLedger();
  readonly entries: LogEntry[] = [];
  /** Events and broker calls, in the order they happened. */
  readonly trace: TraceItem[] = [];
  readonly config: FillConfig;
  readonly venue: FakeVenue;
  readonly monitor: FillMonitor;
  readonly script: VenueScript;
  private orders = 0;

  constructor(options: HarnessOptions = {}) {
    this.config = parseFillConfig(options.config ?? {});
    this.script = {
      latencyMs: 5,
      submit: 'ack',
      pushLost: () => false,
      queryAnswer: () => 'ok',
      accountAnswer: () => 'ok',
      cancelArrives: () => true,
      beforeCancel: () => {},
      accountOverride: (p) => p,
      answerTrades: true,
      ...options.script,
    };
    this.log.addSink({
      write: (entry) => {
        this.entries.push(entry);
        this.trace.push({ at: entry.time, event: entry.event });
      },
    });
    this.venue = new FakeVenue(this.clock, this.script, (call) => this.trace.push({ at: call.at, call }));
    this.venue.setReportHandler((m) => this.deliver(m));
    const top = options.top ?? { bid: 10_000, ask: 10_002 };
    const marketData: MarketDataPort = {
      topOfBook: () => ({ bid: top.bid, bidQty: 100, ask: top.ask, askQty: 100 }),
      window: () => ({ vwap: null, twapMid: null, volume: 0 }),
      lastUpdateAt: () => null,
    };
    this.monitor = new FillMonitor({
      clock: this.clock,
      ledger: this.ledger,
      broker: this.venue,
      marketData,
      instrument: INSTRUMENT,
      config: this.config,
      rng: new Rng(options.seed ?? 1).stream('fills'),
      record: (e) => this.record(e),
      cancel: (id, reason) => this.cancel(id, reason),
      ...(options.priceOf ? { priceOf: options.priceOf } : {}),
    });
  }

  /** Logs, folds and logs what the fold derived, as the engine does; returns the trades the
   *  event's own fold added. */
  record(e: ExecEvent): readonly AppliedTrade[] {
    return appendAndFold(this.log, this.ledger, e).trades;
  }

  /** A venue message: logged and folded, then shown to the monitor with the trades its fold
   *  added (ExecutionEngine.onReport). */
  deliver(m: VenueMessage): void {
    this.monitor.onMessage(m, this.record(m));
  }

  /** ExecutionEngine.cancelChild. */
  cancel(id: ClientOrderId, reason: string): void {
    const o = this.ledger.order(id);
    if (!o || ['filled', 'canceled', 'rejected', 'expired', 'failed', 'pending_cancel'].includes(o.status)) return;
    const wasSent = o.status !== 'pending_new';
    this.record({ kind: 'CancelOrder', clientOrderId: id, reason });
    if (wasSent) this.venue.cancel(id);
    else this.monitor.onLocalChange(id);
  }

  /** Creates, submits and watches one order; returns its id. */
  place(spec: OrderSpec): ClientOrderId {
    const n = ++this.orders;
    const parentId = parentOrderId(`p${n}`);
    const id = clientOrderId(`o${n}`);
    const side = spec.side ?? 'buy';
    const type = spec.type ?? 'limit';
    const tif = spec.tif ?? 'GTC';
    const limitPrice = spec.limitPrice ?? (type === 'limit' ? 10_001 : null);
    this.record({
      kind: 'ParentOrderCreated',
      parentId,
      symbol: INSTRUMENT.symbol,
      side,
      qty: spec.qty,
      type,
      tif,
      limitPrice,
      totalSlices: 1,
      route: 'single',
      arrivalBid: null,
      arrivalAsk: null,
      source: 'test',
    });
    this.record({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: this.clock.now(),
      symbol: INSTRUMENT.symbol,
      side,
      type,
      tif,
      qty: spec.qty,
      limitPrice,
      stopPrice: null,
    });
    this.record({ kind: 'SubmitOrder', clientOrderId: id });
    this.venue.submit(this.ledger.order(id)!.request);
    this.monitor.watch(id, { policy: spec.policy, timeoutMs: spec.timeoutMs });
    return id;
  }

  /** Schedules a venue fill `atMs` after now. */
  fillAt(id: ClientOrderId, atMs: number, qty: number, price: number, trade?: Partial<ReportedTrade>): void {
    this.clock.schedule(() => this.venue.fill(id, qty, price, trade), atMs);
  }

  run(ms: number): void {
    this.clock.advanceBy(ms);
  }
  events<K extends ExecEvent['kind']>(
    kind: K,
    id?: ClientOrderId,
  ): Array<Extract<ExecEvent, { kind: K }> & { at: number }> {
    return this.entries
      .filter(
        (e) =>
          e.event.kind === kind && (id === undefined || ('clientOrderId' in e.event && e.event.clientOrderId === id)),
      )
      .map((e) => ({ ...(e.event as Extract<ExecEvent, { kind: K }>), at: e.time }));
  }

  /** The one FillMonitorEnded of an order (throws when there is none or more than one). */
  ended(id: ClientOrderId): FillMonitorEnded & { at: number } {
    const all = this.events('FillMonitorEnded', id);
    if (all.length !== 1) throw new Error(`${id}: ${all.length} FillMonitorEnded events`);
    return all[0]!;
  }

  queries(id: ClientOrderId): number[] {
    return this.venue.calls.filter((c) => c.call === 'query' && c.id === id).map((c) => c.at);
  }
}
