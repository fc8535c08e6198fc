// VirtualClock: the Clock port for backtests. Time only moves when the caller advances it,
// and every scheduled action fires in (due time, insertion order), so a run is reproducible.
//
// Why a heap: rxjs's VirtualTimeScheduler pushes each new action onto an array and re-sorts the
// whole array on every schedule, which is quadratic over a run. Measured on this project's
// machine: 10k actions take 1.1 s and 100k actions 350 s. A backtest schedules millions of
// actions (order timers, latency hops, market-data replays), so this clock keeps pending actions
// in a binary heap (see action-heap.ts): O(log n) per schedule and per fire. Bursts scheduled
// before the clock advances skip the heap: they are radix-sorted once into a sorted run
// (sorted-run.ts) and merged with the heap at fire time; bench/RESULTS.md has the figures.
//
// The clock is also an rxjs SchedulerLike (`scheduler` returns the clock itself), so timer,
// interval, delay, timeout, etc. run on virtual time. Actions behave like rxjs AsyncActions:
// work runs with `this` bound to the action, `this.schedule(state, delay)` reschedules the same
// action (replacing its pending entry, if any), and unsubscribing cancels it.
//
// Cancellation is lazy in the heap (a cancelled or replaced entry is skipped when it surfaces,
// and purged in bulk once stale entries outnumber live ones), but pending() is exact.
//
// post(work, delay) is the fire-and-forget path: the queue entry holds `work` itself, with no
// action or Subscription, so scheduling allocates nothing on the clock's side. A queue value is
// therefore either a VirtualAction (from schedule()) or a bare function (from post());
// `typeof value === 'function'` tells them apart. Both take their seq from the same counter, so
// they interleave in (due time, insertion order) exactly alike. A posted entry is never stale:
// nothing can cancel or replace it, so it stays live until it fires.
import { Subscription } from 'rxjs';
import type { SchedulerAction, SchedulerLike } from 'rxjs';
import type { Clock } from '../ports/clock.ts';
import { ActionHeap } from './action-heap.ts';
import { SortedRun } from './sorted-run.ts';

type Work<T> = (this: SchedulerAction<T>, state?: T) => void;

/** What the queue holds: an action from schedule(), or the work function itself from post(). */
type Entry = VirtualAction<unknown> | (() => void);

/** Purge stale heap entries only when there are at least this many and they outnumber live ones. */
const COMPACT_MIN_STALE = 1024;

function noop(): void {}

function checkDelay(delay: number): number {
  if (Number.isNaN(delay)) throw new RangeError('VirtualClock: delay is NaN');
  return delay > 0 ? delay : 0;
}

/** Bursts of at least this many actions become a sorted run; smaller ones go into the heap. */
const BURST_MIN = 256;

/**
 * The queue shared by a clock and its actions. Not exported: reach it through VirtualClock.
 * New entries wait in an append buffer until someone reads the queue's top; then a small buffer
 * is pushed into the heap and a large one is radix-sorted into the sorted run (sorted-run.ts).
 * The top of the queue is the smaller of heap top and run head by (due, seq).
 * An action's entry is live while `action.seq === entrySeq`; a posted function's entry is
 * always live.
 */
class Timeline {
  readonly heap = new ActionHeap<Entry>();
  readonly run = new SortedRun<Entry>();
  private bufDue = new Float64Array(256);
  private bufSeq = new Float64Array(256);
  private bufValues: Entry[] = [];
  bufLen = 0;
  nowMs: number;
  /** Next insertion sequence number. */
  nextSeq = 0;
  /** Number of live entries: scheduled or posted, not cancelled, not yet fired. */
  live = 0;
  /** True while actions are being fired; advancing again from inside an action is an error. */
  firing = false;
  /** Set by top(): the live entry at the top of the queue. */
  topDue = 0;
  topEntry: Entry | null = null;
  private topFromHeap = true;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  enqueue(action: VirtualAction<unknown>, delay: number): void {
    if (action.seq >= 0) {
      // Replace the pending entry: the old queue entry becomes stale (its seq no longer matches).
      this.live--;
    }
    if (delay === Infinity) {
      // Never due (as in rxjs VirtualAction): don't queue it, or runUntilIdle would reach Infinity.
      action.seq = -1;
      this.maybeCompact();
      return;
    }
    action.seq = this.append(action, delay);
  }

