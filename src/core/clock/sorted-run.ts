// A sorted run of scheduled entries beside the heap: a burst of actions scheduled before the
// clock advances (a scenario's orders, a plan's slices, a replay batch) is radix-sorted once,
// O(n), instead of paying an O(log n), cache-missing heap pop per action. The radix sort is
// stable and the burst arrives in insertion order, so equal due times keep FIFO order, exactly
// as the heap orders them; the clock fires min(heap top, run head) by (due, seq).
// Entries of a new burst are merged with whatever remains of the previous run.
//
// The sorts (integer-ms fast path, general float64 path) are in radix-sort.ts.
import { sortBurst } from './radix-sort.ts';

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
  addBurst(
    due: Float64Array,
    seq0: number,
    values: V[] | null,
    only: V | undefined,
    args: unknown[] | null,
    n: number,
  ): void {
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
