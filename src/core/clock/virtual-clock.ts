// VirtualClock: the Clock port for backtests. Time only moves when the caller advances it, and
// every scheduled action fires in (due time, insertion order), so a run is reproducible. The clock
// is also an rxjs SchedulerLike (`scheduler` returns the clock itself), so timer, interval, delay
// and timeout run on virtual time. Pending work is kept by timeline.ts in a binary heap, with
// bursts radix-sorted into runs, because rxjs's VirtualTimeScheduler re-sorts its whole queue on
// every schedule (docs/0001-heap-virtual-clock.md); post() is the allocation-free path for events
// that are never cancelled (docs/0008-object-free-post.md).
import { Subscription } from 'rxjs';
import type { SchedulerAction, SchedulerLike } from 'rxjs';
import type { Clock, ClockSlot } from '../ports/clock.ts';
import type { Slot } from './slot.ts';
import { Timeline, type Entry } from './timeline.ts';

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

function noop(): void {}
function checkDelay(delay: number): number {
  if (Number.isNaN(delay)) throw new RangeError('VirtualClock: delay is NaN');
  return delay > 0 ? delay : 0;
}

/**
 * An action on a VirtualClock; the `this` of scheduled work. It stays usable after firing
 * (work may reschedule it later) until unsubscribed. It behaves like an rxjs AsyncAction: work
 * runs with `this` bound to the action, `this.schedule(state, delay)` reschedules the same action
 * (replacing its pending entry, if any), and unsubscribing cancels it. Cancellation is lazy in the
 * queue (a cancelled or replaced entry is skipped when it surfaces, and purged in bulk once stale
 * entries outnumber live ones: timeline.ts), but pending() is exact.
 */
class VirtualAction<T> extends Subscription implements SchedulerAction<T> {
  /** Sequence number of this action's live heap entry, or -1 when it is not pending. */
  seq = -1;

  constructor(
    private timeline: Timeline | null,
    public work: Work<T>,
    public state: T | undefined,
  ) {
    super();
  }

  schedule(state?: T, delay: number = 0): Subscription {
    const timeline = this.timeline;
    if (this.closed || timeline === null) return this;
    const d = checkDelay(delay);
    this.state = state;
    timeline.enqueue(this as VirtualAction<unknown>, d);
    return this;
  }

  override unsubscribe(): void {
    if (this.closed) return;
    const timeline = this.timeline;
    if (timeline !== null) timeline.cancel(this as VirtualAction<unknown>);
    this.timeline = null;
    this.work = noop;
    this.state = undefined;
    super.unsubscribe();
  }
}

/** A VirtualClock's slot (see slot.ts). */
class VirtualSlot implements ClockSlot {
  constructor(private readonly slot: Slot) {}

  post(work: () => void, delayMs: number): void {
    this.slot.post(work, checkDelay(delayMs));
  }

  repeat(periodMs: number, runAfterMs: number): void {
    this.slot.repeat(periodMs, runAfterMs);
  }

  stopRepeating(): void {
    this.slot.stopRepeating();
  }

  firstRepeatAt(): number {
    return this.slot.firstDue;
  }

  takeRepeats(): number {
    return this.slot.takeCount();
  }
}

export class VirtualClock implements Clock, SchedulerLike {
  private readonly timeline: Timeline;

  constructor(startMs: number) {
    if (!Number.isFinite(startMs)) throw new RangeError(`VirtualClock: startMs must be finite, got ${startMs}`);
    this.timeline = new Timeline(startMs);
  }

  /** Current virtual time, epoch milliseconds. */
  now(): number {
    return this.timeline.nowMs;
  }

  /** The clock is its own rxjs scheduler. */
  get scheduler(): SchedulerLike {
    return this;
  }

