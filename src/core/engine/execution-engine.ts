// The engine: wiring and its public surface. A parent's way, in the collaborators wired here:
// accepted (order-manager.ts admits it) -> routed, stored and planned (parent-start.ts,
// twap-slicer.ts) -> scheduled (slice-scheduler.ts) -> sent through the guards, once per order
// (slice-sender.ts, send-guard.ts) -> venue messages logged and folded, fills detected
// (report-intake.ts, fill-monitor.ts), unknown outcomes retried or settled (order-retry.ts,
// order-settle.ts) -> ended short of a fill (child-orders.ts) or completed (parent-completion.ts).
// A restarted process restores the kill switch and breaker from the log and recovers its
// pending slices (restart-recovery.ts).
import type { ExecEvent, LogEntry } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId, Symbol } from '../model/ids.ts';
import { InstrumentSet } from '../model/instrument-set.ts';
import { fractionalTicksToPrice, unitsToQuote } from '../model/instrument.ts';
import type { OrphanDetected } from '../model/recon-events.ts';
import type { Side } from '../model/order.ts';
import type { VenueMessage } from '../model/reports.ts';
import type { Broker } from '../ports/broker.ts';
import { BreakerFeed } from '../risk/breaker-feed.ts';
import { CircuitBreaker } from '../risk/circuit-breaker.ts';
import { KillSwitch } from '../risk/kill-switch.ts';
import { FillMonitor } from '../fills/fill-monitor.ts';
import type { LiquidityEvent } from '../model/liquidity-events.ts';
import { record } from './append-and-fold.ts';
import { ChildOrders } from './child-orders.ts';
import type { CancelResult, EngineDeps, ParentRequest } from './engine-types.ts';
import { LiquidityBook } from './liquidity-book.ts';
import { DEFAULT_RETRY, OrderRetry } from './order-retry.ts';
import { OrderSettle } from './order-settle.ts';
import { ParentCompletion } from './parent-completion.ts';
import { ParentStarter } from './parent-start.ts';
import { ReportIntake, type ReportObserver } from './report-intake.ts';
import { RestartRecovery } from './restart-recovery.ts';
import { RunningTwaps } from './running-twaps.ts';
import { SendGuard } from './send-guard.ts';
import type { SliceDecision } from './slice-recovery.ts';
import { SliceSender } from './slice-sender.ts';
import { stampLookups } from './stamped-lookups.ts';

export type { CancelResult, EngineDeps, ParentRequest, RoutingPolicy, TwapParams } from './engine-types.ts';
export { appendAndFold, type Folded } from './append-and-fold.ts';

export class ExecutionEngine {
  /** The venue, with every order lookup stamped with our log position (see stampLookups):
   *  every core component that asks the venue (retry, fill detection, reconciliation) uses it. */
  readonly broker: Broker;
  readonly killSwitch: KillSwitch;
  readonly breaker: CircuitBreaker;
  readonly fills: FillMonitor | null;
  /** Told of every venue message after the engine logged and handled it (the order manager,
   *  reconciliation), with the order as it was before the message was folded, if it is ours. */
  readonly observers: ReportObserver[] = [];
  /** The liquidity caps TWAPs are planned with, or null when the run has none. */
  readonly liquidity: LiquidityBook | null;
  /** The node's instruments: the run's symbol first. */
  readonly instruments: InstrumentSet;

  private readonly deps: EngineDeps;
  private readonly guard: SendGuard;
  private readonly starter: ParentStarter;
  private readonly children: ChildOrders;
  private readonly reports: ReportIntake;
  private readonly recovery: RestartRecovery;

