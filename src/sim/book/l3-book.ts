// The simulated venue's L3 matching engine: individual orders, price-time priority, every
// operation allocation-free and bounded, since the venue replays millions of background orders
// around a few of ours. Broken invariants throw. Costs, callbacks and the read-only base class:
// docs/0069-core-and-simulator-notes.md.
import type { Side } from '../../core/model/order.ts';
import { ASK, BID, ID, LEVEL, NEXT, OWNER, PREV, QTY } from './l3-pool.ts';
import { L3BookView, type L3BookOptions } from './l3-book-view.ts';

export type { L3BookOptions, L3OrderView } from './l3-book-view.ts';

export type L3TimeInForce = 'GTC' | 'IOC' | 'FOK';

/**
 * Called once per execution, maker by maker, before the operation returns. makerRemaining is the
 * maker's open qty after this fill (0: it left the book). The listener must not mutate the book.
 */
export type L3TradeListener = (
  makerId: number,
  takerId: number,
  price: number,
  qty: number,
  makerOwner: number,
  takerOwner: number,
  takerSide: Side,
  makerRemaining: number,
) => void;

/** Outcome of limit / market / modify. Filled quantity: `lastFilledQty`. */
export const L3Status = {
  /** Fully filled; nothing rests. */
  Filled: 0,
  /** The (remaining) order rests on the book, possibly after partial fills. */
  Resting: 1,
  /** IOC or market: the unfilled remainder was dropped (fills may have happened). */
  Expired: 2,
  /** FOK: not enough crossing liquidity; nothing happened. */
  RejectedFok: 3,
  /** Post-only would have crossed; nothing happened. */
  RejectedPostOnly: 4,
  /** modify: no resting order has this id. */
  UnknownOrder: 5,
} as const;
export type L3Status = (typeof L3Status)[keyof typeof L3Status];

export class L3Book extends L3BookView {
  private matching = false;
  private filled = 0;

  constructor(
    private readonly onTrade: L3TradeListener,
    options: L3BookOptions = {},
  ) {
    super(options);
  }

  /** Lots filled by the last limit / market / modify call. */
  get lastFilledQty(): number {
    return this.filled;
  }

  /**
   * A limit order: matches crossing opposite levels best price first, FIFO within a level; then
   * GTC rests the remainder, IOC drops it, FOK fills entirely or does nothing; post-only that
   * would cross is rejected without any fill. id: unique among resting orders (safe integer);
   * price in ticks, qty in lots (safe integers, qty > 0); owner: a 32-bit integer the book only
   * reports in trades (the venue uses 0 for background flow, 1 for ours).
   */
  limit(
    id: number,
    side: Side,
    price: number,
    qty: number,
    owner: number,
    tif: L3TimeInForce,
    postOnly: boolean,
  ): L3Status {
    this.checkNew(id, side, qty, owner);
    checkInt('price', price);
    if (tif !== 'GTC' && tif !== 'IOC' && tif !== 'FOK')
      throw new RangeError(`L3Book: unknown time in force ${String(tif)}`);
    const buy = side === 'buy';
    this.filled = 0;
    if (postOnly) {
      const top = buy ? this.asks.top() : this.bids.top();
      if (top >= 0 && (buy ? this.pool.lPrice[top]! <= price : this.pool.lPrice[top]! >= price)) {
        return L3Status.RejectedPostOnly;
      }
    }
    if (tif === 'FOK') {
      // Crossing liquidity, counted without touching the book.
      const crossing = buy
        ? this.asks.sumWhileKeyAtMost(price, this.pool.lQty, qty)
        : this.bids.sumWhileKeyAtMost(-price, this.pool.lQty, qty);
      if (crossing < qty) return L3Status.RejectedFok;
    }
    const left = this.match(buy, price, qty, id, owner, side);
    this.filled = qty - left;
    if (left === 0) return L3Status.Filled;
    if (tif !== 'GTC') return L3Status.Expired;
    this.rest(id, buy, price, left, owner);
    return L3Status.Resting;
  }

  /** A market order: walks the opposite side until filled or empty; the remainder is dropped. */
  market(id: number, side: Side, qty: number, owner: number): L3Status {
    this.checkNew(id, side, qty, owner);
    const buy = side === 'buy';
    const left = this.match(buy, buy ? Infinity : -Infinity, qty, id, owner, side);
    this.filled = qty - left;
    return left === 0 ? L3Status.Filled : L3Status.Expired;
  }

  /** Removes a resting order in O(1); false if no resting order has this id. */
  cancel(id: number): boolean {
    this.checkNotMatching();
    const h = this.pool.find(id);
    if (h < 0) return false;
    this.removeOrder(h);
    return true;
  }

