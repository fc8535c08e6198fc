// The venue's displayed market book for replay: aggregated by price (market-by-price, "L2"), one
// quantity per price level, as Binance's depth stream and snapshots describe it. Prices are integer
// ticks, quantities integer lots. Per side, levels live in parallel typed arrays, found by price
// through an open-addressing hash table and ordered by an indexed binary heap, so best bid/ask is
// an O(1) read, insert and remove are O(log n), a quantity change is one hash lookup, and replaying
// diffs allocates nothing per level (docs/0039-order-books-in-typed-arrays.md).

export type BookSide = 'bid' | 'ask';

/** What the venue's matching reads and writes of a displayed book (L2Book; GridBook for a
 *  generated market). */
export interface DisplayedBook {
  /** Sets the level at `price` (ticks) to `qty` (lots); qty 0 removes it. */
  set(side: BookSide, price: number, qty: number): void;
  /** Lots resting at `price` on `side` (0 when there is no level). */
  qty(side: BookSide, price: number): number;
  bestBid(): number | null;
  bestAsk(): number | null;
  /** Up to n levels of `side`, best first, as [price, qty] pairs. */
  depth(side: BookSide, n: number): Array<[number, number]>;
  /** Number of live levels on `side`. */
  levels(side: BookSide): number;
  clear(): void;
}

/** One side of the book. */
class BookHalf {
  /** price -> slot: open addressing, linear probing; entries are slot + 1, 0 = empty. */
  private table = new Int32Array(1024);
  private mask = 1023;
  private shift = 22; // 32 - log2(table.length)
  private prices = new Float64Array(256);
  private keys = new Float64Array(256);
  private qtys = new Float64Array(256);
  /** Heap position of each slot. */
  private pos = new Int32Array(256);
  /** The heap: slots ordered by keys[slot]. */
  private heap = new Int32Array(256);
  size = 0;
  /** Slots below this were handed out; freed ones wait in `free`. */
  private used = 0;
  private free: number[] = [];

  /** +1 for asks (key = price), -1 for bids (key = -price: the min-heap yields the highest). */
  constructor(private readonly sign: 1 | -1) {}

  set(price: number, qty: number): void {
    const at = this.find(price);
    const slot = (this.table[at] as number) - 1;
    if (slot >= 0) {
      if (qty > 0) this.qtys[slot] = qty;
      else this.remove(at, slot);
    } else if (qty > 0) {
      this.insert(at, price, qty);
    }
  }

  qty(price: number): number {
    const slot = (this.table[this.find(price)] as number) - 1;
    return slot < 0 ? 0 : (this.qtys[slot] as number);
  }

  /** Table index holding `price`, or the empty index where it would go. */
  private find(price: number): number {
    const table = this.table;
    const prices = this.prices;
    const mask = this.mask;
    let i = this.home(price);
    while (true) {
      const e = table[i] as number;
      if (e === 0 || prices[e - 1] === price) return i;
      i = (i + 1) & mask;
    }
  }