  constructor(deps: EngineDeps) {
    deps.broker.setReportHandler((report) => this.reports.onReport(report));
    this.broker = stampLookups(deps.broker, deps.log);
    this.deps = deps = { ...deps, broker: this.broker };
    const { clock, log, ledger, broker, marketData } = deps;
    const rec = (e: ExecEvent): void => void record(log, ledger, e);
    const instruments = (this.instruments = deps.instruments ?? InstrumentSet.of([deps.instrument]));
    this.liquidity = deps.liquidity ? new LiquidityBook(deps.liquidity) : null;
    const killSwitch = (this.killSwitch = new KillSwitch((e) => {
      if (record(log, ledger, e).event.state === 'halted') children.cancelWorking('kill switch halted');
    }));
    // A trip's reason in the run's symbol's prices and quote amounts (the breaker's limits are).
    const units = {
      price: (ticks: number) => fractionalTicksToPrice(instruments.primary, ticks),
      quote: (u: number) => unitsToQuote(instruments.primary, u),
    };
    const breaker = (this.breaker = new CircuitBreaker(
      rec,
      deps.breaker ? { clock, config: deps.breaker, units } : undefined,
    ));
    const breakerFeed = new BreakerFeed(breaker, marketData, instruments, ledger);
    const retry = new OrderRetry({
      clock,
      ledger,
      broker,
      policy: deps.retry ?? DEFAULT_RETRY,
      seq: () => log.count,
      resend: (id) => sender.send(id),
      abandon: (id, reason) => children.abandon(id, reason),
      drop: (id, reason) => children.failUnknown(id, reason),
    });
    const settler = new OrderSettle({
      clock,
      ledger,
      broker,
      policy: deps.retry ?? DEFAULT_RETRY,
      seq: () => log.count,
    });
    const fills = (this.fills = deps.fills
      ? new FillMonitor({
          clock,
          ledger,
          broker,
          marketData,
          instruments,
          config: deps.fills,
          rng: deps.rng.stream('fills'),
          record: (e) => record(log, ledger, e),
          cancel: (id, reason) => children.cancel(id, reason, true),
          settle: (id, afterMs) => settler.settle(id, afterMs),
          // An algorithm's child whose end fill detection confirmed: its runner may go on.
          onResult: (ended) => {
            const parentId = ledger.order(ended.clientOrderId)?.request.parentId;
            if (parentId !== undefined) twaps.runnerOf(parentId)?.onSettled(ended.clientOrderId);
          },
          ...(deps.priceOf ? { priceOf: deps.priceOf } : {}),
        })
      : null);
    const twaps = new RunningTwaps();
    const completion = new ParentCompletion({ clock, ledger, marketData, twaps, record: rec });
    const children = (this.children = new ChildOrders({ log, ledger, broker, fills, twaps, completion, record: rec }));
    const guard = (this.guard = new SendGuard({
      clock,
      ledger,
      instrument: deps.instrument,
      instruments,
      killSwitch,
      breaker,
      breakerFeed,
      quarantine: deps.quarantine,
      hours: deps.hours,
    }));
    const sender = new SliceSender({
      clock,
      log,
      ledger,
      broker,
      marketData,
      guard,
      children,
      fills,
      twaps,
      record: rec,
    });
    this.starter = new ParentStarter({
      engine: deps,
      instruments,
      sender,
      twaps,
      completion,
      liquidity: this.liquidity,
      recordLiquidity: (e) => this.recordLiquidity(e),
      record: rec,
    });
    this.reports = new ReportIntake({
      log,
      ledger,
      broker,
      retry,
      settler,
      breakerFeed,
      fills,
      observers: this.observers,
      children,
      completion,
      twaps,
      record: rec,
    });
    this.recovery = new RestartRecovery({
      engine: deps,
      instruments,
      breaker,
      fills,
      sender,
      children,
      twaps,
      completion,
      retry,
      record: rec,
    });
  }

  /** Logs an event, folds it, and logs what the fold derived. Returns the entry. */
  record<E extends ExecEvent>(event: E): LogEntry<E> {
    return record(this.deps.log, this.deps.ledger, event);
  }

  /** A parent the node accepted: routed, stored, and started (parent-start.ts). */
  submitParent(req: ParentRequest): void {
    this.starter.start(req);
  }

  /** A symbol's average daily volume was read, or its cap is off: logged, then the cap of the
   *  TWAPs planned after it (a run without a liquidity policy logs nothing). */
  recordLiquidity(e: LiquidityEvent): void {
    if (this.liquidity === null) return;
    // A cap already off is not warned of again (a failed read after a failed read).
    if (e.kind === 'LiquidityCapOff' && this.liquidity.isOff(e.symbol)) return;
    this.liquidity.apply(this.record(e));
  }

  /** Why nothing may go out now for an order of this side and size (of `symbol`: the run's
   *  symbol when absent), or null: the guards (send-guard.ts), asked when a parent is admitted. */
  blocked(side: Side, qty: number, self?: ClientOrderId, symbol?: Symbol): string | null {
    return this.guard.blocks(side, qty, self, symbol);
  }

  /** Cancels a parent: logged and committed first, then its slices and open children. */
  cancelParent(parentId: ParentOrderId, reason: string): CancelResult {
    return this.children.cancelParent(parentId, reason);
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

  /** Zombie-slice recovery after startup reconciliation (restart-recovery.ts). */
  recover(entries: readonly LogEntry[], graceMs: number): SliceDecision[] {
    return this.recovery.recover(entries, graceMs);
  }

  /** Reconciliation: a live order the venue does not know is failed, and its parent may complete. */
  failUnknown(id: ClientOrderId, reason: string): void {
    this.children.failUnknown(id, reason);
  }

  /** An adopted orphan becomes one of our orders (restart-recovery.ts). */
  adoptOrphan(o: OrphanDetected): void {
    this.recovery.adoptOrphan(o);
  }

  /** Applies a venue truth found by reconciliation exactly like a report from the venue. */
  applyVenueTruth(report: VenueMessage): void {
    this.reports.onReport(report);
  }
}
