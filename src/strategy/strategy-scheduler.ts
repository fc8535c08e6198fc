// The scheduler a reactive strategy hands its time-based operators: an rxjs SchedulerLike on the
// run's clock whose every firing is a unit of work of the process, run inside the host's guarded
// call. Requests made while strategy code runs are queued and applied once the call has returned,
// so a call stopped at its budget never leaves the clock's queue half-changed.
// Design notes: docs/0067-strategy-host-notes.md#srcstrategystrategy-schedulerts
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { Clock } from '../core/ports/clock.ts';

/** Runs a firing of strategy work (the host's guarded call). */
export type FiringRunner = (fire: () => void) => void;

interface Request {
  readonly action: StrategyAction<unknown>;
  /** The delay of a schedule request; null: a cancel. */
  readonly delay: number | null;
}

class StrategyAction<T> extends Subscription implements SchedulerAction<T> {
  /** The clock's timer for the next firing (host side: set only by apply). */
  private pending: Subscription | null = null;

  constructor(
    private readonly owner: StrategyScheduler,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
    private state: T | undefined,
  ) {
    super();
  }

  schedule(state?: T, delay: number = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.owner.request(this as StrategyAction<unknown>, delay);
    return this;
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.owner.request(this as StrategyAction<unknown>, null);
    super.unsubscribe();
  }

  /** Replaces the timer with one `delay` ms from now (outside strategy code). */
  apply(clock: Clock, runner: FiringRunner, delay: number): void {
    this.pending?.unsubscribe();
    this.pending = null;
    if (this.closed) return;
    this.pending = clock.schedule(() => {
      this.pending = null;
      this.owner.fired(this as StrategyAction<unknown>);
      if (this.closed) return;
      runner(() => this.work.call(this, this.state));
    }, delay);
  }

  /** Cancels the timer (outside strategy code). */
  cancel(): void {
    this.pending?.unsubscribe();
    this.pending = null;
  }
}

export class StrategyScheduler implements SchedulerLike {
  private queue: Request[] = [];
  /** Actions with a timer waiting. */
  private readonly live = new Set<StrategyAction<unknown>>();

  /** `now`: the run's clock read for the strategy (the host's, outside its wall-clock guard). */
  constructor(
    private readonly clock: Clock,
    private readonly runner: FiringRunner,
    private readonly readNow: () => number = () => clock.now(),
  ) {}

  now(): number {
    return this.readNow();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay: number = 0, state?: T): Subscription {
    return new StrategyAction<T>(this, work, undefined).schedule(state, delay);
  }

  /** Queues a request of an action (strategy side); a null delay cancels. */
  request(action: StrategyAction<unknown>, delay: number | null): void {
    this.queue.push({ action, delay });
  }

  /** Applies the requests of the call that just returned, in the order they were made. */
  flush(): void {
    if (this.queue.length === 0) return;
    const queue = this.queue;
    this.queue = [];
    for (const { action, delay } of queue) {
      if (delay === null) {
        action.cancel();
        this.live.delete(action);
      } else {
        action.apply(this.clock, this.runner, delay);
        if (!action.closed) this.live.add(action);
      }
    }
  }

  /** An action's timer fired (it has none now, until it is scheduled again). */
  fired(action: StrategyAction<unknown>): void {
    this.live.delete(action);
  }

  /** The strategy stopped: drops the requests not applied, and cancels every timer. */
  stopAll(): void {
    this.queue = [];
    for (const action of this.live) action.cancel();
    this.live.clear();
  }
}
