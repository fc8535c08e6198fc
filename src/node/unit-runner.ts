// The process boundary, once for every host: a UnitRunner runs each piece of outside work (a
// venue's answer, a timer, a command) as one unit of work of a process, and UnitClock and
// UnitBroker put the clock and the venue behind it. A simulated process (ProcessLife) runs a
// unit at once unless it has crashed; a live process (SerialInbox) queues it and runs units one
// at a time. Either way the log commits after each unit, so a crash or a kill -9 leaves the
// store at the end of a unit, never inside one.
import type { SchedulerLike, Subscription } from 'rxjs';
import type { ClientOrderId, VenueOrderId } from '../core/model/ids.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { Broker, OrdersCursor, ReportHandler } from '../core/ports/broker.ts';
import type { Clock, ClockSlot } from '../core/ports/clock.ts';

export interface UnitRunner {
  /** Whether the process still works: commands to the venue leave it only while it does. */
  readonly open: boolean;
  /** Runs `work(arg)` as one unit of work (at once, or when its turn comes). */
  run<A>(work: (arg: A) => void, arg: A): void;
  /** Told after each order leaves for the venue (a simulated crash right after a send). */
  afterSubmit?(): void;
}

/** The clock as one process sees it: each timer's work is a unit of the process's runner.
 *  `cancelOnStop`: remember waiting timers so that stop() cancels them (a live process, whose
 *  ended run must leave nothing to keep Node running); a simulated process needs no stop, since
 *  a dead runner runs nothing. */
export class UnitClock implements Clock {
  private readonly waiting: Set<Subscription> | null;

  constructor(
    private readonly inner: Clock,
    private readonly runner: UnitRunner,
    options: { readonly cancelOnStop?: boolean } = {},
  ) {
    this.waiting = options.cancelOnStop ? new Set() : null;
  }

  now(): number {
    return this.inner.now();
  }

  /** Core schedules through schedule() and post(); rxjs operators on this scheduler bypass the
   *  runner, and core uses none on a live clock. */
  get scheduler(): SchedulerLike {
    return this.inner.scheduler;
  }

  schedule(work: () => void, delayMs: number): Subscription {
    const waiting = this.waiting;
    if (waiting === null) return this.inner.schedule(() => this.runner.run(work, undefined), delayMs);
    const sub = this.inner.schedule(() => {
      waiting.delete(sub);
      this.runner.run(work, undefined);
    }, delayMs);
    waiting.add(sub);
    sub.add(() => waiting.delete(sub));
    return sub;
  }

  post(work: () => void, delayMs: number): void;
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post<A>(work: (arg: A) => void, delayMs: number, arg?: A): void {
    if (this.waiting !== null) {
      this.schedule(() => work(arg as A), delayMs);
      return;
    }
    // Work without an argument (a component's own tick) is queued as the argument of one shared
    // runner: no closure per post. With an argument, work and argument travel as a pair.
    if (arg === undefined) this.inner.post(this.runBare, delayMs, work as () => void);
    else this.inner.post(() => this.runner.run(work, arg), delayMs);
  }

  private readonly runBare = (work: () => void): void => this.runner.run(work, undefined);

  /** The inner clock's slot (when it has them), its work run as this process's work. */
  slot(): ClockSlot {
    const inner = this.inner.slot?.();
    if (inner === undefined) return this;
    let work: () => void = () => {};
    const run = (): void => this.runner.run(work, undefined);
    return {
      post: (w, delayMs) => {
        inner.post(run, delayMs);
        work = w;
      },
    };
  }

  /** Timers still waiting (with cancelOnStop). */
  get pending(): number {
    return this.waiting?.size ?? 0;
  }

  /** Cancels every timer still waiting (with cancelOnStop). */
  stop(): void {
    if (this.waiting === null) return;
    for (const sub of [...this.waiting]) sub.unsubscribe();
    this.waiting.clear();
  }
}

/** The venue as one process sees it: commands leave only while the process works, and every
 *  answer is a unit of its runner. `observe` sees each message as it arrives, before its unit
 *  runs (a live startup waits for the execution stream with it). */
export class UnitBroker implements Broker {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';

  constructor(
    private readonly venue: Broker,
    private readonly runner: UnitRunner,
    private readonly observe: ((m: VenueMessage) => void) | null = null,
  ) {
    this.clientIdMaxLength = venue.clientIdMaxLength;
    this.ordersSinceBy = venue.ordersSinceBy;
  }

  setReportHandler(handler: ReportHandler): void {
    const observe = this.observe;
    this.venue.setReportHandler((m) => {
      observe?.(m);
      this.runner.run(handler, m);
    });
  }

  submit(order: OrderRequest): void {
    if (!this.runner.open) return;
    this.venue.submit(order);
    this.runner.afterSubmit?.();
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    if (this.runner.open) this.venue.cancel(clientOrderId, venueOrderId);
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    if (this.runner.open) this.venue.queryOrder(clientOrderId, askedAfterSeq);
  }

  queryOpenOrders(requestId?: string): void {
    if (this.runner.open) this.venue.queryOpenOrders(requestId);
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    if (this.runner.open) this.venue.queryOrdersSince(since, limit, after, requestId);
  }

  queryAccount(requestId?: string): void {
    if (this.runner.open) this.venue.queryAccount(requestId);
  }
}
