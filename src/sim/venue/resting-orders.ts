// Our resting orders at the simulated venue, grouped by side and price in time priority, each
// with its queue position (lots of displayed market volume ahead of it). We hold tens of orders,
// not millions, so per-level arrays are the simple, fast choice here; the market's own volume
// lives in the L2 book, not in this structure.
import type { Side } from '../../core/model/order.ts';
import type { ExchangeOrder } from './exchange-order.ts';

const NONE: readonly ExchangeOrder[] = Object.freeze([]);

export class RestingOrders {
  private readonly bySide: Record<Side, Map<number, ExchangeOrder[]>> = { buy: new Map(), sell: new Map() };
  private count = 0;
  /** Our best price per side (highest buy, lowest sell), or null; NaN when an order left that
   *  price and it must be looked up again. Read on every step of a generated market while one of
   *  ours rests near the touch (whether the step can touch it), so it is not recomputed there. */
  private bestBuy: number | null = null;
  private bestSell: number | null = null;

  get size(): number {
    return this.count;
  }

  add(order: ExchangeOrder): void {
    const price = order.limitPrice as number;
    const levels = this.bySide[order.side];
    const level = levels.get(price);
    if (level) level.push(order);
    else levels.set(price, [order]);
    this.count++;
    // An unknown best (NaN) stays unknown; comparisons with NaN are false.
    if (order.side === 'buy') {
      if (this.bestBuy === null || price > this.bestBuy) this.bestBuy = price;
    } else if (this.bestSell === null || price < this.bestSell) this.bestSell = price;
  }

  remove(order: ExchangeOrder): boolean {
    const levels = this.bySide[order.side];
    const price = order.limitPrice as number;
    const level = levels.get(price);
    if (!level) return false;
    const i = level.indexOf(order);
    if (i < 0) return false;
    level.splice(i, 1);
    // Our later orders at this price counted this one's remainder as "ahead": move them up.
    for (let j = i; j < level.length; j++) {
      const other = level[j] as ExchangeOrder;
      other.ahead = Math.max(0, other.ahead - (order.qty - order.filled));
    }
    if (level.length === 0) {
      levels.delete(price);
      if (order.side === 'buy') {
        if (price === this.bestBuy) this.bestBuy = NaN;
      } else if (price === this.bestSell) this.bestSell = NaN;
    }
    this.count--;
    return true;
  }

  at(side: Side, price: number): readonly ExchangeOrder[] {
    return this.bySide[side].get(price) ?? NONE;
  }

  /** The prices where our orders rest on a side (any order). */
  prices(side: Side): IterableIterator<number> {
    return this.bySide[side].keys();
  }

  /** Our best resting price on a side (highest buy, lowest sell), or null. */
  bestPrice(side: Side): number | null {
    const cached = side === 'buy' ? this.bestBuy : this.bestSell;
    if (cached === null || !Number.isNaN(cached)) return cached;
    const best = this.scanBest(side);
    if (side === 'buy') this.bestBuy = best;
    else this.bestSell = best;
    return best;
  }

  private scanBest(side: Side): number | null {
    let best: number | null = null;
    for (const p of this.bySide[side].keys()) {
      if (best === null || (side === 'buy' ? p > best : p < best)) best = p;
    }
    return best;
  }

  /** Our remaining volume at a price (what a new order of ours there queues behind). */
  remainingAt(side: Side, price: number): number {
    let sum = 0;
    for (const o of this.at(side, price)) sum += o.qty - o.filled;
    return sum;
  }

  /** Orders on a side whose price satisfies `pred`, best price first, time priority within. */
  matching(side: Side, pred: (price: number) => boolean): ExchangeOrder[] {
    const out: ExchangeOrder[] = [];
    const prices = [...this.bySide[side].keys()].filter(pred).sort((a, b) => (side === 'buy' ? b - a : a - b));
    for (const p of prices) out.push(...(this.bySide[side].get(p) as ExchangeOrder[]));
    return out;
  }

  all(): ExchangeOrder[] {
    return [...this.matching('buy', () => true), ...this.matching('sell', () => true)];
  }
}
