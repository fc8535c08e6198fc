import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedMemo } from './bounded-memo.ts';

describe('BoundedMemo', () => {
  it('property: remembers the first answers up to its bound, and returns every answer given', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.array(fc.integer({ min: 0, max: 20 })), (limit, keys) => {
        const memo = new BoundedMemo<number, string>(limit);
        const kept: number[] = [];
        for (const k of keys) {
          if (memo.get(k) !== undefined) continue;
          expect(memo.remember(k, `v${k}`)).toBe(`v${k}`);
          if (kept.length < limit) kept.push(k);
        }
        for (let k = 0; k <= 20; k++) expect(memo.get(k)).toBe(kept.includes(k) ? `v${k}` : undefined);
      }),
    );
  });
});
