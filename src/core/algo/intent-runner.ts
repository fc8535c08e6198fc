// Runs one parent whose children an algorithm decides as it goes (intent-algorithm.ts), on the
// Clock: asked at its start, at the wake-ups it names, on each fill and end of its children and
// once at the horizon, it returns intents the runner carries out under what no algorithm may
// break (never more than the parent's qty, every child through the engine's guards and early
// stops, ids the node derives, each child stored before it is sent). Why and how:
// docs/0073-algorithm-intents.md.
import type { Subscription } from 'rxjs';
import type { Rng } from '../clock/rng.ts';
import { canonicalJson } from '../log/canonical-json.ts';
import type { ExecEvent } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import { lotsToQty, ticksToPrice, type Instrument } from '../model/instrument.ts';
import { isTerminal } from '../model/order-status.ts';
import type { OrderState } from '../order/apply-event.ts';
import type { OrderLedger } from '../order/order-ledger.ts';
import type { MarketDataPort } from '../ports/broker.ts';
import type { Clock } from '../ports/clock.ts';
import type {
  AlgoChild,
  AlgoContext,
  AlgoDecision,
  AlgoTrigger,
  ChildIntent,
  ExecAlgorithm,
  Peg,
  PlaceIntent,
} from './intent-algorithm.ts';
import { checkDecision } from './decision-check.ts';
import { algoClientOrderId, type RunnerPlan } from './runner-plan.ts';
import { earlyStopReason } from './early-stops.ts';
import { belowMinNotional, remainderBelowMinimum } from './min-notional.ts';

export interface RunnerOps {
  readonly clock: Clock;
  readonly ledger: OrderLedger;
  readonly marketData: MarketDataPort;
  readonly instrument: Instrument;
  readonly clientIdMaxLength: number;
  /** The run's seeded random stream for this parent. */
  readonly rng: Rng;
  record(event: ExecEvent): void;
  /** Makes what was recorded durable (a child is stored before it is sent). */
  commit(): void;
  /** Sends a pending_new child through the guards (the engine's sender: abandoned with the
   *  reason when one says no). */
  send(id: ClientOrderId): void;
  /** Cancels a child: locally when never sent, at the venue when working. */
  cancelChild(id: ClientOrderId, reason: string): void;
  /** Whether an order's end is not confirmed yet (fill detection still watches it): a child
   *  that ended short of a fill may have fills a lost report hid until then. */
  settling(id: ClientOrderId): boolean;
  /** The parent may be complete: asked when the runner finishes. */
  completeIfDone(): void;
}

/** Decisions at one instant past which the algorithm is taken to loop, and the parent stopped. */
export const MAX_DECISIONS_PER_INSTANT = 1000;

/** Intents of one decision clipped or refused that are logged one by one; the rest are counted
 *  into one record after, so an algorithm asking for what it cannot have at every wake does not
 *  write up to a thousand records each time. */
export const LOGGED_REFUSALS_PER_DECISION = 20;

/** What an algorithm that returned nothing decided: nothing (no intents, no wake-up, its memo kept). */
const EMPTY_DECISION: AlgoDecision = Object.freeze({});

export class IntentRunner {
  private done = false;
  private memo: unknown = null;
  private memoText = 'null';
  private nextHandle = 1;
  private wake: Subscription | null = null;
  private endTimer: Subscription | null = null;
  /** Children to place once the child they replace has ended, by its handle. */
  private readonly replacements = new Map<number, { qty?: number; price?: number; peg?: Peg }>();
  private instant = Number.NaN;
  private decisionsAtInstant = 0;
  /** The refusals of the decision being carried out: how many were logged, and those counted. */
  private tally: { logged: number; clipped: number; refused: number } | null = null;
  private readonly handles = new Map<number, ClientOrderId>();

  constructor(
    private readonly ops: RunnerOps,
    readonly plan: RunnerPlan,
    private readonly algorithm: ExecAlgorithm,
  ) {}

  get parentId(): ParentOrderId {
    return this.plan.parentId;
  }

  get finished(): boolean {
    return this.done;
  }

  /** Asks the algorithm now, and at the horizon. */
  start(): void {
    this.armEnd();
    this.ask('start', null);
  }

