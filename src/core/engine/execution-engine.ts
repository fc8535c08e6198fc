// Wiring only: a parent order is routed (one order, or TWAP slices when its notional is above the
// threshold or it asks for TWAP), stored (parent and every child in one commit before anything is
// sent), and sent through the guards (kill switch, circuit breaker, venue hours). Venue messages
// are logged first, folded into the ledger, handed to the retry logic, and may complete a parent,
// which is when its market benchmark is recorded. A restarted process restores the kill switch
// and breaker from the log and recovers its pending slices (restore, recover). The rules live in
// the pieces this file wires: parent-start.ts, twap-slicer.ts, slice-scheduler.ts, order-retry.ts,
// slice-recovery.ts, kill-switch.ts, circuit-breaker.ts, breaker-feed.ts, liquidity-book.ts (the
// volumes TWAPs are capped by, folded from the log).
import { SliceScheduler, type SchedulerOps } from '../algo/slice-scheduler.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId, Symbol } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import { InstrumentSet } from '../model/instrument-set.ts';
import type { OrphanDetected } from '../model/recon-events.ts';
import type { Side } from '../model/order.ts';
import { isTerminal, statusOfVenue } from '../model/order-status.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { OrderState } from '../order/apply-event.ts';
import type { AppliedTrade, DerivedEvent, OrderLedger } from '../order/order-ledger.ts';
import type { EventLog } from '../log/event-log.ts';
import type { Broker } from '../ports/broker.ts';
import { BreakerFeed } from '../risk/breaker-feed.ts';
import { CircuitBreaker } from '../risk/circuit-breaker.ts';
import { KillSwitch } from '../risk/kill-switch.ts';
import { FillMonitor } from '../fills/fill-monitor.ts';
import type { PartialFillPolicy } from '../fills/fill-config.ts';
import { DEFAULT_RETRY, OrderRetry } from './order-retry.ts';
import { OrderSettle } from './order-settle.ts';
import type { SliceDecision } from './slice-recovery.ts';
import { adoptOrphan, recoverSlices, type RecoveryOps } from './restart-recovery.ts';
import type { CancelResult, EngineDeps, ParentRequest } from './engine-types.ts';
import { startSingle, startTwap, type StartOps } from './parent-start.ts';
import { LiquidityBook } from './liquidity-book.ts';
import type { LiquidityEvent } from '../model/liquidity-events.ts';

export type { CancelResult, EngineDeps, ParentRequest, RoutingPolicy, TwapParams } from './engine-types.ts';
import type { TwapParams } from './engine-types.ts';

/** A logged entry and the trades its own fold added. */
export interface Folded<E extends ExecEvent> {
  readonly entry: LogEntry<E>;
  readonly trades: readonly AppliedTrade[];
}

/** Logs an event, folds it into the ledger, and logs and folds what the fold derived; returns
 *  the entry and the trades the event's own fold added. The ledger's appliedTrades are the last
 *  fold's, and the derived events folded after it (an inferred fill, a status change) add none,
 *  so they are taken before those: a report's inferred fill reaches the fill monitor. */
export function appendAndFold<E extends ExecEvent>(log: EventLog, ledger: OrderLedger, event: E): Folded<E> {
  const entry = log.append(event);
  const derived = ledger.apply(entry);
  const trades = ledger.appliedTrades;
  for (let i = 0; i < derived.length; i++) ledger.apply(log.append(derived[i] as DerivedEvent));
  return { entry, trades };
}

export class ExecutionEngine {
  /** The venue, with every order lookup stamped with our log position (see stampLookups):
   *  every core component that asks the venue (retry, fill detection, reconciliation) uses it. */
  readonly broker: Broker;
  readonly killSwitch: KillSwitch;
  readonly breaker: CircuitBreaker;
  private readonly retry: OrderRetry;
  private readonly settler: OrderSettle;
  private readonly breakerFeed: BreakerFeed;
  private readonly schedulers = new Map<ParentOrderId, SliceScheduler>();
  readonly fills: FillMonitor | null;
  /** Told of every venue message after the engine logged and handled it (the order manager,
   *  reconciliation), with the order as it was before the message was folded, if it is ours. */
  readonly observers: Array<(msg: VenueMessage, before: OrderState | undefined) => void> = [];
  private readonly twapIntervals = new Map<ParentOrderId, number>();
  /** Orders sent by an earlier process and to be sent again by this one: watched on that send. */
  private readonly unwatched = new Set<ClientOrderId>();
  /** The liquidity caps TWAPs are planned with, or null when the run has none. */
  readonly liquidity: LiquidityBook | null;

