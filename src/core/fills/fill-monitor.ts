// Fill detection on the Clock: every sent order is watched from its first submission until a final
// result. Pushes first (stream reports, answers to anyone's lookups), status polls at adaptive
// intervals as the fallback; every observation is verified (fill-verifier.ts) while decisions
// follow our ledger; at the deadline a final query, a cancel and a check after the cancel. The
// deadline runs from the venue's acceptance: before that order-retry.ts owns the order and no poll
// races the submission (docs/0009-fill-detection-deadline-from-acceptance.md). Results are events
// (fill-events.ts); a fill triggers the position check (position-check.ts). No Promises: every
// wait is on the clock.
import type { Rng } from '../clock/rng.ts';
import type { ExecEvent } from '../model/events.ts';
import type { FillMonitorEnded, FillResultKind } from '../model/fill-events.ts';
import type { ClientOrderId } from '../model/ids.ts';
import type { InstrumentSet } from '../model/instrument-set.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrderStatusReport, VenueMessage } from '../model/reports.ts';
import type { OrderState } from '../order/apply-event.ts';
import type { AppliedTrade, OrderLedger } from '../order/order-ledger.ts';
import type { Broker, MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import { backoffDelay, pollInterval } from './backoff.ts';
import { classifyNotFound, classifyQueryFailure, type Classification } from './failure-class.ts';
import { assetsOf } from './fees.ts';
import { watchRulesOf, type FillConfig, type PartialFillPolicy } from './fill-config.ts';
import { verifyFill } from './fill-verifier.ts';
import {
  detectedBy,
  endedKind,
  newWatch,
  observation,
  POLLABLE,
  resultOf,
  sameObservation,
  UNRESOLVED_SUBMISSION,
  type ResultContext,
  type Source,
  type Watch,
} from './fill-watch.ts';
import { PositionCheck } from './position-check.ts';
import { StatusObserved } from './status-observed.ts';

export interface FillMonitorDeps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly broker: Broker;
  readonly marketData: MarketDataPort;
  /** The node's instruments: each order is worked out with its own symbol's. */
  readonly instruments: InstrumentSet;
  readonly config: FillConfig;
  readonly rng: Rng;
  record(e: ExecEvent): void;
  /** Cancels one order through the engine (logged, guarded; a never-sent order is cancelled locally). */
  cancel(id: ClientOrderId, reason: string): void;
  /** Quote price of a commission asset (BNB...), or null: then the fallback fee rate applies. */
  readonly priceOf?: (asset: string) => number | null;
  /** Hands an order whose final state monitoring could not confirm to the lookups that go on
   *  until the venue answers (order-settle.ts), `afterMs` from now. */
  settle?(id: ClientOrderId, afterMs?: number): void;
  /** Told of every result, after it is recorded. */
  readonly onResult?: (result: FillMonitorEnded) => void;
}

export class FillMonitor {
  private readonly watches = new Map<ClientOrderId, Watch>();
  readonly positions: PositionCheck;
  /** What every result event is worked out with (the instrument, fees, thresholds), by symbol. */
  private readonly resultContexts = new Map<string, ResultContext>();
  /** The one context of a node of one instrument. */
  private readonly onlyContext: ResultContext | null;

  constructor(private readonly deps: FillMonitorDeps) {
    this.positions = new PositionCheck(deps);
    for (const instrument of deps.instruments.all)
      this.resultContexts.set(instrument.symbol, {
        instrument,
        config: deps.config,
        assets: assetsOf(instrument.symbol),
        priceOf: deps.priceOf,
      });
    this.onlyContext = this.resultContexts.size === 1 ? (this.resultContexts.values().next().value ?? null) : null;
  }

  /** The result context of `symbol`'s orders (a node of one instrument has only the one). */
  private contextOf(symbol: string): ResultContext {
    if (this.onlyContext !== null) return this.onlyContext;
    const context = this.resultContexts.get(symbol);
    if (!context) throw new Error(`fill detection: no instrument ${symbol}`);
    return context;
  }

