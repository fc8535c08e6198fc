// The wall clock for live and paper runs: the Clock port over Date.now and rxjs's
// asyncScheduler (setInterval underneath). The only Clock that reads real time; backtests use
// VirtualClock, so core code cannot tell which one it runs on.
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import type { Clock } from '../core/ports/clock.ts';

export class WallClock implements Clock {
  readonly scheduler: SchedulerLike = asyncScheduler;

  now(): number {
    return Date.now();
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
