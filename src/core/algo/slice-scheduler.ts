// Runs one TWAP parent on the Clock: at each slice's time the guards, the early stops, the
// slice's size and price, and the send. Nothing here can overfill the parent: a slice is sized
// against everything already sent and still able to fill, and a carrying slice waits for the end
// of the child it replaced to be confirmed before it takes that child's unfilled part (a cancel
// may race a fill). Order of the checks, carry and drop sizing, limit children and catch-up after
// a restart: docs/0069-core-and-simulator-notes.md.
// A parent with a placement policy prices its limit children by it (placement.ts) and leaves
// its working children and their re-pricings to a ChildChaser (child-chaser.ts).
import type { ParentOrderId } from '../model/ids.ts';
import type { ClientOrderId } from '../model/ids.ts';
import { lotsToQty, ticksToPrice } from '../model/instrument.ts';
import { belowMinNotional, remainderBelowMinimum } from './min-notional.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrderState } from '../order/apply-event.ts';
import { committedLots } from '../order/order-ledger.ts';
import type { TwapPlan } from './twap-slicer.ts';
import type { ParticipationTarget } from './participation.ts';
import type { SchedulerOps } from './scheduler-ops.ts';
import { ChildChaser, type LoggedReplacement } from './child-chaser.ts';
import { earlyStopReason, type EarlyStops } from './early-stops.ts';
import { crosses, crossPrice, passivePrice, type Placement } from './placement.ts';

export type { SchedulerOps } from './scheduler-ops.ts';
export type { EarlyStops } from './early-stops.ts';

/** How a TWAP with carry catches up after a restart. */
export interface CatchUp {
  readonly mode: 'spread' | 'immediate';
  /** Spread: no slice run after the restart is larger than this many times its planned size;
   *  null: no cap. */
  readonly maxMultiple: number | null;
}

export const DEFAULT_CATCH_UP: CatchUp = Object.freeze({ mode: 'spread', maxMultiple: 3 });

/** While a slice waits for the end of a child it asked to end, it looks again this often. */
const END_POLL_MS = 100;

export const isDefaultCatchUp = (c: CatchUp): boolean =>
  c.mode === DEFAULT_CATCH_UP.mode && c.maxMultiple === DEFAULT_CATCH_UP.maxMultiple;

/** What a parent with a placement policy runs with: the policy and, after a restart, the
 *  replacements its log holds. */
export interface PlacementRun {
  readonly placement: Placement;
  readonly replacements?: readonly LoggedReplacement[];
}

export class SliceScheduler {
  private done = false;
  /** After a restart whose recovery dropped the last slice: the scheduler ends after this index. */
  private finishAfter: number | null = null;
  private readonly startMid: number | null;
  private readonly cumulative: number[];
  /** After a restart with spread catch-up: the first slice run by this process (sizes from it
   *  on are capped). */
  private resumedFrom: number | null = null;
  /** Stopped (cancel, early stop, kill): a placement parent's children are placed no more. */
  private halted = false;
  private readonly placement: Placement | null;
  private readonly chaser: ChildChaser | null;
  /** Children added while running (a chaser's replacements), besides the slices. */
  private readonly extra: ClientOrderId[] = [];
  /** Children this scheduler (or its chaser) asked to end, until their end is confirmed (ended,
   *  and no longer settling with fill detection): until then what they did not fill is in doubt. */
  private readonly ending = new Set<ClientOrderId>();
  /** The index of the last slice whose child went out (this process or, after a restart, the log). */
  private lastSent: number | null = null;
  /** The slice waiting for those ends, and until when it waits, or null. */
  private waiting: { readonly slice: number; readonly until: number } | null = null;
  private readonly ops: SchedulerOps;