  private readonly deps: EngineDeps;
  /** The node's instruments: the run's symbol first. */
  readonly instruments: InstrumentSet;

  constructor(deps: EngineDeps) {
    deps.broker.setReportHandler((report) => this.onReport(report));
    this.broker = stampLookups(deps.broker, deps.log);
    this.deps = deps = { ...deps, broker: this.broker };
    this.instruments = deps.instruments ?? InstrumentSet.of([deps.instrument]);
    this.liquidity = deps.liquidity ? new LiquidityBook(deps.liquidity) : null;
    this.killSwitch = new KillSwitch((e) => this.onKillSwitch(this.record(e).event.state));
    this.breaker = new CircuitBreaker(
      (e) => this.record(e),
      deps.breaker ? { clock: deps.clock, config: deps.breaker } : undefined,
    );
    this.breakerFeed = new BreakerFeed(this.breaker, deps.marketData, this.instruments, deps.ledger);
    this.retry = new OrderRetry({
      clock: deps.clock,
      ledger: deps.ledger,
      broker: deps.broker,
      policy: deps.retry ?? DEFAULT_RETRY,
      seq: () => deps.log.count,
      resend: (id) => this.send(id),
      abandon: (id, reason) => this.abandon(id, reason),
      drop: (id, reason) => this.failUnknown(id, reason),
    });
    this.settler = new OrderSettle({
      clock: deps.clock,
      ledger: deps.ledger,
      broker: deps.broker,
      policy: deps.retry ?? DEFAULT_RETRY,
      seq: () => deps.log.count,
    });
    this.fills = deps.fills
      ? new FillMonitor({
          clock: deps.clock,
          ledger: deps.ledger,
          broker: deps.broker,
          marketData: deps.marketData,
          instruments: this.instruments,
          config: deps.fills,
          rng: deps.rng.stream('fills'),
          record: (e) => this.record(e),
          cancel: (id, reason) => this.cancelChild(id, reason, true),
          settle: (id, afterMs) => this.settler.settle(id, afterMs),
          ...(deps.priceOf ? { priceOf: deps.priceOf } : {}),
        })
      : null;
  }

  /** Logs an event, folds it, and logs what the fold derived. Returns the entry (appendAndFold
   *  without the trades: no result object for every event of the run). */
  record<E extends ExecEvent>(event: E): LogEntry<E> {
    const { log, ledger } = this.deps;
    const entry = log.append(event);
    const derived = ledger.apply(entry);
    for (let i = 0; i < derived.length; i++) ledger.apply(log.append(derived[i] as DerivedEvent));
    return entry;
  }

  submitParent(req: ParentRequest): void {
    const { marketData, routing } = this.deps;
    if (!Number.isSafeInteger(req.qty) || req.qty <= 0)
      throw new Error(`parent ${req.parentId}: qty must be positive lots`);
    const set = this.instruments;
    const instrument = req.symbol === undefined ? this.deps.instrument : set.of(req.symbol);
    const top = marketData.topOfBook(instrument.symbol);
    const reference = req.limitPrice ?? (req.side === 'buy' ? (top.ask ?? top.bid) : (top.bid ?? top.ask));
    // The threshold is in the run's symbol's notional units: another symbol's notional is
    // counted in those (through account units) before it is compared.
    const toPrimary =
      instrument === this.deps.instrument ? 1 : set.scaleOf(instrument.symbol) / set.scaleOf(set.primary.symbol);
    const twap =
      req.route === 'twap' ||
      (req.route === 'auto' && reference !== null && reference * req.qty * toPrimary > routing.twapThresholdUnits);
    const ops = (this.startOps ??= {
      deps: this.deps,
      record: (e) => this.record(e),
      send: (id) => this.send(id),
      schedulerOps: (side, inst) => this.schedulerOps(side, inst),
      liquidityCap: (symbol) => this.liquidity?.capFor(symbol, (e) => this.recordLiquidity(e)) ?? null,
      register: (parentId, scheduler, intervalMs) => {
        this.schedulers.set(parentId, scheduler);
        this.twapIntervals.set(parentId, intervalMs);
      },
    });
    if (twap) startTwap(ops, instrument, req, req.twap ?? this.defaultTwap(toPrimary), top, reference);
    else startSingle(ops, instrument, req, top);
  }

