// A sorted run of scheduled entries beside the heap: a burst of actions scheduled before the
// clock advances (a scenario's orders, a plan's slices, a replay batch) is radix-sorted once,
// O(n), instead of paying an O(log n), cache-missing heap pop per action. The radix sort is
// stable and the burst arrives in insertion order, so equal due times keep FIFO order, exactly
// as the heap orders them; the clock fires min(heap top, run head) by (due, seq).
// Entries of a new burst are merged with whatever remains of the previous run.
//
// Two sorts: when every due time in the burst is an integer and they span less than 2^32 ms (the
// usual case: integer-ms timestamps), the keys are `due - min` as uint32, sorted in as few passes
// as their bit width needs (a 1,000,000 ms span: two 10-bit passes), and a burst already in time
// order is recognised and not sorted at all. Otherwise (fractional ms, huge spans) the general
// sort maps each float64 to two order-preserving uint32 words (stableSortOrder).

/** Maps a float64 to two uint32 words whose unsigned order is the numeric order. */
function sortableWords(keys: Float64Array, hi: Uint32Array, lo: Uint32Array, n: number): void {
  const view = new Float64Array(1);
  const words = new Uint32Array(view.buffer);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const H = littleEndian ? 1 : 0;
  const L = 1 - H;
  for (let i = 0; i < n; i++) {
    view[0] = (keys[i] as number) + 0; // +0 folds -0 into 0
    let h = words[H] as number;
    let l = words[L] as number;
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else {
      h = (h | 0x80000000) >>> 0;
    }
    hi[i] = h;
    lo[i] = l;
  }
}

const BITS = 11;
const BUCKETS = 1 << BITS;
const MASK = BUCKETS - 1;

/**
 * Returns the permutation that stably sorts `keys[0..n)` ascending (LSD radix, 11-bit digits,
 * passes whose digit is the same for every key are skipped). Works for any finite float64.
 */
