// The displayed book of a generated market (synthetic, Almgren-Chriss): the model draws each side
// as a grid of levels, best price plus i level spacings away from it, with a depth profile. The
// side is kept as that grid (best, spacing, one quantity per level) instead of a price-indexed
// book, so redrawing it every model step is a copy of a few numbers, not a hash-table and heap
// update per level. A level a trade took is 0 in the grid; a price off the grid with volume
// (something other than the model set it) turns the side into an explicit L2 side first
// (materialised), which then serves it until the model redraws the side as a grid again.
// Every read answers exactly what an L2Book holding the same levels answers.
import { L2Book, type BookSide, type DisplayedBook } from './l2-book.ts';

const NO_LEVELS: ArrayLike<number> = new Float64Array(0);

class GridSide {
  /** Whether the grid (rather than the explicit L2 side) holds this side's levels. */
  grid = true;
  /** Price of level 0. */
  base = 0;
  /** Ticks from one level to the next, signed: negative for bids (worse is lower). */
  step = 1;
  /** Levels on the grid (some may be empty). */
  n = 0;
  /** Lots per level: the array the model handed over (read, never written: see setGrid) until a
   *  level is set, then `own`. */
  qty: ArrayLike<number> = NO_LEVELS;
  /** This side's own copy of the levels, which set() writes (qty is it once written). */
  own = new Float64Array(32);
  /** First non-empty level (n when none). */
  first = 0;
  /** Non-empty levels. */
  live = 0;
  /** The last array handed over, the level count it was checked for, and its first and live. */
  checked: ArrayLike<number> | null = null;
  checkedCount = -1;
  checkedFirst = 0;
  checkedLive = 0;

  /** Grid index of `price`, or -1 when it is not a level of the grid. */
  index(price: number): number {
    const d = (price - this.base) / this.step;
    return d >= 0 && d < this.n && Number.isInteger(d) ? d : -1;
  }

  price(i: number): number {
    return this.base + i * this.step;
  }

  /** The levels as this side's own, to be written. */
  writable(): Float64Array {
    if (this.qty !== this.own) {
      if (this.own.length < this.n) this.own = new Float64Array(this.n);
      const own = this.own;
      const qty = this.qty;
      for (let i = 0; i < this.n; i++) own[i] = qty[i] as number;
      this.qty = own;
    }
    return this.own;
  }
}

export class GridBook implements DisplayedBook {
  private readonly explicit = new L2Book();
  private readonly bids = new GridSide();
  private readonly asks = new GridSide();

  private side(side: BookSide): GridSide {
    return side === 'bid' ? this.bids : this.asks;
  }

  /**
   * Replaces a whole side with a grid: level i at `best` + i x `gap` (asks) or `best` - i x `gap`
   * (bids) holds `qtys[i]` lots, for i < `count` (0 = no level there). The side keeps `qtys` and
   * reads it until a level is set (then it copies it first): the caller must not change it
   * afterwards (a model draws changed quantities into a new array). Handed the same array again,
   * the side takes the quantities as they were checked.
   */
  setGrid(side: BookSide, best: number, gap: number, qtys: ArrayLike<number>, count: number): void {
    const g = this.side(side);
    if (!g.grid) {
      this.explicit.clearSide(side);
      g.grid = true;
    }
    if (qtys !== g.checked || count !== g.checkedCount) {
      let first = count;
      let live = 0;
      for (let i = 0; i < count; i++) {
        const q = qtys[i] as number;
        if (!(Number.isSafeInteger(q) && q >= 0))
          throw new Error(`GridBook: qty must be a non-negative integer of lots, got ${q}`);
        if (q > 0) {
          live++;
          if (first === count) first = i;
        }
      }
      g.checked = qtys;
      g.checkedCount = count;
      g.checkedFirst = first;
      g.checkedLive = live;
    }
    g.base = best;
    g.step = side === 'bid' ? -gap : gap;
    g.n = count;
    if (
      count > 0 &&
      !(Number.isSafeInteger(best) && Number.isSafeInteger(g.price(count - 1)) && g.price(count - 1) >= 0)
    )
      throw new Error(`GridBook: grid prices must be non-negative integers of ticks (best ${best}, gap ${gap})`);
    g.qty = qtys;
    g.first = g.checkedFirst;
    g.live = g.checkedLive;
  }

  /** Whether `side` is held as a grid (false once something set a level off it). */
  isGrid(side: BookSide): boolean {
    return this.side(side).grid;
  }

  set(side: BookSide, price: number, qty: number): void {
    const g = this.side(side);
    if (g.grid) {
      const i = g.index(price);
      if (i >= 0) {
        if (!(Number.isSafeInteger(qty) && qty >= 0))
          throw new Error(`L2Book: qty must be a non-negative integer of lots, got ${qty}`);
        const levels = g.writable();
        const before = levels[i] as number;
        levels[i] = qty;
        if (before > 0 && qty === 0) {
          g.live--;
          if (i === g.first) {
            let f = i + 1;
            while (f < g.n && (g.qty[f] as number) === 0) f++;
            g.first = f;
          }
        } else if (before === 0 && qty > 0) {
          g.live++;
          if (i < g.first) g.first = i;
        }
        return;
      }
      // Off the grid: nothing is there, so removing it changes nothing; a new level there makes
      // the side explicit.
      if (qty === 0 && Number.isSafeInteger(price) && price >= 0) return;
      this.materialise(side);
    }
    this.explicit.set(side, price, qty);
  }

  /** Moves a grid side's levels into the explicit L2 side. */
  private materialise(side: BookSide): void {
    const g = this.side(side);
    this.explicit.clearSide(side);
    for (let i = g.first; i < g.n; i++) {
      const q = g.qty[i] as number;
      if (q > 0) this.explicit.set(side, g.price(i), q);
    }
    g.grid = false;
  }

  qty(side: BookSide, price: number): number {
    const g = this.side(side);
    if (!g.grid) return this.explicit.qty(side, price);
    const i = g.index(price);
    return i < 0 ? 0 : (g.qty[i] as number);
  }

  private best(side: BookSide): number | null {
    const g = this.side(side);
    if (!g.grid) return side === 'bid' ? this.explicit.bestBid() : this.explicit.bestAsk();
    return g.first < g.n ? g.price(g.first) : null;
  }

  bestBid(): number | null {
    return this.best('bid');
  }

  bestAsk(): number | null {
    return this.best('ask');
  }

  depth(side: BookSide, n: number): Array<[number, number]> {
    const g = this.side(side);
    if (!g.grid) return this.explicit.depth(side, n);
    const out: Array<[number, number]> = [];
    for (let i = g.first; i < g.n && out.length < n; i++) {
      const q = g.qty[i] as number;
      if (q > 0) out.push([g.price(i), q]);
    }
    return out;
  }

  levels(side: BookSide): number {
    const g = this.side(side);
    return g.grid ? g.live : this.explicit.levels(side);
  }

  clear(): void {
    this.explicit.clear();
    for (const g of [this.bids, this.asks]) {
      g.grid = true;
      g.n = 0;
      g.first = 0;
      g.live = 0;
    }
  }
}