  /** After a restart: the children stored, the memo last kept; the algorithm is asked again (at
   *  the horizon's trigger when the horizon passed while down). */
  resume(memo: unknown): void {
    this.memo = memo ?? null;
    this.memoText = canonicalJson(this.memo);
    for (const o of this.ops.ledger.childrenOf(this.plan.parentId)) {
      this.handles.set(o.request.sliceNum, o.request.clientOrderId);
      this.nextHandle = Math.max(this.nextHandle, o.request.sliceNum + 1);
    }
    if (this.ops.clock.now() >= this.plan.endTime) this.ask('end', null);
    else {
      this.armEnd();
      this.ask('resume', null);
    }
  }

  /** A child of this parent changed at the venue: a fill or an end asks the algorithm; an end
   *  short of a fill once it is confirmed (onSettled). */
  onChild(before: OrderState | undefined, after: OrderState): void {
    if (this.done || before === undefined) return;
    if (isTerminal(after.status) && !isTerminal(before.status)) {
      if (after.status !== 'filled' && this.ops.settling(after.request.clientOrderId)) return;
      this.ask('ended', after.request.sliceNum);
    } else if (after.filledQty > before.filledQty) this.ask('fill', after.request.sliceNum);
  }

  /** Fill detection confirmed how a child ended: an end short of a fill asks the algorithm. */
  onSettled(id: ClientOrderId): void {
    if (this.done) return;
    const o = this.ops.ledger.order(id);
    if (o && isTerminal(o.status) && o.status !== 'filled') this.ask('ended', o.request.sliceNum);
  }

  /** Lots a new child may take: the parent's qty less what the children filled and may still
   *  fill, a child whose end is not confirmed yet counted in full. */
  private room(): number {
    const parent = this.ops.ledger.parents.get(this.plan.parentId);
    if (!parent) return 0;
    let unconfirmed = 0;
    for (const id of parent.children) {
      const o = this.ops.ledger.order(id);
      if (o && isTerminal(o.status) && o.filledQty < o.request.qty && this.ops.settling(id))
        unconfirmed += o.request.qty - o.filledQty;
    }
    return Math.max(0, this.plan.qty - parent.totals.committed - unconfirmed);
  }

  /** Cancels the parent's open children and asks the algorithm no more (the cancel was logged). */
  cancel(reason: string): { cancelledSlices: number; cancelRequests: number } {
    return this.stop(`cancelled: ${reason}`);
  }

  private armEnd(): void {
    const { clock } = this.ops;
    this.endTimer = clock.schedule(() => this.decide('end', null), Math.max(0, this.plan.endTime - clock.now()));
  }

  private ask(trigger: AlgoTrigger, child: number | null): void {
    this.ops.clock.post(() => this.decide(trigger, child), 0);
  }

  /** Stops the parent with `reason` (`failed`: the algorithm's own failure, which fails the run
   *  unless its scenario expects it), its open children cancelled. */
  private stop(reason: string, failed = false): { cancelledSlices: number; cancelRequests: number } {
    if (this.done) return { cancelledSlices: 0, cancelRequests: 0 };
    this.finish();
    this.ops.record({
      kind: 'ParentStopped',
      parentId: this.plan.parentId,
      reason,
      ...(failed ? { algorithmFailed: true as const } : {}),
    });
    let cancelledSlices = 0;
    let cancelRequests = 0;
    for (const o of this.ops.ledger.childrenOf(this.plan.parentId)) {
      if (isTerminal(o.status) || o.status === 'pending_cancel') continue;
      if (o.status === 'pending_new' && o.attempts === 0) cancelledSlices++;
      else cancelRequests++;
      this.ops.cancelChild(o.request.clientOrderId, reason);
    }
    this.ops.completeIfDone();
    return { cancelledSlices, cancelRequests };
  }

  private finish(): void {
    this.done = true;
    this.wake?.unsubscribe();
    this.endTimer?.unsubscribe();
    this.wake = this.endTimer = null;
    this.replacements.clear();
  }