  constructor(
    ops: SchedulerOps,
    readonly parentId: ParentOrderId,
    private readonly plan: TwapPlan,
    private readonly children: readonly ClientOrderId[],
    private readonly policy: 'carry' | 'drop',
    private readonly stops: EarlyStops,
    arrivalMid: number | null,
    private readonly catchUp: CatchUp = DEFAULT_CATCH_UP,
    /** A parent that follows the tape: its slices are sized by the market's volume, not the
     *  plan's sizes (participation.ts); null: the plan's. */
    private readonly tape: ParticipationTarget | null = null,
    /** How the children are placed (placement.ts); null: as the parent's type makes them. */
    placed: PlacementRun | null = null,
  ) {
    // Every cancel this scheduler and its chaser send is remembered: the child's unfilled part is
    // carried only once its end is confirmed.
    this.ops = {
      ...ops,
      cancelChild: (id, reason, resend) => {
        this.ending.add(id);
        ops.cancelChild(id, reason, resend);
      },
    };
    this.startMid = arrivalMid;
    let sum = 0;
    this.cumulative = plan.slices.map((s) => (sum += s.qty));
    this.placement = placed?.placement ?? null;
    this.chaser =
      placed === null
        ? null
        : new ChildChaser(
            this.ops,
            {
              halted: () => this.halted,
              cancelRequested: () => this.cancelRequested(),
              stop: (reason) => void this.stop(reason),
              adopt: (id) => void this.extra.push(id),
              crossesNow: (i, top) => this.crossesNow(i, top),
            },
            parentId,
            plan,
            children,
            placed.placement,
            stops.worstPrice,
            placed.replacements,
          );
    if (this.chaser) this.extra.push(...this.chaser.replacements());
  }

  get finished(): boolean {
    return this.done;
  }

  /** Schedules every slice; a scheduling failure cancels what never started (compensation). */
  start(): void {
    try {
      this.plan.slices.forEach((slice, i) => {
        this.ops.clock.schedule(() => this.runSlice(i), Math.max(0, slice.scheduledTime - this.ops.clock.now()));
      });
    } catch (err) {
      this.compensate(`scheduling failed: ${err instanceof Error ? err.message : String(err)}`);
      throw err;
    }
  }

  /** After a restart: runs the slices recovery kept, each at its time (slice-recovery.ts);
   *  the others were skipped, cancelled or failed by recovery and are never run. */
  resume(runs: ReadonlyArray<{ readonly sliceNum: number; readonly at: number }>): void {
    const last = this.plan.slices.length;
    if (!runs.some((r) => r.sliceNum === last)) this.finishAfter = Math.max(0, ...runs.map((r) => r.sliceNum)) - 1;
    if (this.policy === 'carry' && this.catchUp.mode === 'spread' && runs.length > 0) this.spreadFrom(runs);
    for (const r of runs)
      this.ops.clock.schedule(() => this.runSlice(r.sliceNum - 1), Math.max(0, r.at - this.ops.clock.now()));
    if (runs.length === 0) this.done = true;
    for (let j = this.children.length - 1; j >= 0 && this.lastSent === null; j--)
      if (this.child(j).attempts > 0) this.lastSent = j;
    // Children whose end the previous process asked for and has not seen confirmed yet.
    for (const id of [...this.children, ...this.extra]) {
      const o = this.ops.ledger.order(id);
      if (o && (o.status === 'pending_cancel' || this.unsettled(o))) this.ending.add(id);
    }
    this.chaser?.resume();
  }

  /**
   * Spread catch-up: what the parent has left when the first recovered slice runs is shared out
   * over the slices this process runs, in proportion to their planned sizes, instead of the
   * first one catching up with the plan at once. Targets are cumulative (carry sizes each slice
   * against what is committed), so a fill or a failure meanwhile moves the later slices too.
   */
  private spreadFrom(runs: ReadonlyArray<{ readonly sliceNum: number }>): void {
    const indices = runs.map((r) => r.sliceNum - 1).sort((a, b) => a - b);
    const first = indices[0] as number;
    this.resumedFrom = first;
    // What the children hold now (sent, filled, or still able to fill): everything else,
    // including what was due while down and never sent, goes to the slices left.
    const before = Math.min(this.plan.qty, this.committedBesides(first));
    const planned = indices.map((i) => this.plan.slices[i]?.qty ?? 0);
    const total = planned.reduce((s, q) => s + q, 0);
    const left = this.plan.qty - before;
    let acc = 0;
    indices.forEach((i, k) => {
      acc += planned[k] as number;
      const share = total > 0 ? Math.floor((left * acc) / total) : left;
      this.cumulative[i] = before + (k === indices.length - 1 ? left : share);
    });
  }

