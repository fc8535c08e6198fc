// The scripted venue's market: the displayed levels our orders take from (a static book, empty by
// default) and our resting orders that others' trades reach. Enough for the broker contract's
// cases; a fill at any price by fiat (ScriptedVenue.fill) covers what a test wants beyond it.
import type { Side } from '../../../src/core/model/order.ts';
import { isLive, type Truth } from './scripted-order.ts';

/** [price ticks, lots]; bids best (highest) first, asks best (lowest) first. */
export type Level = [number, number];

export interface Execution {
  readonly qty: number;
  readonly price: number;
}

export class ScriptedBook {
  constructor(
    private readonly bids: Level[] = [],
    private readonly asks: Level[] = [],
  ) {}

  /** The best price an order of `side` would take, or null: nothing on the other side. */
  touch(side: Side): number | null {
    return (side === 'buy' ? this.asks : this.bids)[0]?.[0] ?? null;
  }

  /** Lots an order could take up to `limit` (null: any price). */
  available(side: Side, limit: number | null): number {
    return this.levels(side, limit).reduce((sum, [, qty]) => sum + qty, 0);
  }

  /** Takes up to `qty` lots from the other side, best price first, within `limit`. */
  take(side: Side, qty: number, limit: number | null): Execution[] {
    const out: Execution[] = [];
    const levels = side === 'buy' ? this.asks : this.bids;
    let left = qty;
    for (const level of this.levels(side, limit)) {
      if (left === 0) break;
      const q = Math.min(left, level[1]);
      out.push({ qty: q, price: level[0] });
      level[1] -= q;
      left -= q;
    }
    for (let i = levels.length - 1; i >= 0; i--) if (levels[i]![1] === 0) levels.splice(i, 1);
    return out;
  }

  /** Our resting orders a trade of `aggressor` at `price` reaches, best price first, then oldest. */
  static reached(orders: readonly Truth[], price: number, aggressor: Side): Truth[] {
    const side: Side = aggressor === 'sell' ? 'buy' : 'sell';
    return orders
      .filter(
        (t) =>
          isLive(t) &&
          t.side === side &&
          t.limitPrice !== null &&
          (side === 'buy' ? t.limitPrice >= price : t.limitPrice <= price),
      )
      .sort((a, b) => (side === 'buy' ? b.limitPrice! - a.limitPrice! : a.limitPrice! - b.limitPrice!));
  }

  private levels(side: Side, limit: number | null): Level[] {
    const levels = side === 'buy' ? this.asks : this.bids;
    return levels.filter(([price]) => limit === null || (side === 'buy' ? price <= limit : price >= limit));
  }
}