  private decide(trigger: AlgoTrigger, child: number | null): void {
    if (this.done) return;
    const { clock, ledger } = this.ops;
    const parent = ledger.parents.get(this.plan.parentId);
    if (!parent || parent.completed) return this.finish();
    if (parent.cancelRequested) {
      this.stop('cancel requested');
      return;
    }
    const now = clock.now();
    if (now !== this.instant) {
      this.instant = now;
      this.decisionsAtInstant = 0;
    }
    if (++this.decisionsAtInstant > MAX_DECISIONS_PER_INSTANT) {
      const asked = `was asked ${MAX_DECISIONS_PER_INSTANT} times at one instant`;
      this.stop(`${this.failure(asked, trigger, child)}: it loops`, true);
      return;
    }
    if (trigger === 'wake') this.wake = null;
    // A replaced child that ended: its replacement goes out before the algorithm is asked.
    let placed = 0;
    if (trigger === 'ended' && child !== null) placed += this.placeReplacement(child);
    if (this.done) return;
    const ctx = this.context(trigger, child, now);
    let decision: AlgoDecision;
    try {
      // Every field of a decision is optional: none at all (undefined) is nothing to do now.
      decision = this.algorithm.decide(ctx) ?? EMPTY_DECISION;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.stop(`${this.failure('failed in decide', trigger, child)}: ${message}`, true);
      return;
    }
    const problem = checkDecision(decision, now, (h) => this.handles.has(h));
    if (problem !== null) {
      this.stop(`${this.failure('returned a bad decision from decide', trigger, child)}: ${problem}`, true);
      return;
    }
    if (decision.memo !== undefined) {
      const text = canonicalJson(decision.memo);
      if (text !== this.memoText) {
        this.memo = decision.memo;
        this.memoText = text;
        this.ops.record({ kind: 'AlgoMemo', parentId: this.plan.parentId, memo: JSON.parse(text) as unknown });
      }
    }
    this.tally = { logged: 0, clipped: 0, refused: 0 };
    try {
      for (const intent of decision.intents ?? []) {
        if (this.done) break;
        placed += this.act(intent);
      }
    } finally {
      this.closeTally();
    }
    if (this.done) return;
    if (decision.wakeAt !== undefined && decision.wakeAt !== null) {
      this.wake?.unsubscribe();
      this.wake = clock.schedule(() => this.decide('wake', null), decision.wakeAt - now);
    }
    const totals = parent.totals;
    const ended =
      decision.done === true ||
      totals.filled >= this.plan.qty ||
      (now >= this.plan.endTime && totals.open === 0 && placed === 0 && this.replacements.size === 0);
    if (ended) {
      this.finish();
      this.ops.completeIfDone();
    }
  }

  /** The head of a failure's stop reason: which algorithm (a module: its name or path as the
   *  file writes it, and its path when that differs), what went wrong, and what asked it. */
  private failure(what: string, trigger: AlgoTrigger, child: number | null): string {
    const { algo, module } = this.plan;
    const label = this.algorithm.label;
    const name =
      algo !== 'module'
        ? algo
        : `module ${module ?? label ?? '(unnamed)'}${label !== undefined && label !== module ? ` (${label})` : ''}`;
    const asked = child === null ? trigger : `${trigger} of child ${child}`;
    return `the algorithm ${name} ${what} (trigger: ${asked})`;
  }

  private context(trigger: AlgoTrigger, child: number | null, now: number): AlgoContext {
    const { ledger, marketData, instrument } = this.ops;
    const parent = ledger.parents.get(this.plan.parentId);
    const totals = parent?.totals ?? { filled: 0 };
    const top = marketData.topOfBook(instrument.symbol);
    const children: AlgoChild[] = ledger.childrenOf(this.plan.parentId).map((o) => ({
      handle: o.request.sliceNum,
      qty: o.request.qty,
      filledQty: o.filledQty,
      status: o.status,
      open: !isTerminal(o.status),
      type: o.request.type,
      price: o.request.limitPrice ?? null,
      placedAt: o.request.scheduledTime,
    }));
    let rng: Rng | null = null;
    const stream = String(children.length);
    return {
      now,
      trigger,
      child,
      parent: {
        id: this.plan.parentId,
        symbol: this.plan.symbol,
        side: this.plan.side,
        qty: this.plan.qty,
        limitPrice: this.plan.worstPrice,
        startTime: this.plan.startTime,
        endTime: this.plan.endTime,
        filledQty: totals.filled,
        room: this.room(),
        minNotional: instrument.minNotionalUnits,
        params: this.plan.params,
      },
      market: { bid: top.bid, ask: top.ask, bidQty: top.bidQty, askQty: top.askQty },
      children,
      memo: this.memo,
      random: () => (rng ??= this.ops.rng.stream(stream)).next(),
    };
  }