  /**
   * Queries and cancels allowed after the deadline (or a push that ended the order) before the
   * result is 'unresolved': three rounds of check-cancel-check per allowed retry, so a venue
   * failing a quarter of its requests still gets confirmed, while a dead one cannot loop.
   */
  private get finalBudget(): number {
    return (this.deps.config.maxRetries + 1) * 3;
  }

  /** The configured deadline after acceptance. */
  get timeoutMs(): number {
    return this.deps.config.timeoutMs;
  }

  /** Orders being watched now. */
  get active(): number {
    let n = 0;
    for (const w of this.watches.values()) if (w.phase !== 'done') n++;
    return n;
  }

  /**
   * Starts watching an order that was just sent for the first time: to the deadline and with the
   * partial-fill policy its time in force gets (watchRulesOf: a resting GTC or DAY order without a
   * deadline by default). `policy` and `timeoutMs` override them for this order (a TWAP's
   * children wait for their slice to end); `timeoutMs` null: no deadline.
   */
  watch(
    id: ClientOrderId,
    options: { policy?: PartialFillPolicy | undefined; timeoutMs?: number | null | undefined } = {},
  ): void {
    if (this.watches.has(id)) return;
    const { clock, ledger, config, marketData } = this.deps;
    const order = ledger.order(id);
    if (!order) return;
    const top = marketData.topOfBook(order.request.symbol);
    const rules = watchRulesOf(config, order.request, options.policy);
    const w = newWatch(
      id,
      order,
      top,
      rules.policy,
      options.timeoutMs !== undefined ? options.timeoutMs : rules.timeoutMs,
      clock.now(),
    );
    this.watches.set(id, w);
    this.deps.record({
      kind: 'FillMonitorStarted',
      clientOrderId: id,
      qty: order.request.qty,
      timeoutMs: w.timeoutMs,
      expectedPrice: w.expectedPrice,
      partialFillPolicy: w.policy,
      pollInitialMs: config.pollInitialMs,
    });
    this.wait(w, pollInterval(0, config));
  }

  /** A venue message, after it was logged and folded into the ledger; `applied` are the trades
   *  its fold added (with an inferred fill for a report that states a cumulative without trades). */
  onMessage(msg: VenueMessage, applied: readonly AppliedTrade[]): void {
    this.positions.onMessage(msg);
    if (!('clientOrderId' in msg) || msg.clientOrderId === null) return;
    const w = this.watches.get(msg.clientOrderId);
    if (!w || w.phase === 'done') return;
    switch (msg.kind) {
      case 'OrderStatusReport':
        w.lastAnswerOurs = w.queryAt !== null;
        w.queryAt = null;
        w.failures = 0;
        w.notFound = 0;
        for (const t of msg.trades ?? []) w.trades.set(t.tradeId, t);
        // A fill inferred from a report without trades (fee 0, liquidity 'inferred'): its time
        // dates the detection; executions matched against it later add their fees.
        for (const t of applied) if (t.liquidity === 'inferred' && t.clientOrderId === w.id) w.trades.set(t.tradeId, t);
        this.observe(w, 'poll', msg);
        return;
      case 'QueryFailedReport':
        // Someone else's lookup failing (order-retry.ts) is theirs to retry and already logged.
        if (w.queryAt === null) return;
        w.queryAt = null;
        this.queryFailed(w, classifyQueryFailure(msg));
        return;
      case 'OrderNotFoundReport':
        // Only an answer to our own query counts here; the submission path resends what the
        // venue does not have (pending_new) and handles its own lookups.
        if (w.queryAt === null || this.order(w).status === 'pending_new') break;
        w.queryAt = null;
        w.notFound++;
        this.queryFailed(w, classifyNotFound(w.notFound, this.deps.config));
        break;
      case 'FillReport':
        w.trades.set(msg.tradeId, msg);
        break;
      case 'CancelRejectReport':
        if (w.cancelSent && w.queryAt === null) {
          // Our cancel was refused: the order may have filled meanwhile. Check at once.
          w.phase = 'post_cancel';
          this.query(w);
        }
        break;
      default:
        break;
    }
    // A "not found" or a refusal proves nothing can fill; other pushes that end the order are
    // confirmed by a query first (see decide).
    this.observe(
      w,
      'push',
      null,
      msg.kind !== 'OrderNotFoundReport' && msg.kind !== 'RejectReport' && msg.kind !== 'RetryableRejectReport',
    );
  }

