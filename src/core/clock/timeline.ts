// The queue behind VirtualClock: pending entries ordered by (due time, insertion sequence). New
// entries wait in an append buffer until the top is read; then a small buffer goes into the binary
// heap and a burst is radix-sorted into a run (sorted-run.ts); the top is the smaller of heap top
// and run head. Actions are cancelled lazily (an entry is live while the action's seq matches it)
// and purged in bulk; posted functions are never stale. pending() is `live`, always exact.
// Every entry carries an argument beside its value: post(work, delay, arg) queues `work` and `arg`
// (no closure, nothing allocated); for the other entries it is undefined.
import { ActionHeap } from './action-heap.ts';
import { Slot } from './slot.ts';
import { SortedRun } from './sorted-run.ts';

/** What the timeline needs of a scheduled action: the seq of its live entry, -1 when none. */
export interface QueuedAction {
  seq: number;
}

/** What the queue holds: an action from schedule(), or the work function itself from post(). */
export type Entry = QueuedAction | ((arg?: unknown) => void);

/** Purge stale heap entries only when there are at least this many and they outnumber live ones. */
const COMPACT_MIN_STALE = 1024;

/** Bursts of at least this many actions become a sorted run; smaller ones go into the heap. */
const BURST_MIN = 256;

/**
 * The queue shared by a VirtualClock and its actions; nothing else uses it.
 * New entries wait in an append buffer until someone reads the queue's top; then a small buffer
 * is pushed into the heap and a large one is radix-sorted into the sorted run (sorted-run.ts).
 * The top of the queue is the smaller of heap top and run head by (due, seq).
 * An action's entry is live while `action.seq === entrySeq`; a posted function's entry is
 * always live.
 */
export class Timeline {
  readonly heap = new ActionHeap<Entry>();
  readonly run = new SortedRun<Entry>();
  private bufDue = new Float64Array(256);
  // Values and arguments of the buffered entries. The first entry's are kept in bufFirst and
  // bufFirstArg. While every buffered entry has the same value (one handler posted over and over)
  // bufValues stays empty; while no buffered entry after the first has an argument, bufArgs stays
  // empty. Either array is filled in when the first entry that breaks the pattern arrives. This
  // saves stores per post (and array resets per flush in the hold model, one entry per flush), and
  // lets a burst from one handler enter the sorted run with no per-entry value array at all.
  private bufValues: Entry[] = [];
  private bufArgs: unknown[] = [];
  private bufFirst: Entry | undefined = undefined;
  private bufFirstArg: unknown = undefined;
  private bufShared = true;
  private bufHasArgs = false;
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
  /** Set by top(): the argument of the top entry (undefined unless posted with one). */
  topArg: unknown = undefined;
  /** Set by top(): the insertion sequence number of the top entry. */
  topSeq = 0;
  /** The sequence number of the entry being fired (meaningful while `firing`). */
  firingSeq = 0;
  /** True while VirtualClock.replayAt runs late work at an earlier time: nothing may be queued. */
  replaying = false;
  /** The limit of the last completed drain, and the next sequence number when it ended: work
   *  due by then and enqueued before then has run. */
  drainedTo = -Infinity;
  drainedSeq = 0;
  private topFromHeap = true;
  /** The slot whose work top() found, or null when the top is in the queue. */
  private topSlot: Slot | null = null;
  /** Set by passRepeats(): the work the last repetition passed is to run, or null. */
  repeatRuns: (() => void) | null = null;
  private readonly slots: Slot[] = [];

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  enqueue(action: QueuedAction, delay: number): void {
    if (action.seq >= 0) {
      // Replace the pending entry: the old queue entry becomes stale (its seq no longer matches).
      this.live--;
    }
    if (delay === Infinity) {
      // Never due (as in rxjs's VirtualAction): don't queue it, or runUntilIdle would reach Infinity.
      action.seq = -1;
      this.maybeCompact();
      return;
    }
    action.seq = this.append(action, delay, undefined);
  }

  /**
   * Queues a posted function and its argument; it stays live until it fires. Infinity never
   * fires: not queued.
   */
  post(work: (arg?: unknown) => void, delay: number, arg: unknown): void {
    if (delay !== Infinity) this.append(work, delay, arg);
  }

  /** Appends a live entry due `delay` ms from now to the buffer; returns its seq. */
  private append(entry: Entry, delay: number, arg: unknown): number {
    if (this.replaying) throw new Error('VirtualClock: nothing can be posted or scheduled from replayed work');
    const seq = this.nextSeq++;
    this.live++;
    const i = this.bufLen;
    if (i === this.bufDue.length) this.growBuffer();
    this.bufDue[i] = this.nowMs + delay;
    if (i === 0) {
      this.bufFirst = entry;
      this.bufFirstArg = arg;
    } else {
      if (!this.bufShared) this.bufValues.push(entry);
      else if (entry !== this.bufFirst) {
        const values = this.bufValues;
        const first = this.bufFirst as Entry;
        for (let k = 0; k < i; k++) values.push(first);
        values.push(entry);
        this.bufShared = false;
      }
      if (this.bufHasArgs) this.bufArgs.push(arg);
      else if (arg !== undefined || this.bufFirstArg !== undefined) {
        const args = this.bufArgs;
        args.push(this.bufFirstArg);
        for (let k = 1; k < i; k++) args.push(undefined);
        args.push(arg);
        this.bufHasArgs = true;
      }
    }
    this.bufLen = i + 1;
    return seq;
  }

  addSlot(): Slot {
    const slot = new Slot(this);
    this.slots.push(slot);
    return slot;
  }

  cancel(action: QueuedAction): void {
    if (action.seq >= 0) {
      action.seq = -1;
      this.live--;
      this.maybeCompact();
    }
  }

