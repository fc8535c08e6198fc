// The Clock port over real time for the gateway: now() is the wall clock, and work runs on Node
// timers in the order a virtual clock runs it (by due time, then order posted, never early), from
// a queue of its own with one Node timer armed for the earliest. Unlike a run's clock it can be
// stopped; work that throws goes to `onError`; afterWork observers run after each piece of work.
// Why Node's timers alone do not keep that order: docs/0068-gateway-notes.md.
import { Subscription, type SchedulerLike } from 'rxjs';
import { ActionHeap } from '../core/clock/action-heap.ts';
import { ClockScheduler } from '../core/clock/clock-scheduler.ts';
import type { Clock } from '../core/ports/clock.ts';

const MAX_TIMER_MS = 2_147_483_647;

/** Cancelled entries are purged from the heap once there are this many and they outnumber the
 *  pending ones (until then each is dropped when it reaches the top). */
const PURGE_MIN_CANCELLED = 1024;

/** The clock a gateway's venue runs on: the Clock port, observers after each piece of work, and
 *  a stop that leaves nothing scheduled. GatewayClock on real time; a test may give one over a
 *  virtual clock it advances itself. */
export interface VenueClock extends Clock {
  afterWork(observer: () => void): void;
  stop(): void;
  /** Work still scheduled (a stopped clock has none). */
  readonly pending: number;
}

/** A piece of work in the clock's queue. */
interface Entry {
  /** When it is due on the wall clock: now() when posted, plus the delay (its heap key). */
  readonly due: number;
  /** When it is due in monotonic time (performance.now()), for a wall clock that stands still or
   *  was set back (see isDue). */
  readonly monoDue: number;
  /** The order it was posted in (its heap's tie-break): among work due at the same time, the
   *  earlier posted runs first. */
  readonly seq: number;
  readonly work: (arg?: unknown) => void;
  /** The argument post() was given; undefined calls `work()`. */
  readonly arg: unknown;
  /** Whether it is still to run: false once run, cancelled or dropped by stop. */
  pending: boolean;
}

export class GatewayClock implements VenueClock {
  /** rxjs operators on it wait in this clock's queue (a long wait in steps, stopped by stop()),
   *  not on rxjs's asyncScheduler, whose timers fire a delay above 2^31 - 1 ms after 1 ms. */
  readonly scheduler: SchedulerLike = new ClockScheduler(this);
  /** The work posted, by (due, seq), cancelled entries among it until they reach the top. */
  private readonly heap = new ActionHeap<Entry>();
  /** Entries in the heap still pending. */
  private live = 0;
  private nextSeq = 0;
  /** The one Node timer or immediate armed for the first pending entry (at most one is set). */
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** When the armed timer fires, in monotonic time. */
  private timerAt = Infinity;
  private draining = false;
  private stopped = false;
  private readonly observers: Array<() => void> = [];

  constructor(
    private readonly onError: (err: unknown) => void = (err) => {
      throw err;
    },
    private readonly wallNow: () => number = Date.now,
  ) {}

  now(): number {
    return this.wallNow();
  }

  schedule(work: () => void, delayMs: number): Subscription {
    const entry = this.enqueue(work, delayMs, undefined, 'schedule');
    return new Subscription(entry === null ? undefined : () => this.cancel(entry));
  }