  /** Whether fill detection watches the order and has not yet ended its watch: an order that
   *  ended short of a fill is settled only once its end was confirmed (fills a lost push hid
   *  are found by that confirmation). */
  settling(id: ClientOrderId): boolean {
    const w = this.watches.get(id);
    return w !== undefined && w.phase !== 'done';
  }

  /** The engine changed an order without a venue message (abandoned, cancelled before sending). */
  onLocalChange(id: ClientOrderId): void {
    const w = this.watches.get(id);
    if (w && w.phase !== 'done') this.observe(w, 'push', null, false);
  }

  private order(w: Watch): OrderState {
    const o = this.deps.ledger.order(w.id);
    if (!o) throw new Error(`fill monitor: order ${w.id} is not in the ledger`);
    return o;
  }

  private elapsed(w: Watch): number {
    return this.deps.clock.now() - w.startedAt;
  }

  private observe(w: Watch, source: Source, report: OrderStatusReport | null, confirm = true): void {
    const o = this.order(w);
    if (w.deadlineTimer === null && !w.deadlinePassed && w.timeoutMs !== null && !UNRESOLVED_SUBMISSION.has(o.status)) {
      // The venue has the order: its deadline runs from now. Until then the submission path
      // (order-retry.ts: lookups, resends with the same id, abandonment) owns it. A watch without
      // a deadline (a resting order) polls until the order ends.
      w.deadlineTimer = this.deps.clock.schedule(() => this.onDeadline(w), w.timeoutMs);
    }
    if (o.status !== w.lastStatus) {
      this.deps.record(new StatusObserved(w.id, w.lastStatus, o.status, this.elapsed(w), w.polls, source));
      w.lastStatus = o.status;
    }
    // A resting order's polls mostly observe what the last one did: its verification stands.
    const seen = observation(w, o, report);
    const qty = o.request.qty;
    const last = w.lastObservation;
    let v = w.lastVerification;
    if (v === null || last === null || w.lastVerifiedQty !== qty || !sameObservation(last, seen)) {
      v = verifyFill(seen, { qty });
      w.lastVerification = v;
      w.lastObservation = seen;
      w.lastVerifiedQty = qty;
    }
    if (v.outcome !== w.lastOutcome) {
      this.deps.record({
        kind: 'FillVerified',
        clientOrderId: w.id,
        outcome: v.outcome,
        filledQty: v.filledQty,
        agreed: v.agreed,
        disagreed: v.disagreed,
        confidencePct: Math.round(v.confidence * 100),
        contradictions: v.contradictions,
        source,
      });
      w.lastOutcome = v.outcome;
    }
    this.decide(w, o, source, confirm);
  }