  /** Cancels the remaining slices and the open children (the cancel was logged first). */
  cancel(reason: string): { cancelledSlices: number; cancelRequests: number } {
    return this.stop(`cancelled: ${reason}`);
  }

  private child(i: number): OrderState {
    return this.ops.ledger.order(this.children[i] as ClientOrderId) as OrderState;
  }

  /** If scheduling fails after the parent was stored: only children still pending_new go. */
  private compensate(reason: string): void {
    for (const id of this.children) {
      if (this.ops.ledger.order(id)?.status === 'pending_new') this.ops.cancelChild(id, reason);
    }
    this.done = true;
    this.halted = true;
  }

  private stop(reason: string): { cancelledSlices: number; cancelRequests: number } {
    // A placement parent past its last slice still has children to stop (a chaser's replacements).
    if (this.halted || (this.done && this.placement === null)) return { cancelledSlices: 0, cancelRequests: 0 };
    this.done = true;
    this.halted = true;
    this.ops.record({ kind: 'ParentStopped', parentId: this.parentId, reason });
    let cancelledSlices = 0;
    let cancelRequests = 0;
    for (const id of this.extra.length === 0 ? this.children : [...this.children, ...this.extra]) {
      const o = this.ops.ledger.order(id) as OrderState;
      if (isTerminal(o.status) || o.status === 'pending_cancel') continue;
      if (o.status === 'pending_new') cancelledSlices++;
      else cancelRequests++;
      this.ops.cancelChild(id, reason);
    }
    return { cancelledSlices, cancelRequests };
  }

  private cancelRequested(): boolean {
    return this.ops.ledger.parents.get(this.parentId)?.cancelRequested ?? false;
  }

  private skip(i: number, reason: string): void {
    this.ops.record({ kind: 'SliceSkipped', parentId: this.parentId, sliceNum: i + 1, reason });
    const id = this.children[i] as ClientOrderId;
    if (this.ops.ledger.order(id)?.status === 'pending_new') this.ops.cancelChild(id, reason);
  }

  private runSlice(i: number): void {
    if (this.done) return;
    const w = this.waiting;
    if (w !== null && w.slice !== i) {
      // A later slice came due while an earlier one still waited (a wait ends before the next
      // slice's time, so only a clock that runs both at once): the earlier one is not sent, and
      // this one carries its quantity; left pending, its child would keep the parent open.
      this.waiting = null;
      this.skip(w.slice, `the end of a replaced child was not confirmed before slice ${i + 1}: carried to it`);
    }
    const last = i === this.plan.slices.length - 1 || i === this.finishAfter;
    // Cancellation guard, first check: the cancel is in the log before it is acted on.
    if (this.cancelRequested()) {
      this.stop('cancel requested');
      return;
    }
    // Limit mode: the previous child's unfilled part is cancelled and goes into this slice, once
    // the cancel is confirmed (the child may fill until it lands). The previous child is the last
    // one that went out: after a restart whose recovery skipped slices, an earlier slice's.
    if (this.chaser) this.chaser.supersede(i);
    else if (this.plan.childType === 'limit' && this.lastSent !== null && this.lastSent < i) {
      const prev = this.child(this.lastSent);
      if (!isTerminal(prev.status) && prev.status !== 'pending_new' && prev.status !== 'pending_cancel') {
        this.ops.cancelChild(prev.request.clientOrderId, 'replaced by the next slice');
      }
    }
    const top = this.ops.marketData.topOfBook(this.ops.instrument.symbol);
    const stopReason = this.earlyStop(top);
    if (stopReason) {
      this.stop(stopReason);
      return;
    }
    if (this.awaitEnds(i)) return;
    const sized = this.sized(i, last);
    if (typeof sized === 'string') {
      this.skip(i, sized);
      if (last) this.done = true;
      return;
    }
    const qty = sized;
    const beyond = this.placement === null ? this.beyondWorst(top, last) : null;
    if (beyond !== null) {
      this.skip(i, beyond);
      if (last) this.done = true;
      return;
    }
    const blocked = this.ops.blocked(this.children[i] as ClientOrderId, qty);
    if (blocked) {
      this.skip(i, blocked);
      if (last) this.done = true;
      return;
    }
    const crossing = this.placement !== null && this.crossing(i, last);
    const limitPrice =
      this.placement === null
        ? this.limitPrice(top)
        : crossing
          ? crossPrice(this.plan.side, top, this.stops.worstPrice)
          : passivePrice(this.plan.side, top, this.placement.offsetTicks, this.stops.worstPrice);
    const stopPrice = this.placement === null ? this.stopPrice(top) : null;
    const inst = this.ops.instrument;
    // A child is valued as the venue values it: at its limit or stop price, else at the touch it
    // takes. Below the plan's minimum (or the venue's, at that price) a slice is carried to the
    // next one; the last slice has none to carry into, so what the venue would refuse is not
    // sent and the parent ends short with the reason (never made larger than what is left).
    const price = this.referencePrice(top);
    const valued = limitPrice ?? stopPrice ?? price;
    if (!last && price !== null && (price * qty < this.plan.minNotionalUnits || belowMinNotional(inst, qty, valued))) {
      this.skip(i, 'below the minimum notional: carried to the next slice');
      return;
    }
    if (last && belowMinNotional(inst, qty, valued)) {
      const reason = remainderBelowMinimum(inst, qty, valued as number);
      this.skip(i, reason);
      this.stop(reason);
      return;
    }
    const child = this.child(i);
    if (
      qty !== child.request.qty ||
      limitPrice !== (child.request.limitPrice ?? null) ||
      stopPrice !== (child.request.stopPrice ?? null)
    ) {
      this.ops.record({ kind: 'ChildAmended', clientOrderId: child.request.clientOrderId, qty, limitPrice, stopPrice });
    }
    // Cancellation guard, second check, just before the send.
    if (this.cancelRequested()) {
      this.stop('cancel requested');
      return;
    }
    this.ops.send(child.request.clientOrderId);
    this.lastSent = i;
    this.chaser?.sent(i, crossing);
    if (last) this.done = true;
  }

