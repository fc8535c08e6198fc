// The scheduler a reactive strategy hands its time-based operators: an rxjs SchedulerLike on the
// run's clock whose every firing is a unit of work of the process (the clock the host gets is the
// process's: a crashed process's strategy timers never fire) and runs inside the host's guard (a
// throw stops the strategy, not the run). Actions behave like rxjs's AsyncAction: `this.schedule`
// from inside the work reschedules the same action (interval, bufferTime), unsubscribing cancels.
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { Clock } from '../core/ports/clock.ts';

/** Runs a firing of strategy work (the host's guarded call). */
export type FiringRunner = (fire: () => void) => void;

class StrategyAction<T> extends Subscription implements SchedulerAction<T> {
  private pending: Subscription | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly runner: FiringRunner,
    private readonly work: (this: SchedulerAction<T>, state?: T) => void,
    private state: T | undefined,
  ) {
    super();
  }

  schedule(state?: T, delay: number = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.pending?.unsubscribe();
    this.pending = this.clock.schedule(() => {
      this.pending = null;
      if (this.closed) return;
      this.runner(() => this.work.call(this, this.state));
    }, delay);
    return this;
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.pending?.unsubscribe();
    this.pending = null;
    super.unsubscribe();
  }
}

export class StrategyScheduler implements SchedulerLike {
  constructor(
    private readonly clock: Clock,
    private readonly runner: FiringRunner,
  ) {}

  now(): number {
    return this.clock.now();
  }

  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay: number = 0, state?: T): Subscription {
    return new StrategyAction<T>(this.clock, this.runner, work, undefined).schedule(state, delay);
  }
}