  /** Fibonacci hash of an integer price (both 32-bit halves, so prices past 2^32 spread too). */
  private home(price: number): number {
    const hi = (price / 4294967296) | 0;
    return Math.imul((price | 0) ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  /** Empties table index `at`, shifting later entries of the probe run back (no tombstones). */
  private unlink(at: number): void {
    const table = this.table;
    const mask = this.mask;
    let hole = at;
    let j = at;
    while (true) {
      j = (j + 1) & mask;
      const e = table[j] as number;
      if (e === 0) break;
      const home = this.home(this.prices[e - 1] as number);
      // the entry at j may move into the hole unless its home lies cyclically in (hole, j]
      const stays = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (!stays) {
        table[hole] = e;
        hole = j;
      }
    }
    table[hole] = 0;
  }

  private rehash(): void {
    const size = this.table.length * 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.shift = 32 - Math.log2(size);
    for (let p = 0; p < this.size; p++) {
      const slot = this.heap[p] as number;
      this.table[this.find(this.prices[slot] as number)] = slot + 1;
    }
  }

  best(): number | null {
    return this.size === 0 ? null : (this.prices[this.heap[0] as number] as number);
  }

  private insert(entry: number, price: number, qty: number): void {
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop() as number;
    else {
      if (this.used === this.prices.length) this.grow();
      slot = this.used++;
    }
    this.prices[slot] = price;
    this.keys[slot] = this.sign * price;
    this.qtys[slot] = qty;
    this.siftUp(this.size++, slot);
    this.table[entry] = slot + 1;
    if (this.size * 2 > this.table.length) this.rehash();
  }

  private remove(entry: number, slot: number): void {
    this.unlink(entry);
    this.free.push(slot);
    const at = this.pos[slot] as number;
    const last = this.heap[--this.size] as number;
    if (at === this.size) return;
    // the last slot fills the hole, then moves whichever way its key says
    if (at > 0 && (this.keys[last] as number) < (this.keys[this.heap[(at - 1) >> 1] as number] as number))
      this.siftUp(at, last);
    else this.siftDown(at, last);
  }

  /** Places `slot` at heap position `at` or above. */
  private siftUp(at: number, slot: number): void {
    const heap = this.heap;
    const keys = this.keys;
    const pos = this.pos;
    const key = keys[slot] as number;
    let i = at;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = heap[parent] as number;
      if ((keys[ps] as number) <= key) break;
      heap[i] = ps;
      pos[ps] = i;
      i = parent;
    }
    heap[i] = slot;
    pos[slot] = i;
  }

  /** Places `slot` at heap position `at` or below. */
  private siftDown(at: number, slot: number): void {
    const heap = this.heap;
    const keys = this.keys;
    const pos = this.pos;
    const n = this.size;
    const key = keys[slot] as number;
    let i = at;
    while (true) {
      let child = 2 * i + 1;
      if (child >= n) break;
      let cs = heap[child] as number;
      if (child + 1 < n) {
        const rs = heap[child + 1] as number;
        if ((keys[rs] as number) < (keys[cs] as number)) {
          child++;
          cs = rs;
        }
      }
      if ((keys[cs] as number) >= key) break;
      heap[i] = cs;
      pos[cs] = i;
      i = child;
    }
    heap[i] = slot;
    pos[slot] = i;
  }

  private grow(): void {
    const n = this.prices.length * 2;
    const widen = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.prices = widen(this.prices, (k) => new Float64Array(k));
    this.keys = widen(this.keys, (k) => new Float64Array(k));
    this.qtys = widen(this.qtys, (k) => new Float64Array(k));
    this.pos = widen(this.pos, (k) => new Int32Array(k));
    this.heap = widen(this.heap, (k) => new Int32Array(k));
  }

  /**
   * The n best levels, best first, without disturbing the heap: a small frontier heap of heap
   * positions (the k-smallest-of-a-heap walk), O(n log n).
   */
  depth(n: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const size = this.size;
    if (n <= 0 || size === 0) return out;
    const heap = this.heap;
    const keys = this.keys;
    const keyAt = (p: number): number => keys[heap[p] as number] as number;
    const frontier: number[] = [0];
    while (frontier.length > 0 && out.length < n) {
      const top = frontier[0] as number;
      const last = frontier.pop() as number;
      if (frontier.length > 0) {
        let j = 0;
        while (true) {
          let c = 2 * j + 1;
          if (c >= frontier.length) break;
          if (c + 1 < frontier.length && keyAt(frontier[c + 1] as number) < keyAt(frontier[c] as number)) c++;
          if (keyAt(frontier[c] as number) >= keyAt(last)) break;
          frontier[j] = frontier[c] as number;
          j = c;
        }
        frontier[j] = last;
      }
      const slot = heap[top] as number;
      out.push([this.prices[slot] as number, this.qtys[slot] as number]);
      for (let child = 2 * top + 1; child <= 2 * top + 2 && child < size; child++) {
        let j = frontier.length;
        frontier.push(child);
        while (j > 0) {
          const parent = (j - 1) >> 1;
          if (keyAt(frontier[parent] as number) <= keyAt(child)) break;
          frontier[j] = frontier[parent] as number;
          j = parent;
        }
        frontier[j] = child;
      }
    }
    return out;
  }

  clear(): void {
    this.table.fill(0);
    this.size = 0;
    this.used = 0;
    this.free = [];
  }
}

export class L2Book implements DisplayedBook {
  private readonly bids = new BookHalf(-1);
  private readonly asks = new BookHalf(1);

  /** Sets the level at `price` (ticks) to `qty` (lots); qty 0 removes it. */
  set(side: BookSide, price: number, qty: number): void {
    if (!(Number.isSafeInteger(price) && price >= 0))
      throw new Error(`L2Book: price must be a non-negative integer of ticks, got ${price}`);
    if (!(Number.isSafeInteger(qty) && qty >= 0))
      throw new Error(`L2Book: qty must be a non-negative integer of lots, got ${qty}`);
    (side === 'bid' ? this.bids : this.asks).set(price, qty);
  }

  /** Lots resting at `price` on `side` (0 when there is no level). */
  qty(side: BookSide, price: number): number {
    return (side === 'bid' ? this.bids : this.asks).qty(price);
  }

  bestBid(): number | null {
    return this.bids.best();
  }

  bestAsk(): number | null {
    return this.asks.best();
  }

  /** Up to n levels of `side`, best first, as [price, qty] pairs. */
  depth(side: BookSide, n: number): Array<[number, number]> {
    return (side === 'bid' ? this.bids : this.asks).depth(n);
  }

  /** Number of live levels on `side`. */
  levels(side: BookSide): number {
    return (side === 'bid' ? this.bids : this.asks).size;
  }

  clear(): void {
    this.bids.clear();
    this.asks.clear();
  }

  /** Removes every level of one side. */
  clearSide(side: BookSide): void {
    (side === 'bid' ? this.bids : this.asks).clear();
  }
}
