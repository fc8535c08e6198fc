// The shadow comparison's statistics: known values, the thresholds' edges, degenerate series
// (constant, all zero, empty, one sample, out of floating-point range), and properties of
// correlation (bounded, symmetric, blind to a positive rescaling) and of the verdict.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOutputs, decimal, DEFAULT_THRESHOLDS } from './shadow-compare.ts';

const T = DEFAULT_THRESHOLDS;

describe('compareOutputs', () => {
  it('computes Pearson correlation, relative mean difference, sign changes and ranges', () => {
    // mean x 2.5, y 5: sxy = 11, sxx = 5, syy = 26 -> r = 11 / sqrt(130) = 0.9648
    const c = compareOutputs([1, 2, 3, 4], [2, 4, 5, 9], T);
    expect(c.correlation).toBeCloseTo(11 / Math.sqrt(5 * 26), 12);
    // |1|+|2|+|2|+|5| = 10 over |1|+|2|+|3|+|4| = 10
    expect(c.meanDifference).toBe(1);
    expect(c.signChanges).toBe(0);
    expect(c.liveRange).toEqual([1, 4]);
    expect(c.candidateRange).toEqual([2, 9]);
    expect(c.passed).toBe(false);
    expect(c.reason).toBe('mean difference 1.0000 is above 0.5000');
  });

  it('passes a candidate that moves with the live one on its scale', () => {
    const live = [-1.2, 0.4, 2.1, -0.3, 0.9, -2.2];
    const near = live.map((x, i) => x * 1.1 + (i % 2 === 0 ? 0.05 : -0.05));
    const c = compareOutputs(live, near, T);
    expect(c.passed).toBe(true);
    expect(c.correlation).toBeGreaterThan(0.99);
    expect(c.meanDifference).toBeLessThan(0.2);
    expect(c.reason).toMatch(
      /^correlation 0\.99\d\d >= 0\.5000 and mean difference 0\.\d{4} <= 0\.5000 over 6 samples$/,
    );
  });

  it('rejects an inverted model on correlation, counting every sign it flips', () => {
    const live = [-1, 2, 0, 3, -4];
    const c = compareOutputs(
      live,
      live.map((x) => -x),
      T,
    );
    expect(c.correlation).toBe(-1);
    expect(c.signChanges).toBe(4);
    expect(c.passed).toBe(false);
    expect(c.reason).toBe('correlation -1.0000 is below 0.5000');
  });

  it('rejects a model that moves with the live one on twice its scale', () => {
    const live = [1, -2, 3, -4];
    const c = compareOutputs(
      live,
      live.map((x) => 2 * x),
      T,
    );
    expect(c.correlation).toBe(1);
    expect(c.meanDifference).toBe(1);
    expect(c.passed).toBe(false);
  });

  it('holds at the thresholds themselves: a correlation of exactly the minimum and a difference of exactly the maximum pass', () => {
    const live = [1, -1, 1, -1];
    // candidate = 1.5 x: correlation 1, difference exactly 0.5
    expect(
      compareOutputs(
        live,
        live.map((x) => 1.5 * x),
        T,
      ).passed,
    ).toBe(true);
    expect(
      compareOutputs(
        live,
        live.map((x) => 1.5 * x),
        { ...T, maxMeanDifference: 0.4999 },
      ).passed,
    ).toBe(false);
    const c = compareOutputs([1, 2, 3], [1, 3, 2], T); // r = 0.5 exactly
    expect(c.correlation).toBeCloseTo(0.5, 12);
    expect(compareOutputs([1, 2, 3], [1, 3, 2], { ...T, minCorrelation: 0.50001 }).passed).toBe(false);
  });

  it('passes constant outputs that are equal, with no correlation', () => {
    const c = compareOutputs([0.3, 0.3, 0.3], [0.3, 0.3, 0.3], T);
    expect(c).toMatchObject({ passed: true, correlation: null, meanDifference: 0, signChanges: 0 });
    expect(c.reason).toBe("the candidate's outputs equal the live strategy's on all 3 samples");
    expect(compareOutputs([0, 0], [0, 0], T).passed).toBe(true);
  });

  it('rejects when one side is constant and they differ, naming which side', () => {
    const c = compareOutputs([1, 1, 1, 1], [1, 2, 3, 4], T);
    expect(c).toMatchObject({ passed: false, correlation: null });
    expect(c.reason).toBe(
      "correlation is not defined: the live strategy's outputs are constant over 4 samples, and they differ",
    );
    expect(compareOutputs([1, 2, 3, 4], [0, 0, 0, 0], T).reason).toMatch(/the candidate's outputs are constant/);
    expect(compareOutputs([1, 1], [2, 2], T).reason).toMatch(/both outputs are constant/);
  });

  it('rejects a candidate that says something where the live strategy says nothing', () => {
    const c = compareOutputs([0, 0, 0], [0, 1, 0], T);
    expect(c.passed).toBe(false);
    expect(c.meanDifference).toBeNull();
  });

  it('rejects no samples and one sample that differs; refuses series of different lengths', () => {
    expect(compareOutputs([], [], T)).toMatchObject({
      passed: false,
      reason: 'no samples to compare',
      liveRange: null,
    });
    expect(compareOutputs([1], [2], T)).toMatchObject({
      passed: false,
      reason: 'one sample cannot show a correlation',
    });
    expect(() => compareOutputs([1, 2], [1], T)).toThrow(/2 live samples against 1/);
  });

  it('says so when the figures leave floating-point range instead of deciding on NaN', () => {
    const c = compareOutputs([1e300, -1e300, 1e300], [-1e300, 1e300, 1e300], T);
    expect(c.passed).toBe(false);
    expect(c.correlation === null || Number.isFinite(c.correlation)).toBe(true);
    expect(c.meanDifference === null || Number.isFinite(c.meanDifference)).toBe(true);
  });

  it('formats figures with four decimals and never as -0', () => {
    expect(decimal(0.123456)).toBe('0.1235');
    expect(decimal(-0.00001)).toBe('0.0000');
    expect(decimal(-1)).toBe('-1.0000');
  });
});

const value = fc.double({ min: -1e6, max: 1e6, noNaN: true });
const pairs = fc
  .integer({ min: 2, max: 60 })
  .chain((n) =>
    fc.tuple(fc.array(value, { minLength: n, maxLength: n }), fc.array(value, { minLength: n, maxLength: n })),
  );

describe('compareOutputs properties', () => {
  it('correlation is null or in [-1, 1], and the same with the series swapped', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const ab = compareOutputs(a, b, T).correlation;
        const ba = compareOutputs(b, a, T).correlation;
        if (ab === null) return ba === null;
        return ab >= -1 && ab <= 1 && ba !== null && Math.abs(ab - ba) < 1e-9;
      }),
    );
  });

  it('a series correlates 1 with itself and with any positive rescaling of it, -1 with its negation', () => {
    fc.assert(
      fc.property(
        // Thousandths: a series of subnormal numbers has deviations that underflow to 0.
        fc.array(
          fc.integer({ min: -1_000_000, max: 1_000_000 }).map((x) => x / 1000),
          { minLength: 2, maxLength: 60, size: 'max' },
        ),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (a, k) => {
          const self = compareOutputs(a, a, T);
          const constant = a.every((x) => x === a[0]);
          if (constant) return self.correlation === null && self.passed;
          const scaled = compareOutputs(
            a,
            a.map((x) => x * k),
            T,
          ).correlation;
          const negated = compareOutputs(
            a,
            a.map((x) => -x),
            T,
          ).correlation;
          return (
            self.correlation !== null &&
            Math.abs(self.correlation - 1) < 1e-9 &&
            self.passed &&
            (scaled === null || Math.abs(scaled - 1) < 1e-6) &&
            negated !== null &&
            Math.abs(negated + 1) < 1e-9
          );
        },
      ),
    );
  });

  it('passes exactly when the outputs are equal or both thresholds hold', () => {
    fc.assert(
      fc.property(
        pairs,
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        ([a, b], minC, maxD) => {
          const c = compareOutputs(a, b, { minCorrelation: minC, maxMeanDifference: maxD });
          const equal = a.every((x, i) => x === b[i]);
          const holds =
            c.correlation !== null && c.correlation >= minC && c.meanDifference !== null && c.meanDifference <= maxD;
          return c.passed === (equal || holds);
        },
      ),
    );
  });

  it('counts a sign change exactly where one output is above 0 and the other below', () => {
    fc.assert(
      fc.property(pairs, ([a, b]) => {
        const expected = a.filter((x, i) => Math.sign(x) * Math.sign(b[i] as number) < 0).length;
        return compareOutputs(a, b, T).signChanges === expected;
      }),
    );
  });
});