  /** Whether a placement parent's slice crosses (at the far touch; else it rests at the near
   *  touch plus the offset, both held to the never-worse price): passive-then-cross when the
   *  parent is behind by more than its threshold. */
  private crossing(i: number, last: boolean): boolean {
    const p = this.placement as Placement;
    return (
      p.kind === 'passive-then-cross' && crosses(p.crossWhenBehind, this.plan.qty, this.due(i, last), this.filled())
    );
  }

  /** Between slices, whether slice i's passive child should be re-priced to cross at this book:
   *  the parent is behind by more than its threshold against what is due at this instant, and no
   *  early stop holds (the next slice would stop the parent rather than pay the spread). */
  private crossesNow(
    i: number,
    top: { bid: number | null; ask: number | null; bidQty: number; askQty: number },
  ): boolean {
    const p = this.placement;
    if (p?.kind !== 'passive-then-cross' || this.earlyStop(top) !== null) return false;
    return crosses(p.crossWhenBehind, this.plan.qty, this.dueNow(i), this.filled());
  }

  /**
   * Lots due at this instant while slice i works: on the grid, the line from what was due when
   * it ran (the targets of the slices before it) to its own target at the next slice's time (the
   * trajectory between two grid points); at the last slice, all of it; for a parent that follows
   * the tape, the tape's share now.
   */
  private dueNow(i: number): number {
    const last = i === this.plan.slices.length - 1 || i === this.finishAfter;
    if (this.tape !== null || last) return this.due(i, last);
    const from = this.due(i, false);
    const to = this.cumulative[i] as number;
    const start = this.plan.slices[i]?.scheduledTime as number;
    const end = this.plan.slices[i + 1]?.scheduledTime as number;
    const gone = end > start ? Math.min(1, Math.max(0, (this.ops.clock.now() - start) / (end - start))) : 1;
    return from + (to - from) * gone;
  }

  /**
   * Lots the parent should have filled by now: on the grid, the cumulative target of the slices
   * before this one (the last slice: all of it, the horizon ends with it); for a parent that
   * follows the tape, the tape's share (all of it at a last slice that completes).
   */
  private due(i: number, last: boolean): number {
    if (this.tape !== null)
      return last && this.tape.params.end === 'complete'
        ? this.plan.qty
        : this.tape.due(this.plan.qty, this.ops.clock.now());
    if (last) return this.plan.qty;
    return i === 0 ? 0 : (this.cumulative[i - 1] as number);
  }

