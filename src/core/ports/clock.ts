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
  /**
   * Fire-and-forget schedule(): runs `work` once after `delayMs` (negative clamps to 0, NaN
   * throws, Infinity never runs). It cannot be cancelled, and it is ordered with everything else
   * exactly like schedule(): by due time, then by the order of the schedule()/post() calls.
   *
   * Why it exists: schedule() returns a Subscription, so every call allocates an action object
   * that the clock must keep and later touch. For hot internal events that are never cancelled
   * (a venue's latency hops and report deliveries, replayed market-data messages) that object is
   * pure overhead; post() lets the virtual clock queue the function itself. Use schedule() for
   * anything that may need cancelling (timeouts, order timers).
   */
  post(work: () => void, delayMs: number): void;
  /**
   * post() with an argument: runs `work(arg)` once after `delayMs`, ordered exactly like post().
   * With a handler created once (a bound method) and an existing value as `arg` (an order, a
   * message index), nothing is allocated per event, not even a closure: the virtual clock queues
   * handler and argument side by side. `arg` undefined calls `work()`, as post(work, delayMs) does.
   */
  post<A>(work: (arg: A) => void, delayMs: number, arg: A): void;
  /**
   * Virtual clocks only: reserves the place work posted now would take among same-time work,
   * without posting (orderMark), and says whether such work due at `due` would have run by now
   * (hasRun). A
   * component that only records what a posted event would do (a market-data delivery) uses them
   * to apply it exactly where the event would have run, with no entry on the clock.
   */
  orderMark?(): number;
  hasRun?(due: number, mark: number): boolean;
  /**
   * Virtual clocks only: runs `work` now with now() set back to `time` (not later than now), for
   * a component that kept events as data and applies them late exactly as they would have run
   * (see SyntheticModel's deferred events). Inside it, work due at `time` counts as not yet run
   * (hasRun), and nothing may be posted or scheduled: the clock throws if it is.
   */
  replayAt?(time: number, work: () => void): void;
  /**
   * Virtual clocks only: a slot for work that posts itself again every period (a market model's
   * step). It holds at most one posted function, ordered with everything else exactly as post()
   * orders it, but kept beside the clock's queue: no insertion and removal per period.
   */
  slot?(): ClockSlot;
}

/** Posted work kept beside a virtual clock's queue (Clock.slot): one pending function at most. */
export interface ClockSlot {
  /** post(work, delayMs) into the slot; it throws while the slot holds work (work not yet run,
   *  or a repeating slot's work, which stays after it runs). */
  post(work: () => void, delayMs: number): void;
  /**
   * Virtual clocks only: the work posted in the slot stops running when it comes due; it is
   * counted instead and due again `periodMs` later, placed among same-time work exactly as work
   * that only posted itself again would be (no action runs for it). It runs (still repeating)
   * when it comes due `runAfterMs` or more after the first due time counted since the count was
   * last taken. For a model that keeps its steps as data while nothing reads them.
   */
  repeat?(periodMs: number, runAfterMs: number): void;
  /** Ends repeat(): the pending due time runs the work again. The count must have been taken. */
  stopRepeating?(): void;
  /** The first due time counted since the count was last taken (meaningful while it is > 0). */
  firstRepeatAt?(): number;
  /** The due times counted since last taken; the count starts again at 0. */
  takeRepeats?(): number;
}
