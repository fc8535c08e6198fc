// The children of a parent with a placement policy, per slice: which slice's child is the one
// working (the active slice), its chain of re-pricings, and the chaser's checks. A slice's child
// is a limit; when the next slice runs, the active slice's child is cancelled and its unfilled
// part carried, as limit children's are. A chaser also checks the working child on the Clock every
// everyMs until the next slice (the horizon's end for the last one): when the touch moved more
// than thresholdTicks from its price, and fewer than maxChases re-pricings were made for the
// slice, a replacement is created in the log and committed (its id derived from the slice's:
// replacementClientOrderId), then the child is cancelled; the replacement is sized and sent only
// once that child has ended, at what it left unfilled and never more than the parent has left
// uncommitted, at the touch of that moment. So one slice never has two children working, and a
// crash between the cancel and the send leaves a pending replacement that a restarted process
// sends the same way (or cancels, when nothing is left to replace).
// A passive-then-cross parent's passive child is checked the same way, every everyMs: once the
// parent is behind its trajectory by more than its threshold (the scheduler decides, with the
// due of that moment), the child is re-priced to cross, at the far touch, through the same
// replacement chain; at most once per slice, and a child that went out crossing is never
// re-priced. After a restart the resumed slice's own child is left as it is (the log does not
// say whether it went out crossing): a pending replacement is still sent, crossing.
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import { ticksToPrice } from '../model/instrument.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrderState } from '../order/apply-event.ts';
import { committedLots } from '../order/order-ledger.ts';
import { belowMinNotional, remainderBelowMinimum } from './min-notional.ts';
import {
  chaseEveryMs,
  crossGains,
  crossPrice,
  MAX_CROSSINGS,
  offTouch,
  PLACEMENT_DEFAULTS,
  passivePrice,
  type Placement,
} from './placement.ts';
import type { SchedulerOps } from './scheduler-ops.ts';
import { replacementClientOrderId } from './twap-client-order-id.ts';
import type { TwapPlan } from './twap-slicer.ts';

/** What the chaser asks of its scheduler. */
export interface ChaserHost {
  /** The parent was stopped (cancel, early stop, kill): nothing more is placed. */
  halted(): boolean;
  cancelRequested(): boolean;
  stop(reason: string): void;
  /** A replacement joins the parent's children (stop cancels it with them). */
  adopt(id: ClientOrderId): void;
  /** Passive-then-cross: whether slice i's child should cross now at this book (the parent behind
   *  by more than its threshold, and no early stop holding). */
  crossesNow(i: number, top: Top): boolean;
}

type Top = { bid: number | null; ask: number | null; bidQty: number; askQty: number };

/** A replacement of a logged slice, as a restarted process reads it from the log. */
export interface LoggedReplacement {
  readonly id: ClientOrderId;
  readonly sliceNum: number;
}

/** While a replacement waits for the child it replaces to end, it is looked at this often. */
const POLL_MS = 250;

export class ChildChaser {
  /** Slice index -> its replacements, oldest first. */
  private readonly chains = new Map<number, ClientOrderId[]>();
  /** The slice whose child (or latest replacement) is the one working, or null. */
  private active: number | null = null;
  /** Passive-then-cross: slices whose own child is never re-priced (it went out crossing, or a
   *  restart left it without saying). */
  private readonly settled = new Set<number>();
  private readonly everyMs: number;

  constructor(
    private readonly ops: SchedulerOps,
    private readonly host: ChaserHost,
    readonly parentId: ParentOrderId,
    private readonly plan: TwapPlan,
    private readonly slices: readonly ClientOrderId[],
    private readonly placement: Placement,
    private readonly worst: number | undefined,
    replacements: readonly LoggedReplacement[] = [],
  ) {
    this.everyMs = chaseEveryMs(placement.everyMs ?? PLACEMENT_DEFAULTS.everyMs, plan.durationMs);
    for (const r of replacements) {
      const chain = this.chains.get(r.sliceNum - 1) ?? [];
      chain.push(r.id);
      this.chains.set(r.sliceNum - 1, chain);
    }
  }

  /** Every replacement made (or read from the log), for the scheduler's walks. */
  replacements(): ClientOrderId[] {
    return [...this.chains.values()].flat();
  }

  /** The child of slice i that is the latest: its last replacement, or the slice's own. */
  current(i: number): ClientOrderId {
    return this.chains.get(i)?.at(-1) ?? (this.slices[i] as ClientOrderId);
  }

  /** The re-pricings made for slice i. */
  chases(i: number): number {
    return this.chains.get(i)?.length ?? 0;
  }

  private order(id: ClientOrderId): OrderState {
    return this.ops.ledger.order(id) as OrderState;
  }

