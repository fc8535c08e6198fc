// Answers remembered by key, up to a bound: for pure functions called again and again with the
// same few inputs (a run's tick and lot sizes, its scenario's times, a venue's status
// spellings), so that input that varies without end (a venue sending arbitrary text) cannot make
// it grow. Past the bound, answers are worked out each time and not kept.
export class BoundedMemo<K, V> {
  private readonly known = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.known.get(key);
  }

  /** Keeps `value` as the answer for `key` while there is room; returns it. */
  remember(key: K, value: V): V {
    if (this.known.size < this.limit) this.known.set(key, value);
    return value;
  }
}