  /** Carries out one intent; returns the children placed (0 or 1). */
  private act(intent: ChildIntent): number {
    switch (intent.kind) {
      case 'place':
        return this.place(intent, describe(intent));
      case 'cancel': {
        const id = this.handles.get(intent.child) as ClientOrderId;
        const o = this.ops.ledger.order(id);
        if (!o || isTerminal(o.status) || o.status === 'pending_cancel') {
          this.refuse(
            describe(intent),
            'refused',
            `child ${intent.child} is ${o?.status ?? 'unknown'}: nothing to cancel`,
          );
          return 0;
        }
        this.ops.cancelChild(id, `the algorithm cancelled child ${intent.child}`);
        return 0;
      }
      case 'replace': {
        const id = this.handles.get(intent.child) as ClientOrderId;
        const o = this.ops.ledger.order(id) as OrderState;
        const price = intent.price ?? o.request.limitPrice;
        const next = {
          qty: intent.qty ?? Math.max(0, o.request.qty - o.filledQty),
          ...(intent.peg !== undefined ? { peg: intent.peg } : price !== undefined ? { price } : {}),
        };
        if (isTerminal(o.status)) {
          this.refuse(
            describe(intent),
            'refused',
            `child ${intent.child} had already ended (${o.status}): not replaced`,
          );
          return 0;
        }
        this.replacements.set(intent.child, next);
        if (o.status !== 'pending_cancel') this.ops.cancelChild(id, `the algorithm replaced child ${intent.child}`);
        // A child never sent ends at once: its replacement goes out now.
        if (isTerminal((this.ops.ledger.order(id) as OrderState).status)) return this.placeReplacement(intent.child);
        return 0;
      }
    }
  }

  private placeReplacement(handle: number): number {
    const r = this.replacements.get(handle);
    if (r === undefined) return 0;
    this.replacements.delete(handle);
    const old = this.ops.ledger.order(this.handles.get(handle) as ClientOrderId) as OrderState;
    const type = old.request.type === 'market' || (r.price === undefined && r.peg === undefined) ? 'market' : 'limit';
    const intent: PlaceIntent = {
      kind: 'place',
      qty: r.qty ?? 0,
      type,
      ...(type === 'limit' ? (r.peg !== undefined ? { peg: r.peg } : { price: r.price as number }) : {}),
    };
    if (intent.qty <= 0) return 0;
    return this.place(intent, `replace ${handle}: ${describe(intent)}`);
  }

