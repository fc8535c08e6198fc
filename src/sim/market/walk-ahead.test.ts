// The walk drawn ahead: the same normals in the same order as drawn one by one, and the scan's
// lowest and highest moves equal to the running minimum and maximum of the summed moves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/clock/rng.ts';
import { AHEAD_CAP, WalkAhead } from './walk-ahead.ts';

describe('WalkAhead', () => {
  it('serves the stream’s normals in order however far ahead they were drawn', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: AHEAD_CAP - 1 })), {
          maxLength: 30,
          size: 'max',
        }),
        (seed, ops) => {
          const walk = new WalkAhead(new Rng(seed).stream('walk'));
          const plain = new Rng(seed).stream('walk');
          for (const [steps, peek] of ops) {
            // Peeking ahead (any distance within the ring) draws nothing the steps do not get.
            const peeked = walk.at(peek);
            const expected: number[] = [];
            for (let i = 0; i < steps; i++) expected.push(plain.normal());
            const got: number[] = [];
            for (let i = 0; i < steps; i++) got.push(walk.next());
            expect(got).toEqual(expected);
            if (peek >= steps) expect(walk.at(peek - steps)).toBe(peeked);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a scan’s lowest and highest moves are the running extremes of the summed moves', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e9 }),
        fc.double({ min: 0.01, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 0.01, noNaN: true }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 12, size: 'max' }),
        (seed, scale, drift, asks) => {
          const walk = new WalkAhead(new Rng(seed).stream('walk'));
          walk.next(); // the scan starts from wherever the ring's head is
          walk.begin(scale, drift);
          const zs = Array.from({ length: 301 }, (_, i) => walk.at(i));
          for (const k of asks) {
            let sum = 0;
            let low = 0;
            let high = 0;
            for (let i = 0; i < k; i++) {
              sum += scale * (zs[i] as number) - drift;
              low = Math.min(low, sum);
              high = Math.max(high, sum);
            }
            expect(walk.lowestMove(k)).toBe(low);
            expect(walk.highestMove(k)).toBe(high);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