  post(work: () => void, delayMs: number): void;
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    this.enqueue(work, delayMs, arg, 'post');
  }

  /** Runs `observer` after every piece of work this clock runs (until stopped). */
  afterWork(observer: () => void): void {
    this.observers.push(observer);
  }

  /** Drops everything scheduled and disarms the timer; nothing scheduled later runs. */
  stop(): void {
    this.stopped = true;
    this.disarm();
    this.heap.retain((entry) => {
      entry.pending = false;
      return false;
    });
    this.live = 0;
  }

  /** Work still scheduled (for tests: a stopped clock has none). */
  get pending(): number {
    return this.live;
  }

  /** Queues `work` (with `arg`) due `delayMs` from now; null when it will never run. */
  private enqueue(work: (arg?: unknown) => void, delayMs: number, arg: unknown, what: string): Entry | null {
    if (Number.isNaN(delayMs)) throw new Error(`GatewayClock.${what}: delay is NaN`);
    // Infinity never runs: nothing is queued.
    if (this.stopped || delayMs === Infinity) return null;
    const delay = Math.max(0, delayMs);
    const wall = this.wallNow();
    const mono = performance.now();
    const entry: Entry = { due: wall + delay, monoDue: mono + delay, seq: this.nextSeq++, work, arg, pending: true };
    this.heap.push(entry.due, entry.seq, entry);
    this.live++;
    // Only new work that runs first can need an earlier wake-up than the one armed, or a wall
    // clock that has jumped forward (stepped by the system, or moved on by a test): the work at
    // the head is due by it now, while the armed timer counts its delay in monotonic time.
    const head = this.head();
    if (head === entry || (head !== undefined && head.due <= wall)) this.arm(wall, mono);
    return entry;
  }

  /** Takes `entry` out of the queue, if it is still there. */
  private cancel(entry: Entry): void {
    if (!entry.pending) return;
    const first = this.head() === entry;
    entry.pending = false;
    this.live--;
    const cancelled = this.heap.size - this.live;
    if (cancelled >= PURGE_MIN_CANCELLED && cancelled > this.live) this.heap.retain((e) => e.pending);
    // The work that runs first may have changed: the wake-up follows it (or goes, when idle).
    if (first) this.arm(this.wallNow(), performance.now());
  }

  /** The pending entry that runs first (cancelled ones before it are dropped), if any. */
  private head(): Entry | undefined {
    const heap = this.heap;
    while (heap.size > 0) {
      const top = heap.topValue();
      if (top.pending) return top;
      heap.pop();
    }
    return undefined;
  }

  /**
   * Whether `entry` is due: the wall clock has reached its due time, or its delay has passed in
   * monotonic time. The wall clock alone would hold the venue's work back for as long as it stands
   * still or goes back (a test's scripted clock; the system clock set back); the two agree
   * otherwise. Either way, work only runs once everything before it in the queue has run.
   */
  private static isDue(entry: Entry, wall: number, mono: number): boolean {
    return entry.due <= wall || entry.monoDue <= mono;
  }

  /** Arms the one wake-up for the work that runs first (`wall` and `mono` read just now). */
  private arm(wall: number, mono: number): void {
    if (this.draining) return; // the run in progress arms when it ends
    const head = this.head();
    if (head === undefined) {
      this.disarm();
      return;
    }
    if (this.immediate !== null) return; // it runs before any timer could
    const wait = Math.min(head.due - wall, head.monoDue - mono);
    if (wait <= 0) {
      // Due now: an immediate runs after the current I/O; a Node timer would wait at least 1 ms
      // (a venue's zero-latency hops would cost a millisecond each).
      this.disarm();
      this.immediate = setImmediate(this.wake);
      return;
    }
    const at = mono + wait;
    if (this.timer !== null && this.timerAt <= at) return;
    this.disarm();
    this.timerAt = at;
    // Node fires a timer longer than 2^31 - 1 ms at once: a long wait is taken in steps (each
    // wake-up finds nothing due and arms the next step).
    this.timer = setTimeout(this.wake, Math.min(Math.ceil(wait), MAX_TIMER_MS));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
    this.timerAt = Infinity;
  }

  /** The armed timer or immediate fired: runs what is due. */
  private readonly wake = (): void => {
    this.timer = null;
    this.immediate = null;
    this.timerAt = Infinity;
    this.drain();
  };

  /**
   * Runs, in (due, seq) order, the queued work that is due, re-reading the clock when the next
   * piece is not due by the last reading; then arms the wake-up for what is left. Work posted
   * while this runs waits for the next wake-up (an immediate, when it is due now), as an immediate
   * posted from an immediate did: the event loop's I/O gets its turn between, and work that keeps
   * posting itself with no delay cannot hold the process.
   */
  private drain(): void {
    const posted = this.nextSeq;
    let wall = -Infinity;
    let mono = -Infinity;
    /** Whether wall and mono were read after the last piece of work ran. */
    let fresh = false;
    this.draining = true;
    try {
      for (;;) {
        const head = this.head();
        if (this.stopped || head === undefined || head.seq >= posted) break;
        if (!GatewayClock.isDue(head, wall, mono)) {
          wall = this.wallNow();
          mono = performance.now();
          fresh = true;
          if (!GatewayClock.isDue(head, wall, mono)) break;
        }
        this.heap.pop();
        head.pending = false;
        this.live--;
        fresh = false;
        this.run(head);
      }
    } finally {
      // Also when onError rethrows: what is left still runs at its time.
      this.draining = false;
      if (!this.stopped) {
        if (fresh) this.arm(wall, mono);
        else this.arm(this.wallNow(), performance.now());
      }
    }
  }

  /** Runs one piece of work, then the observers; errors go to onError. */
  private run(entry: Entry): void {
    try {
      if (entry.arg === undefined) entry.work();
      else entry.work(entry.arg);
    } catch (err) {
      this.onError(err);
    }
    for (const observe of this.observers) {
      try {
        observe();
      } catch (err) {
        this.onError(err);
      }
    }
  }
}

/** Another clock's timers seen `offsetMs` later: a replay market reads its recording's times on it. */
export class ShiftedClock implements Clock {
  constructor(
    private readonly inner: Clock,
    readonly offsetMs: number,
  ) {}

  get scheduler(): SchedulerLike {
    return this.inner.scheduler;
  }

  now(): number {
    return this.inner.now() + this.offsetMs;
  }

  schedule(work: () => void, delayMs: number): Subscription {
    return this.inner.schedule(work, delayMs);
  }

  post(work: () => void, delayMs: number): void;
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    if (arg === undefined) this.inner.post(work, delayMs);
    else this.inner.post(work, delayMs, arg);
  }
}
