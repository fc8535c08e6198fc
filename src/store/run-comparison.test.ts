import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParentMetrics } from './read-model-port.ts';
import { matchParents } from './run-comparison.ts';

/** A parent as far as matching reads it: its id and side. */
const parent = (parentOrderId: string, side: 'buy' | 'sell'): ParentMetrics =>
  ({ parentOrderId, side }) as unknown as ParentMetrics;

describe('matching a run’s parents to the baseline’s', () => {
  it('matches by id first, then what is left by position when the sides agree', () => {
    const base = [parent('a', 'buy'), parent('sig-1', 'sell'), parent('sig-2', 'buy'), parent('sig-3', 'buy')];
    const run = [parent('a', 'buy'), parent('sig-7', 'sell'), parent('sig-8', 'sell'), parent('extra', 'buy')];
    expect(Object.fromEntries(matchParents(base, run))).toEqual({
      a: { key: 'a', by: 'id' },
      'sig-7': { key: 'sig-1', by: 'position' },
      // The second left of each side: a sell beside a buy stays unmatched.
      extra: { key: 'sig-3', by: 'position' },
    });
  });

  it('leaves a run with the baseline’s ids matched by id alone', () => {
    const base = [parent('x', 'buy'), parent('y', 'sell')];
    expect(Object.fromEntries(matchParents(base, [parent('y', 'sell'), parent('x', 'buy')]))).toEqual({
      x: { key: 'x', by: 'id' },
      y: { key: 'y', by: 'id' },
    });
  });

  it('pairs each baseline parent at most once, ids first, positions only on the same side', () => {
    const parents = fc.uniqueArray(
      fc.record({
        id: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'q1', 'q2', 'q3'),
        side: fc.constantFrom('buy' as const, 'sell' as const),
      }),
      {
        selector: (p) => p.id,
        maxLength: 7,
      },
    );
    fc.assert(
      fc.property(parents, parents, (b, r) => {
        const base = b.map((p) => parent(p.id, p.side));
        const run = r.map((p) => parent(p.id, p.side));
        const m = matchParents(base, run);
        const keys = [...m.values()].map((v) => v.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const [own, { key, by }] of m) {
          const mine = run.find((p) => p.parentOrderId === own);
          const theirs = base.find((p) => p.parentOrderId === key);
          expect(theirs).toBeDefined();
          if (by === 'id') expect(own).toBe(key);
          else {
            // By position only across ids the other run lacks, and only on the same side.
            expect(mine?.side).toBe(theirs?.side);
            expect(base.some((p) => p.parentOrderId === own)).toBe(false);
            expect(run.some((p) => p.parentOrderId === key)).toBe(false);
          }
        }
        for (const p of run)
          if (base.some((x) => x.parentOrderId === p.parentOrderId && x.side === p.side))
            expect(m.get(p.parentOrderId)?.by).toBe('id');
      }),
    );
  });
});
