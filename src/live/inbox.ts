// The serial inbox of a live process. Everything that reaches core from outside (an adapter's
// answer: a Promise result or a websocket message; a timer on the wall clock; a scenario input
// due now) is queued here and handled one at a time, and each handled item is one unit of work:
// the event log commits after it, one SQLite transaction, exactly as the simulated process
// boundary commits after each handled timer, report or input. So a kill -9 at any moment leaves
// the store at the end of a unit, never inside one, and what a unit sent was written ahead of
// it by the engine (SubmitOrder before the submit). Work posted while an item runs (an answer
// delivered from inside the command that caused it) waits its turn rather than re-entering core.
// A unit that throws stops the inbox: the process's memory may be half-updated, so nothing more
// is handled; the store holds the last good commit, from which `execsim resume` starts.
import type { SchedulerLike, Subscription } from 'rxjs';
import type { ClientOrderId, VenueOrderId } from '../core/model/ids.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { VenueMessage } from '../core/model/reports.ts';
import type { Broker, OrdersCursor, ReportHandler } from '../core/ports/broker.ts';
import type { Clock } from '../core/ports/clock.ts';

export class SerialInbox {
  private readonly queue: Array<() => void> = [];
  private running = false;
  private failure: unknown = null;
  private stopped = false;
  /** Units handled so far (tests, progress). */
  handled = 0;

  /**
   * `commit` runs after each unit (the log's commit); `onFailure` is told once when a unit or a
   * commit throws, after which the inbox drops everything.
   */
  constructor(
    private readonly commit: () => void,
    private readonly onFailure: (err: unknown) => void,
  ) {}

  /** Queues `work`; runs it now when nothing else runs. */
  post(work: () => void): void {
    if (this.stopped || this.failure !== null) return;
    this.queue.push(work);
    if (!this.running) this.drain();
  }

  /** Drops what is queued and refuses more (the process is ending). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  get failed(): unknown {
    return this.failure;
  }

  private drain(): void {
    this.running = true;
    try {
      for (let work = this.queue.shift(); work !== undefined; work = this.queue.shift()) {
        if (this.stopped) return;
        try {
          work();
          this.commit();
          this.handled++;
        } catch (err) {
          this.failure = err;
          this.queue.length = 0;
          this.onFailure(err);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/** A clock whose timers fire through the inbox: each timer is a unit of work. `stop` cancels
 *  every timer still waiting, so an ended process leaves nothing to keep Node running. */
export class InboxClock implements Clock {
  private readonly waiting = new Set<Subscription>();

  constructor(
    private readonly inner: Clock,
    private readonly inbox: SerialInbox,
  ) {}

  now(): number {
    return this.inner.now();
  }

  /** Core schedules through schedule() and post(); rxjs operators on this scheduler would bypass
   *  the inbox, and core uses none on a live clock. */
  get scheduler(): SchedulerLike {
    return this.inner.scheduler;
  }

  schedule(work: () => void, delayMs: number): Subscription {
    const sub = this.inner.schedule(() => {
      this.waiting.delete(sub);
      this.inbox.post(work);
    }, delayMs);
    this.waiting.add(sub);
    sub.add(() => this.waiting.delete(sub));
    return sub;
  }

  post(work: () => void, delayMs: number): void;
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    this.schedule(() => work(arg), delayMs);
  }

  /** Timers still waiting (tests). */
  get pending(): number {
    return this.waiting.size;
  }

  stop(): void {
    for (const sub of [...this.waiting]) sub.unsubscribe();
    this.waiting.clear();
  }
}

/**
 * The adapter as core sees it in a paper run: commands pass straight through; every answer is
 * posted to the inbox (handled as its own unit of work, after whatever runs now). `observe`
 * sees each message as it arrives (the startup's wait for the stream).
 */
export class InboxBroker implements Broker {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';

  constructor(
    private readonly venue: Broker,
    private readonly inbox: SerialInbox,
    private readonly observe: (m: VenueMessage) => void,
  ) {
    this.clientIdMaxLength = venue.clientIdMaxLength;
    this.ordersSinceBy = venue.ordersSinceBy;
  }

  setReportHandler(handler: ReportHandler): void {
    this.venue.setReportHandler((m) => {
      this.observe(m);
      this.inbox.post(() => handler(m));
    });
  }

  submit(order: OrderRequest): void {
    this.venue.submit(order);
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    this.venue.cancel(clientOrderId, venueOrderId);
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    this.venue.queryOrder(clientOrderId, askedAfterSeq);
  }

  queryOpenOrders(requestId?: string): void {
    this.venue.queryOpenOrders(requestId);
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    this.venue.queryOrdersSince(since, limit, after, requestId);
  }

  queryAccount(requestId?: string): void {
    this.venue.queryAccount(requestId);
  }
}