  /** Queues a posted function; it stays live until it fires. Infinity never fires: not queued. */
  post(work: () => void, delay: number): void {
    if (delay !== Infinity) this.append(work, delay);
  }

  /** Appends a live entry due `delay` ms from now to the buffer; returns its seq. */
  private append(entry: Entry, delay: number): number {
    const seq = this.nextSeq++;
    this.live++;
    const i = this.bufLen;
    if (i === this.bufDue.length) this.growBuffer();
    this.bufDue[i] = this.nowMs + delay;
    this.bufSeq[i] = seq;
    this.bufValues[i] = entry;
    this.bufLen = i + 1;
    return seq;
  }

  cancel(action: VirtualAction<unknown>): void {
    if (action.seq >= 0) {
      action.seq = -1;
      this.live--;
      this.maybeCompact();
    }
  }

  /** Moves buffered entries into the heap (few) or the sorted run (a burst). */
  private flush(): void {
    const n = this.bufLen;
    if (n >= BURST_MIN) this.run.addBurst(this.bufDue, this.bufSeq, this.bufValues, n);
    else for (let i = 0; i < n; i++) this.heap.push(this.bufDue[i] as number, this.bufSeq[i] as number, this.bufValues[i] as Entry);
    // Clear references (fired entries must be collectable) without freeing the backing store.
    const values = this.bufValues;
    if (n > BURST_MIN * 4) values.length = 0;
    else for (let i = 0; i < n; i++) values[i] = undefined as unknown as Entry;
    this.bufLen = 0;
  }

  private growBuffer(): void {
    const due = new Float64Array(this.bufDue.length * 2);
    due.set(this.bufDue);
    this.bufDue = due;
    const seq = new Float64Array(this.bufSeq.length * 2);
    seq.set(this.bufSeq);
    this.bufSeq = seq;
  }

  /**
   * Finds the live entry at the top of the queue (dropping stale ones on the way) and sets
   * topDue / topEntry; returns false when nothing is pending.
   */
  top(): boolean {
    if (this.bufLen > 0) this.flush();
    const heap = this.heap;
    const run = this.run;
    for (;;) {
      const hs = heap.size;
      const rs = run.size;
      if (hs === 0 && rs === 0) {
        this.topEntry = null;
        return false;
      }
      let fromHeap: boolean;
      if (rs === 0) fromHeap = true;
      else if (hs === 0) fromHeap = false;
      else {
        const hd = heap.topDue();
        const rd = run.headDue();
        fromHeap = hd < rd || (hd === rd && heap.topSeq() < run.headSeq());
      }
      const entry = fromHeap ? heap.topValue() : run.headValue();
      if (typeof entry !== 'function' && entry.seq !== (fromHeap ? heap.topSeq() : run.headSeq())) {
        // A cancelled or replaced action's entry.
        if (fromHeap) heap.pop();
        else run.shift();
        continue;
      }
      this.topFromHeap = fromHeap;
      this.topEntry = entry;
      this.topDue = fromHeap ? heap.topDue() : run.headDue();
      return true;
    }
  }

  /** Removes the entry top() found. */
  popTop(): void {
    if (this.topFromHeap) this.heap.pop();
    else this.run.shift();
    this.topEntry = null;
  }

  private maybeCompact(): void {
    const stale = this.heap.size + this.run.size + this.bufLen - this.live;
    if (stale >= COMPACT_MIN_STALE && stale > this.live) {
      if (this.bufLen > 0) this.flush();
      const keep = (entry: Entry, seq: number) => typeof entry === 'function' || entry.seq === seq;
      this.heap.retain(keep);
      this.run.retain(keep);
    }
  }
}

/**
 * An action on a VirtualClock; the `this` of scheduled work. It stays usable after firing
 * (work may reschedule it later) until unsubscribed.
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
  post(work: () => void, delay: number): void {
    this.timeline.post(work, checkDelay(delay));
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
        const entry = timeline.topEntry as Entry;
        timeline.popTop();
        timeline.live--;
        timeline.nowMs = due;
        fired++;
        if (typeof entry === 'function') {
          current = null;
          entry();
        } else {
          entry.seq = -1;
          current = entry;
          entry.work.call(entry, entry.state);
        }
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
