// Storage for the L3 book: resting orders, their index by id, and price levels, all in typed
// arrays, so add, fill and cancel are allocation-free and O(1) and cost the GC nothing to trace
// (docs/0039-order-books-in-typed-arrays.md). An order is a 32-byte record in one buffer seen
// through two views: id and qty as float64 (every safe integer is exact) in `num`, links, level
// and owner as int32 in `link`. Its handle h is the record's int32 index: fields are
// num[(h >> 1) + ID | QTY] and link[h + PREV | NEXT | LEVEL | OWNER]. This file knows no matching
// rules; l3-book.ts owns those and the price maps and heaps. checkL3Side, the structural
// self-check, sits here because it walks exactly these links.
import type { L3PriceHeap } from './l3-price-heap.ts';

/** Field offsets inside an order record: float64 fields from h >> 1, int32 fields from h. */
export const ID = 0;
export const QTY = 1;
// Each level is a doubly linked FIFO of its orders (PREV/NEXT handles, -1 at the ends).
export const PREV = 4;
export const NEXT = 5;
export const LEVEL = 6;
export const OWNER = 7;
/** Record size in int32 slots (32 bytes). */
const STRIDE = 8;

/** Level side codes stored in lSide. */
export const BID = 0;
export const ASK = 1;

export class L3Pool {
  /** Order records (two views of one buffer); a free record is chained through its NEXT field. */
  num: Float64Array;
  link: Int32Array;
  private ordFree = -1;
  private ordHigh = 0;

  /** Id index: idx[2b] = id, idx[2b + 1] = handle, or -1 when bucket b is empty. Open addressing
   *  with linear probing over [id, handle] pairs, load <= 1/2, deletion by backward shift (no
   *  tombstones), so a lookup is usually one cache line. */
  private idx: Float64Array;
  private idxMask: number;
  private idxShift: number;
  /** Number of resting orders. */
  size = 0;

  // Levels, by level slot (few and hot, so parallel arrays). A free slot is chained through lHead.
  lPrice: Float64Array;
  lQty: Float64Array;
  lCount: Int32Array;
  lHead: Int32Array;
  lTail: Int32Array;
  lSide: Uint8Array;
  private lFree = -1;
  private lHigh = 0;

  constructor(orderCapacity: number, levelCapacity: number) {
    const buffer = new ArrayBuffer(Math.max(16, orderCapacity) * STRIDE * 4);
    this.num = new Float64Array(buffer);
    this.link = new Int32Array(buffer);
    let buckets = 32;
    while (buckets < 2 * orderCapacity) buckets *= 2;
    this.idx = new Float64Array(2 * buckets).fill(-1);
    this.idxMask = buckets - 1;
    this.idxShift = 32 - Math.log2(buckets);
    const m = Math.max(16, levelCapacity);
    this.lPrice = new Float64Array(m);
    this.lQty = new Float64Array(m);
    this.lCount = new Int32Array(m);
    this.lHead = new Int32Array(m);
    this.lTail = new Int32Array(m);
    this.lSide = new Uint8Array(m);
  }

  /** Handle of the resting order with this id, or -1. */
  find(id: number): number {
    const idx = this.idx;
    const mask = this.idxMask;
    for (let b = this.home(id); ; b = (b + 1) & mask) {
      const h = idx[2 * b + 1] as number;
      if (h < 0 || idx[2 * b] === id) return h;
    }
  }

  /** A new order record appended at the tail of level `lvl`; the caller guarantees a new id. */
  addOrder(lvl: number, id: number, qty: number, owner: number): number {
    let h = this.ordFree;
    if (h >= 0) this.ordFree = this.link[h + NEXT] as number;
    else {
      if (this.ordHigh === this.link.length) this.growOrders();
      h = this.ordHigh;
      this.ordHigh += STRIDE;
    }
    const f = h >> 1;
    this.num[f + ID] = id;
    this.num[f + QTY] = qty;
    this.link[h + OWNER] = owner;
    this.link[h + LEVEL] = lvl;
    this.linkTail(lvl, h);
    this.index(id, h);
    return h;
  }

  /** Unlinks order `h` from its level (level totals updated), unindexes and frees it. */
  removeOrder(h: number): void {
    this.unlink(h);
    this.release(h);
  }

  /** Unindexes and frees a record already unlinked from its level. */
  release(h: number): void {
    this.unindex(this.num[(h >> 1) + ID] as number);
    this.link[h + NEXT] = this.ordFree;
    this.ordFree = h;
  }

  /** Appends `h` at the tail of `lvl` and adds its qty to the level. */
  linkTail(lvl: number, h: number): void {
    const link = this.link;
    const tail = this.lTail[lvl] as number;
    link[h + PREV] = tail;
    link[h + NEXT] = -1;
    if (tail >= 0) link[tail + NEXT] = h;
    else this.lHead[lvl] = h;
    this.lTail[lvl] = h;
    this.lQty[lvl] = (this.lQty[lvl] as number) + (this.num[(h >> 1) + QTY] as number);
    this.lCount[lvl] = (this.lCount[lvl] as number) + 1;
  }

  /** Takes `h` out of its level's queue and its qty out of the level total; keeps the record. */
  unlink(h: number): void {
    const link = this.link;
    const lvl = link[h + LEVEL] as number;
    const prev = link[h + PREV] as number;
    const next = link[h + NEXT] as number;
    if (prev >= 0) link[prev + NEXT] = next;
    else this.lHead[lvl] = next;
    if (next >= 0) link[next + PREV] = prev;
    else this.lTail[lvl] = prev;
    this.lQty[lvl] = (this.lQty[lvl] as number) - (this.num[(h >> 1) + QTY] as number);
    this.lCount[lvl] = (this.lCount[lvl] as number) - 1;
  }