  /** Slice i went out (`crossing`: at the far touch): it is the active slice, and it is checked
   *  every everyMs (a passive-then-cross child only when it went out passive). */
  sent(i: number, crossing = false): void {
    this.active = i;
    if (crossing) this.settled.add(i);
    this.schedule(i, this.everyMs);
  }

  /**
   * Slice i is about to run: the active slice's child is cancelled (its unfilled part carried,
   * as a limit child's) and a replacement of it still waiting to be sent is dropped.
   */
  supersede(i: number): void {
    const a = this.active;
    this.active = null;
    if (a === null || a === i) return;
    const id = this.current(a);
    const o = this.order(id);
    if (o.status === 'pending_new' && o.attempts === 0 && this.chases(a) > 0)
      this.ops.cancelChild(id, `superseded by slice ${i + 1}: its quantity carried`);
    else if (!isTerminal(o.status) && o.status !== 'pending_new' && o.status !== 'pending_cancel')
      this.ops.cancelChild(id, 'replaced by the next slice');
  }

  /**
   * After a restart: the latest slice that went out is the active one again. A replacement the
   * crash left unsent is sent once the child it replaces ends (that child's cancel sent again
   * when it still works); a working child is checked again.
   */
  resume(): void {
    for (let i = this.slices.length - 1; i >= 0; i--) {
      // Slices never sent (still to run, or ended by recovery before they left) are passed over.
      if (this.chases(i) === 0 && this.order(this.slices[i] as ClientOrderId).attempts === 0) continue;
      this.active = i;
      if (this.placement.kind === 'passive-then-cross' && this.chases(i) === 0) this.settled.add(i);
      this.schedule(i, 0);
      return;
    }
  }

  /** The end of slice i's checks: the next slice's time, or the horizon's end for the last. */
  private windowEnd(i: number): number {
    return this.plan.slices[i + 1]?.scheduledTime ?? this.plan.startTime + this.plan.durationMs;
  }

  /** Whether slice i's working child may still be re-priced: a chaser's, under maxChases (the
   *  check itself counts); a passive-then-cross child that went out passive and was not
   *  re-priced yet. */
  private watched(i: number): boolean {
    return this.placement.kind === 'chaser' || (this.chases(i) < MAX_CROSSINGS && !this.settled.has(i));
  }

  /** Posts a check of slice i: while its child may be re-priced, or a replacement waits. */
  private schedule(i: number, delayMs: number): void {
    if (!this.watched(i) && this.chases(i) === 0) return;
    this.ops.clock.post(() => this.check(i), delayMs);
  }

  private check(i: number): void {
    if (this.host.halted() || this.active !== i) return;
    if (this.host.cancelRequested()) {
      this.host.stop('cancel requested');
      return;
    }
    const id = this.current(i);
    const o = this.order(id);
    const chain = this.chains.get(i) ?? [];
    if (o.status === 'pending_new' && chain.length > 0) {
      this.awaitReplaced(i, id, chain);
      return;
    }
    if (isTerminal(o.status)) return;
    const now = this.ops.clock.now();
    const p = this.placement;
    if (
      p.kind === 'chaser' &&
      (o.status === 'accepted' || o.status === 'partially_filled') &&
      chain.length < p.maxChases &&
      now < this.windowEnd(i)
    ) {
      const top = this.ops.marketData.topOfBook(this.ops.instrument.symbol);
      const wanted = passivePrice(this.plan.side, top, p.offsetTicks, this.worst);
      const price = o.request.limitPrice ?? null;
      // A child whose unfilled part the venue would refuse at the new price is left working at
      // its own: a replacement could not go out.
      const unfilled = o.request.qty - o.filledQty;
      if (offTouch(price, wanted, p.thresholdTicks) && !belowMinNotional(this.ops.instrument, unfilled, wanted)) {
        this.replace(i, o, wanted as number, chain.length + 1);
        this.ops.clock.post(() => this.check(i), Math.min(POLL_MS, this.everyMs));
        return;
      }
    }
    if (
      p.kind === 'passive-then-cross' &&
      (o.status === 'accepted' || o.status === 'partially_filled') &&
      this.watched(i) &&
      now < this.windowEnd(i)
    ) {
      const top = this.ops.marketData.topOfBook(this.ops.instrument.symbol);
      const wanted = crossPrice(this.plan.side, top, this.worst);
      const price = o.request.limitPrice ?? null;
      const unfilled = o.request.qty - o.filledQty;
      if (
        crossGains(this.plan.side, price, wanted) &&
        !belowMinNotional(this.ops.instrument, unfilled, wanted) &&
        this.host.crossesNow(i, top)
      ) {
        this.replace(i, o, wanted as number, chain.length + 1);
        this.ops.clock.post(() => this.check(i), Math.min(POLL_MS, this.everyMs));
        return;
      }
    }
    if (this.watched(i) && now + this.everyMs < this.windowEnd(i)) this.schedule(i, this.everyMs);
  }

