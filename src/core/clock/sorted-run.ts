// A sorted run of scheduled entries beside the heap: a burst of actions scheduled before the
// clock advances (a scenario's orders, a plan's slices, a replay batch) is radix-sorted once,
// O(n), instead of paying an O(log n), cache-missing heap pop per action. The radix sort is
// stable and the burst arrives in insertion order, so equal due times keep FIFO order, exactly
// as the heap orders them; the clock fires min(heap top, run head) by (due, seq).
// Entries of a new burst are merged with whatever remains of the previous run.

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
 * passes whose digit is the same for every key are skipped).
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

export class SortedRun<V> {
  private due = new Float64Array(0);
  private seq = new Float64Array(0);
  private values: (V | undefined)[] = [];
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
    return this.values[this.head] as V;
  }
  shift(): void {
    this.values[this.head] = undefined;
    this.head++;
    if (this.head === this.end) this.clear();
  }

  private clear(): void {
    this.due = new Float64Array(0);
    this.seq = new Float64Array(0);
    this.values = [];
    this.head = 0;
    this.end = 0;
  }

  /**
   * Adds a burst given in insertion order (seqs strictly increasing and above every seq already
   * in the run), keeping the run sorted by (due, seq).
   */
  addBurst(due: Float64Array, seq: Float64Array, values: V[], n: number): void {
    const order = stableSortOrder(due, n);
    const m = this.size;
    const total = m + n;
    const outDue = new Float64Array(total);
    const outSeq = new Float64Array(total);
    const outValues: V[] = new Array<V>(total);
    let i = this.head; // old run
    let j = 0; // burst, through `order`
    let k = 0;
    const oldDue = this.due;
    const oldSeq = this.seq;
    const oldValues = this.values;
    while (i < this.end && j < n) {
      const b = order[j] as number;
      // Old entries have smaller seqs, so on equal due the old entry goes first.
      if ((oldDue[i] as number) <= (due[b] as number)) {
        outDue[k] = oldDue[i] as number;
        outSeq[k] = oldSeq[i] as number;
        outValues[k++] = oldValues[i++] as V;
      } else {
        outDue[k] = due[b] as number;
        outSeq[k] = seq[b] as number;
        outValues[k++] = values[b] as V;
        j++;
      }
    }
    while (i < this.end) {
      outDue[k] = oldDue[i] as number;
      outSeq[k] = oldSeq[i] as number;
      outValues[k++] = oldValues[i++] as V;
    }
    while (j < n) {
      const b = order[j++] as number;
      outDue[k] = due[b] as number;
      outSeq[k] = seq[b] as number;
      outValues[k++] = values[b] as V;
    }
    this.due = outDue;
    this.seq = outSeq;
    this.values = outValues;
    this.head = 0;
    this.end = total;
  }

  /** Keeps, in order, only the entries for which keep(value, seq) holds. */
  retain(keep: (value: V, seq: number) => boolean): void {
    let k = 0;
    for (let i = this.head; i < this.end; i++) {
      const v = this.values[i] as V;
      const s = this.seq[i] as number;
      if (keep(v, s)) {
        this.due[k] = this.due[i] as number;
        this.seq[k] = s;
        this.values[k++] = v;
      }
    }
    for (let i = k; i < this.end; i++) this.values[i] = undefined;
    this.head = 0;
    this.end = k;
    if (k === 0) this.clear();
  }
}
