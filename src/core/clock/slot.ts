// A slot of the VirtualClock's queue (see Timeline): one posted function kept beside the heap,
// ordered with everything else exactly as a post; optionally repeating (its due times pass
// counted, without running the work).

/** What a slot needs of the queue it belongs to (the Timeline): its time, whether it is
 *  replaying, its count of live work and the next seq. */
export interface SlotQueue {
  readonly nowMs: number;
  readonly replaying: boolean;
  live: number;
  reserveSeq(): number;
}

/**
 * One posted function kept beside the queue (VirtualClock.slot): its due time and seq are taken
 * exactly as post() takes them, and top() compares it with the queue's top, so it runs in the
 * same (due, seq) order; a step that posts itself every period costs no heap push and pop.
 * A slot may also repeat (repeat()): each time its work comes due it is only counted and due
 * again a period later with the next seq, exactly as work that did nothing but post itself again
 * would be, without running anything; the work runs on the first due time `runAfter` or more
 * after the first one counted (a model that keeps its steps as data and catches up now and then).
 */
export class Slot {
  due = Infinity;
  seq = 0;
  work: (() => void) | null = null;
  /** The repeat period, 0 when not repeating. */
  period = 0;
  runAfter = Infinity;
  /** Due times passed since the count was last taken, and the first one. */
  count = 0;
  firstDue = 0;

  constructor(private readonly timeline: SlotQueue) {}

  post(work: () => void, delay: number): void {
    if (this.work !== null) throw new Error('VirtualClock slot: it already holds work (not yet run, or repeating)');
    if (delay === Infinity) return;
    const timeline = this.timeline;
    if (timeline.replaying) throw new Error('VirtualClock: nothing can be posted or scheduled from replayed work');
    this.seq = timeline.reserveSeq();
    timeline.live++;
    this.due = timeline.nowMs + delay;
    this.work = work;
  }

  repeat(period: number, runAfter: number): void {
    if (this.work === null) throw new Error('VirtualClock slot: repeat() needs posted work');
    if (!(period > 0 && period < Infinity)) throw new RangeError(`VirtualClock slot: repeat period ${period}`);
    if (Number.isNaN(runAfter)) throw new RangeError('VirtualClock slot: runAfter is NaN');
    this.period = period;
    this.runAfter = runAfter;
  }

  stopRepeating(): void {
    if (this.count > 0) throw new Error('VirtualClock slot: stopped repeating with repetitions not taken');
    this.period = 0;
  }

  takeCount(): number {
    const n = this.count;
    this.count = 0;
    return n;
  }
}