  /** A symbol's average daily volume was read, or its cap is off: logged, then the cap of the
   *  TWAPs planned after it (a run without a liquidity policy logs nothing). */
  recordLiquidity(e: LiquidityEvent): void {
    if (this.liquidity === null) return;
    // A cap already off is not warned of again (a failed read after a failed read).
    if (e.kind === 'LiquidityCapOff' && this.liquidity.isOff(e.symbol)) return;
    this.liquidity.apply(this.record(e));
  }

  /** The routing's TWAP parameters for a parent of a symbol whose notional unit is `toPrimary`
   *  of the run's symbol's: its minimum slice notional in that symbol's units. */
  private defaultTwap(toPrimary: number): TwapParams {
    const p = this.deps.routing.defaultTwap;
    if (toPrimary === 1 || p.minSliceNotionalUnits === undefined) return p;
    return { ...p, minSliceNotionalUnits: Math.ceil(p.minSliceNotionalUnits / toPrimary) };
  }

  /** What starting a parent needs from the engine: built on the first parent, then shared. */
  private startOps: StartOps | null = null;
  /** What a TWAP's scheduler needs from the engine, per side: built once, shared by schedulers. */
  private readonly sideOps: { buy: SchedulerOps | null; sell: SchedulerOps | null } = { buy: null, sell: null };

  private schedulerOps(side: Side, instrument: Instrument): SchedulerOps {
    if (instrument === this.deps.instrument) return (this.sideOps[side] ??= this.newSchedulerOps(side, instrument));
    const key = `${instrument.symbol}/${side}`;
    let ops = this.otherSideOps.get(key);
    if (!ops) this.otherSideOps.set(key, (ops = this.newSchedulerOps(side, instrument)));
    return ops;
  }

  /** Scheduler ops of the node's other symbols, by symbol and side. */
  private readonly otherSideOps = new Map<string, SchedulerOps>();

  private newSchedulerOps(side: Side, instrument: Instrument): SchedulerOps {
    const { clock, ledger, marketData } = this.deps;
    const symbol = instrument.symbol;
    return {
      clock,
      ledger,
      marketData,
      instrument,
      record: (e) => this.record(e),
      blocked: (child, qty) => this.blocked(side, qty, child, symbol),
      send: (id) => this.send(id),
      cancelChild: (id, reason) => this.cancelChild(id, reason),
    };
  }

  /** Why nothing may go out now for an order of this side and size (of `symbol`: the run's
   *  symbol when absent), or null. `self`: the order being sent, left out of the working orders
   *  the kill switch counts. */
  blocked(side: Side, qty: number, self?: ClientOrderId, symbol?: Symbol): string | null {
    const { hours, ledger } = this.deps;
    this.breakerFeed.sample();
    const sym = symbol ?? this.deps.instrument.symbol;
    return (
      this.killSwitch.blocks(side, qty, () => ({
        position: ledger.positionOf(sym),
        working: ledger.workingOrders(self, this.instruments.size > 1 ? sym : undefined),
      })) ??
      this.breaker.blocks() ??
      this.deps.quarantine?.(sym) ??
      (hours && !hours.isOpen(this.deps.clock.now()) ? 'venue closed' : null)
    );
  }

