// A binary min-heap of (due, seq, value, arg) entries ordered by due time, then by seq.
// The keys and an integer slot id live in typed arrays; values sit in a slot table and are
// written once per push, so sifts move only numbers. (Moving object pointers through a plain
// array on every sift level costs a GC write barrier per store: measured 1.5-2x slower.)
// Sifts move a "hole" instead of swapping.
// seq is a strictly increasing insertion counter supplied by the caller, which makes equal due
// times pop in insertion (FIFO) order. Float64 holds seq exactly up to 2^53.

const INITIAL_CAPACITY = 64;

export class ActionHeap<V> {
  private dueKeys = new Float64Array(INITIAL_CAPACITY);
  private seqKeys = new Float64Array(INITIAL_CAPACITY);
  private slotIds = new Int32Array(INITIAL_CAPACITY);
  /** Slot table: values by slot id; free slots are chained through freeNext. */
  private slots: (V | undefined)[] = [];
  /** Each slot's argument (post(work, delay, arg)); undefined when none. */
  private slotArgs: unknown[] = [];
  private freeNext = new Int32Array(INITIAL_CAPACITY);
  private freeHead = -1;
  private count = 0;

  /** Number of entries, including any the owner considers stale. */
  get size(): number {
    return this.count;
  }

  /** Due time of the minimum entry; only meaningful when size > 0. */
  topDue(): number {
    return this.dueKeys[0] as number;
  }

  /** Sequence number of the minimum entry; only meaningful when size > 0. */
  topSeq(): number {
    return this.seqKeys[0] as number;
  }

  /** Value of the minimum entry; only meaningful when size > 0. */
  topValue(): V {
    return this.slots[this.slotIds[0] as number] as V;
  }

  /** Argument of the minimum entry; only meaningful when size > 0. */
  topArg(): unknown {
    return this.slotArgs[this.slotIds[0] as number];
  }

  private allocSlot(value: V, arg: unknown): number {
    let slot = this.freeHead;
    if (slot >= 0) {
      this.freeHead = this.freeNext[slot] as number;
      this.slots[slot] = value;
      if (arg !== undefined) this.slotArgs[slot] = arg; // a free slot's argument is undefined
    } else {
      slot = this.slots.length;
      this.slots.push(value);
      this.slotArgs.push(arg);
      if (slot >= this.freeNext.length) {
        const next = new Int32Array(this.freeNext.length * 2);
        next.set(this.freeNext);
        this.freeNext = next;
      }
    }
    return slot;
  }

  private freeSlot(slot: number): void {
    this.slots[slot] = undefined;
    this.slotArgs[slot] = undefined;
    this.freeNext[slot] = this.freeHead;
    this.freeHead = slot;
  }

  push(due: number, seq: number, value: V, arg?: unknown): void {
    let i = this.count;
    if (i === this.dueKeys.length) this.grow();
    this.count = i + 1;
    const dueKeys = this.dueKeys;
    const seqKeys = this.seqKeys;
    const slotIds = this.slotIds;
    const slot = this.allocSlot(value, arg);
    // Sift up: move parents down into the hole until the new entry's place is found.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentDue = dueKeys[parent] as number;
      if (parentDue < due || (parentDue === due && (seqKeys[parent] as number) < seq)) break;
      dueKeys[i] = parentDue;
      seqKeys[i] = seqKeys[parent] as number;
      slotIds[i] = slotIds[parent] as number;
      i = parent;
    }
    dueKeys[i] = due;
    seqKeys[i] = seq;
    slotIds[i] = slot;
  }

  /** Removes the minimum entry. No-op when empty. */
  pop(): void {
    const last = this.count - 1;
    if (last < 0) return;
    this.count = last;
    this.freeSlot(this.slotIds[0] as number);
    if (last === 0) return;
    this.siftDown(0, this.dueKeys[last] as number, this.seqKeys[last] as number, this.slotIds[last] as number);
  }

  /**
   * Keeps only the entries for which `keep(value, seq)` is true, then rebuilds the heap in O(n).
   * Used to purge lazily-deleted entries once they dominate the heap.
   */
  retain(keep: (value: V, seq: number) => boolean): void {
    const dueKeys = this.dueKeys;
    const seqKeys = this.seqKeys;
    const slotIds = this.slotIds;
    const n = this.count;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      const slot = slotIds[i] as number;
      const seq = seqKeys[i] as number;
      if (keep(this.slots[slot] as V, seq)) {
        dueKeys[kept] = dueKeys[i] as number;
        seqKeys[kept] = seq;
        slotIds[kept] = slot;
        kept++;
      } else {
        this.freeSlot(slot);
      }
    }
    this.count = kept;
    for (let i = (kept >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, dueKeys[i] as number, seqKeys[i] as number, slotIds[i] as number);
    }
  }

  /** Places (due, seq, value) into the hole at `i`, moving smaller children up. */
  private siftDown(i: number, due: number, seq: number, slot: number): void {
    const dueKeys = this.dueKeys;
    const seqKeys = this.seqKeys;
    const slotIds = this.slotIds;
    const n = this.count;
    const half = n >> 1; // nodes at index >= half are leaves
    while (i < half) {
      let child = 2 * i + 1;
      let childDue = dueKeys[child] as number;
      let childSeq = seqKeys[child] as number;
      const right = child + 1;
      if (right < n) {
        const rightDue = dueKeys[right] as number;
        if (rightDue < childDue || (rightDue === childDue && (seqKeys[right] as number) < childSeq)) {
          child = right;
          childDue = rightDue;
          childSeq = seqKeys[right] as number;
        }
      }
      if (due < childDue || (due === childDue && seq < childSeq)) break;
      dueKeys[i] = childDue;
      seqKeys[i] = childSeq;
      slotIds[i] = slotIds[child] as number;
      i = child;
    }
    dueKeys[i] = due;
    seqKeys[i] = seq;
    slotIds[i] = slot;
  }

  private grow(): void {
    const capacity = this.dueKeys.length * 2;
    const dueKeys = new Float64Array(capacity);
    dueKeys.set(this.dueKeys);
    this.dueKeys = dueKeys;
    const seqKeys = new Float64Array(capacity);
    seqKeys.set(this.seqKeys);
    this.seqKeys = seqKeys;
    const slotIds = new Int32Array(capacity);
    slotIds.set(this.slotIds);
    this.slotIds = slotIds;
  }
}
