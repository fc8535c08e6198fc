// The wall clock for live and paper runs: the Clock port over the system time and Node's timers,
// the only Clock that reads real time. Monotonic (now() never goes back), and a wait longer than
// Node's timer limit is taken in steps; the timers and time sources are a seam (TimerHost).
// Design notes: docs/0066-live-adapter-notes.md.
import { Subscription, type SchedulerLike } from 'rxjs';
import { ClockScheduler } from '../core/clock/clock-scheduler.ts';
import type { Clock } from '../core/ports/clock.ts';

/** A backwards step of the system clock worth telling the operator about. */
export const STEP_BACK_WARN_MS = 1_000;

/** The longest delay a Node timer takes as given (2^31 - 1 ms); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/** What the wall clock reads time from and waits on: Node's by default, a test's own otherwise. */
export interface TimerHost {
  /** The system time, epoch ms (it may step back). */
  wallNow(): number;
  /** Monotonic time in ms (performance.now()): what timers count in. */
  monoNow(): number;
  /** Calls `fire` once after `delayMs` (at most MAX_TIMER_MS); returns the handle to clear it. */
  setTimer(fire: () => void, delayMs: number): unknown;
  clearTimer(handle: unknown): void;
}

/** Node's clock and timers, looked up at each call (so a test's fake timers apply to them too). */
export const NODE_TIMERS: TimerHost = {
  wallNow: () => Date.now(),
  monoNow: () => performance.now(),
  setTimer: (fire, delayMs) => setTimeout(fire, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * One wait of the wall clock: runs `work` once `delayMs` has passed in monotonic time, waiting in
 * steps of at most MAX_TIMER_MS. cancel() stops it at any step.
 */
class WallTimer {
  private handle: unknown = null;
  private readonly due: number;

  constructor(
    private readonly host: TimerHost,
    private readonly work: () => void,
    delayMs: number,
  ) {
    this.due = host.monoNow() + delayMs;
    this.arm(delayMs);
  }

  /** Waits `wait` ms, or the longest step when that is more; a step that ends short of the due
   *  time arms the next from what is then left. */
  private arm(wait: number): void {
    const last = wait <= MAX_TIMER_MS;
    this.handle = this.host.setTimer(
      () => {
        this.handle = null;
        if (last) return this.work();
        const left = this.due - this.host.monoNow();
        if (left > 0) this.arm(left);
        else this.work();
      },
      last ? wait : MAX_TIMER_MS,
    );
  }

  cancel(): void {
    if (this.handle === null) return;
    this.host.clearTimer(this.handle);
    this.handle = null;
  }
}

export class WallClock implements Clock {
  /** rxjs operators on this scheduler wait through schedule(), long waits included. */
  readonly scheduler: SchedulerLike = new ClockScheduler(this);
  private last = -Infinity;
  private warned = false;

  /** `onStepBack`: told the size of a backwards step of the system clock (ms). `host`: the time
   *  sources and timers (Node's; a test's to drive the clock without waiting). */
  constructor(
    private readonly onStepBack: ((ms: number) => void) | null = null,
    private readonly host: TimerHost = NODE_TIMERS,
  ) {}

  now(): number {
    const t = this.host.wallNow();
    if (t >= this.last) {
      this.last = t;
      this.warned = false;
      return t;
    }
    if (!this.warned && this.last - t > STEP_BACK_WARN_MS) {
      this.warned = true;
      this.onStepBack?.(this.last - t);
    }
    return this.last;
  }

  /** Runs `work` once after `delayMs` (negative clamps to 0, NaN throws, Infinity never runs);
   *  unsubscribe to cancel, before or after a long wait's re-arm. */
  schedule(work: () => void, delayMs: number): Subscription {
    if (Number.isNaN(delayMs)) throw new Error('WallClock.schedule: delay is NaN');
    if (delayMs === Infinity) return new Subscription();
    const timer = new WallTimer(this.host, work, Math.max(0, delayMs));
    return new Subscription(() => timer.cancel());
  }

  /**
   * Fire-and-forget schedule() (see the Clock port). Live runs gain nothing from skipping the
   * action, so this waits like schedule() and keeps no Subscription. Infinity never runs.
   */
  post(work: () => void, delayMs: number): void;
  /** post() with an argument: runs `work(arg)`; `arg` undefined behaves as post(work, delayMs). */
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    if (Number.isNaN(delayMs)) throw new Error('WallClock.post: delay is NaN');
    if (delayMs === Infinity) return;
    new WallTimer(this.host, arg === undefined ? work : () => work(arg), Math.max(0, delayMs));
  }
}