export function stableSortOrder(keys: Float64Array, n: number): Uint32Array {
  let hi = new Uint32Array(n);
  let lo = new Uint32Array(n);
  sortableWords(keys, hi, lo, n);
  let idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  let hi2 = new Uint32Array(n);
  let lo2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  const counts = new Uint32Array(BUCKETS);
  // (word, shift) per pass, least significant first: lo 0/11/22, hi 0/11/22.
  const passes: Array<[0 | 1, number]> = [[0, 0], [0, 11], [0, 22], [1, 0], [1, 11], [1, 22]];
  for (const [word, shift] of passes) {
    counts.fill(0);
    const src = word === 0 ? lo : hi;
    for (let i = 0; i < n; i++) counts[((src[i] as number) >>> shift) & MASK]!++;
    if (counts[((src[0] as number) >>> shift) & MASK] === n) continue; // every key has this digit
    let sum = 0;
    for (let b = 0; b < BUCKETS; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const d = ((src[i] as number) >>> shift) & MASK;
      const at = counts[d]!++;
      hi2[at] = hi[i] as number;
      lo2[at] = lo[i] as number;
      idx2[at] = idx[i] as number;
    }
    [hi, hi2] = [hi2, hi];
    [lo, lo2] = [lo2, lo];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}

/** Largest span (max - min due) the integer sort takes: keys must fit in a uint32. */
const INT_SPAN_MAX = 0xffffffff;

/**
 * Sorts a burst's due times: fills `outDue[0..n)` with them in ascending order and returns the
 * stable permutation (`order[k]` is the burst index of the k-th smallest), or null when the burst
 * is already in order (then outDue is a copy of `due`).
 */
export function sortBurst(due: Float64Array, n: number, outDue: Float64Array): Uint32Array | null {
  let min = Infinity;
  let max = -Infinity;
  let integral = true;
  let ordered = true;
  let prev = -Infinity;
  for (let i = 0; i < n; i++) {
    const d = due[i] as number;
    if (d < prev) ordered = false;
    prev = d;
    if (d < min) min = d;
    if (d > max) max = d;
    if (d !== Math.floor(d)) integral = false;
  }
  if (ordered) {
    outDue.set(due.subarray(0, n));
    return null;
  }
  if (!integral || max - min > INT_SPAN_MAX) {
    const order = stableSortOrder(due, n);
    for (let k = 0; k < n; k++) outDue[k] = due[order[k] as number] as number;
    return order;
  }
  // Integer keys relative to min, exact (both are integers, the span fits in 32 bits).
  const span = max - min;
  const bits = 32 - Math.clz32(span); // span > 0 here: the burst is not in order
  const passes = Math.ceil(bits / BITS);
  const width = Math.ceil(bits / passes);
  const mask = (1 << width) - 1;
  const buckets = 1 << width;
  let keys = new Uint32Array(n);
  for (let i = 0; i < n; i++) keys[i] = (due[i] as number) - min;
  // All digit histograms in one read of the keys.
  const counts = new Uint32Array(buckets * passes);
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    for (let p = 0; p < passes; p++) counts[p * buckets + ((k >>> (p * width)) & mask)]!++;
  }
  for (let p = 0; p < passes; p++) {
    let sum = 0;
    const base = p * buckets;
    for (let b = base; b < base + buckets; b++) {
      const c = counts[b] as number;
      counts[b] = sum;
      sum += c;
    }
  }
  let idx = new Uint32Array(n);
  let keys2 = new Uint32Array(n);
  let idx2 = new Uint32Array(n);
  // First pass: the source index is i itself.
  for (let i = 0; i < n; i++) {
    const k = keys[i] as number;
    const at = counts[k & mask]!++;
    keys2[at] = k;
    idx2[at] = i;
  }
  [keys, keys2] = [keys2, keys];
  [idx, idx2] = [idx2, idx];
  for (let p = 1; p < passes; p++) {
    const shift = p * width;
    const base = p * buckets;
    for (let i = 0; i < n; i++) {
      const k = keys[i] as number;
      const at = counts[base + ((k >>> shift) & mask)]!++;
      keys2[at] = k;
      idx2[at] = idx[i] as number;
    }
    [keys, keys2] = [keys2, keys];
    [idx, idx2] = [idx2, idx];
  }
  for (let k = 0; k < n; k++) outDue[k] = min + (keys[k] as number);
  return idx;
}

/**
 * The run: entries sorted by (due, seq) in parallel arrays. Two common shapes are stored without a
 * per-entry array, so adding them gathers nothing and firing reads nothing for them: a burst whose
 * entries all have the same value (one handler posted many times: `values` is null and `only` is
 * that value) and a burst without arguments (`args` is null).
 */
export class SortedRun<V> {
  private due = new Float64Array(0);
  private seq = new Float64Array(0);
  /** Per-entry values, or null when every entry's value is `only`. */
  private values: (V | undefined)[] | null = null;
  private only: V | undefined = undefined;
  /** Per-entry arguments, or null when every argument is undefined. */
  private args: unknown[] | null = null;
  private head = 0;
  private end = 0;

  get size(): number {
    return this.end - this.head;
  }
  headDue(): number {
    return this.due[this.head] as number;
  }
  headSeq(): number {
    return this.seq[this.head] as number;
  }
  headValue(): V {
    const values = this.values;
    return (values === null ? this.only : values[this.head]) as V;
  }
  headArg(): unknown {
    const args = this.args;
    return args === null ? undefined : args[this.head];
  }
  shift(): void {
    const h = this.head;
    // Fired entries must be collectable.
    if (this.values !== null) this.values[h] = undefined;
    if (this.args !== null) this.args[h] = undefined;
    this.head = h + 1;
    if (h + 1 === this.end) this.clear();
  }

  private clear(): void {
    this.due = new Float64Array(0);
    this.seq = new Float64Array(0);
    this.values = null;
    this.only = undefined;
    this.args = null;
    this.head = 0;
    this.end = 0;
  }