  /**
   * Sets a resting order's open qty and optionally its price. A reduction (or no change) at the
   * same price keeps queue priority; an increase goes to the back of the level; a new price goes
   * to the back of the new level and matches first if it crosses (as a GTC taker).
   */
  modify(id: number, newQty: number, newPrice?: number): L3Status {
    this.checkNotMatching();
    checkQty(newQty);
    if (newPrice !== undefined) checkInt('price', newPrice);
    this.filled = 0;
    const pool = this.pool;
    const h = pool.find(id);
    if (h < 0) return L3Status.UnknownOrder;
    const lvl = pool.link[h + LEVEL]!;
    if (newPrice === undefined || newPrice === pool.lPrice[lvl]) {
      const old = pool.num[(h >> 1) + QTY]!;
      if (newQty <= old) {
        pool.num[(h >> 1) + QTY] = newQty;
        pool.lQty[lvl] = pool.lQty[lvl]! - (old - newQty);
      } else {
        pool.unlink(h);
        pool.num[(h >> 1) + QTY] = newQty;
        pool.linkTail(lvl, h);
      }
      return L3Status.Resting;
    }
    const buy = pool.lSide[lvl] === BID;
    const owner = pool.link[h + OWNER]!;
    this.removeOrder(h);
    const left = this.match(buy, newPrice, newQty, id, owner, buy ? 'buy' : 'sell');
    this.filled = newQty - left;
    if (left === 0) return L3Status.Filled;
    this.rest(id, buy, newPrice, left, owner);
    return L3Status.Resting;
  }

  /** Matches a taker against the opposite side up to limitPrice; returns the unfilled qty. */
  private match(
    buy: boolean,
    limitPrice: number,
    qty: number,
    takerId: number,
    takerOwner: number,
    takerSide: Side,
  ): number {
    const heap = buy ? this.asks : this.bids;
    const pool = this.pool;
    const lPrice = pool.lPrice;
    const lQty = pool.lQty;
    const lCount = pool.lCount;
    const lHead = pool.lHead;
    const num = pool.num;
    const link = pool.link;
    const onTrade = this.onTrade;
    let left = qty;
    this.matching = true;
    try {
      while (left > 0) {
        const lvl = heap.top();
        if (lvl < 0) break;
        const price = lPrice[lvl]!;
        if (buy ? price > limitPrice : price < limitPrice) break;
        let h = lHead[lvl]!;
        while (h >= 0 && left > 0) {
          const f = h >> 1;
          const makerQty = num[f + QTY]!;
          const fill = makerQty < left ? makerQty : left;
          const remaining = makerQty - fill;
          const makerId = num[f + ID]!;
          const makerOwner = link[h + OWNER]!;
          const next = link[h + NEXT]!;
          left -= fill;
          lQty[lvl] = lQty[lvl]! - fill;
          if (remaining === 0) {
            // The head leaves: unlink it without touching the qty total twice.
            lHead[lvl] = next;
            if (next >= 0) link[next + PREV] = -1;
            else pool.lTail[lvl] = -1;
            lCount[lvl] = lCount[lvl]! - 1;
            pool.release(h);
          } else {
            num[f + QTY] = remaining;
          }
          onTrade(makerId, takerId, price, fill, makerOwner, takerOwner, takerSide, remaining);
          h = next;
        }
        if (lCount[lvl] === 0) this.dropLevel(lvl);
      }
    } finally {
      this.matching = false;
    }
    return left;
  }

  private rest(id: number, buy: boolean, price: number, qty: number, owner: number): void {
    const levels = buy ? this.bidLevels : this.askLevels;
    let lvl = levels.get(price);
    if (lvl === undefined) {
      // Matching left nothing crossing, so a new level can never cross; checked anyway (cheap).
      const opposite = buy ? this.asks.top() : this.bids.top();
      if (opposite >= 0 && (buy ? this.pool.lPrice[opposite]! <= price : this.pool.lPrice[opposite]! >= price)) {
        throw new Error(`L3Book: resting ${buy ? 'bid' : 'ask'} at ${price} would cross`);
      }
      lvl = this.pool.addLevel(price, buy ? BID : ASK);
      levels.set(price, lvl);
      (buy ? this.bids : this.asks).push(lvl, buy ? -price : price);
    }
    this.pool.addOrder(lvl, id, qty, owner);
  }

  /** Unlinks, unindexes and frees a resting order; drops its level if that empties it. */
  private removeOrder(h: number): void {
    const lvl = this.pool.link[h + LEVEL]!;
    this.pool.removeOrder(h);
    if (this.pool.lCount[lvl] === 0) this.dropLevel(lvl);
  }

  private dropLevel(lvl: number): void {
    const pool = this.pool;
    if (pool.lSide[lvl] === BID) {
      this.bids.remove(lvl);
      this.bidLevels.delete(pool.lPrice[lvl]!);
    } else {
      this.asks.remove(lvl);
      this.askLevels.delete(pool.lPrice[lvl]!);
    }
    pool.removeLevel(lvl);
  }

  private checkNew(id: number, side: Side, qty: number, owner: number): void {
    this.checkNotMatching();
    checkInt('id', id);
    if (side !== 'buy' && side !== 'sell')
      throw new RangeError(`L3Book: side must be buy or sell, got ${String(side)}`);
    checkQty(qty);
    if ((owner | 0) !== owner) throw new RangeError(`L3Book: owner must be a 32-bit integer, got ${owner}`);
    if (this.pool.find(id) >= 0) throw new Error(`L3Book: duplicate order id ${id}`);
  }

  private checkNotMatching(): void {
    if (this.matching) throw new Error('L3Book: the book was mutated from inside a trade callback');
  }
}

function checkInt(name: string, x: number): void {
  if (!Number.isSafeInteger(x)) throw new RangeError(`L3Book: ${name} must be a safe integer, got ${x}`);
}

function checkQty(qty: number): void {
  if (!(qty > 0) || !Number.isSafeInteger(qty))
    throw new RangeError(`L3Book: qty must be a positive safe integer, got ${qty}`);
}
