// The drawn book hands the venue its lots per level as an array the venue may keep (the grid book
// reads it until a level is set): a drawing with other lots (a liquidity drop) must come in a new
// array, never written into one already shown.
import { describe, expect, it } from 'vitest';
import { DrawnBook } from './drawn-book.ts';
import type { GridMarketSink } from './market-model.ts';

describe('DrawnBook', () => {
  it('shows changed lots in a new array and leaves the one the venue was shown as it was', () => {
    const shown: Array<{ side: string; best: number; qtys: ArrayLike<number>; count: number }> = [];
    const sink = {
      setGrid: (side: 'bid' | 'ask', best: number, _gap: number, qtys: ArrayLike<number>, count: number) =>
        shown.push({ side, best, qtys, count }),
      refreshTop: () => {},
    } as unknown as GridMarketSink;
    const book = new DrawnBook([2, 4, 6], 1, sink, () => {});
    book.draw(100.4, 2, 1);
    book.show();
    const first = shown[0]?.qtys as Float64Array;
    expect([...first]).toEqual([2, 4, 6]);
    // The same lots at another price: the same array again (the venue takes it without a copy).
    book.draw(103.2, 2, 1);
    book.show();
    expect(shown[2]?.qtys).toBe(first);
    // Half the depth: a new array; the one shown before is unchanged.
    book.draw(103.2, 2, 0.5);
    book.show();
    expect(shown[4]?.qtys).not.toBe(first);
    expect([...(shown[4]?.qtys as Float64Array)]).toEqual([1, 2, 3]);
    expect([...first]).toEqual([2, 4, 6]);
    expect(shown.map((s) => [s.side, s.best, s.count])).toEqual([
      ['bid', 99, 3],
      ['ask', 101, 3],
      ['bid', 102, 3],
      ['ask', 104, 3],
      ['bid', 102, 3],
      ['ask', 104, 3],
    ]);
  });
});