  /** Sends a pending_new order (first send or a resend with the same id) through the guards. */
  private send(id: ClientOrderId): void {
    const order = this.deps.ledger.order(id);
    if (!order || order.status !== 'pending_new') return;
    const parent = this.deps.ledger.parents.get(order.request.parentId);
    const reason = parent?.cancelRequested
      ? 'parent cancel requested'
      : this.blocked(order.request.side, order.request.qty, id, order.request.symbol);
    if (reason) {
      this.abandon(id, reason);
      return;
    }
    this.record({ kind: 'SubmitOrder', clientOrderId: id });
    // Write-ahead: the send (and any amendment before it) is durable before the order leaves, so
    // a crash after the send leaves it 'submitted' in the store, and restart looks it up.
    this.deps.log.commit();
    this.deps.broker.submit((this.deps.ledger.order(id) ?? order).request);
    if ((order.attempts === 0 || this.unwatched.delete(id)) && this.fills) {
      // A TWAP child's remainder belongs to its scheduler (carry or drop at the next slice), so
      // it waits for partial fills and its slice, unless the parent asked for another policy.
      const spec = this.deps.ledger.parents.get(order.request.parentId)?.spec;
      const policy = spec?.partialFillPolicy as PartialFillPolicy | undefined;
      const interval = this.twapIntervals.get(order.request.parentId);
      this.fills.watch(
        id,
        interval === undefined
          ? { policy }
          : { policy: policy ?? 'wait', timeoutMs: Math.max(interval, this.fills.timeoutMs) },
      );
    }
  }

  private abandon(id: ClientOrderId, reason: string): void {
    const order = this.deps.ledger.order(id);
    if (order?.status !== 'pending_new') return;
    this.record({ kind: 'OrderAbandoned', clientOrderId: id, reason });
    this.fills?.onLocalChange(id);
    this.completeIfDone(order.request.parentId);
  }

  /**
   * Cancels one child: locally when it was never sent, at the venue when it is working. With
   * `resend`, a cancel already pending is sent again (fill detection found the order still open
   * after the first cancel's outcome was unknown); cancels are idempotent at the venue.
   */
  private cancelChild(id: ClientOrderId, reason: string, resend = false): void {
    const child = this.deps.ledger.order(id);
    if (!child || isTerminal(child.status)) return;
    if (child.status === 'pending_cancel') {
      if (!resend) return;
      this.record({ kind: 'CancelOrder', clientOrderId: id, reason: `${reason} (sent again)` });
      this.deps.broker.cancel(id, child.venueOrderId);
      return;
    }
    const wasSent = child.status !== 'pending_new';
    this.record({ kind: 'CancelOrder', clientOrderId: id, reason });
    if (wasSent) this.deps.broker.cancel(id, child.venueOrderId);
    else this.fills?.onLocalChange(id);
    this.completeIfDone(child.request.parentId);
  }

  /**
   * Cancels a parent: the request is logged and committed first, then its remaining slices and
   * its open children at the venue are cancelled; the result says what was cancelled and what
   * had already filled.
   */
  cancelParent(parentId: ParentOrderId, reason: string): CancelResult {
    const parent = this.deps.ledger.parents.get(parentId);
    if (!parent) throw new Error(`no parent ${parentId}`);
    const filledQty = this.deps.ledger.childrenOf(parentId).reduce((s, c) => s + c.filledQty, 0);
    if (parent.completed) return { cancelledSlices: 0, cancelRequests: 0, filledQty };
    this.record({ kind: 'ParentCancelRequested', parentId, reason });
    this.deps.log.commit();
    const scheduler = this.schedulers.get(parentId);
    let result: { cancelledSlices: number; cancelRequests: number };
    if (scheduler) result = scheduler.cancel(reason);
    else {
      result = { cancelledSlices: 0, cancelRequests: 0 };
      for (const child of this.deps.ledger.childrenOf(parentId)) {
        if (isTerminal(child.status) || child.status === 'pending_cancel') continue;
        if (child.status === 'pending_new') result.cancelledSlices++;
        else result.cancelRequests++;
        this.cancelChild(child.request.clientOrderId, reason);
      }
    }
    this.completeIfDone(parentId);
    return { ...result, filledQty };
  }