  /** Lots the parent's children have filled. */
  private filled(): number {
    const parent = this.ops.ledger.parents.get(this.parentId);
    if (parent) return parent.totals.filled;
    let filled = 0;
    for (const id of [...this.children, ...this.extra]) filled += this.ops.ledger.order(id)?.filledQty ?? 0;
    return filled;
  }

  /**
   * Whether slice i waits (it posted itself again) for the children it asked to end: a slice
   * sized against what is committed (carry, or the tape) takes a replaced child's unfilled part
   * only once that child's end is confirmed, since the child may fill until its cancel lands and
   * a fill a lost report hid shows only in fill detection's confirmation. It waits at most half
   * the time left before the next slice (the last one: half its own span, from the horizon's end
   * back to its time); past that it goes out without what is still in doubt (counted as filled),
   * which the next slice then carries.
   */
  private awaitEnds(i: number): boolean {
    if (this.policy === 'drop' && this.tape === null) return false;
    if (!this.endsInDoubt()) {
      this.waiting = null;
      return false;
    }
    const now = this.ops.clock.now();
    let until = this.waiting?.until;
    if (until === undefined) {
      // The last slice (run late after a restart, perhaps past the horizon) waits half its span.
      const end = this.plan.slices[i + 1]?.scheduledTime ?? this.plan.startTime + this.plan.durationMs;
      const span = end - (this.plan.slices[i]?.scheduledTime ?? now);
      until = now + Math.max(0, i === this.plan.slices.length - 1 ? span : Math.min(span, end - now)) / 2;
    }
    if (now >= until) {
      this.waiting = null;
      return false;
    }
    this.waiting = { slice: i, until };
    this.ops.clock.post(
      () => {
        if (this.waiting?.slice === i) this.runSlice(i);
      },
      Math.min(END_POLL_MS, until - now),
    );
    return true;
  }

  /** Whether a child this scheduler asked to end has not ended, or ended short of a fill and is
   *  still settling; children whose end is confirmed are forgotten. */
  private endsInDoubt(): boolean {
    let doubt = false;
    for (const id of this.ending) {
      const o = this.ops.ledger.order(id);
      if (o !== undefined && (!isTerminal(o.status) || this.unsettled(o))) doubt = true;
      else this.ending.delete(id);
    }
    return doubt;
  }

  /** An ended child short of a fill whose end fill detection has not confirmed yet. */
  private unsettled(o: OrderState): boolean {
    return isTerminal(o.status) && o.filledQty < o.request.qty && this.ops.settling(o.request.clientOrderId);
  }

  /** Lots the children asked to end may still fill beyond what committedLots counts: an ended
   *  child's unfilled part while its end is not confirmed (one still open counts in full there). */
  private inDoubtLots(): number {
    let lots = 0;
    for (const id of this.ending) {
      const o = this.ops.ledger.order(id);
      if (o !== undefined && this.unsettled(o)) lots += o.request.qty - o.filledQty;
    }
    return lots;
  }

  /** Lots this slice sends, or why it sends nothing. */
  private sized(i: number, last: boolean): number | string {
    if (this.tape === null) {
      const qty = this.sliceQty(i, last);
      return qty > 0 ? qty : 'nothing left to send';
    }
    const committed = this.committedBesides(i) + this.inDoubtLots();
    const slice = this.tape.size(this.plan.qty, committed, last, this.ops.clock.now());
    if ('skip' in slice) return slice.skip;
    return this.capped(i, slice.qty);
  }

  /** After a restart, no slice takes more than catchUp.maxMultiple times its planned size: the
   *  rest waits for the next slice, and what does not fit by the last one stays unsent. A
   *  tape-following parent's planned sizes are a forecast only, so its cap is at least a lot. */
  private capped(i: number, wanted: number): number {
    const cap = this.catchUp.maxMultiple;
    if (this.resumedFrom === null || i < this.resumedFrom || cap === null) return wanted;
    const limit = Math.floor((this.plan.slices[i]?.qty ?? 0) * cap);
    return Math.min(wanted, this.tape === null ? limit : Math.max(1, limit));
  }

