// What makes a simulated process mortal (crash and restart as a fault). The harness's
// in-memory state lives in one "process": its clock facade, its broker facade and its event log.
// Killing it silences all three at once: timers it scheduled never fire, venue answers addressed
// to it are dropped, and whatever its log appended after the last commit is lost (DurableSink
// keeps only committed entries, exactly what the SQLite store holds). The venue, the market and
// the virtual clock belong to the world and keep running.
import type { SchedulerLike, Subscription } from 'rxjs';
import type { ClientOrderId, VenueOrderId } from '../core/model/ids.ts';
import type { LogEntry } from '../core/model/events.ts';
import type { OrderRequest } from '../core/model/order.ts';
import type { Broker, OrdersCursor, ReportHandler } from '../core/ports/broker.ts';
import type { Clock, ClockSlot } from '../core/ports/clock.ts';
import type { EventSink } from '../core/ports/event-sink.ts';

/** Thrown inside a process to end it on the spot (a crash between two statements). */
class ProcessCrashed extends Error {
  override readonly name = 'ProcessCrashed';
}

/** Liveness of one process; `run` executes process code unless it is dead, and absorbs a crash. */
export class ProcessLife {
  alive = true;
  /** Runs after each piece of process work that completed (commits: each handled timer, report
   *  or input is one transaction, as a service commits before it answers). */
  afterWork: (() => void) | null = null;
  constructor(private readonly onCrash: () => void) {}

  run<A>(work: (arg: A) => void, arg: A): void {
    if (!this.alive) return;
    try {
      work(arg);
      this.afterWork?.();
    } catch (err) {
      if (!(err instanceof ProcessCrashed)) throw err;
      this.onCrash();
    }
  }

  /** Ends the process now, from inside it. */
  crash(): never {
    throw new ProcessCrashed('process crashed');
  }
}

/** The world's clock as one process sees it: nothing it scheduled runs after it died. */
export class ProcessClock implements Clock {
  constructor(
    private readonly inner: Clock,
    private readonly life: ProcessLife,
  ) {}

  now(): number {
    return this.inner.now();
  }

  get scheduler(): SchedulerLike {
    return this.inner.scheduler;
  }

  schedule(work: () => void, delayMs: number): Subscription {
    return this.inner.schedule(() => this.life.run(work, undefined), delayMs);
  }

  post<A>(work: (arg: A) => void, delayMs: number, arg?: A): void {
    // Work without an argument (a component's own tick) is queued as the argument of one shared
    // runner: no closure per post. With an argument, work and argument travel as a pair.
    if (arg === undefined) this.inner.post(this.runBare, delayMs, work as () => void);
    else this.inner.post(() => this.life.run(work, arg), delayMs);
  }

  private readonly runBare = (work: () => void): void => this.life.run(work, undefined);

  /** The inner clock's slot (when it has them), its work run as this process's work. */
  slot(): ClockSlot {
    const inner = this.inner.slot?.();
    if (inner === undefined) return this;
    let work: () => void = () => {};
    const run = (): void => this.life.run(work, undefined);
    return {
      post: (w, delayMs) => {
        inner.post(run, delayMs);
        work = w;
      },
    };
  }
}

/** The venue as one process sees it: a dead process sends nothing and hears nothing. After
 *  `crashAfterSubmit` submissions it dies right after the next one leaves, before anything
 *  about it is stored (the crash between sending an order and storing its status). */
export class ProcessBroker implements Broker {
  readonly clientIdMaxLength: number;
  readonly ordersSinceBy: 'updated' | 'submitted';
  private submits = 0;

  constructor(
    private readonly venue: Broker,
    private readonly life: ProcessLife,
    private readonly crashAfterSubmit: number | null,
  ) {
    this.clientIdMaxLength = venue.clientIdMaxLength;
    this.ordersSinceBy = venue.ordersSinceBy;
  }

  setReportHandler(handler: ReportHandler): void {
    this.venue.setReportHandler((report) => this.life.run(handler, report));
  }

  submit(order: OrderRequest): void {
    if (!this.life.alive) return;
    this.venue.submit(order);
    this.submits++;
    if (this.crashAfterSubmit !== null && this.submits === this.crashAfterSubmit) this.life.crash();
  }

  cancel(clientOrderId: ClientOrderId, venueOrderId: VenueOrderId | null): void {
    if (this.life.alive) this.venue.cancel(clientOrderId, venueOrderId);
  }

  queryOrder(clientOrderId: ClientOrderId, askedAfterSeq?: number): void {
    if (this.life.alive) this.venue.queryOrder(clientOrderId, askedAfterSeq);
  }

  queryOpenOrders(requestId?: string): void {
    if (this.life.alive) this.venue.queryOpenOrders(requestId);
  }

  queryOrdersSince(since: number, limit: number, after?: OrdersCursor, requestId?: string): void {
    if (this.life.alive) this.venue.queryOrdersSince(since, limit, after, requestId);
  }

  queryAccount(requestId?: string): void {
    if (this.life.alive) this.venue.queryAccount(requestId);
  }
}

/** The durable part of the log: entries become durable when the log commits. Kept only where a
 *  crash can happen (a run with restarts): a run without restarts never reads it back, and
 *  keeping every entry of a long run would make memory (and each garbage collection) grow with
 *  the run. */
export class DurableSink implements EventSink {
  private readonly committed: LogEntry[] = [];
  private pending: LogEntry[] = [];

  constructor(private readonly keep = true) {}

  write(entry: LogEntry): void {
    // A market sample is no entry of the log: a restart neither replays nor counts it.
    if (this.keep && entry.event.kind !== 'MarketSampled') this.pending.push(entry);
  }

  commit(): void {
    if (this.pending.length === 0) return;
    for (const e of this.pending) this.committed.push(e);
    this.pending = [];
  }

  /** A crash: the uncommitted tail is gone. Returns how many entries were lost. */
  discard(): number {
    if (!this.keep) throw new Error('a run without restarts cannot crash: its durable log is not kept');
    const lost = this.pending.length;
    this.pending = [];
    return lost;
  }

  get entries(): readonly LogEntry[] {
    if (!this.keep) throw new Error('a run without restarts keeps no durable log to read');
    return this.committed;
  }
}
