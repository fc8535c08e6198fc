// The depth diffs that cross or lock a rebuilt book are counted as the book crossing (it was not
// crossed before the diff), with where the first was read, and the diffs after which it was so;
// against a book kept by hand (a map of levels a side) over random diffs.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BinanceDepth, BinanceSnapshot } from './binance-message-types.ts';
import { CrossedDiffs } from './crossed-diffs.ts';

const snapshot = (bids: number[], asks: number[], lastUpdateId = 10): BinanceSnapshot => ({
  kind: 'snapshot',
  recvMs: 0,
  lastUpdateId,
  bids,
  asks,
});
const diff = (id: number, bids: number[], asks: number[]): BinanceDepth => ({
  kind: 'depth',
  recvMs: id,
  eventMs: id,
  firstId: id,
  lastId: id,
  bids,
  asks,
});

describe('CrossedDiffs', () => {
  it('counts a diff that puts a bid at or above the best ask, and the diffs the book stays crossed after', () => {
    let line = 0;
    const c = new CrossedDiffs(() => `f: line ${line}`);
    const feed = (m: BinanceSnapshot | BinanceDepth): void => {
      line++;
      c.see(m);
    };
    feed(snapshot([99, 5, 98, 5], [101, 5, 102, 5]));
    feed(diff(11, [100, 1], []));
    expect(c.note()).toEqual([]);
    feed(diff(12, [101, 1], [])); // locked: a bid at the best ask
    feed(diff(13, [], [103, 1])); // still locked: no new crossing
    feed(diff(14, [101, 0], [])); // uncrossed
    feed(diff(15, [], [99, 2])); // an ask below the best bid
    expect(c).toMatchObject({ crossings: 2, crossedAfter: 3, first: 'f: line 3' });
    expect(c.note()).toEqual([
      '2 depth diffs crossed or locked the book (best bid at or above best ask; first at f: line 3); it was so ' +
        'after 3 diffs in all',
    ]);
  });

  it('a crossed snapshot is not a diff crossing the book; the diffs after it count only as crossed after', () => {
    const c = new CrossedDiffs(() => 'here');
    c.see(snapshot([101, 5], [100, 5]));
    c.see(diff(11, [90, 1], []));
    expect(c).toMatchObject({ crossings: 0, crossedAfter: 1 });
    expect(c.note()).toEqual([]);
  });

  it('property: the crossings and crossed diffs of a book kept by hand', () => {
    const level = fc.tuple(fc.integer({ min: 95, max: 105 }), fc.integer({ min: 0, max: 3 }));
    const change = fc.record({ bids: fc.array(level, { maxLength: 3 }), asks: fc.array(level, { maxLength: 3 }) });
    fc.assert(
      fc.property(fc.array(change, { minLength: 1, maxLength: 40, size: 'max' }), (changes) => {
        const c = new CrossedDiffs(() => 'x');
        const bids = new Map<number, number>([[99, 5]]);
        const asks = new Map<number, number>([[101, 5]]);
        c.see(snapshot([99, 5], [101, 5]));
        let crossings = 0;
        let after = 0;
        let was = false;
        changes.forEach((ch, i) => {
          for (const [side, levels] of [
            [bids, ch.bids],
            [asks, ch.asks],
          ] as const)
            for (const [p, q] of levels) {
              if (q === 0) side.delete(p);
              else side.set(p, q);
            }
          c.see(diff(11 + i, ch.bids.flat(), ch.asks.flat()));
          const crossed = bids.size > 0 && asks.size > 0 && Math.max(...bids.keys()) >= Math.min(...asks.keys());
          if (crossed) after++;
          if (crossed && !was) crossings++;
          was = crossed;
        });
        expect(c).toMatchObject({ crossings, crossedAfter: after });
      }),
    );
  });
});
