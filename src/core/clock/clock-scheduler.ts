// An rxjs SchedulerLike over a Clock's schedule(): rxjs operators given it (timer, interval, delay,
// bufferTime...) wait exactly as the clock's own timers do. A clock over real time hands this out
// instead of rxjs's asyncScheduler, whose setInterval fires any delay above 2^31 - 1 ms after
// 1 ms; the clock's schedule() takes such a wait in steps. Actions behave like rxjs's AsyncAction:
// `this.schedule(state, delay)` from inside the work reschedules the same action (interval,
// bufferTime), and unsubscribing cancels what is pending.
import { Subscription, type SchedulerAction, type SchedulerLike } from 'rxjs';
import type { Clock } from '../ports/clock.ts';

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

class ClockAction<T> extends Subscription implements SchedulerAction<T> {
  private pending: Subscription | null = null;
  private state: T | undefined = undefined;

  constructor(
    private readonly clock: Pick<Clock, 'schedule'>,
    private readonly work: Work<T>,
  ) {
    super();
  }

  schedule(state?: T, delay: number = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.pending?.unsubscribe();
    this.pending = this.clock.schedule(() => this.fire(), delay);
    return this;
  }

  private fire(): void {
    this.pending = null;
    if (this.closed) return;
    this.work.call(this, this.state);
  }

  override unsubscribe(): void {
    if (this.closed) return;
    this.pending?.unsubscribe();
    this.pending = null;
    super.unsubscribe();
  }
}

export class ClockScheduler implements SchedulerLike {
  constructor(private readonly clock: Pick<Clock, 'now' | 'schedule'>) {}

  now(): number {
    return this.clock.now();
  }

  schedule<T>(work: Work<T>, delay: number = 0, state?: T): Subscription {
    return new ClockAction<T>(this.clock, work).schedule(state, delay);
  }
}
