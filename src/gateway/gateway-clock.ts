// The Clock port over real time for the gateway: now() is the wall clock (epoch ms) and work runs
// on Node timers. Unlike a clock for one run, the gateway's clock can be stopped: stop() clears
// every pending timer and drops whatever is scheduled after, so a stopped gateway leaves nothing
// running (the market model's steps would otherwise keep the process alive). Work that throws is
// handed to `onError` instead of crashing the server. Observers registered with afterWork run
// after each piece of work: the gateway's market-data stream reads the venue's market-data view
// there, since the venue changes only inside its clock's work.
import { asyncScheduler, Subscription, type SchedulerLike } from 'rxjs';
import type { Clock } from '../core/ports/clock.ts';

const MAX_TIMER_MS = 2_147_483_647;

/** The clock a gateway's venue runs on: the Clock port, observers after each piece of work, and
 *  a stop that leaves nothing scheduled. GatewayClock on real time; a test may give one over a
 *  virtual clock it advances itself. */
export interface VenueClock extends Clock {
  afterWork(observer: () => void): void;
  stop(): void;
  /** Work still scheduled (a stopped clock has none). */
  readonly pending: number;
}

export class GatewayClock implements VenueClock {
  readonly scheduler: SchedulerLike = asyncScheduler;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly immediates = new Set<NodeJS.Immediate>();
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
    return new Subscription(this.timer(work, delayMs, 'schedule'));
  }

  post(work: () => void, delayMs: number): void;
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    this.timer(arg === undefined ? work : () => work(arg), delayMs, 'post');
  }

  /** Runs `observer` after every piece of work this clock runs (until stopped). */
  afterWork(observer: () => void): void {
    this.observers.push(observer);
  }

  /** Clears every pending timer; nothing scheduled later runs. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const i of this.immediates) clearImmediate(i);
    this.immediates.clear();
  }

  /** Pending timers (for tests: a stopped clock has none). */
  get pending(): number {
    return this.timers.size + this.immediates.size;
  }

  /** Runs one piece of work, then the observers; errors go to onError. */
  private run(work: () => void): void {
    try {
      work();
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

  /** Arms `work` after `delayMs`; returns what cancels it. */
  private timer(work: () => void, delayMs: number, what: string): () => void {
    if (Number.isNaN(delayMs)) throw new Error(`GatewayClock.${what}: delay is NaN`);
    // Infinity never runs (a Node timer cannot hold it: it would fire after 1 ms).
    if (this.stopped || delayMs === Infinity) return () => {};
    if (delayMs <= 0) {
      // No wait: a Node timer would still wait at least 1 ms (a venue's zero-latency hops cost a
      // millisecond each); an immediate runs after the current I/O, in the order posted.
      const handle = setImmediate(() => {
        this.immediates.delete(handle);
        this.run(work);
      });
      this.immediates.add(handle);
      return () => {
        clearImmediate(handle);
        this.immediates.delete(handle);
      };
    }
    let current: NodeJS.Timeout;
    const due = this.wallNow() + Math.max(0, delayMs);
    const arm = (wait: number): NodeJS.Timeout => {
      // Node fires a timer longer than 2^31 - 1 ms at once: wait in steps instead.
      const step = Math.min(wait, MAX_TIMER_MS);
      const handle = setTimeout(() => {
        this.timers.delete(handle);
        const left = due - this.wallNow();
        if (step === MAX_TIMER_MS && left > 0) {
          current = arm(left);
          return;
        }
        this.run(work);
      }, step);
      this.timers.add(handle);
      return handle;
    };
    current = arm(Math.max(0, delayMs));
    return () => {
      clearTimeout(current);
      this.timers.delete(current);
    };
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
