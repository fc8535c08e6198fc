// What a restarted process does once startup reconciliation is done: zombie-slice recovery
// (slice-recovery.ts decides; TWAP schedulers are rebuilt from the log and resume with the
// original client order ids through the slice sender; single orders are sent again or
// scheduled), fill detection resumes on every live order and every watch the crash cut short,
// and parents whose children all ended complete. Also the adoption of an orphan as our order.
import type { ExecAlgorithm } from '../algo/intent-algorithm.ts';
import { IntentRunner } from '../algo/intent-runner.ts';
import { SliceScheduler } from '../algo/slice-scheduler.ts';
import { algosFromLog, resolveAlgorithm } from './algo-recovery.ts';
import { povTarget } from './pov-target.ts';
import type { FillMonitor } from '../fills/fill-monitor.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { parentOrderId, type ClientOrderId, type ParentOrderId } from '../model/ids.ts';
import type { Instrument } from '../model/instrument.ts';
import type { InstrumentSet } from '../model/instrument-set.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrphanDetected } from '../model/recon-events.ts';
import type { CircuitBreaker } from '../risk/circuit-breaker.ts';
import type { ChildOrders } from './child-orders.ts';
import type { EngineDeps } from './engine-types.ts';
import type { OrderRetry } from './order-retry.ts';
import type { ParentCompletion } from './parent-completion.ts';
import type { RunningTwaps } from './running-twaps.ts';
import { decideRecovery, twapsFromLog, type SliceDecision } from './slice-recovery.ts';
import type { SliceSender } from './slice-sender.ts';

export interface RestartRecoveryDeps {
  /** What the engine is built from (its broker: the one that stamps lookups). */
  readonly engine: EngineDeps;
  /** The node's instruments: the run's symbol first. */
  readonly instruments: InstrumentSet;
  readonly breaker: CircuitBreaker;
  readonly fills: FillMonitor | null;
  readonly sender: SliceSender;
  readonly children: ChildOrders;
  readonly twaps: RunningTwaps;
  readonly completion: ParentCompletion;
  /** Recovery decides an order's next send: the retry logic lets go of it. */
  readonly retry: Pick<OrderRetry, 'release'>;
  record(e: ExecEvent): void;
}

export class RestartRecovery {
  constructor(private readonly deps: RestartRecoveryDeps) {}