  /**
   * Schedules `work` to run `delay` ms from now (negative clamps to 0, NaN throws, Infinity never
   * fires). Serves both the Clock port (`schedule(() => ..., delayMs)`) and rxjs SchedulerLike:
   * `work` runs with `this` bound to the action and receives `state`. Unsubscribe to cancel.
   */
  schedule<T>(work: (this: SchedulerAction<T>, state: T) => void, delay: number, state: T): Subscription;
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay?: number, state?: T): Subscription;
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay: number = 0, state?: T): Subscription {
    const d = checkDelay(delay);
    const action = new VirtualAction<T>(this.timeline, work, state);
    this.timeline.enqueue(action as VirtualAction<unknown>, d);
    return action;
  }

  /**
   * Fire-and-forget schedule (the Clock port's post): runs `work` once, `delay` ms from now
   * (negative clamps to 0, NaN throws, Infinity never runs). It cannot be cancelled and takes
   * its place in (due, insertion) order exactly as schedule() would; the queue holds `work`
   * itself, so no action or Subscription is allocated. `work` runs with `this` undefined.
   */
  post(work: () => void, delay: number): void;
  /**
   * post() of a shared handler with an argument: runs `work(arg)` once, `delay` ms from now, in
   * (due, insertion) order like every other entry. The queue holds `work` and `arg` side by side,
   * so a caller that passes a long-lived handler (a bound method created once) and an existing
   * value (an order, a message index) allocates nothing per event, not even a closure. Work
   * posted with `arg` undefined is called with no argument, exactly like post(work, delay).
   */
  post<A>(work: (arg: A) => void, delay: number, arg: A): void;
  post(work: (arg?: unknown) => void, delay: number, arg?: unknown): void {
    this.timeline.post(work, checkDelay(delay), arg);
  }

  /**
   * A slot for work that posts itself again every period: slot.post(work, delay) orders `work`
   * exactly as post(work, delay) would (by due time, then insertion order, with everything else),
   * but keeps it beside the queue; a slot holds one pending function at most.
   */
  slot(): ClockSlot {
    return new VirtualSlot(this.timeline.addSlot());
  }

  /**
   * Reserves the place that work posted now would take among work due at the same time, without
   * posting anything (see hasRun): a component can keep a fire-and-forget event as data and still
   * tell exactly when it would have run. Each call takes a place of its own.
   */
  orderMark(): number {
    return this.timeline.reserveSeq();
  }

  /**
   * Runs `work` with now() at `time` (<= now), then puts now() back: late work kept as data
   * (deferred market events) applied exactly as it would have run then. Work due at `time` counts
   * as not yet run (hasRun), as if the replayed work came first among same-time work; nothing
   * may be posted or scheduled inside (it throws), since it would be due in the past.
   */
  replayAt(time: number, work: () => void): void {
    const timeline = this.timeline;
    if (!(time <= timeline.nowMs))
      throw new RangeError(`VirtualClock.replayAt(${time}): later than now (${timeline.nowMs})`);
    if (timeline.replaying) throw new Error('VirtualClock.replayAt: already replaying');
    const { nowMs, firing, firingSeq } = timeline;
    timeline.nowMs = time;
    timeline.firing = true;
    timeline.firingSeq = -Infinity;
    timeline.replaying = true;
    try {
      work();
    } finally {
      timeline.nowMs = nowMs;
      timeline.firing = firing;
      timeline.firingSeq = firingSeq;
      timeline.replaying = false;
    }
  }

  /**
   * Whether work due at `due`, posted when orderMark() returned `mark`, would have run by now: it
   * is due earlier, or due now and ahead of the action running now in (due, insertion) order, or
   * (outside fired work) an advance that has ended fired it.
   */
  hasRun(due: number, mark: number): boolean {
    const timeline = this.timeline;
    if (timeline.firing) return due < timeline.nowMs || (due === timeline.nowMs && mark < timeline.firingSeq);
    return due <= timeline.drainedTo && mark < timeline.drainedSeq;
  }

  /** Number of live pending entries, scheduled or posted (cancelled and fired ones excluded). */
  pending(): number {
    return this.timeline.live;
  }

  /** Due time of the next live action or posted work, or undefined when idle. */
  nextDueTime(): number | undefined {
    const timeline = this.timeline;
    return timeline.top() ? timeline.topDue : undefined;
  }

  /**
   * Fires every action due at or before `t`, in (due, insertion) order, with now() set to each
   * action's due time as it fires (actions scheduled or posted meanwhile with due <= t fire too),
   * then sets now() to `t`. Returns the number of actions fired (posted work included). If an
   * action throws, the action is unsubscribed (posted work has already left the queue), now()
   * stays at its due time, the rest stay queued, and the error propagates.
   */
  advanceTo(t: number): number {
    const timeline = this.timeline;
    if (Number.isNaN(t)) throw new RangeError('VirtualClock.advanceTo: t is NaN');
    if (t < timeline.nowMs) {
      throw new RangeError(`VirtualClock.advanceTo(${t}): time cannot go backwards (now is ${timeline.nowMs})`);
    }
    if (t === Infinity) throw new RangeError('VirtualClock.advanceTo: t must be finite; use runUntilIdle()');
    const fired = this.drain(t, Infinity);
    timeline.nowMs = t;
    return fired;
  }

  /** advanceTo(now() + ms). */
  advanceBy(ms: number): number {
    if (Number.isNaN(ms) || ms < 0) throw new RangeError(`VirtualClock.advanceBy(${ms}): ms must be >= 0`);
    return this.advanceTo(this.timeline.nowMs + ms);
  }

  /** Alias of advanceTo. */
  runUntil(t: number): number {
    return this.advanceTo(t);
  }

  /**
   * Fires actions until none are pending; now() ends at the last fired action's due time.
   * Throws if that would take more than `maxActions` actions (a runaway interval, say); the
   * first `maxActions` actions have fired by then. Returns the number of actions fired.
   */
  runUntilIdle(maxActions: number = Infinity): number {
    if (Number.isNaN(maxActions) || maxActions < 0) {
      throw new RangeError(`VirtualClock.runUntilIdle(${maxActions}): maxActions must be >= 0`);
    }
    return this.drain(Infinity, maxActions);
  }

  private drain(limit: number, maxActions: number): number {
    const timeline = this.timeline;
    if (timeline.firing) throw new Error('VirtualClock: cannot advance the clock from inside a scheduled action');
    let fired = 0;
    let overrun = false;
    // The action being fired (null for posted work, which has nothing to unsubscribe); one try
    // around the loop (not one per action) keeps the loop lean.
    let current: VirtualAction<unknown> | null = null;
    timeline.firing = true;
    try {
      while (timeline.top()) {
        const due = timeline.topDue;
        if (due > limit) break;
        if (fired >= maxActions) {
          overrun = true;
          break;
        }
        if (timeline.repeatOnTop) {
          // A repeating slot's due times pass without running anything, as many as come before
          // everything else; its work runs when one is far enough from the first counted.
          fired += timeline.passRepeats(limit, maxActions - fired);
          const work = timeline.repeatRuns;
          if (work !== null) {
            current = null;
            work();
          }
          continue;
        }
        const entry = timeline.topEntry as Entry;
        const arg = timeline.topArg;
        timeline.firingSeq = timeline.topSeq;
        timeline.popTop();
        timeline.live--;
        timeline.nowMs = due;
        fired++;
        // A queue value is a VirtualAction (from schedule()) or a bare function (from post());
        // both take their seq from the same counter, so they interleave in (due time, insertion
        // order) exactly alike. A posted entry is never stale: nothing can cancel or replace it.
        if (typeof entry === 'function') {
          current = null;
          if (arg === undefined) entry();
          else entry(arg);
        } else {
          // The clock enqueues only its own VirtualActions.
          const action = entry as VirtualAction<unknown>;
          action.seq = -1;
          current = action;
          action.work.call(action, action.state);
        }
      }
      if (!overrun) {
        timeline.drainedTo = limit;
        timeline.drainedSeq = timeline.nextSeq;
      }
    } catch (error) {
      // Like an rxjs AsyncAction, an action that throws is unsubscribed (cancelling any
      // reschedule it made before throwing). Everything else stays queued.
      current?.unsubscribe();
      throw error;
    } finally {
      timeline.firing = false;
    }
    if (overrun) {
      throw new Error(
        `VirtualClock.runUntilIdle: fired maxActions=${maxActions} actions and ${timeline.live} are still ` +
          `pending (next due at ${this.nextDueTime()}); a runaway interval or self-rescheduling action?`,
      );
    }
    return fired;
  }
}
