// Test-only harness for fill detection: a FillMonitor on a VirtualClock, wired like the engine
// wires it (venue messages are logged, folded into the ledger, then handed to the monitor), and
// the scripted venue (scripted-venue/) on Binance spot's rules holding the truth about every
// order. Tests decide every answer: lost pushes, failing or silent queries, slow answers, fills
// at any price. Not imported by production code.
import { InstrumentSet } from '../../src/core/model/instrument-set.ts';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import type { FillMonitorEnded } from '../../src/core/model/fill-events.ts';
import { clientOrderId, parentOrderId, type ClientOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import type { OrderType, Side, TimeInForce } from '../../src/core/model/order.ts';
import type { ReportedTrade, VenueMessage } from '../../src/core/model/reports.ts';
import { OrderLedger, type AppliedTrade } from '../../src/core/order/order-ledger.ts';
import type { MarketDataPort } from '../../src/core/ports/broker.ts';
import { BINANCE_SPOT } from '../../src/core/venues/binance-spot.ts';
import type { FillConfig, FillConfigInput, PartialFillPolicy } from '../../src/core/fills/fill-config.ts';
import { parseFillConfig } from '../../src/core/fills/fill-config.ts';
import { FillMonitor } from '../../src/core/fills/fill-monitor.ts';
import { appendAndFold } from '../../src/core/engine/execution-engine.ts';
import { ScriptedVenue, type Call, type Fate, type ScriptedVenueScript } from './scripted-venue/scripted-venue.ts';

export type { Truth } from './scripted-venue/scripted-venue.ts';

/** 2023-11-14T22:13:20Z, a fixed epoch (no Date in src/core). */
export const T0 = 1_700_000_000_000;
export const INSTRUMENT = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

/** A generous bound on the queries and cancels after a deadline: a few rounds per retry. */
export const STEP_BOUND = (maxRetries: number): number => 4 * (maxRetries + 1) + 4;

export type QueryAnswer = 'ok' | 'fail' | 'not_found' | 'silent';

/** What the fill tests script, in their words; the harness turns it into the venue's script. */
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

export type TraceItem = { readonly at: number; readonly event?: ExecEvent; readonly call?: Call };

/** The fate of each request as the fill tests' script says. */
function fateOf(script: VenueScript): ScriptedVenueScript['fate'] {
  const answer = (a: QueryAnswer | 'ok'): Fate => (a === 'ok' ? 'answer' : a);
  return (call, n) => {
    switch (call.call) {
      case 'submit':
        return script.submit === 'silent' ? 'silent' : 'answer';
      case 'cancel':
        return script.cancelArrives(call.id!, n) ? 'answer' : 'silent';
      case 'query':
        return answer(script.queryAnswer(call.id!, n, call.at));
      case 'account':
        return answer(script.accountAnswer(n));
      default:
        return 'answer';
    }
  };
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
  /** Over the harness's own: a deadline of 30 s (timeoutMs) for every order, the GTC limits the
   *  harness places by default included, so the tests of the deadline's machinery watch to one.
   *  `restingTimeoutMs: null` gives resting orders fill detection's default: no deadline. */
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
  readonly venue: ScriptedVenue;
  readonly monitor: FillMonitor;
  readonly script: VenueScript;
  private orders = 0;

  constructor(options: HarnessOptions = {}) {
    this.config = parseFillConfig({ timeoutMs: 30_000, ...options.config });
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
    const script = this.script;
    this.venue = new ScriptedVenue({
      clock: this.clock,
      rules: BINANCE_SPOT,
      symbol: INSTRUMENT.symbol,
      ordersSinceBy: 'updated',
      minNotionalUnits: 0,
      onCall: (call) => this.trace.push({ at: call.at, call }),
      script: {
        latencyMs: script.latencyMs,
        fate: fateOf(script),
        pushLost: (m) => script.pushLost(m),
        beforeCancel: (id) => script.beforeCancel(id),
        accountOverride: (p) => script.accountOverride(p),
        answerTrades: script.answerTrades,
        refuseOrders: script.submit === 'reject' ? 'insufficient-balance' : null,
        // The tests fill and end orders themselves, IOC and FOK remainders included.
        matches: false,
      },
    });
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
      instruments: InstrumentSet.of([INSTRUMENT]),
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
