// The feed's number conversion without decimal text is the exact decimal's double, for any count
// of steps of any step size an instrument may have.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSteps } from '../core/model/decimal.ts';
import { asFraction, stepsToNumber } from './strategy-feed.ts';

describe('stepsToNumber', () => {
  it('equals Number() of the exact decimal', () => {
    const stepArb = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.integer({ min: 0, max: 12 })).map(([m, scale]) =>
      fromSteps(
        m,
        `1e-${scale}`.replace(/^1e-(\d+)$/, (_, d: string) => (d === '0' ? '1' : `0.${'0'.repeat(Number(d) - 1)}1`)),
      ),
    );
    fc.assert(
      fc.property(stepArb, fc.integer({ min: -1e12, max: 1e12 }), (step, n) => {
        const got = stepsToNumber(n, asFraction(step));
        if (got !== null) expect(got).toBe(Number(fromSteps(n, step)));
      }),
      { numRuns: 20_000 },
    );
  });
});
