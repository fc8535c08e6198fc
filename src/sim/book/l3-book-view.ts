// The L3 book's structure and everything it can be asked without changing it: best prices,
// level totals and counts, depth snapshots, queue order and position, one order's view, and the
// full invariant check. The structure: a pooled order store (l3-pool.ts), a Map from price to
// level per side and an indexed heap per side (l3-price-heap.ts). Separate from l3-book.ts,
// which holds the hot mutating paths (matching, resting, cancel, modify), so each reads alone.
import type { Side } from '../../core/model/order.ts';
import { L3PriceHeap } from './l3-price-heap.ts';
import { ASK, BID, checkL3Side, ID, L3Pool, LEVEL, NEXT, OWNER, PREV, QTY } from './l3-pool.ts';

export interface L3OrderView {
  readonly id: number;
  readonly side: Side;
  readonly price: number;
  readonly qty: number;
  readonly owner: number;
}

export interface L3BookOptions {
  /** Initial pool sizes; the pools double when full. */
  readonly orderCapacity?: number;
  readonly levelCapacity?: number;
}

export abstract class L3BookView {
  protected readonly pool: L3Pool;
  protected readonly bidLevels = new Map<number, number>();
  protected readonly askLevels = new Map<number, number>();
  /** Bids keyed by -price, asks by price: the heap minimum is the best level. */
  protected readonly bids: L3PriceHeap;
  protected readonly asks: L3PriceHeap;

  constructor(options: L3BookOptions) {
    const levels = options.levelCapacity ?? 256;
    this.pool = new L3Pool(options.orderCapacity ?? 1024, levels);
    this.bids = new L3PriceHeap(levels);
    this.asks = new L3PriceHeap(levels);
  }

  /** Number of resting orders. */
  get size(): number {
    return this.pool.size;
  }

  bestBid(): number | null {
    const top = this.bids.top();
    return top < 0 ? null : this.pool.lPrice[top]!;
  }

  bestAsk(): number | null {
    const top = this.asks.top();
    return top < 0 ? null : this.pool.lPrice[top]!;
  }

  /** Total open qty at a price on a side (0 when there is no level). */
  levelQty(side: Side, price: number): number {
    const lvl = (side === 'buy' ? this.bidLevels : this.askLevels).get(price);
    return lvl === undefined ? 0 : this.pool.lQty[lvl]!;
  }

  /** Number of resting orders at a price on a side. */
  levelOrders(side: Side, price: number): number {
    const lvl = (side === 'buy' ? this.bidLevels : this.askLevels).get(price);
    return lvl === undefined ? 0 : this.pool.lCount[lvl]!;
  }

  /** Number of non-empty price levels on a side. */
  levelCount(side: Side): number {
    return (side === 'buy' ? this.bids : this.asks).size;
  }

  /** Top n levels of a side, best first, as [price, qty]. O(levels log levels): for snapshots. */
  depth(side: Side, n: number): Array<[number, number]> {
    const levels = side === 'buy' ? this.bidLevels : this.askLevels;
    const prices = [...levels.keys()].sort(side === 'buy' ? (a, b) => b - a : (a, b) => a - b);
    const out: Array<[number, number]> = [];
    for (let i = 0; i < prices.length && i < n; i++) {
      const price = prices[i]!;
      out.push([price, this.pool.lQty[levels.get(price)!]!]);
    }
    return out;
  }

  /** Ids at a level in queue (time) order: diagnostic, O(queue). */
  queueIds(side: Side, price: number): number[] {
    const lvl = (side === 'buy' ? this.bidLevels : this.askLevels).get(price);
    const out: number[] = [];
    if (lvl === undefined) return out;
    const { num, link } = this.pool;
    for (let h = this.pool.lHead[lvl]!; h >= 0; h = link[h + NEXT]!) out.push(num[(h >> 1) + ID]!);
    return out;
  }

  order(id: number): L3OrderView | undefined {
    const pool = this.pool;
    const h = pool.find(id);
    if (h < 0) return undefined;
    const lvl = pool.link[h + LEVEL]!;
    return {
      id,
      side: pool.lSide[lvl] === BID ? 'buy' : 'sell',
      price: pool.lPrice[lvl]!,
      qty: pool.num[(h >> 1) + QTY]!,
      owner: pool.link[h + OWNER]!,
    };
  }

  /** Lots queued ahead of a resting order at its level (undefined if not resting). O(queue). */
  queueAhead(id: number): number | undefined {
    const h = this.pool.find(id);
    if (h < 0) return undefined;
    const { num, link } = this.pool;
    let ahead = 0;
    for (let p = link[h + PREV]!; p >= 0; p = link[p + PREV]!) ahead += num[(p >> 1) + QTY]!;
    return ahead;
  }

  /** Full consistency check, O(orders + levels): for tests and debug runs. Throws on a breach. */
  assertInvariants(): void {
    const orders =
      checkL3Side(this.pool, this.bidLevels, this.bids, BID) + checkL3Side(this.pool, this.askLevels, this.asks, ASK);
    if (orders !== this.pool.size) throw new Error(`L3Book: ${this.pool.size} indexed ids but ${orders} queued orders`);
    const bid = this.bestBid();
    const ask = this.bestAsk();
    if (bid !== null && ask !== null && bid >= ask) throw new Error(`L3Book: crossed, bid ${bid} >= ask ${ask}`);
  }
}
