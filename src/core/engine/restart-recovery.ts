// What a restarted process does with the engine once startup reconciliation is done:
// zombie-slice recovery (slice-recovery.ts decides; TWAP schedulers are rebuilt from the log and
// resume with the original client order ids; single orders are sent again or scheduled), fill
// detection resumes on every live order and every watch the crash cut short, and parents whose
// children all ended complete. Also the adoption of an orphan as one of our orders.
import { SliceScheduler, type SchedulerOps } from '../algo/slice-scheduler.ts';
import type { FillMonitor } from '../fills/fill-monitor.ts';
import type { ExecEvent, LogEntry } from '../model/events.ts';
import { parentOrderId, type ClientOrderId, type ParentOrderId } from '../model/ids.ts';
import type { Side } from '../model/order.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrphanDetected } from '../model/recon-events.ts';
import type { EngineDeps } from './engine-types.ts';
import { decideRecovery, twapsFromLog, type SliceDecision } from './slice-recovery.ts';

/** What recovery needs from the engine. */
export interface RecoveryOps {
  readonly deps: EngineDeps;
  readonly breakerTripped: boolean;
  readonly fills: FillMonitor | null;
  record(e: ExecEvent): void;
  cancelChild(id: ClientOrderId, reason: string): void;
  abandon(id: ClientOrderId, reason: string): void;
  send(id: ClientOrderId): void;
  schedulerOps(side: Side, symbol: string): SchedulerOps;
  completeIfDone(parentId: ParentOrderId): void;
  register(parentId: ParentOrderId, scheduler: SliceScheduler, intervalMs: number): void;
  intervalOf(parentId: ParentOrderId): number | undefined;
  /** Sent by an earlier process, sent again by this one: watch it on that send. */
  resendWatched(id: ClientOrderId): void;
  /** Recovery decides this order's next send: the retry logic lets go of it. */
  releaseRetry(id: ClientOrderId): void;
}

export function recoverSlices(ops: RecoveryOps, entries: readonly LogEntry[], graceMs: number): SliceDecision[] {
  const { clock, ledger } = ops.deps;
  const decisions = decideRecovery(ledger, {
    now: clock.now(),
    graceMs,
    hours: ops.deps.hours ?? null,
    breakerTripped: ops.breakerTripped,
  });
  const twaps = twapsFromLog(entries);
  const runs = new Map<ParentOrderId, Array<{ sliceNum: number; at: number }>>();
  for (const d of decisions) {
    // A startup lookup's "not found" may have started a retry; recovery's decision (its time,
    // the next open, skip, cancel) is the one that counts, not a resend two seconds later.
    ops.releaseRetry(d.clientOrderId);
    ops.record({ kind: 'SliceRecovered', ...d });
    if ((ledger.order(d.clientOrderId)?.attempts ?? 0) > 0) ops.resendWatched(d.clientOrderId);
    if (d.action === 'canceled') ops.cancelChild(d.clientOrderId, d.reason);
    else if (d.action === 'skipped') {
      ops.record({ kind: 'SliceSkipped', parentId: d.parentId, sliceNum: d.sliceNum, reason: d.reason });
      ops.cancelChild(d.clientOrderId, d.reason);
    } else if (d.action === 'blocked' || d.action === 'failed') ops.abandon(d.clientOrderId, d.reason);
    else if (twaps.has(d.parentId))
      runs.set(d.parentId, [...(runs.get(d.parentId) ?? []), { sliceNum: d.sliceNum, at: d.at ?? clock.now() }]);
    else clock.schedule(() => ops.send(d.clientOrderId), Math.max(0, (d.at ?? clock.now()) - clock.now()));
  }
  for (const [parentId, t] of twaps) {
    const parent = ledger.parents.get(parentId);
    if (!parent || parent.completed) continue;
    const scheduler = new SliceScheduler(
      ops.schedulerOps(parent.spec.side, parent.spec.symbol),
      parentId,
      t.plan,
      t.children,
      t.policy,
      t.stops,
      t.arrivalMid,
      t.catchUp,
    );
    ops.register(parentId, scheduler, t.plan.intervalMs);
    scheduler.resume(runs.get(parentId) ?? []);
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
    const interval = ops.intervalOf(o.request.parentId);
    ops.fills?.watch(
      o.request.clientOrderId,
      interval === undefined ? {} : { policy: 'wait', timeoutMs: Math.max(interval, ops.fills.timeoutMs) },
    );
    if (isTerminal(o.status)) ops.fills?.onLocalChange(o.request.clientOrderId); // ended meanwhile: verify it now
  }
  for (const parentId of ledger.parents.keys()) ops.completeIfDone(parentId);
  return decisions;
}

export function adoptOrphan(ops: RecoveryOps, o: OrphanDetected): void {
  const { clock, marketData } = ops.deps;
  if (o.side === null) throw new Error(`orphan ${o.clientOrderId}: side unknown`);
  const parentId = parentOrderId(`adopted-${o.clientOrderId}`);
  // An orphan whose symbol the venue did not state is of the run's symbol.
  const instrument =
    o.symbol === undefined ? ops.deps.instrument : (ops.deps.instruments?.of(o.symbol) ?? ops.deps.instrument);
  const top = marketData.topOfBook(instrument.symbol);
  const type = o.limitPrice === null ? 'market' : 'limit';
  ops.record({
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
  ops.record({
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
  ops.deps.log.commit();
  ops.deps.broker.queryOrder(o.clientOrderId);
}
