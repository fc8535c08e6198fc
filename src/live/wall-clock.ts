// The wall clock for live and paper runs: the Clock port over Date.now and rxjs's
// asyncScheduler (setInterval underneath). The only Clock that reads real time; backtests use
// VirtualClock, so core code cannot tell which one it runs on.
// Monotonic: the system clock can step back (NTP, a VM resumed, an operator), and the event log
// refuses time that goes backwards, so now() never returns less than it returned before: while
// the system clock is behind, time stands still at the last reading until it catches up. A step
// back larger than STEP_BACK_WARN_MS is told to `onStepBack` (once per step), for the operator.
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { Clock } from '../core/ports/clock.ts';

/** A backwards step of the system clock worth telling the operator about. */
export const STEP_BACK_WARN_MS = 1_000;

export class WallClock implements Clock {
  readonly scheduler: SchedulerLike = asyncScheduler;
  private last = -Infinity;
  private warned = false;

  /** `onStepBack`: told the size of a backwards step of the system clock (ms). */
  constructor(private readonly onStepBack: ((ms: number) => void) | null = null) {}

  now(): number {
    const t = Date.now();
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

  schedule(work: () => void, delayMs: number): Subscription {
    if (Number.isNaN(delayMs)) throw new Error('WallClock.schedule: delay is NaN');
    return asyncScheduler.schedule(work, Math.max(0, delayMs));
  }

  /**
   * Fire-and-forget schedule() (see the Clock port). Live runs gain nothing from skipping the
   * action, so this goes through asyncScheduler like schedule() and drops the Subscription.
   * Infinity never runs (a timer cannot hold it: Node would fire it after 1 ms).
   */
  post(work: () => void, delayMs: number): void;
  /** post() with an argument: runs `work(arg)`; `arg` undefined behaves as post(work, delayMs). */
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  post(work: (arg?: unknown) => void, delayMs: number, arg?: unknown): void {
    if (Number.isNaN(delayMs)) throw new Error('WallClock.post: delay is NaN');
    if (delayMs === Infinity) return;
    asyncScheduler.schedule(arg === undefined ? work : () => work(arg), Math.max(0, delayMs));
  }
}
