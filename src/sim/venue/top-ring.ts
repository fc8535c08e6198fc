// The numbers of tops of book in flight to our market-data view (sim-venue.ts): a ring of typed
// arrays, so a top-of-book change on the simulated venue allocates nothing.
//
// One typed array per column, each its own field, and growing replaces the arrays of those fields
// with longer ones of the same kind: the ring's fields keep one shape for the life of the process.
// (It held the columns in an array that growing replaced with a new one built by `map`, whose
// elements kind could differ from the first one's; the first ring of a process to grow then made
// every optimized function that reads a ring, the venue's whole market-data path, deoptimize.)

/** A missing price in the numeric top-of-book records (prices are ticks, never negative). */
export const NO_PRICE = -1;

const FIRST_CAPACITY = 16;

/**
 * Tops of book on their way to our view, oldest first: a ring of numbers (price NO_PRICE for a
 * missing side) with each top's arrival time and the clock's order mark at its sending, so a
 * top-of-book change allocates nothing. The channel delivers in order, so the oldest is always
 * the next to arrive.
 */
export class TopRing {
  private bids = new Float64Array(FIRST_CAPACITY);
  private bidQtys = new Float64Array(FIRST_CAPACITY);
  private asks = new Float64Array(FIRST_CAPACITY);
  private askQtys = new Float64Array(FIRST_CAPACITY);
  private ats = new Float64Array(FIRST_CAPACITY);
  private marks = new Float64Array(FIRST_CAPACITY);
  /** Capacity - 1 (the capacity is a power of two). */
  private mask = FIRST_CAPACITY - 1;
  private head = 0;
  size = 0;

  /** Queues a top arriving at `at`, sent at order mark `mark`. */
  push(bid: number, bidQty: number, ask: number, askQty: number, at: number, mark: number): void {
    if (this.size > this.mask) this.grow();
    const slot = (this.head + this.size++) & this.mask;
    this.bids[slot] = bid;
    this.bidQtys[slot] = bidQty;
    this.asks[slot] = ask;
    this.askQtys[slot] = askQty;
    this.ats[slot] = at;
    this.marks[slot] = mark;
  }

  /** Arrival time and order mark of the oldest top. */
  headAt(): number {
    return this.ats[this.head] as number;
  }

  headMark(): number {
    return this.marks[this.head] as number;
  }

  /** Takes the oldest top off the ring into `into` (bid, bidQty, ask, askQty). */
  shift(into: Float64Array): void {
    const h = this.head;
    into[0] = this.bids[h] as number;
    into[1] = this.bidQtys[h] as number;
    into[2] = this.asks[h] as number;
    into[3] = this.askQtys[h] as number;
    this.head = (h + 1) & this.mask;
    this.size--;
  }

  /** Doubles the capacity, the tops in flight moved to the front in order. */
  private grow(): void {
    this.bids = this.wider(this.bids);
    this.bidQtys = this.wider(this.bidQtys);
    this.asks = this.wider(this.asks);
    this.askQtys = this.wider(this.askQtys);
    this.ats = this.wider(this.ats);
    this.marks = this.wider(this.marks);
    this.mask = 2 * this.mask + 1;
    this.head = 0;
  }

  private wider(col: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
    const out = new Float64Array(2 * col.length);
    for (let i = 0; i < this.size; i++) out[i] = col[(this.head + i) & this.mask] as number;
    return out;
  }
}