  /** Halting cancels what is working at the venue (cancels always pass). */
  private onKillSwitch(state: 'active' | 'reducing' | 'halted'): void {
    if (state !== 'halted') return;
    // A copy: each cancel is logged and folded while the walk goes on.
    for (const order of [...this.deps.ledger.sentOrders()]) {
      if (order.status === 'pending_new' || order.status === 'pending_cancel') continue;
      this.cancelChild(order.request.clientOrderId, 'kill switch halted');
    }
  }

  /** A restarted process: the kill switch and the breaker as the durable log left them. */
  restore(entries: readonly LogEntry[]): void {
    const breakerEvents = [];
    for (const { event } of entries) {
      if (event.kind === 'KillSwitchChanged') this.killSwitch.apply(event);
      else if (event.kind === 'CircuitBreakerTripped' || event.kind === 'CircuitBreakerReset')
        breakerEvents.push(event);
    }
    this.breaker.restore(breakerEvents);
    this.liquidity?.restore(entries);
    // Equity is cash from fills plus the position at the mid, both folded from the whole log, so
    // the run's start is 0 in those terms: the loss budget carries over the restart. The peak
    // (drawdown) and the price reference restart from the next samples.
    this.breaker.setEquityBase(0);
  }

  /**
   * Zombie-slice recovery after startup reconciliation (restart-recovery.ts): TWAP schedulers
   * rebuilt from the log resume with the original client order ids; fill detection resumes.
   */
  recover(entries: readonly LogEntry[], graceMs: number): SliceDecision[] {
    return recoverSlices(this.recoveryOps(), entries, graceMs);
  }

  /** Reconciliation: a live order the venue does not know is failed, and its parent may complete. */
  failUnknown(id: ClientOrderId, reason: string): void {
    const order = this.deps.ledger.order(id);
    if (!order) return;
    this.record({ kind: 'OrderAbandoned', clientOrderId: id, reason });
    this.fills?.onLocalChange(id);
    this.completeIfDone(order.request.parentId);
  }

  /** An adopted orphan becomes one of our orders (restart-recovery.ts). */
  adoptOrphan(o: OrphanDetected): void {
    adoptOrphan(this.recoveryOps(), o);
  }

  private recoveryOps(): RecoveryOps {
    return {
      deps: this.deps,
      breakerTripped: this.breaker.tripped,
      fills: this.fills,
      record: (e) => this.record(e),
      cancelChild: (id, reason) => this.cancelChild(id, reason),
      abandon: (id, reason) => this.abandon(id, reason),
      send: (id) => this.send(id),
      schedulerOps: (side, symbol) => this.schedulerOps(side, this.instruments.of(symbol)),
      completeIfDone: (id) => this.completeIfDone(id),
      register: (parentId, scheduler, intervalMs) => {
        this.schedulers.set(parentId, scheduler);
        this.twapIntervals.set(parentId, intervalMs);
      },
      intervalOf: (parentId) => this.twapIntervals.get(parentId),
      resendWatched: (id) => this.unwatched.add(id),
      releaseRetry: (id) => this.retry.release(id),
    };
  }

  /** Applies a venue truth found by reconciliation exactly like a report from the venue. */
  applyVenueTruth(report: VenueMessage): void {
    this.onReport(report);
  }

