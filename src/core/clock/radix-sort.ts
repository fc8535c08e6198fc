// The sorts behind SortedRun (sorted-run.ts): stable LSD radix sorts of a burst's due times.
// sortBurst handles the usual case (integer ms spanning < 2^32 ms: uint32 keys relative to the
// minimum, as few 11-bit passes as the span needs, an already ordered burst left alone);
// stableSortOrder is the general one (any float64, via two order-preserving uint32 words).

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
  const passes: Array<[0 | 1, number]> = [
    [0, 0],
    [0, 11],
    [0, 22],
    [1, 0],
    [1, 11],
    [1, 22],
  ];
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
