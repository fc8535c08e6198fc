import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../clock/rng.ts';
import { backoffCeiling, backoffDelay, pollInterval, type BackoffConfig, type PollConfig } from './backoff.ts';
import { DEFAULT_FILL_CONFIG, parseFillConfig } from './fill-config.ts';

const RUNS = { numRuns: 300 };
const noJitter: BackoffConfig = { ...DEFAULT_FILL_CONFIG, jitterFraction: 0 };

const backoffArb: fc.Arbitrary<BackoffConfig> = fc
  .record({
    base: fc.integer({ min: 1, max: 60_000 }),
    extra: fc.integer({ min: 0, max: 600_000 }),
    jitter: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ base, extra, jitter }) => ({ backoffBaseMs: base, backoffMaxMs: base + extra, jitterFraction: jitter }));
const pollArb: fc.Arbitrary<PollConfig> = fc
  .record({
    initial: fc.integer({ min: 1, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 100_000 }),
    increase: fc.oneof(
      fc.record({ mode: fc.constant('step' as const), ms: fc.integer({ min: 0, max: 10_000 }) }),
      fc.record({ mode: fc.constant('factor' as const), factor: fc.double({ min: 1, max: 10, noNaN: true }) }),
    ),
  })
  .map(({ initial, extra, increase }) => ({
    pollInitialMs: initial,
    pollMaxMs: initial + extra,
    pollIncrease: increase,
  }));

describe('backoffDelay', () => {
  it('doubles from the base up to the cap without jitter: 0.5 s, 1 s, 2 s, 4 s, 8 s, 8 s', () => {
    const rng = new Rng(1, 'backoff');
    expect([1, 2, 3, 4, 5, 6, 1000].map((a) => backoffDelay(a, noJitter, rng))).toEqual([
      500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000,
    ]);
  });

  it('only shortens a delay by jitter, within its fraction, as whole milliseconds', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 1, max: 200 }), fc.nat(), (config, attempt, seed) => {
        const ceiling = backoffCeiling(attempt, config);
        const d = backoffDelay(attempt, config, new Rng(seed, 'backoff'));
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(config.backoffMaxMs);
        expect(d).toBeLessThanOrEqual(ceiling);
        expect(d).toBeGreaterThanOrEqual(Math.floor(ceiling * (1 - config.jitterFraction)));
      }),
      RUNS,
    );
  });

  it('is non-decreasing in the attempt without jitter, and reaches the cap', () => {
    fc.assert(
      fc.property(backoffArb, fc.integer({ min: 1, max: 100 }), (c, attempt) => {
        const config = { ...c, jitterFraction: 0 };
        const rng = new Rng(0);
        const a = backoffDelay(attempt, config, rng);
        expect(backoffDelay(attempt + 1, config, rng)).toBeGreaterThanOrEqual(a);
        expect(backoffDelay(attempt + 60, config, rng)).toBe(config.backoffMaxMs);
      }),
      RUNS,
    );
  });

  it('is reproducible from the seed, and draws one number per call', () => {
    fc.assert(
      fc.property(
        backoffArb,
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20, size: 'max' }),
        fc.nat(),
        (config, attempts, seed) => {
          const run = () => {
            const rng = new Rng(seed).stream('fills').stream('backoff');
            return attempts.map((a) => backoffDelay(a, config, rng));
          };
          expect(run()).toEqual(run());
          // One draw per call, whatever the jitter: a zero fraction does not shift later draws.
          const rng = new Rng(seed, 'x');
          attempts.forEach((a) => backoffDelay(a, { ...config, jitterFraction: 0 }, rng));
          const after = rng.next();
          const ref = new Rng(seed, 'x');
          attempts.forEach(() => ref.next());
          expect(after).toBe(ref.next());
        },
      ),
      RUNS,
    );
  });

  it('refuses an attempt below 1', () => {
    expect(() => backoffDelay(0, noJitter, new Rng(1))).toThrow(RangeError);
    expect(() => backoffDelay(1.5, noJitter, new Rng(1))).toThrow(/attempt must be a whole number >= 1/);
  });
});

describe('pollInterval', () => {
  it('grows by the step per poll up to the cap with the defaults: 2 s, 2.5 s ... 5 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => pollInterval(n, DEFAULT_FILL_CONFIG))).toEqual([
      2_000, 2_500, 3_000, 3_500, 4_000, 4_500, 5_000, 5_000, 5_000,
    ]);
  });

  it('grows by a factor when configured so', () => {
    const c = parseFillConfig({
      pollInitialMs: 1_000,
      pollIncrease: { mode: 'factor', factor: 1.5 },
      pollMaxMs: 4_000,
    });
    expect([0, 1, 2, 3, 4, 50, 5_000].map((n) => pollInterval(n, c))).toEqual([
      1_000, 1_500, 2_250, 3_375, 4_000, 4_000, 4_000,
    ]);
  });

  it('is non-decreasing, starts at the initial interval, never exceeds the cap, and stays there once reached', () => {
    fc.assert(
      fc.property(pollArb, fc.integer({ min: 0, max: 10_000 }), (config, n) => {
        const a = pollInterval(n, config);
        const b = pollInterval(n + 1, config);
        expect(pollInterval(0, config)).toBe(config.pollInitialMs);
        expect(Number.isInteger(a)).toBe(true);
        expect(b).toBeGreaterThanOrEqual(a);
        expect(a).toBeLessThanOrEqual(config.pollMaxMs);
        expect(a).toBeGreaterThanOrEqual(config.pollInitialMs);
        if (a === config.pollMaxMs) expect(b).toBe(config.pollMaxMs);
      }),
      RUNS,
    );
  });

  it('refuses a negative or fractional poll count', () => {
    expect(() => pollInterval(-1, DEFAULT_FILL_CONFIG)).toThrow(RangeError);
    expect(() => pollInterval(0.5, DEFAULT_FILL_CONFIG)).toThrow(/pollCount must be a whole number >= 0/);
  });
});
