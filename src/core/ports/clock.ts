// The Clock port: the only way core and sim code learn the time or wait for it.
// A virtual clock drives backtests; the wall clock (src/live/wall-clock.ts) drives live runs.
// Times are epoch milliseconds (UTC); fractional milliseconds are allowed.
import type { SchedulerLike, Subscription } from 'rxjs';

export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
  /** An rxjs scheduler on this clock: timer, interval, delay and timeout run on it. */
  readonly scheduler: SchedulerLike;
  /** Runs `work` once after `delayMs` (clamped to >= 0). Unsubscribe to cancel. */
  schedule(work: () => void, delayMs: number): Subscription;
}