  /**
   * Adds a burst of n entries given in insertion order, with consecutive seqs seq0, seq0 + 1, ...
   * all above every seq already in the run, keeping the run sorted by (due, seq). Entry i's value
   * is `values[i]`, or `only` for every entry when `values` is null; its argument is `args[i]`, or
   * undefined for every entry when `args` is null.
   */
  addBurst(due: Float64Array, seq0: number, values: V[] | null, only: V | undefined, args: unknown[] | null, n: number): void {
    const bDue = new Float64Array(n);
    const order = sortBurst(due, n, bDue);
    const m = this.size;
    const total = m + n;
    const oldHead = this.head;
    const oldEnd = this.end;
    const oldDue = this.due;
    const oldSeq = this.seq;
    const oldValues = this.values;
    const oldArgs = this.args;
    const oldOnly = this.only;
    // The shape of the merged run: shared value / no arguments only if both sides have it.
    const shared = values === null && (m === 0 || (oldValues === null && oldOnly === only));
    const noArgs = args === null && (m === 0 || oldArgs === null);
    const outSeq = new Float64Array(total);
    const outValues: (V | undefined)[] | null = shared ? null : new Array<V | undefined>(total);
    const outArgs: unknown[] | null = noArgs ? null : new Array<unknown>(total);
    this.only = shared ? only : undefined;
    this.head = 0;
    this.end = total;
    this.seq = outSeq;
    this.values = outValues;
    this.args = outArgs;
    if (m === 0) {
      // Nothing to merge with (the usual case): the sorted burst becomes the run, one array at a time.
      this.due = bDue;
      if (order === null) {
        for (let k = 0; k < n; k++) outSeq[k] = seq0 + k;
        if (outValues !== null) for (let k = 0; k < n; k++) outValues[k] = values === null ? only : values[k];
        if (outArgs !== null) for (let k = 0; k < n; k++) outArgs[k] = (args as unknown[])[k];
      } else {
        for (let k = 0; k < n; k++) outSeq[k] = seq0 + (order[k] as number);
        if (outValues !== null) {
          if (values === null) outValues.fill(only);
          else for (let k = 0; k < n; k++) outValues[k] = values[order[k] as number];
        }
        if (outArgs !== null) for (let k = 0; k < n; k++) outArgs[k] = (args as unknown[])[order[k] as number];
      }
      return;
    }
    const outDue = new Float64Array(total);
    this.due = outDue;
    let i = oldHead; // old run
    let j = 0; // burst, in sorted order
    let k = 0;
    for (;;) {
      let fromOld: boolean;
      if (i < oldEnd) {
        // Old entries have smaller seqs, so on equal due the old entry goes first.
        fromOld = j === n || (oldDue[i] as number) <= (bDue[j] as number);
      } else if (j < n) fromOld = false;
      else break;
      if (fromOld) {
        outDue[k] = oldDue[i] as number;
        outSeq[k] = oldSeq[i] as number;
        if (outValues !== null) outValues[k] = oldValues === null ? oldOnly : oldValues[i];
        if (outArgs !== null) outArgs[k] = oldArgs === null ? undefined : oldArgs[i];
        i++;
      } else {
        const b = order === null ? j : (order[j] as number);
        outDue[k] = bDue[j++] as number;
        outSeq[k] = seq0 + b;
        if (outValues !== null) outValues[k] = values === null ? only : values[b];
        if (outArgs !== null) outArgs[k] = args === null ? undefined : args[b];
      }
      k++;
    }
  }

  /** Keeps, in order, only the entries for which keep(value, seq) holds. */
  retain(keep: (value: V, seq: number) => boolean): void {
    let k = 0;
    const values = this.values;
    const args = this.args;
    for (let i = this.head; i < this.end; i++) {
      const v = (values === null ? this.only : values[i]) as V;
      const s = this.seq[i] as number;
      if (keep(v, s)) {
        this.due[k] = this.due[i] as number;
        this.seq[k] = s;
        if (values !== null) values[k] = v;
        if (args !== null) args[k] = args[i];
        k++;
      }
    }
    for (let i = k; i < this.end; i++) {
      if (values !== null) values[i] = undefined;
      if (args !== null) args[i] = undefined;
    }
    this.head = 0;
    this.end = k;
    if (k === 0) this.clear();
  }
}
