// Zombie-slice recovery, run after startup reconciliation so every slice that reached the venue
// is known as sent. Pure: the TWAP plans are rebuilt from the durable log and each pending slice
// gets one decision (canceled, blocked, rescheduled, run now, skipped or failed). The decision
// table: docs/0069-core-and-simulator-notes.md. A chaser's replacement left unsent is no slice:
// it is cancelled with its parent, blocked by a tripped breaker, else handed to the rebuilt
// scheduler, which sends it once the child it replaces has ended (child-chaser.ts).
import type { LoggedReplacement } from '../algo/child-chaser.ts';
import type { Placement } from '../algo/placement.ts';
import type { TwapPlan } from '../algo/twap-slicer.ts';
import { DEFAULT_CATCH_UP, type CatchUp, type EarlyStops } from '../algo/slice-scheduler.ts';
import type { LogEntry, PlannedTrajectory } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { OrderState } from '../order/apply-event.ts';
import type { TradingHours } from '../venues/nyse-calendar.ts';

export interface LoggedTwap {
  readonly plan: TwapPlan;
  readonly children: readonly ClientOrderId[];
  readonly policy: 'carry' | 'drop';
  readonly stops: EarlyStops;
  readonly arrivalMid: number | null;
  readonly catchUp: CatchUp;
  /** The trajectory the plan stored (absent: TWAP's line); a POV's sizes its slices from the tape. */
  readonly trajectory?: PlannedTrajectory;
  /** The placement policy the plan stored (absent: none), and the replacements a chaser made. */
  readonly placement?: Placement;
  readonly replacements: readonly LoggedReplacement[];
}

/** The TWAP plans of the log, as the schedulers that ran them had them. */
export function twapsFromLog(entries: readonly LogEntry[]): Map<ParentOrderId, LoggedTwap> {
  const parents = new Map<ParentOrderId, { side: 'buy' | 'sell'; qty: number; at: number; mid: number | null }>();
  const plans = new Map<ParentOrderId, Extract<LogEntry['event'], { kind: 'TwapPlanned' }>>();
  const slices = new Map<
    ParentOrderId,
    Array<{ id: ClientOrderId; sliceNum: number; qty: number; scheduledTime: number }>
  >();
  const replacements = new Map<ParentOrderId, LoggedReplacement[]>();
  for (const { event: e, time } of entries) {
    if (e.kind === 'ParentOrderCreated' && e.route === 'twap') {
      const mid = e.arrivalBid !== null && e.arrivalAsk !== null ? (e.arrivalBid + e.arrivalAsk) / 2 : null;
      parents.set(e.parentId, { side: e.side, qty: e.qty, at: time, mid });
    } else if (e.kind === 'TwapPlanned') plans.set(e.parentId, e);
    else if (e.kind === 'OrderCreated' && parents.has(e.parentId) && e.replaces !== undefined) {
      const list = replacements.get(e.parentId) ?? [];
      list.push({ id: e.clientOrderId, sliceNum: e.sliceNum });
      replacements.set(e.parentId, list);
    } else if (e.kind === 'OrderCreated' && parents.has(e.parentId)) {
      const list = slices.get(e.parentId) ?? [];
      list.push({ id: e.clientOrderId, sliceNum: e.sliceNum, qty: e.qty, scheduledTime: e.scheduledTime });
      slices.set(e.parentId, list);
    }
  }
  const out = new Map<ParentOrderId, LoggedTwap>();
  for (const [id, p] of parents) {
    const t = plans.get(id);
    const list = (slices.get(id) ?? []).sort((a, b) => a.sliceNum - b.sliceNum);
    if (!t || !t.stops || list.length === 0) continue; // logged before plans carried their stops
    const plan: TwapPlan = {
      side: p.side,
      qty: p.qty,
      startTime: p.at,
      durationMs: t.durationMs,
      totalSlices: list.length,
      intervalMs: t.intervalMs,
      minNotionalUnits: t.minNotionalUnits ?? 0,
      minSliceLots: 1,
      referencePrice: t.referencePrice ?? 1,
      childType: t.childType,
      ...(t.limitOffsetTicks !== null ? { limitOffsetTicks: t.limitOffsetTicks } : {}),
      ...(t.stopOffsetTicks != null ? { stopOffsetTicks: t.stopOffsetTicks } : {}),
      // The stored cap, never a fresh volume: the slices below were sized by it.
      ...(t.liquidityCap !== undefined ? { liquidityMaxSliceQty: t.liquidityCap.maxSliceQty } : {}),
      slices: list.map((s) => ({ sliceNum: s.sliceNum, qty: s.qty, scheduledTime: s.scheduledTime })),
      adjustments: [],
    };
    out.set(id, {
      plan,
      children: list.map((s) => s.id),
      policy: t.unfilledPolicy,
      stops: t.stops,
      arrivalMid: p.mid,
      catchUp: t.catchUp ?? DEFAULT_CATCH_UP,
      ...(t.trajectory !== undefined ? { trajectory: t.trajectory } : {}),
      ...(t.placement !== undefined ? { placement: t.placement } : {}),
      replacements: replacements.get(id) ?? [],
    });
  }
  return out;
}

