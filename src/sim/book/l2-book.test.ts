import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectEqual, expectIs } from '../../../test/support/hot-expect.ts';
import { L2Book, type BookSide } from './l2-book.ts';

/** The obvious model: a Map per side, sorted on every read. */
class NaiveBook {
  readonly sides = { bid: new Map<number, number>(), ask: new Map<number, number>() };
  set(side: BookSide, price: number, qty: number): void {
    if (qty === 0) this.sides[side].delete(price);
    else this.sides[side].set(price, qty);
  }
  depth(side: BookSide, n: number): Array<[number, number]> {
    const levels = [...this.sides[side].entries()];
    levels.sort((a, b) => (side === 'bid' ? b[0] - a[0] : a[0] - b[0]));
    return levels.slice(0, n);
  }
}

describe('L2Book', () => {
  it('starts empty', () => {
    const book = new L2Book();
    expect(book.bestBid()).toBeNull();
    expect(book.bestAsk()).toBeNull();
    expect(book.depth('bid', 5)).toEqual([]);
    expect(book.levels('ask')).toBe(0);
  });

  it('keeps best bid highest and best ask lowest; qty 0 removes a level', () => {
    const book = new L2Book();
    book.set('bid', 100, 5);
    book.set('bid', 102, 1);
    book.set('bid', 101, 2);
    book.set('ask', 105, 3);
    book.set('ask', 103, 4);
    expect(book.bestBid()).toBe(102);
    expect(book.bestAsk()).toBe(103);
    expect(book.depth('bid', 2)).toEqual([
      [102, 1],
      [101, 2],
    ]);
    expect(book.depth('ask', 10)).toEqual([
      [103, 4],
      [105, 3],
    ]);
    book.set('bid', 102, 0);
    expect(book.bestBid()).toBe(101);
    expect(book.qty('bid', 102)).toBe(0);
    expect(book.levels('bid')).toBe(2);
    book.set('bid', 101, 0);
    book.set('bid', 100, 0);
    expect(book.bestBid()).toBeNull();
    book.set('ask', 999, 0); // removing an absent level is a no-op
    expect(book.levels('ask')).toBe(2);
  });

  it('removing a level below the top and re-adding it keeps one level', () => {
    const book = new L2Book();
    book.set('ask', 110, 1);
    book.set('ask', 120, 1);
    book.set('ask', 120, 0); // not the top: leaves the middle of the heap
    book.set('ask', 120, 7);
    book.set('ask', 110, 0);
    expect(book.bestAsk()).toBe(120);
    expect(book.depth('ask', 5)).toEqual([[120, 7]]);
    book.set('ask', 120, 0);
    expect(book.bestAsk()).toBeNull();
    expect(book.levels('ask')).toBe(0);
  });

  it('clear empties both sides', () => {
    const book = new L2Book();
    book.set('bid', 1, 1);
    book.set('ask', 2, 1);
    book.clear();
    expect(book.bestBid()).toBeNull();
    expect(book.bestAsk()).toBeNull();
    book.set('bid', 3, 1);
    expect(book.bestBid()).toBe(3);
  });

  it('refuses non-integer or negative prices and quantities', () => {
    const book = new L2Book();
    expect(() => book.set('bid', 1.5, 1)).toThrow(/price/);
    expect(() => book.set('bid', 1, -1)).toThrow(/qty/);
    expect(() => book.set('ask', 1, Number.NaN)).toThrow(/qty/);
  });

  it('matches a naive sorted model under random updates (property)', () => {
    const op = fc.record({
      side: fc.constantFrom<BookSide>('bid', 'ask'),
      price: fc.integer({ min: 0, max: 60 }),
      qty: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1_000 })),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400, size: 'max' }), (ops) => {
        const book = new L2Book();
        const naive = new NaiveBook();
        // Checked after every operation and at every price: expect is called only on a mismatch.
        for (const { side, price, qty } of ops) {
          book.set(side, price, qty);
          naive.set(side, price, qty);
          expectIs(book.bestBid(), naive.depth('bid', 1)[0]?.[0] ?? null);
          expectIs(book.bestAsk(), naive.depth('ask', 1)[0]?.[0] ?? null);
        }
        for (const side of ['bid', 'ask'] as const) {
          expectEqual(book.depth(side, 1_000), naive.depth(side, 1_000));
          expectEqual(book.depth(side, 3), naive.depth(side, 3));
          expectIs(book.levels(side), naive.sides[side].size);
          for (let p = 0; p <= 60; p++) expectIs(book.qty(side, p), naive.sides[side].get(p) ?? 0);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('matches the naive model with wide, colliding and growing price sets (property)', () => {
    const price = fc.oneof(
      fc.integer({ min: 6_000_000, max: 6_002_000 }),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.integer({ min: 0, max: 255 }).map((k) => k * 2 ** 32), // same low 32 bits
      fc.integer({ min: 0, max: 255 }).map((k) => k * 1_024), // same low 10 bits
    );
    const op = fc.record({
      side: fc.constantFrom<BookSide>('bid', 'ask'),
      price,
      qty: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 ** 40 })),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3_000, size: 'max' }), fc.nat(), (ops, seed) => {
        const book = new L2Book();
        const naive = new NaiveBook();
        // replay the ops, then remove about half of what is left, to exercise deletion probing
        const all = [...ops, ...ops.filter((_, i) => (i + seed) % 2 === 0).map((o) => ({ ...o, qty: 0 }))];
        for (const { side, price: p, qty } of all) {
          book.set(side, p, qty);
          naive.set(side, p, qty);
        }
        for (const side of ['bid', 'ask'] as const) {
          expectEqual(book.depth(side, 5_000), naive.depth(side, 5_000));
          for (const { price: p } of ops) expectIs(book.qty(side, p), naive.sides[side].get(p) ?? 0);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('handles churn of far levels and grows past its initial capacity', () => {
    const book = new L2Book();
    book.set('bid', 1_000_000, 1); // the touch never moves
    for (let round = 0; round < 50; round++) {
      for (let p = 1; p <= 1_000; p++) book.set('bid', p + round * 1_000, 1);
      for (let p = 1; p <= 1_000; p++) book.set('bid', p + round * 1_000, 0);
    }
    expect(book.levels('bid')).toBe(1);
    expect(book.depth('bid', 10)).toEqual([[1_000_000, 1]]);
    book.set('bid', 1_000_000, 0);
    expect(book.bestBid()).toBeNull();
  });
});