  private place(intent: PlaceIntent, text: string): number {
    const { ledger, clock, instrument } = this.ops;
    const parent = ledger.parents.get(this.plan.parentId);
    if (!parent) return 0;
    // The early stops a TWAP's slice is held to: the child is refused and the parent stopped
    // with the same reason (its open children cancelled), before anything else is decided.
    const stops = this.plan.stops;
    if (stops !== undefined) {
      const top = this.ops.marketData.topOfBook(instrument.symbol);
      const reason = earlyStopReason(
        stops,
        this.plan.side,
        top,
        this.plan.arrivalMid ?? null,
        () => this.ops.marketData.noQuoteReason?.(instrument.symbol),
        (lots) => lotsToQty(instrument, lots),
      );
      if (reason !== null) {
        this.refuse(text, 'refused', `early stop: ${reason}`);
        this.stop(reason);
        return 0;
      }
    }
    const room = this.room();
    if (room === 0) {
      this.refuse(text, 'refused', 'nothing left: what the children filled and may still fill is the parent qty');
      return 0;
    }
    let qty = intent.qty;
    if (qty > room) {
      this.refuse(text, 'clipped', `${qty} lots would take the parent past its qty: ${room} lots sent`);
      qty = room;
    }
    const buy = this.plan.side === 'buy';
    const worst = this.plan.worstPrice;
    let type: 'market' | 'limit' = intent.type;
    let tif: 'GTC' | 'IOC' | 'DAY' = intent.type === 'market' ? 'IOC' : (intent.tif ?? 'GTC');
    let price: number | null = null;
    if (intent.type === 'market') {
      // A market child of a parent with a limit or a never-worse price: an IOC limit at it.
      if (worst !== null) {
        type = 'limit';
        tif = 'IOC';
        price = worst;
      }
    } else {
      price = intent.peg !== undefined ? this.pegPrice(intent.peg) : (intent.price as number);
      if (price === null) {
        this.refuse(text, 'refused', 'no price to peg to: that side of the book is empty');
        return 0;
      }
      if (worst !== null && (buy ? price > worst : price < worst)) {
        const show = (t: number): string => ticksToPrice(instrument, t);
        this.refuse(text, 'clipped', `price ${show(price)} is worse than the parent's ${show(worst)}: priced at it`);
        price = worst;
      }
      if (price < 1) {
        this.refuse(text, 'refused', 'price below one tick');
        return 0;
      }
    }
    // Valued as the venue values it (its limit price, else the touch it takes): what the venue
    // would refuse is not sent. When it is all the parent has left and nothing else may still
    // fill, nothing ever can be: the parent ends short with the reason.
    const top = price === null ? this.ops.marketData.topOfBook(instrument.symbol) : null;
    const valued = price ?? (top === null ? null : buy ? top.ask : top.bid);
    if (belowMinNotional(instrument, qty, valued)) {
      const whole = qty === room && parent.totals.open === 0 && room === this.plan.qty - parent.totals.committed;
      if (whole) {
        const reason = remainderBelowMinimum(instrument, qty, valued as number);
        this.refuse(text, 'refused', reason);
        this.stop(reason);
      } else
        this.refuse(
          text,
          'refused',
          remainderBelowMinimum(instrument, qty, valued as number, 'below the minimum notional'),
        );
      return 0;
    }
    const handle = this.nextHandle++;
    const id = algoClientOrderId(this.plan, handle, this.ops.clientIdMaxLength);
    this.handles.set(handle, id);
    this.ops.record({
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId: this.plan.parentId,
      sliceNum: handle,
      totalSlices: 0,
      scheduledTime: clock.now(),
      symbol: this.plan.symbol,
      side: this.plan.side,
      type,
      tif,
      qty,
      limitPrice: price,
      stopPrice: null,
    });
    // Stored before it is sent: a restarted process knows this number is used.
    this.ops.commit();
    this.ops.send(id);
    return 1;
  }

  private pegPrice(peg: Peg): number | null {
    const top = this.ops.marketData.topOfBook(this.ops.instrument.symbol);
    const buy = this.plan.side === 'buy';
    const near = buy ? top.bid : top.ask;
    const far = buy ? top.ask : top.bid;
    let ref: number | null;
    if (peg.to === 'touch') ref = near ?? null;
    else if (peg.to === 'far') ref = far ?? null;
    else ref = near === null || far === null ? null : buy ? Math.floor((near + far) / 2) : Math.ceil((near + far) / 2);
    if (ref === null) return null;
    const offset = peg.offsetTicks ?? 0;
    return buy ? ref - offset : ref + offset;
  }

  private refuse(intent: string, outcome: 'clipped' | 'refused', reason: string): void {
    const t = this.tally;
    if (t !== null && t.logged >= LOGGED_REFUSALS_PER_DECISION) {
      t[outcome]++;
      return;
    }
    if (t !== null) t.logged++;
    this.ops.record({ kind: 'AlgoIntentRefused', parentId: this.plan.parentId, intent, outcome, reason });
  }

  /** Ends a decision's tally: the refusals past those logged, as one record. */
  private closeTally(): void {
    const t = this.tally;
    this.tally = null;
    if (t === null || t.clipped + t.refused === 0) return;
    this.ops.record({
      kind: 'AlgoIntentRefused',
      parentId: this.plan.parentId,
      intent: `${t.clipped + t.refused} more intents`,
      outcome: t.refused > 0 ? 'refused' : 'clipped',
      reason: `${t.clipped} clipped and ${t.refused} refused after the first ${LOGGED_REFUSALS_PER_DECISION} of this decision, not logged one by one`,
    });
  }
}

function describe(i: ChildIntent): string {
  switch (i.kind) {
    case 'place':
      return `place ${i.qty} ${i.type}${i.price !== undefined ? ` at ${i.price}` : ''}${i.peg !== undefined ? ` pegged to ${i.peg.to}${i.peg.offsetTicks ? ` ${i.peg.offsetTicks > 0 ? '-' : '+'}${Math.abs(i.peg.offsetTicks)}` : ''}` : ''}`;
    case 'cancel':
      return `cancel ${i.child}`;
    case 'replace':
      return `replace ${i.child}`;
  }
}
