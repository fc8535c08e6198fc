// The queue behind VirtualClock: pending entries ordered by (due time, insertion sequence). New
// entries wait in an append buffer until the top is read; then a small buffer goes into the binary
// heap and a burst is radix-sorted into a run (sorted-run.ts); the top is the smaller of heap top
// and run head. Actions are cancelled lazily (an entry is live while the action's seq matches it)
// and purged in bulk; posted functions are never stale. pending() is `live`, always exact.
import { ActionHeap } from './action-heap.ts';
import { SortedRun } from './sorted-run.ts';

/** What the timeline needs of a scheduled action: the seq of its live entry, -1 when none. */
export interface QueuedAction {
  seq: number;
}

/** What the queue holds: an action from schedule(), or the work function itself from post(). */
export type Entry = QueuedAction | (() => void);

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

  cancel(action: QueuedAction): void {
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