  private decide(w: Watch, o: OrderState, source: Source, confirm: boolean): void {
    const qty = o.request.qty;
    if (o.status === 'filled') return this.end(w, 'filled', detectedBy(w, source));
    if (o.status === 'rejected' || o.status === 'failed')
      return this.end(w, o.filledQty > 0 ? 'partial' : 'unfilled', detectedBy(w, source));
    if (isTerminal(o.status)) {
      if (o.filledQty > w.lastFilled) {
        // A partial learned together with the end of the order (an IOC whose fill push was lost).
        w.lastFilled = o.filledQty;
        this.deps.record({
          kind: 'PartialFillDetected',
          clientOrderId: w.id,
          filledQty: o.filledQty,
          remainingQty: qty - o.filledQty,
          policy: w.policy,
          action: 'none',
        });
      }
      // Cancelled or expired: a poll is the venue's whole truth (its trades were just applied);
      // after a push, confirm with one query first, since fills may still be on the stream.
      // The venue's own end of an order (an expiry, a cancel) is confirmed even when its ack has
      // not arrived yet: the stream can overtake the REST answer, and the fills of an IOC or a
      // market order that expired are exactly what a lost push would hide. The lookup goes by
      // client order id and needs no venue id.
      if (source === 'poll' || !confirm) return this.end(w, endedKind(w, o), detectedBy(w, source));
      if (w.phase === 'monitoring' || w.phase === 'cancelling')
        w.phase = w.phase === 'cancelling' ? 'post_cancel' : 'confirming';
      if (w.queryAt === null) this.query(w);
      return;
    }
    if (o.filledQty > w.lastFilled) {
      const first = !w.partialHandled;
      w.partialHandled = true;
      w.lastFilled = o.filledQty;
      // IOC and FOK orders end at the venue by themselves: there is no remainder to cancel.
      const resting = o.request.tif !== 'IOC' && o.request.tif !== 'FOK';
      const action = !first ? 'none' : resting ? w.policy : 'wait';
      this.deps.record({
        kind: 'PartialFillDetected',
        clientOrderId: w.id,
        filledQty: o.filledQty,
        remainingQty: qty - o.filledQty,
        policy: w.policy,
        action,
      });
      if (action === 'accept') {
        // The partial is the result; the remainder rests. What it fills until the deadline is
        // still checked then (its reports may be lost), by a lookup that waits for an answer;
        // without a deadline, timeoutMs after the watch began.
        const deadline = w.startedAt + (w.timeoutMs ?? this.deps.config.timeoutMs) - this.deps.clock.now();
        this.end(w, 'partial', detectedBy(w, source), true);
        this.deps.settle?.(w.id, Math.max(deadline, 1));
        return;
      }
      if (action === 'cancel_remainder' && !w.cancelSent) return this.cancel(w, 'partial fill: cancel the remainder');
    }
    // Still open after the check that follows the deadline or a refused cancel: cancel (again).
    if (source === 'poll' && (w.phase === 'final_query' || w.phase === 'post_cancel')) {
      if (w.finalSteps > this.finalBudget) return this.end(w, 'unresolved', detectedBy(w, source), true);
      this.cancel(w, w.deadlinePassed ? 'fill detection deadline' : 'partial fill: cancel the remainder');
    }
  }

  private cancel(w: Watch, reason: string): void {
    const o = this.order(w);
    w.cancelSent = true;
    w.phase = 'cancelling';
    w.finalSteps++;
    if (!isTerminal(o.status)) w.apiCalls++; // the engine sends nothing for an order already over
    // A cancel already pending whose answer never came (its outcome unknown) while the order is
    // still open at the venue is sent again: the engine resends it for a pending_cancel order.
    this.deps.cancel(w.id, reason);
    // If no answer comes (a lost or unknown cancel), look the order up after a backoff.
    if (w.phase === 'cancelling')
      this.wait(w, backoffDelay(Math.min(w.finalSteps, 30), this.deps.config, this.deps.rng));
  }

  private query(w: Watch): void {
    w.queryAt = this.deps.clock.now();
    w.apiCalls++;
    if (w.phase === 'monitoring') w.polls++;
    else w.finalSteps++;
    this.deps.broker.queryOrder(w.id);
    const { config, rng } = this.deps;
    if (w.phase === 'monitoring') this.wait(w, pollInterval(w.polls, config));
    else this.wait(w, backoffDelay(Math.min(w.finalSteps, 30), config, rng));
  }

  /** The next tick: a poll while monitoring, a re-check (watchdog) in the final phases. */
  private wait(w: Watch, delayMs: number): void {
    w.timer?.unsubscribe();
    if (w.phase === 'done') return;
    w.timer = this.deps.clock.schedule(() => this.tick(w), delayMs);
  }

  private tick(w: Watch): void {
    w.timer = null;
    if (w.phase === 'done') return;
    const o = this.order(w);
    const { config } = this.deps;
    if (w.phase === 'monitoring') {
      // An unanswered query older than the backoff cap counts as lost; otherwise wait for it.
      const outstanding = w.queryAt !== null && this.deps.clock.now() - w.queryAt < config.backoffMaxMs;
      if (POLLABLE.has(o.status) && !w.stopPolling && !outstanding) this.query(w);
      else this.wait(w, pollInterval(w.polls, config));
      return;
    }
    if (w.finalSteps > this.finalBudget) return this.giveUp(w, o);
    if (w.phase === 'cancelling') w.phase = 'post_cancel';
    if (o.status === 'pending_new' && !w.cancelSent) return this.cancel(w, 'fill detection deadline');
    this.query(w);
  }