export type SliceAction = 'run_now' | 'rescheduled' | 'skipped' | 'canceled' | 'blocked' | 'failed';

export interface SliceDecision {
  readonly parentId: ParentOrderId;
  readonly clientOrderId: ClientOrderId;
  readonly sliceNum: number;
  readonly action: SliceAction;
  /** When it runs (run_now: now; rescheduled: the time), else null. */
  readonly at: number | null;
  readonly reason: string;
}

export interface RecoveryContext {
  readonly now: number;
  readonly graceMs: number;
  readonly hours: TradingHours | null;
  readonly breakerTripped: boolean;
  /** The chasers' replacements (twapsFromLog): decided apart from the slices. */
  readonly replacements?: ReadonlySet<ClientOrderId>;
}

/** One decision for every never-sent order of every parent that is not complete. */
export function decideRecovery(ledger: OrderLedger, ctx: RecoveryContext): SliceDecision[] {
  const out: SliceDecision[] = [];
  const open = ctx.hours ? ctx.hours.isOpen(ctx.now) : true;
  for (const [parentId, parent] of ledger.parents) {
    if (parent.completed) continue;
    const replacing = ctx.replacements;
    const children = ledger.childrenOf(parentId);
    if (replacing !== undefined && replacing.size > 0)
      for (const c of children)
        if (c.status === 'pending_new' && replacing.has(c.request.clientOrderId)) {
          const decide = decider(out, parentId, c);
          if (parent.cancelRequested || parent.stopReason !== null)
            decide('canceled', null, parent.stopReason ?? 'parent cancel requested');
          else if (ctx.breakerTripped)
            decide('blocked', null, 'blocked_circuit_breaker: the breaker was tripped at startup');
          else decide('run_now', ctx.now, 'a re-priced child: sent once the child it replaces has ended');
        }
    const pending = children.filter(
      (c) => c.status === 'pending_new' && !(replacing?.has(c.request.clientOrderId) ?? false),
    );
    const latestDue = pending.filter((c) => c.request.scheduledTime <= ctx.now).at(-1);
    for (const c of pending) {
      const due = c.request.scheduledTime;
      const late = ctx.now - due;
      const decide = decider(out, parentId, c);
      if (parent.cancelRequested || parent.stopReason !== null)
        decide('canceled', null, parent.stopReason ?? 'parent cancel requested');
      else if (ctx.breakerTripped)
        decide('blocked', null, 'blocked_circuit_breaker: the breaker was tripped at startup');
      else if (late < 0) decide('rescheduled', due, 'due later: kept at its time with its client order id');
      else if (open) {
        if (c !== latestDue)
          decide(
            'skipped',
            null,
            `missed while down: its quantity is caught up from slice ${latestDue?.request.sliceNum}`,
          );
        else
          decide(
            'run_now',
            ctx.now,
            late <= ctx.graceMs
              ? `past due by ${late} ms, within the grace period`
              : `WARNING past due by ${late} ms, beyond the ${ctx.graceMs} ms grace period`,
          );
      } else if (late <= ctx.graceMs && ctx.hours)
        decide('rescheduled', ctx.hours.nextOpen(ctx.now), 'past due while the venue is closed: at the next open');
      else decide('failed', null, `past due by ${late} ms beyond the ${ctx.graceMs} ms grace period, venue closed`);
    }
  }
  return out;
}

/** The decisions on one slice's child, each pushed onto `out`: written out, not a spread of the
 *  slice's ids with the decision, because fields added to a spread's copy made a new hidden class
 *  for every decision. */
function decider(
  out: SliceDecision[],
  parentId: ParentOrderId,
  c: OrderState,
): (action: SliceAction, at: number | null, reason: string) => void {
  return (action, at, reason) => {
    out.push({ parentId, clientOrderId: c.request.clientOrderId, sliceNum: c.request.sliceNum, action, at, reason });
  };
}
