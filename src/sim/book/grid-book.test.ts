// The GridBook (a generated market's displayed book: each side a grid of levels) must answer every
// read exactly as an L2Book holding the same levels: best prices, level quantities, depth, level
// counts, whatever mix of whole-side grids and single-level writes (trades shrinking levels,
// levels set off the grid) put them there.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual } from '../../../test/support/hot-expect.ts';
import { GridBook } from './grid-book.ts';
import { L2Book, type BookSide } from './l2-book.ts';

type Op =
  | { kind: 'grid'; side: BookSide; best: number; gap: number; qtys: number[] }
  | { kind: 'set'; side: BookSide; price: number; qty: number }
  /** A write at level `index` of the side's last grid (a trade shrinking it, a level refilled). */
  | { kind: 'level'; side: BookSide; index: number; qty: number }
  /** The side's last grid drawn again at another best price, from the same (frozen) array. */
  | { kind: 'regrid'; side: BookSide; best: number }
  | { kind: 'clear' };

const side = fc.constantFrom<BookSide>('bid', 'ask');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('grid' as const),
    side,
    best: fc.integer({ min: 1, max: 60 }),
    gap: fc.integer({ min: 1, max: 4 }),
    qtys: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant('set' as const),
    side,
    price: fc.integer({ min: 0, max: 80 }),
    qty: fc.integer({ min: 0, max: 6 }),
  }),
  fc.record({
    kind: fc.constant('level' as const),
    side,
    index: fc.integer({ min: 0, max: 7 }),
    qty: fc.integer({ min: 0, max: 6 }),
  }),
  fc.record({ kind: fc.constant('regrid' as const), side, best: fc.integer({ min: 1, max: 60 }) }),
  fc.constant({ kind: 'clear' as const }),
);

/** A grid written into an L2Book the way a model rebuilding its book level by level does. */
function writeGrid(book: L2Book, o: Extract<Op, { kind: 'grid' }>): void {
  const sign = o.side === 'bid' ? -1 : 1;
  const count = o.side === 'bid' ? Math.min(o.qtys.length, Math.floor((o.best - 0) / o.gap) + 1) : o.qtys.length;
  const keep = new Set<number>();
  for (let i = 0; i < count; i++) {
    const q = o.qtys[i] as number;
    if (q > 0) {
      book.set(o.side, o.best + sign * i * o.gap, q);
      keep.add(o.best + sign * i * o.gap);
    }
  }
  for (const [p] of book.depth(o.side, Infinity)) if (!keep.has(p)) book.set(o.side, p, 0);
}

/** Everything the two books answer: best prices, and per side the level count, the depth to
 *  1,000 and to 2 levels, and the quantity at every price 0..82. */
function answers(book: GridBook | L2Book): unknown {
  const side = (s: BookSide) => ({
    levels: book.levels(s),
    depth: book.depth(s, 1_000),
    top2: book.depth(s, 2),
    qty: Array.from({ length: 83 }, (_, p) => book.qty(s, p)),
  });
  return { bestBid: book.bestBid(), bestAsk: book.bestAsk(), bid: side('bid'), ask: side('ask') };
}

function sameAnswers(grid: GridBook, l2: L2Book): void {
  expectEqual(answers(grid), answers(l2));
}

describe('GridBook', () => {
  it('property: answers best, qty, depth and levels exactly as an L2Book with the same levels', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40, size: 'max' }), (ops) => {
        const grid = new GridBook();
        const l2 = new L2Book();
        const last = { bid: { best: 60, step: -1 }, ask: { best: 1, step: 1 } };
        // Each side's last grid; its array is frozen, so a book writing into it throws.
        const drawn: Partial<Record<BookSide, Extract<Op, { kind: 'grid' }>>> = {};
        const grid_ = (o: Extract<Op, { kind: 'grid' }>): void => {
          last[o.side] = { best: o.best, step: o.side === 'bid' ? -o.gap : o.gap };
          const count = o.side === 'bid' ? Math.min(o.qtys.length, Math.floor(o.best / o.gap) + 1) : o.qtys.length;
          grid.setGrid(o.side, o.best, o.gap, o.qtys, count);
          writeGrid(l2, o);
          drawn[o.side] = o;
        };
        for (const o0 of ops) {
          const prev = o0.kind === 'regrid' ? drawn[o0.side] : undefined;
          const o: Op =
            o0.kind === 'grid'
              ? { ...o0, qtys: Object.freeze([...o0.qtys]) as number[] }
              : o0.kind === 'regrid'
                ? prev === undefined
                  ? { kind: 'clear' }
                  : { ...prev, best: o0.best }
                : o0;
          if (o.kind === 'level') {
            const g = last[o.side];
            const price = g.best + o.index * g.step;
            if (price >= 0) {
              grid.set(o.side, price, o.qty);
              l2.set(o.side, price, o.qty);
            }
          } else if (o.kind === 'grid') {
            grid_(o);
          } else if (o.kind === 'set') {
            grid.set(o.side, o.price, o.qty);
            l2.set(o.side, o.price, o.qty);
          } else if (o.kind === 'clear') {
            grid.clear();
            l2.clear();
          }
          sameAnswers(grid, l2);
        }
      }),
      { numRuns: 250 },
    );
  });

  it('keeps a side as a grid while only its levels change, and materialises it for a level off the grid', () => {
    const book = new GridBook();
    book.setGrid('ask', 100, 5, [3, 0, 4], 3);
    expect(book.bestAsk()).toBe(100);
    book.set('ask', 100, 0); // a trade took the best level
    expect(book.bestAsk()).toBe(110);
    book.set('ask', 107, 0); // nothing there: nothing to remove
    expect(book.isGrid('ask')).toBe(true);
    book.set('ask', 107, 2); // a level between grid levels
    expect(book.isGrid('ask')).toBe(false);
    expect(book.depth('ask', 10)).toEqual([
      [107, 2],
      [110, 4],
    ]);
    book.setGrid('ask', 90, 1, [1], 1); // the model redraws the side: a grid again
    expect(book.isGrid('ask')).toBe(true);
    expect(book.depth('ask', 10)).toEqual([[90, 1]]);
  });

  it('keeps the array a grid was drawn from as it was: a level set afterwards is written to a copy', () => {
    const book = new GridBook();
    const qtys = new Float64Array([3, 4, 5]);
    book.setGrid('bid', 50, 1, qtys, 3);
    book.set('bid', 50, 0); // a trade took the best level
    expect([...qtys]).toEqual([3, 4, 5]);
    expect(book.depth('bid', 10)).toEqual([
      [49, 4],
      [48, 5],
    ]);
    // Drawn again from the same array, at another price and for fewer levels.
    book.setGrid('bid', 60, 1, qtys, 2);
    expect(book.depth('bid', 10)).toEqual([
      [60, 3],
      [59, 4],
    ]);
    expect(book.levels('bid')).toBe(2);
  });

  it('refuses quantities and prices an L2Book refuses', () => {
    const book = new GridBook();
    expect(() => book.setGrid('ask', 10, 1, [1.5], 1)).toThrow(/qty/);
    expect(() => book.setGrid('bid', 2, 1, [1, 1, 1, 1], 4)).toThrow(/prices/);
    book.setGrid('ask', 10, 1, [1], 1);
    expect(() => book.set('ask', 10, -1)).toThrow(/qty/);
    expect(() => book.set('ask', 10.5, 1)).toThrow(/price/);
  });
});
