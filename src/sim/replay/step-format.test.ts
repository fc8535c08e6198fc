import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSteps } from '../../core/model/decimal.ts';
import { stepFormatter } from './step-format.ts';

describe('stepFormatter', () => {
  it('writes what fromSteps writes, for any steps of any step', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('0.01', '0.00000001', '1', '5', '0.05', '0.00001', '10', '0.25'),
        fc.oneof(fc.integer({ min: 0, max: 10_000_000 }), fc.maxSafeNat()),
        (step, steps) => {
          expect(stepFormatter(step)(steps)).toBe(fromSteps(steps, step));
        },
      ),
    );
  });

  it('writes small and round values exactly', () => {
    const px = stepFormatter('0.01');
    expect([px(0), px(1), px(100), px(6173763), px(6173700)]).toEqual(['0', '0.01', '1', '61737.63', '61737']);
  });
});