  private queryFailed(w: Watch, c: Classification): void {
    const { config, rng } = this.deps;
    w.errors++;
    w.failures++;
    const retry = c.kind === 'transient' && w.failures <= config.maxRetries;
    const retryInMs = retry ? backoffDelay(w.failures, config, rng) : null;
    this.deps.record({
      kind: 'FillQueryFailed',
      clientOrderId: w.id,
      errorClass: c.kind,
      category: c.category,
      reason: c.reason,
      attempt: w.failures,
      retryInMs,
    });
    if (c.kind === 'permanent' && w.phase === 'monitoring') w.stopPolling = true;
    if (w.phase === 'monitoring') {
      this.wait(w, retryInMs ?? pollInterval(w.polls, config));
      return;
    }
    // Final phases: retry the check; past the retry limit, cancel an order still open (safe
    // whatever its state) and keep checking at the capped backoff until the step budget is
    // spent: a transient error never ends the check early.
    const o = this.order(w);
    if (retryInMs !== null) this.wait(w, retryInMs);
    else if (w.finalSteps > this.finalBudget) this.giveUp(w, o);
    else if (!w.cancelSent && !isTerminal(o.status))
      this.cancel(w, w.deadlinePassed ? 'fill detection deadline' : 'unconfirmed final state');
    else this.wait(w, backoffDelay(Math.min(w.failures, 30), config, rng));
  }

  /**
   * The step budget is spent without a confirmed answer. An order still open is cancelled first
   * if we never asked (one more step); then an order that is over ends on our record, and one that
   * may still be working ends 'unresolved' (left open: pushes and reconciliation still see it).
   */
  private giveUp(w: Watch, o: OrderState): void {
    if (!isTerminal(o.status) && !w.cancelSent)
      return this.cancel(w, w.deadlinePassed ? 'fill detection deadline' : 'unconfirmed final state');
    if (isTerminal(o.status)) this.end(w, endedKind(w, o), 'post_cancel');
    else this.end(w, 'unresolved', 'post_cancel', true);
    // No answer confirmed how the order ended (its fills may be on reports that were lost): the
    // lookups go on until the venue answers, whatever reconciliation does.
    this.deps.settle?.(w.id);
  }

  private onDeadline(w: Watch): void {
    w.deadlineTimer = null;
    if (w.phase === 'done') return;
    const o = this.order(w);
    w.deadlinePassed = true;
    this.deps.record({
      kind: 'FillDeadlineReached',
      clientOrderId: w.id,
      status: o.status,
      filledQty: o.filledQty,
      polls: w.polls,
    });
    if (!this.deps.config.finalVerification)
      return this.end(w, o.filledQty > 0 ? 'partial' : 'timeout', 'poll', !isTerminal(o.status));
    if (w.phase !== 'monitoring') return; // already confirming or cancelling: that path finishes
    w.phase = 'final_query';
    w.failures = 0;
    if (o.status === 'pending_new') return this.cancel(w, 'fill detection deadline');
    this.query(w);
  }

  private end(w: Watch, result: FillResultKind, detectedBy: FillMonitorEnded['detectedBy'], leftOpen = false): void {
    if (w.phase === 'done') return;
    const wasCancelling = w.cancelSent;
    w.phase = 'done';
    w.timer?.unsubscribe();
    w.deadlineTimer?.unsubscribe();
    w.timer = w.deadlineTimer = null;
    const o = this.order(w);
    w.cancelRace = wasCancelling && o.status === 'filled';
    const { ended, warning } = resultOf(
      w,
      o,
      this.contextOf(o.request.symbol),
      this.deps.clock.now(),
      result,
      detectedBy,
      leftOpen,
    );
    this.deps.record(ended);
    if (warning) this.deps.record(warning);
    if (o.filledQty > 0) this.positions.request(w.id);
    this.deps.onResult?.(ended);
  }
}
