// The numbers of tops of book in flight to our market-data view (sim-venue.ts): a ring of typed
// arrays, so a top-of-book change on the simulated venue allocates nothing.

/** A missing price in the numeric top-of-book records (prices are ticks, never negative). */
export const NO_PRICE = -1;

/**
 * Tops of book on their way to our view, oldest first: a ring of numbers (price NO_PRICE for a
 * missing side) with each top's arrival time and the clock's order mark at its sending, so a
 * top-of-book change allocates nothing. The channel delivers in order, so the oldest is always
 * the next to arrive.
 */
export class TopRing {
  private cols: Float64Array[] = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(16));
  private head = 0;
  size = 0;

  /** Queues a top arriving at `at`, sent at order mark `mark`. */
  push(bid: number, bidQty: number, ask: number, askQty: number, at: number, mark: number): void {
    if (this.size === (this.cols[0] as Float64Array).length) this.grow();
    const [b, bq, a, aq, t, m] = this.cols as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const slot = (this.head + this.size++) & (b.length - 1);
    b[slot] = bid;
    bq[slot] = bidQty;
    a[slot] = ask;
    aq[slot] = askQty;
    t[slot] = at;
    m[slot] = mark;
  }

  /** Arrival time and order mark of the oldest top. */
  headAt(): number {
    return (this.cols[4] as Float64Array)[this.head] as number;
  }

  headMark(): number {
    return (this.cols[5] as Float64Array)[this.head] as number;
  }

  /** Takes the oldest top off the ring into `into` (bid, bidQty, ask, askQty). */
  shift(into: Float64Array): void {
    const h = this.head;
    for (let c = 0; c < 4; c++) into[c] = (this.cols[c] as Float64Array)[h] as number;
    this.head = (h + 1) & ((this.cols[0] as Float64Array).length - 1);
    this.size--;
  }

  private grow(): void {
    const n = (this.cols[0] as Float64Array).length;
    this.cols = this.cols.map((col) => {
      const wider = new Float64Array(2 * n);
      for (let i = 0; i < this.size; i++) wider[i] = col[(this.head + i) & (n - 1)] as number;
      return wider;
    });
    this.head = 0;
  }
}