  addLevel(price: number, side: number): number {
    let l = this.lFree;
    if (l >= 0) this.lFree = this.lHead[l] as number;
    else {
      if (this.lHigh === this.lPrice.length) this.growLevels();
      l = this.lHigh++;
    }
    this.lPrice[l] = price;
    this.lQty[l] = 0;
    this.lCount[l] = 0;
    this.lHead[l] = -1;
    this.lTail[l] = -1;
    this.lSide[l] = side;
    return l;
  }

  removeLevel(l: number): void {
    this.lHead[l] = this.lFree;
    this.lFree = l;
  }

  /** Bucket an id hashes to: both 32-bit halves mixed, the top bits taken (Fibonacci hashing). */
  private home(id: number): number {
    const mixed = (id | 0) ^ Math.imul((id / 4294967296) | 0, 0x85ebca6b);
    return Math.imul(mixed ^ (mixed >>> 16), 0x9e3779b1) >>> this.idxShift;
  }

  private index(id: number, h: number): void {
    if (2 * (this.size + 1) > this.idxMask + 1) this.growIndex();
    const idx = this.idx;
    const mask = this.idxMask;
    let b = this.home(id);
    while ((idx[2 * b + 1] as number) >= 0) b = (b + 1) & mask;
    idx[2 * b] = id;
    idx[2 * b + 1] = h;
    this.size++;
  }

  private unindex(id: number): void {
    const idx = this.idx;
    const mask = this.idxMask;
    let hole = this.home(id);
    for (;;) {
      if ((idx[2 * hole + 1] as number) < 0) throw new Error(`L3Pool: id ${id} is not indexed`);
      if (idx[2 * hole] === id) break;
      hole = (hole + 1) & mask;
    }
    // Backward shift: pull later entries of the probe run into the hole unless that would move
    // them before their home bucket.
    for (let j = (hole + 1) & mask; (idx[2 * j + 1] as number) >= 0; j = (j + 1) & mask) {
      const home = this.home(idx[2 * j] as number);
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      idx[2 * hole] = idx[2 * j] as number;
      idx[2 * hole + 1] = idx[2 * j + 1] as number;
      hole = j;
    }
    idx[2 * hole + 1] = -1;
    this.size--;
  }

  private growIndex(): void {
    const old = this.idx;
    const buckets = 2 * (this.idxMask + 1);
    this.idx = new Float64Array(2 * buckets).fill(-1);
    this.idxMask = buckets - 1;
    this.idxShift--;
    this.size = 0;
    for (let b = 0; b < old.length; b += 2)
      if ((old[b + 1] as number) >= 0) this.index(old[b] as number, old[b + 1] as number);
  }

  private growOrders(): void {
    const buffer = new ArrayBuffer(this.link.byteLength * 2);
    new Int32Array(buffer).set(this.link);
    this.num = new Float64Array(buffer);
    this.link = new Int32Array(buffer);
  }

  private growLevels(): void {
    const n = this.lPrice.length * 2;
    this.lPrice = grow(this.lPrice, new Float64Array(n));
    this.lQty = grow(this.lQty, new Float64Array(n));
    this.lCount = grow(this.lCount, new Int32Array(n));
    this.lHead = grow(this.lHead, new Int32Array(n));
    this.lTail = grow(this.lTail, new Int32Array(n));
    this.lSide = grow(this.lSide, new Uint8Array(n));
  }
}

/**
 * Checks one side: every level in the price map is in the heap at its key, its queue links are
 * consistent, its orders are indexed by id with positive integer qty, and its qty and count equal
 * the sums over its orders; the heap is ordered. Returns the number of orders. Throws on a breach.
 */
export function checkL3Side(
  pool: L3Pool,
  levels: ReadonlyMap<number, number>,
  heap: L3PriceHeap,
  side: number,
): number {
  if (heap.size !== levels.size) throw new Error(`L3Book: heap has ${heap.size} levels, map ${levels.size}`);
  const { num, link } = pool;
  let orders = 0;
  for (const [price, lvl] of levels) {
    if (!heap.has(lvl) || pool.lPrice[lvl] !== price || pool.lSide[lvl] !== side) {
      throw new Error(`L3Book: level ${price} is inconsistent`);
    }
    let qty = 0;
    let count = 0;
    let prev = -1;
    for (let h = pool.lHead[lvl] as number; h >= 0; h = link[h + NEXT] as number) {
      const q = num[(h >> 1) + QTY] as number;
      const id = num[(h >> 1) + ID] as number;
      if (!(q > 0) || !Number.isSafeInteger(q)) throw new Error(`L3Book: order ${id} has qty ${q}`);
      if (link[h + PREV] !== prev || link[h + LEVEL] !== lvl) throw new Error(`L3Book: broken queue at ${price}`);
      if (pool.find(id) !== h) throw new Error(`L3Book: order ${id} is missing from the id index`);
      qty += q;
      count++;
      prev = h;
    }
    if (pool.lTail[lvl] !== prev) throw new Error(`L3Book: level ${price} has a wrong tail`);
    if (count === 0 || count !== pool.lCount[lvl] || qty !== pool.lQty[lvl]) {
      throw new Error(
        `L3Book: level ${price} says ${pool.lQty[lvl]} in ${pool.lCount[lvl]} orders; its orders sum to ${qty} in ${count}`,
      );
    }
    orders += count;
  }
  for (let i = 0; i < heap.size; i++) {
    if (i > 0 && heap.keyAt((i - 1) >> 1) > heap.keyAt(i)) throw new Error('L3Book: heap order broken');
    const price = pool.lPrice[heap.slotAt(i)] as number;
    if (heap.keyAt(i) !== (side === BID ? -price : price))
      throw new Error('L3Book: heap key differs from its level price');
  }
  return orders;
}

function grow<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