  /** Zombie-slice recovery after startup reconciliation: each pending slice decided, TWAP
   *  schedulers rebuilt from the log resume with the original client order ids, fill detection
   *  resumes, and parents whose children all ended complete. */
  recover(entries: readonly LogEntry[], graceMs: number): SliceDecision[] {
    const { clock, ledger } = this.deps.engine;
    const { sender, children, fills } = this.deps;
    const twaps = twapsFromLog(entries);
    const replacements = new Set<ClientOrderId>([...twaps.values()].flatMap((t) => t.replacements.map((r) => r.id)));
    const decisions = decideRecovery(ledger, {
      now: clock.now(),
      graceMs,
      hours: this.deps.engine.hours ?? null,
      breakerTripped: this.deps.breaker.tripped,
      replacements,
    });
    const runs = new Map<ParentOrderId, Array<{ sliceNum: number; at: number }>>();
    for (const d of decisions) {
      // A startup lookup's "not found" may have started a retry; recovery's decision (its time,
      // the next open, skip, cancel) is the one that counts, not a resend two seconds later.
      this.deps.retry.release(d.clientOrderId);
      this.deps.record({ kind: 'SliceRecovered', ...d });
      if ((ledger.order(d.clientOrderId)?.attempts ?? 0) > 0) sender.watchOnResend(d.clientOrderId);
      if (d.action === 'canceled') children.cancel(d.clientOrderId, d.reason);
      else if (d.action === 'skipped') {
        this.deps.record({ kind: 'SliceSkipped', parentId: d.parentId, sliceNum: d.sliceNum, reason: d.reason });
        children.cancel(d.clientOrderId, d.reason);
      } else if (d.action === 'blocked' || d.action === 'failed') children.abandon(d.clientOrderId, d.reason);
      else if (replacements.has(d.clientOrderId))
        continue; // its scheduler sends it (child-chaser.ts)
      else if (twaps.has(d.parentId))
        runs.set(d.parentId, [...(runs.get(d.parentId) ?? []), { sliceNum: d.sliceNum, at: d.at ?? clock.now() }]);
      else clock.schedule(() => sender.send(d.clientOrderId), Math.max(0, (d.at ?? clock.now()) - clock.now()));
    }
    for (const [parentId, t] of twaps) {
      const parent = ledger.parents.get(parentId);
      if (!parent || parent.completed) continue;
      const scheduler = new SliceScheduler(
        sender.slicePort(parent.spec.side, this.instrumentOf(parent.spec.symbol)),
        parentId,
        t.plan,
        t.children,
        t.policy,
        t.stops,
        t.arrivalMid,
        t.catchUp,
        t.trajectory?.kind === 'pov'
          ? povTarget(t.trajectory, t.plan.startTime, parentId, this.instrumentOf(parent.spec.symbol), this.deps.engine)
          : null,
        t.placement !== undefined ? { placement: t.placement, replacements: t.replacements } : null,
      );
      this.deps.twaps.register(parentId, scheduler, t.plan.intervalMs);
      scheduler.resume(runs.get(parentId) ?? []);
    }
    // Intent-driven parents: the runner rebuilt from the stored plan and the memo last kept; the
    // algorithm is asked again from the children's states (their numbers continue after the
    // highest stored, so no id is used twice). One that cannot be found again stops its parent
    // at its first decision, with the reason.
    for (const [parentId, a] of algosFromLog(entries)) {
      const parent = ledger.parents.get(parentId);
      if (!parent || parent.completed || parent.stopReason !== null) continue;
      let algorithm: ExecAlgorithm;
      try {
        algorithm = resolveAlgorithm(a.plan, a.plan.worstPrice !== null, this.deps.engine.algorithms);
      } catch (err) {
        const reason = `cannot resume algorithm ${a.plan.module ?? a.plan.algo}: ${(err as Error).message}`;
        algorithm = {
          decide: () => {
            throw new Error(reason);
          },
        };
      }
      const runner = new IntentRunner(
        sender.runnerPort(this.instrumentOf(parent.spec.symbol), this.deps.engine.rng.stream(`algo/${parentId}`), () =>
          this.deps.completion.completeIfDone(parentId),
        ),
        a.plan,
        algorithm,
      );
      this.deps.twaps.registerRunner(parentId, runner);
      runner.resume(a.memo);
    }
    // Fill detection resumes: every live order, and every order whose monitoring the crash cut
    // short (it may have ended at the venue meanwhile: the watch verifies and ends it).
    const unfinished = new Set<string>();
    for (const { event: e } of entries) {
      if (e.kind === 'FillMonitorStarted') unfinished.add(e.clientOrderId);
      else if (e.kind === 'FillMonitorEnded') unfinished.delete(e.clientOrderId);
    }
    // A watch the crash cut short resumes even on an order back at pending_new (its submit was
    // lost, startup found it "not found"): recovery may resend it (the watch goes on) or end it
    // locally (cancelled, skipped, failed), which ends the watch; skipping it would leave the
    // first process's watch open forever.
    for (const o of ledger.orders.values()) {
      const cutShort = unfinished.has(o.request.clientOrderId);
      if ((o.status === 'pending_new' && !cutShort) || (isTerminal(o.status) && !cutShort)) continue;
      const interval = this.deps.twaps.intervalOf(o.request.parentId);
      fills?.watch(
        o.request.clientOrderId,
        interval === undefined ? {} : { policy: 'wait', timeoutMs: Math.max(interval, fills.timeoutMs) },
      );
      if (isTerminal(o.status)) fills?.onLocalChange(o.request.clientOrderId); // ended meanwhile: verify it now
    }
    for (const parentId of ledger.parents.keys()) this.deps.completion.completeIfDone(parentId);
    return decisions;
  }

  /** An adopted orphan becomes one of our orders: a single parent of its own, then looked up. */
  adoptOrphan(o: OrphanDetected): void {
    const { clock, marketData } = this.deps.engine;
    if (o.side === null) throw new Error(`orphan ${o.clientOrderId}: side unknown`);
    const parentId = parentOrderId(`adopted-${o.clientOrderId}`);
    // An orphan whose symbol the venue did not state is of the run's symbol.
    const instrument =
      o.symbol === undefined
        ? this.deps.engine.instrument
        : (this.deps.engine.instruments?.of(o.symbol) ?? this.deps.engine.instrument);
    const top = marketData.topOfBook(instrument.symbol);
    const type = o.limitPrice === null ? 'market' : 'limit';
    this.deps.record({
      kind: 'ParentOrderCreated',
      parentId,
      symbol: instrument.symbol,
      side: o.side,
      qty: o.qty,
      type,
      tif: 'GTC',
      limitPrice: o.limitPrice,
      totalSlices: 1,
      route: 'single',
      arrivalBid: top.bid,
      arrivalAsk: top.ask,
      source: `adopted orphan ${o.clientOrderId}`,
    });
    this.deps.record({
      kind: 'OrderCreated',
      clientOrderId: o.clientOrderId,
      parentId,
      sliceNum: 1,
      totalSlices: 1,
      scheduledTime: clock.now(),
      symbol: instrument.symbol,
      side: o.side,
      type,
      tif: 'GTC',
      qty: o.qty,
      limitPrice: o.limitPrice,
      stopPrice: null,
    });
    this.deps.engine.log.commit();
    this.deps.engine.broker.queryOrder(o.clientOrderId);
  }

  private instrumentOf(symbol: string): Instrument {
    return this.deps.instruments.of(symbol);
  }
}