  /** Moves buffered entries into the heap (few) or the sorted run (a burst). */
  /**
   * Takes the next insertion sequence number without queueing anything: the place of work that
   * is kept as data instead of posted. (Buffered entries go to the queue first: the buffer's
   * seqs must stay consecutive.)
   */
  reserveSeq(): number {
    if (this.bufLen > 0) this.flush();
    return this.nextSeq++;
  }

  private flush(): void {
    const n = this.bufLen;
    const shared = this.bufShared;
    const values = shared ? null : this.bufValues;
    // Without bufArgs, only the first entry can have an argument (and then n is 1).
    const args = this.bufHasArgs ? this.bufArgs : null;
    const first = this.bufFirst;
    const firstArg = this.bufFirstArg;
    // The buffer's seqs are consecutive: every seq is taken by append(), which buffers it.
    const seq0 = this.nextSeq - n;
    if (n >= BURST_MIN) this.run.addBurst(this.bufDue, seq0, values, first, args, n);
    else {
      const due = this.bufDue;
      const heap = this.heap;
      for (let i = 0; i < n; i++) {
        heap.push(
          due[i] as number,
          seq0 + i,
          (values === null ? first : values[i]) as Entry,
          args === null ? firstArg : args[i],
        );
      }
    }
    // Drop references (fired entries must be collectable); small arrays keep their backing store.
    if (!shared) {
      if (n > BURST_MIN) this.bufValues = [];
      else this.bufValues.length = 0;
      this.bufShared = true;
    }
    if (args !== null) {
      if (n > BURST_MIN) this.bufArgs = [];
      else this.bufArgs.length = 0;
      this.bufHasArgs = false;
    }
    this.bufFirst = undefined;
    this.bufFirstArg = undefined;
    this.bufLen = 0;
  }

  private growBuffer(): void {
    const due = new Float64Array(this.bufDue.length * 2);
    due.set(this.bufDue);
    this.bufDue = due;
  }

  /**
   * Finds the live entry at the top of the queue (dropping stale ones on the way) and sets
   * topDue / topEntry; returns false when nothing is pending.
   */
  top(): boolean {
    let found = this.queueTop();
    this.topSlot = null;
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot;
      if (slot.work === null) continue;
      if (!found || slot.due < this.topDue || (slot.due === this.topDue && slot.seq < this.topSeq)) {
        found = true;
        this.topSlot = slot;
        this.topDue = slot.due;
        this.topSeq = slot.seq;
        this.topEntry = slot.work;
        this.topArg = undefined;
      }
    }
    return found;
  }

  /** top() of the heap and the sorted run only. */
  private queueTop(): boolean {
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
      if (fromHeap) {
        this.topDue = heap.topDue();
        this.topArg = heap.topArg();
        this.topSeq = heap.topSeq();
      } else {
        this.topDue = run.headDue();
        this.topArg = run.headArg();
        this.topSeq = run.headSeq();
      }
      return true;
    }
  }

  /** Whether top() found a repeating slot (passRepeats, not popTop). */
  get repeatOnTop(): boolean {
    return this.topSlot !== null && this.topSlot.period > 0;
  }

  /**
   * Passes the repeating slot top() found: its due time is counted and it is due again a period
   * later with the next seq (as work that posted itself again would be), and so are the due
   * times after it while each is due by `limit`, still comes before everything else queued, and
   * at most `max` pass. Stops at one `runAfter` or more after the first counted: `repeatRuns`
   * is then the slot's work, for the caller to run (nowMs and firingSeq are that repetition's);
   * else it is null. Returns how many passed (at least one).
   */
  passRepeats(limit: number, max: number): number {
    const slot = this.topSlot as Slot;
    // The first entry after the slot's: the queue's top or another slot.
    let otherDue = Infinity;
    let otherSeq = Infinity;
    if (this.queueTop()) {
      otherDue = this.topDue;
      otherSeq = this.topSeq;
    }
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] as Slot;
      if (s === slot || s.work === null) continue;
      if (s.due < otherDue || (s.due === otherDue && s.seq < otherSeq)) {
        otherDue = s.due;
        otherSeq = s.seq;
      }
    }
    this.topSlot = null;
    this.topEntry = null;
    let passed = 0;
    for (;;) {
      const due = slot.due;
      const seq = slot.seq;
      if (slot.count === 0) slot.firstDue = due;
      slot.count++;
      passed++;
      // Nothing was appended since queueTop() flushed the buffer: the next seq is free.
      slot.seq = this.nextSeq++;
      slot.due = due + slot.period;
      this.nowMs = due;
      if (due - slot.firstDue >= slot.runAfter) {
        this.firingSeq = seq;
        this.repeatRuns = slot.work;
        return passed;
      }
      const next = slot.due;
      if (passed >= max || next > limit || next > otherDue || (next === otherDue && slot.seq > otherSeq)) break;
    }
    this.repeatRuns = null;
    return passed;
  }

  /** Removes the entry top() found. */
  popTop(): void {
    const slot = this.topSlot;
    if (slot !== null) {
      slot.work = null;
      slot.due = Infinity;
      this.topSlot = null;
    } else if (this.topFromHeap) this.heap.pop();
    else this.run.shift();
    this.topEntry = null;
    this.topArg = undefined;
  }

  private maybeCompact(): void {
    let inSlots = 0;
    for (const slot of this.slots) if (slot.work !== null) inSlots++;
    const stale = this.heap.size + this.run.size + this.bufLen + inSlots - this.live;
    if (stale >= COMPACT_MIN_STALE && stale > this.live) {
      if (this.bufLen > 0) this.flush();
      const keep = (entry: Entry, seq: number) => typeof entry === 'function' || entry.seq === seq;
      this.heap.retain(keep);
      this.run.retain(keep);
    }
  }
}
