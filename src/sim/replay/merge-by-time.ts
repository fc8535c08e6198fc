// A k-way merge of pull streams, each already in time order, into one stream in time order: a
// binary heap of the streams' next items, keyed by (time, stream index), so items of equal time
// come in the order the streams were given and each stream keeps its own order. Memory is one
// item per stream. Used to replay several files of different datasets (book, trades, quotes)
// recorded side by side as one market.

/** A stream read one item at a time; null when it ends. */
export interface PullStream<T> {
  next(): T | null;
}

export class MergeByTime<T> implements PullStream<T> {
  /** Stream indices, a min-heap by (time of its head, index). */
  private readonly heap: number[] = [];
  private readonly heads: (T | null)[];
  private readonly times: number[];

  constructor(
    private readonly streams: readonly PullStream<T>[],
    private readonly timeOf: (item: T) => number,
  ) {
    this.heads = streams.map((s) => s.next());
    this.times = this.heads.map((h) => (h === null ? Infinity : timeOf(h)));
    this.heads.forEach((h, i) => {
      if (h !== null) this.push(i);
    });
  }

  next(): T | null {
    const heap = this.heap;
    if (heap.length === 0) return null;
    const i = heap[0] as number;
    const item = this.heads[i] as T;
    const following = (this.streams[i] as PullStream<T>).next();
    this.heads[i] = following;
    if (following === null) {
      const last = heap.pop() as number;
      if (heap.length > 0) {
        heap[0] = last;
        this.down(0);
      }
    } else {
      this.times[i] = this.timeOf(following);
      this.down(0);
    }
    return item;
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a] as number;
    const tb = this.times[b] as number;
    return ta < tb || (ta === tb && a < b);
  }

  private push(i: number): void {
    const heap = this.heap;
    heap.push(i);
    let at = heap.length - 1;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.less(heap[at] as number, heap[parent] as number)) break;
      [heap[at], heap[parent]] = [heap[parent] as number, heap[at] as number];
      at = parent;
    }
  }

  private down(at: number): void {
    const heap = this.heap;
    const n = heap.length;
    while (true) {
      const l = 2 * at + 1;
      const r = l + 1;
      let least = at;
      if (l < n && this.less(heap[l] as number, heap[least] as number)) least = l;
      if (r < n && this.less(heap[r] as number, heap[least] as number)) least = r;
      if (least === at) return;
      [heap[at], heap[least]] = [heap[least] as number, heap[at] as number];
      at = least;
    }
  }
}