  private onReport(report: VenueMessage): void {
    const id = 'clientOrderId' in report ? report.clientOrderId : null;
    const prior = id === null ? undefined : this.deps.ledger.order(id);
    const before = prior?.status;
    const { trades } = appendAndFold(this.deps.log, this.deps.ledger, report);
    this.retry.onMessage(report, before);
    this.settler.onMessage(report);
    this.breakerFeed.onReport(report);
    this.fills?.onMessage(report, trades);
    for (const observe of this.observers) observe(report, prior);
    const order = id === null ? undefined : this.deps.ledger.order(id);
    if (!order) return;
    if (order.status === 'pending_cancel' && order.cancelOwed && showsOpen(report)) {
      // Our latest cancel found nothing (it overtook the order) or its outcome is unknown, and
      // the venue shows the order open now: the cancel goes out again (idempotent at the venue).
      this.cancelChild(order.request.clientOrderId, 'the venue shows the order open after its cancel', true);
    } else if (
      (order.status === 'canceled' || order.status === 'expired') &&
      report.kind === 'OrderStatusReport' &&
      showsOpen(report) &&
      (report.askedAfterSeq === undefined || order.lastSeenSeq === null || report.askedAfterSeq >= order.lastSeenSeq)
    ) {
      // The venue holds open an order we hold as ended (an answer no older than what ended it
      // for us): it is working with nobody watching it. It is cancelled, never ignored; its fills
      // so far count (the late-fill rule), and the venue's answer to the cancel ends it.
      this.record({
        kind: 'CancelOrder',
        clientOrderId: order.request.clientOrderId,
        reason: `the venue holds open an order we held as ${order.status}`,
      });
      this.deps.broker.cancel(order.request.clientOrderId, order.venueOrderId);
    } else if (before === 'failed' && !isTerminal(order.status)) {
      // The venue has an order we gave up on: its quantity may have gone out again in another
      // child, and nothing watches it any more. Its fills so far count; the rest is cancelled.
      this.cancelChild(
        order.request.clientOrderId,
        'revived after it was given up on: the venue has it, its remainder is cancelled',
      );
    }
    this.completeIfDone(order.request.parentId);
  }

  private completeIfDone(parentId: ParentOrderId): void {
    const parent = this.deps.ledger.parents.get(parentId);
    if (!parent) return;
    // The ledger's running totals over the children: this runs on every report of every child.
    const { totals } = parent;
    if (parent.completed) {
      // Fills learned after the parent completed (a lost push found by a lookup or by
      // reconciliation) revise its result: the report must not keep saying "unfilled".
      const filledQty = totals.filled;
      const was = parent.completed;
      if (filledQty === was.filledQty) return;
      const status = filledQty === parent.spec.qty ? 'filled' : filledQty > 0 ? 'partially_filled' : 'unfilled';
      this.record({
        kind: 'ParentOrderCompleted',
        parentId,
        status,
        filledQty,
        revises: { status: was.status, filledQty: was.filledQty },
      });
      return;
    }
    if (parent.children.length < parent.spec.totalSlices || totals.open > 0) return;
    const scheduler = this.schedulers.get(parentId);
    if (scheduler && !scheduler.finished && totals.pendingNew > 0) return;
    const filledQty = totals.filled;
    const now = this.deps.clock.now();
    const market = this.deps.marketData.window(parent.spec.symbol as Symbol, parent.createdAt, now);
    this.record({ kind: 'MarketBenchmark', parentId, from: parent.createdAt, to: now, ...market });
    const status = filledQty === parent.spec.qty ? 'filled' : filledQty > 0 ? 'partially_filled' : 'unfilled';
    this.record({ kind: 'ParentOrderCompleted', parentId, status, filledQty });
  }
}

/**
 * The broker with each order lookup stamped with the sequence number of the last log entry, so
 * its answer can be matched to when it was asked: a "not found" asked before our latest send of
 * the order answers a question about the venue before that send, and must not move the order
 * back (apply-event.ts). Everything else passes through.
 */
function stampLookups(broker: Broker, log: EventLog): Broker {
  return {
    clientIdMaxLength: broker.clientIdMaxLength,
    ordersSinceBy: broker.ordersSinceBy,
    setReportHandler: (h) => broker.setReportHandler(h),
    submit: (o) => broker.submit(o),
    cancel: (id, venueId) => broker.cancel(id, venueId),
    queryOrder: (id) => broker.queryOrder(id, log.count),
    queryOpenOrders: (requestId) => broker.queryOpenOrders(requestId),
    queryOrdersSince: (since, limit, after, requestId) => broker.queryOrdersSince(since, limit, after, requestId),
    queryAccount: (requestId) => broker.queryAccount(requestId),
  };
}

/** The venue showing the order open: its acknowledgement, or a full state that is not an end. */
const showsOpen = (r: VenueMessage): boolean =>
  r.kind === 'AckReport' || (r.kind === 'OrderStatusReport' && !isTerminal(statusOfVenue(r.status)));
