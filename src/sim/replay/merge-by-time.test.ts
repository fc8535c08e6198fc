import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MergeByTime, type PullStream } from './merge-by-time.ts';

interface Item {
  readonly t: number;
  readonly stream: number;
  readonly seq: number;
}

function streamOf(items: Item[]): PullStream<Item> {
  let i = 0;
  return { next: () => items[i++] ?? null };
}

/** Sorted lists of times, one per stream, as items that know where they came from. */
const streams = fc
  .array(fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 40, size: 'max' }), { maxLength: 12, size: 'max' })
  .map((lists) => lists.map((ts, s) => [...ts].sort((a, b) => a - b).map((t, seq) => ({ t, stream: s, seq }))));

describe('MergeByTime', () => {
  it('yields every item once, in time order, equal times in stream order, each stream in its order', () => {
    fc.assert(
      fc.property(streams, (lists) => {
        const merge = new MergeByTime(lists.map(streamOf), (x) => x.t);
        const out: Item[] = [];
        for (let x = merge.next(); x !== null; x = merge.next()) out.push(x);
        expect(merge.next()).toBeNull();
        // nothing lost, nothing repeated
        expect(out.length).toBe(lists.reduce((n, l) => n + l.length, 0));
        expect(new Set(out).size).toBe(out.length);
        for (let i = 1; i < out.length; i++) {
          const a = out[i - 1] as Item;
          const b = out[i] as Item;
          expect(a.t < b.t || (a.t === b.t && (a.stream < b.stream || (a.stream === b.stream && a.seq < b.seq)))).toBe(
            true,
          );
        }
        // the same as a stable sort of everything by (time, stream)
        const sorted = lists.flat().sort((a, b) => a.t - b.t || a.stream - b.stream);
        expect(out).toEqual(sorted);
      }),
    );
  });

  it('reads one item ahead per stream, not more', () => {
    let pulled = 0;
    const counting = (n: number): PullStream<Item> => {
      let i = 0;
      return {
        next: () => {
          if (i >= n) return null;
          pulled++;
          return { t: i, stream: 0, seq: i++ };
        },
      };
    };
    const merge = new MergeByTime([counting(100), counting(100), counting(100)], (x) => x.t);
    expect(pulled).toBe(3);
    merge.next();
    expect(pulled).toBe(4);
  });
});