  /**
   * Lots this slice sends. Committed = what already filled plus everything still able to fill
   * (children working at the venue or being cancelled count in full, an ended child whose end is
   * not confirmed counts its unfilled part), so no sizing can push the parent past its quantity
   * whatever fills late.
   */
  private sliceQty(i: number, last: boolean): number {
    const committed = this.committedBesides(i) + this.inDoubtLots();
    const remaining = Math.max(0, this.plan.qty - committed);
    const planned = this.plan.slices[i]?.qty ?? 0;
    if (this.policy === 'drop') return Math.min(planned, remaining);
    const wanted = last ? remaining : Math.min(remaining, Math.max(0, (this.cumulative[i] as number) - committed));
    return this.capped(i, wanted);
  }

  /** Lots committed by every child but the i-th (committedLots, summed): from the ledger's
   *  running total over the parent's children when those are this scheduler's children, so a
   *  slice costs the same late in a long TWAP as early; a walk otherwise. */
  private committedBesides(i: number): number {
    const parent = this.ops.ledger.parents.get(this.parentId);
    if (parent && parent.children.length === this.children.length + this.extra.length)
      return parent.totals.committed - committedLots(this.child(i));
    let committed = 0;
    for (let j = 0; j < this.children.length; j++) if (j !== i) committed += committedLots(this.child(j));
    for (const id of this.extra) committed += committedLots(this.ops.ledger.order(id) as OrderState);
    return committed;
  }

  private referencePrice(top: { bid: number | null; ask: number | null }): number | null {
    return this.plan.side === 'buy' ? (top.ask ?? top.bid) : (top.bid ?? top.ask);
  }

  private limitPrice(top: { bid: number | null; ask: number | null }): number | null {
    const t = this.plan.childType;
    // A market parent's slices with a never-worse price are IOC limits at it (parent-start.ts).
    if (t === 'market') return this.stops.worstPrice ?? null;
    if (t !== 'limit' && t !== 'stop_limit') return null;
    const offset = this.plan.limitOffsetTicks ?? 0;
    const touch = this.plan.side === 'buy' ? top.bid : top.ask;
    if (touch === null) return null;
    if (t === 'stop_limit') {
      const stop = this.stopPrice(top) as number;
      return this.plan.side === 'buy' ? stop + offset : Math.max(1, stop - offset);
    }
    const price = this.plan.side === 'buy' ? Math.max(1, touch - offset) : touch + offset;
    const worst = this.stops.worstPrice;
    if (worst === undefined) return price;
    return this.plan.side === 'buy' ? Math.min(price, worst) : Math.max(price, worst);
  }

  /** Why a slice may not go out at this touch for the parent's never-worse price, or null: its
   *  quantity is carried to the next slice, and at the last one left unfilled. */
  private beyondWorst(top: { bid: number | null; ask: number | null }, last: boolean): string | null {
    const worst = this.stops.worstPrice;
    if (worst === undefined || this.plan.childType !== 'market') return null;
    const buy = this.plan.side === 'buy';
    const touch = buy ? top.ask : top.bid;
    if (touch === null || (buy ? touch <= worst : touch >= worst)) return null;
    const show = (t: number): string => ticksToPrice(this.ops.instrument, t);
    const then = last ? 'left unfilled, no slice after it to carry it to' : 'carried to the next slice';
    return `the ${buy ? 'ask' : 'bid'} ${show(touch)} is worse than the never-worse price ${show(worst)}: ${then}`;
  }

  private stopPrice(top: { bid: number | null; ask: number | null }): number | null {
    const t = this.plan.childType;
    if (t !== 'stop' && t !== 'stop_limit') return null;
    const offset = this.plan.stopOffsetTicks ?? 1;
    return this.plan.side === 'buy' ? (top.ask ?? 0) + offset : Math.max(1, (top.bid ?? 0) - offset);
  }

  private earlyStop(top: { bid: number | null; ask: number | null; bidQty: number; askQty: number }): string | null {
    // The quote fallback says why when it is the one holding the quote back (the primary path
    // failed and its newest quote is too old).
    return earlyStopReason(
      this.stops,
      this.plan.side,
      top,
      this.startMid,
      () => this.ops.marketData.noQuoteReason?.(this.ops.instrument.symbol),
      (lots) => lotsToQty(this.ops.instrument, lots),
    );
  }
}