  /** Creates the k-th replacement of slice i's working child (logged and committed), then
   *  cancels that child. */
  private replace(i: number, o: OrderState, price: number, k: number): void {
    const r = o.request;
    const id = replacementClientOrderId(this.slices[i] as ClientOrderId, k, this.ops.clientIdMaxLength);
    this.ops.create({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId: this.parentId,
      sliceNum: r.sliceNum,
      totalSlices: r.totalSlices,
      scheduledTime: this.ops.clock.now(),
      symbol: r.symbol,
      side: r.side,
      type: 'limit',
      tif: r.tif,
      qty: Math.max(1, r.qty - o.filledQty),
      limitPrice: price,
      stopPrice: null,
      replaces: r.clientOrderId,
    });
    const chain = this.chains.get(i) ?? [];
    chain.push(id);
    this.chains.set(i, chain);
    this.host.adopt(id);
    const show = (t: number | undefined): string => (t === undefined ? 'none' : ticksToPrice(this.ops.instrument, t));
    if (this.placement.kind === 'chaser')
      this.ops.cancelChild(
        r.clientOrderId,
        `chased: ${show(r.limitPrice)} is more than ${this.placement.thresholdTicks} ticks off ${show(price)}: re-priced by ${id}`,
      );
    else
      this.ops.cancelChild(
        r.clientOrderId,
        `behind its trajectory by more than its threshold: ${show(r.limitPrice)} re-priced to cross at ${show(price)} by ${id}`,
      );
  }

  /** A replacement waiting for the child it replaces: sent once that child ended; meanwhile the
   *  child's cancel goes out again if it is still working. */
  private awaitReplaced(i: number, id: ClientOrderId, chain: readonly ClientOrderId[]): void {
    const prevId = chain.length > 1 ? (chain[chain.length - 2] as ClientOrderId) : (this.slices[i] as ClientOrderId);
    const prev = this.order(prevId);
    if (!isTerminal(prev.status)) {
      if (prev.status !== 'pending_cancel' && prev.status !== 'pending_new')
        this.ops.cancelChild(prevId, 'chased: replaced by its re-priced child');
      this.ops.clock.post(() => this.check(i), Math.min(POLL_MS, this.everyMs || POLL_MS));
      return;
    }
    this.sendReplacement(i, id, prev);
  }

  /** Sizes the replacement against what is committed (what its predecessor left unfilled, never
   *  more than the parent has uncommitted), prices it at the touch, and sends it if the guards
   *  let it out; a replacement with nothing to do is cancelled before it ever leaves. */
  private sendReplacement(i: number, id: ClientOrderId, prev: OrderState): void {
    const o = this.order(id);
    const parent = this.ops.ledger.parents.get(this.parentId);
    const committed = (parent?.totals.committed ?? 0) - committedLots(o);
    const qty = Math.min(prev.request.qty - prev.filledQty, this.plan.qty - committed);
    if (qty <= 0) {
      this.ops.cancelChild(id, 'nothing left to replace');
      return;
    }
    const top = this.ops.marketData.topOfBook(this.ops.instrument.symbol);
    // A passive-then-cross replacement crosses: it was made because the parent fell behind.
    const price =
      this.placement.kind === 'chaser'
        ? passivePrice(this.plan.side, top, this.placement.offsetTicks, this.worst)
        : crossPrice(this.plan.side, top, this.worst);
    if (price === null) {
      // No touch to price it at: looked at again shortly.
      this.ops.clock.post(() => this.check(i), Math.min(POLL_MS, this.everyMs || POLL_MS));
      return;
    }
    const blocked = this.ops.blocked(id, qty);
    if (blocked) {
      this.ops.cancelChild(id, blocked);
      return;
    }
    // What the venue would refuse is not sent: carried to the next slice, or, at the last one,
    // the parent ends short with the reason.
    if (belowMinNotional(this.ops.instrument, qty, price)) {
      if (i < this.plan.slices.length - 1) {
        this.ops.cancelChild(id, 'below the minimum notional: carried to the next slice');
        return;
      }
      const reason = remainderBelowMinimum(this.ops.instrument, qty, price);
      this.ops.cancelChild(id, reason);
      this.host.stop(reason);
      return;
    }
    if (qty !== o.request.qty || price !== (o.request.limitPrice ?? null))
      this.ops.record({ kind: 'ChildAmended', clientOrderId: id, qty, limitPrice: price, stopPrice: null });
    this.ops.send(id);
    if (this.placement.kind === 'chaser' && this.ops.clock.now() + this.everyMs < this.windowEnd(i))
      this.schedule(i, this.everyMs);
  }
}
