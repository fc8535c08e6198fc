// The price levels of one side of the L3 book, ordered best first: an indexed binary min-heap of
// level slots keyed by a number (the ask side keys by price, the bid side by -price).
// Why a heap and not a sorted array or a tree: the book needs the best level in O(1) and a level
// added or removed anywhere in O(log levels); an indexed heap gives both with three typed arrays
// and no allocation, and `pos` (level slot -> heap index) lets a level that empties deep in the
// book be removed at once instead of lazily. A full ordering (depth snapshots) is rare, so it is
// paid for there (sort), not on every operation.
// Sifts move a "hole" instead of swapping (one store per level instead of three).

export class L3PriceHeap {
  /** keys[i], slots[i]: key and level slot of heap entry i. */
  private keys: Float64Array;
  private slots: Int32Array;
  /** pos[levelSlot]: heap index of that level, or -1 when the level is not in this heap. */
  private pos: Int32Array;
  private count = 0;
  /** Scratch stack for sumWhileKeyAtMost. */
  private stack = new Int32Array(64);

  constructor(capacity = 64) {
    const n = Math.max(4, capacity);
    this.keys = new Float64Array(n);
    this.slots = new Int32Array(n);
    this.pos = new Int32Array(n).fill(-1);
  }

  get size(): number {
    return this.count;
  }

  /** Level slot of the best (minimum-key) entry, or -1 when empty. */
  top(): number {
    return this.count > 0 ? (this.slots[0] as number) : -1;
  }

  /** Level slot of heap entry i (0 <= i < size): for walks that prune by key. */
  slotAt(i: number): number {
    return this.slots[i] as number;
  }

  keyAt(i: number): number {
    return this.keys[i] as number;
  }

  has(slot: number): boolean {
    return slot < this.pos.length && (this.pos[slot] as number) >= 0;
  }

  push(slot: number, key: number): void {
    if (this.count === this.keys.length) this.growHeap();
    if (slot >= this.pos.length) this.growPos(slot);
    if ((this.pos[slot] as number) >= 0) throw new Error(`L3PriceHeap: level slot ${slot} is already in the heap`);
    this.count++;
    this.siftUp(this.count - 1, slot, key);
  }

  /** Removes a level wherever it is: O(log size). */
  remove(slot: number): void {
    const i = slot < this.pos.length ? (this.pos[slot] as number) : -1;
    if (i < 0) throw new Error(`L3PriceHeap: level slot ${slot} is not in the heap`);
    this.pos[slot] = -1;
    const last = --this.count;
    if (i === last) return;
    const movedSlot = this.slots[last] as number;
    const movedKey = this.keys[last] as number;
    // The last entry fills the hole at i; it may belong above or below it.
    if (i > 0 && movedKey < (this.keys[(i - 1) >> 1] as number)) this.siftUp(i, movedSlot, movedKey);
    else this.siftDown(i, movedSlot, movedKey);
  }

  /**
   * Sum of weights[slot] over entries with key <= maxKey, stopping once it reaches `enough`
   * (the FOK check: crossing liquidity). An entry above maxKey has no descendant at or below it,
   * so only the qualifying subtree is walked; nothing is mutated.
   */
  sumWhileKeyAtMost(maxKey: number, weights: Float64Array, enough: number): number {
    if (this.stack.length < this.count + 2) this.stack = new Int32Array(2 * this.count + 2);
    const stack = this.stack;
    let sp = 0;
    let sum = 0;
    if (this.count > 0) stack[sp++] = 0;
    while (sp > 0 && sum < enough) {
      const i = stack[--sp] as number;
      if ((this.keys[i] as number) > maxKey) continue;
      sum += weights[this.slots[i] as number] as number;
      const child = 2 * i + 1;
      if (child < this.count) stack[sp++] = child;
      if (child + 1 < this.count) stack[sp++] = child + 1;
    }
    return sum;
  }

  private siftUp(hole: number, slot: number, key: number): void {
    const keys = this.keys;
    const slots = this.slots;
    const pos = this.pos;
    let i = hole;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentKey = keys[parent] as number;
      if (parentKey <= key) break;
      const parentSlot = slots[parent] as number;
      keys[i] = parentKey;
      slots[i] = parentSlot;
      pos[parentSlot] = i;
      i = parent;
    }
    keys[i] = key;
    slots[i] = slot;
    pos[slot] = i;
  }

  private siftDown(hole: number, slot: number, key: number): void {
    const keys = this.keys;
    const slots = this.slots;
    const pos = this.pos;
    const n = this.count;
    let i = hole;
    while (true) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let childKey = keys[child] as number;
      const right = child + 1;
      if (right < n) {
        const rightKey = keys[right] as number;
        if (rightKey < childKey) {
          child = right;
          childKey = rightKey;
        }
      }
      if (key <= childKey) break;
      const childSlot = slots[child] as number;
      keys[i] = childKey;
      slots[i] = childSlot;
      pos[childSlot] = i;
      i = child;
    }
    keys[i] = key;
    slots[i] = slot;
    pos[slot] = i;
  }

  private growHeap(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const slots = new Int32Array(this.slots.length * 2);
    slots.set(this.slots);
    this.slots = slots;
  }

  private growPos(slot: number): void {
    let n = this.pos.length * 2;
    while (n <= slot) n *= 2;
    const pos = new Int32Array(n).fill(-1);
    pos.set(this.pos);
    this.pos = pos;
  }
}
