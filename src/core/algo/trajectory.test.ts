import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN, NYSE_HOURS } from '../venues/nyse-calendar.ts';
import {
  bucketProfile,
  defaultProfile,
  FLAT_PROFILE,
  kappaPerSecond,
  remainingFraction,
  sessionUProfile,
  trajectoryOf,
  validateTrajectory,
  type TrajectorySpec,
} from './trajectory.ts';
import { TwapPlanError } from './twap-spec-check.ts';

const RUNS = { numRuns: 300 };
const HOUR = 3_600_000;
/** 2024-08-09, a Friday: 09:30 to 16:00 New York is 13:30 to 20:00 UTC. */
const OPEN = Date.UTC(2024, 7, 9, 13, 30);
const CLOSE = Date.UTC(2024, 7, 9, 20, 0);

const acArb = fc.record({
  urgency: fc.oneof(fc.constant(0), fc.double({ min: 1e-9, max: 1e3, noNaN: true })),
  volatility: fc.double({ min: 0, max: 1, noNaN: true }),
  impact: fc.double({ min: 1e-9, max: 1, noNaN: true }),
});

describe('Almgren-Chriss', () => {
  it('kappa is sqrt(urgency x sigma^2 per second / eta)', () => {
    // sigma 0.06 per sqrt(hour) is 0.001 per sqrt(second); urgency 4, eta 1e-6: kappa^2 = 4.
    expect(kappaPerSecond({ urgency: 4, volatility: 0.06, impact: 1e-6 })).toBeCloseTo(2, 12);
    expect(kappaPerSecond({ urgency: 0, volatility: 0.06, impact: 1e-6 })).toBe(0);
  });

  it('remaining fraction equals sinh(k(T-t))/sinh(kT), with kT = 0 the straight line', () => {
    expect(remainingFraction(0, 100, 25)).toBe(0.75);
    expect(remainingFraction(0.01, 100, 25)).toBeCloseTo(Math.sinh(0.75) / Math.sinh(1), 15);
    fc.assert(
      fc.property(
        fc.double({ min: 1e-6, max: 15, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (kT, share) => {
          const T = 1000;
          const t = share * T;
          const exact = Math.sinh((kT / T) * (T - t)) / Math.sinh(kT);
          expect(remainingFraction(kT / T, T, t)).toBeCloseTo(exact, 12);
        },
      ),
      RUNS,
    );
  });

  it('stays finite and exact where sinh overflows, and is 1 at the start and 0 at the end', () => {
    // kT = 2000: sinh overflows; the exponential form gives e^(-kt) away from the end.
    expect(remainingFraction(2, 1000, 0)).toBe(1);
    expect(remainingFraction(2, 1000, 1000)).toBe(0);
    expect(remainingFraction(2, 1000, 1)).toBeCloseTo(Math.exp(-2), 15);
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (kT, share) => {
          const x = remainingFraction(kT / 1000, 1000, share * 1000);
          expect(Number.isFinite(x)).toBe(true);
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThanOrEqual(1);
        },
      ),
      RUNS,
    );
  });

  it('F is non-decreasing in t and, at every t, in urgency (front-loads as urgency rises)', () => {
    fc.assert(
      fc.property(
        acArb,
        fc.double({ min: 1, max: 1e3, noNaN: true }),
        fc.integer({ min: 1_000, max: 10 * HOUR }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 10 }),
        (p, factor, horizon, shares) => {
          const low = trajectoryOf({ kind: 'almgren-chriss', ...p }, 0, horizon);
          const high = trajectoryOf({ kind: 'almgren-chriss', ...p, urgency: p.urgency * factor }, 0, horizon);
          const ts = shares.map((s) => s * horizon).sort((a, b) => a - b);
          let prev = 0;
          for (const t of ts) {
            const f = low.fractionAt(t);
            expect(f).toBeGreaterThanOrEqual(prev);
            prev = f;
            expect(high.fractionAt(t)).toBeGreaterThanOrEqual(f - 1e-12);
          }
        },
      ),
      RUNS,
    );
  });

  it('urgency 0 (or no volatility) is the straight line, flagged linear', () => {
    const t = trajectoryOf({ kind: 'almgren-chriss', urgency: 0, volatility: 0.02, impact: 1e-4 }, 1000, 4000);
    expect(t.linear).toBe(true);
    expect(t.fractionAt(2000)).toBe(0.25);
    expect(trajectoryOf({ kind: 'almgren-chriss', urgency: 5, volatility: 0, impact: 1e-4 }, 0, 10).linear).toBe(true);
  });
});

describe('VWAP profiles', () => {
  it('a given profile is piecewise linear over equal buckets of the horizon', () => {
    const t = trajectoryOf({ kind: 'vwap', profile: [3, 1, 0, 4] }, 1000, 400);
    expect(t.linear).toBe(false);
    expect(t.fractionAt(1000)).toBe(0);
    expect(t.fractionAt(1100)).toBeCloseTo(3 / 8, 15);
    expect(t.fractionAt(1150)).toBeCloseTo(3.5 / 8, 15);
    expect(t.fractionAt(1300)).toBeCloseTo(4 / 8, 15); // the empty bucket adds nothing
    expect(t.fractionAt(1400)).toBe(1);
    expect(t.profile?.name).toBe('given');
  });

  it('F follows the profile: the share of volume of [start, t) over the horizon', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: 1, maxLength: 50, size: 'max' }),
        fc.integer({ min: 1, max: HOUR }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (weights, horizon, share) => {
          fc.pre(weights.some((w) => w > 0));
          const t = trajectoryOf({ kind: 'vwap', profile: weights }, 0, horizon);
          const p = bucketProfile(weights, 0, horizon);
          const at = share * horizon;
          const expected = p.volumeBetween(0, at) / p.volumeBetween(0, horizon);
          expect(t.fractionAt(at)).toBeCloseTo(expected, 12);
        },
      ),
      RUNS,
    );
  });

  it('equal weights, and the default on a 24/7 venue, are the straight line (sized from it, not TWAP)', () => {
    const given = trajectoryOf({ kind: 'vwap', profile: [2, 2, 2] }, 0, 100);
    const flat = trajectoryOf({ kind: 'vwap' }, 0, 100, defaultProfile(ALWAYS_OPEN));
    for (const t of [given, flat]) {
      expect(t.linear).toBe(false);
      expect(t.fractionAt(25)).toBe(0.25);
    }
    expect(flat.profile).toBe(FLAT_PROFILE);
    expect(defaultProfile(undefined)).toBe(FLAT_PROFILE);
  });

  it('weights of any magnitude give the same curve', () => {
    const tiny = trajectoryOf({ kind: 'vwap', profile: [5e-324, 1e-323] }, 0, 100);
    const huge = trajectoryOf({ kind: 'vwap', profile: [1.5e308, 1e308] }, 0, 100);
    expect(tiny.fractionAt(50)).toBeCloseTo(1 / 3, 12);
    expect(huge.fractionAt(50)).toBeCloseTo(0.6, 12);
  });

  it('the default on an exchange calendar is U-shaped over its session: 3x at the ends, 1x at midday', () => {
    const p = defaultProfile(NYSE_HOURS);
    expect(p.name).toBe('u-shaped');
    const len = CLOSE - OPEN;
    const second = 1000;
    const rate = (t: number) => p.volumeBetween(t, t + second) / second;
    expect(rate(OPEN)).toBeCloseTo(3, 3);
    expect(rate(OPEN + len / 2 - second / 2)).toBeCloseTo(1, 6);
    expect(rate(CLOSE - second)).toBeCloseTo(3, 3);
    // The whole session holds 5/3 of its length; nothing trades outside it.
    expect(p.volumeBetween(OPEN, CLOSE) / len).toBeCloseTo(5 / 3, 12);
    expect(p.volumeBetween(OPEN - HOUR, OPEN)).toBe(0);
    expect(p.volumeBetween(CLOSE, CLOSE + 10 * HOUR)).toBe(0);
    // Friday's close to Monday's open and an hour of it: one hour at the open's rate.
    const monday = Date.UTC(2024, 7, 12, 13, 30);
    expect(p.volumeBetween(CLOSE, monday + HOUR)).toBeCloseTo(p.volumeBetween(monday, monday + HOUR), 6);
  });

  it('the profile answers the same whatever it was asked before (its calendar lookups are cached)', () => {
    const shared = sessionUProfile(NYSE_HOURS);
    const span = 14 * 24 * HOUR; // two weeks from Friday's open: weekends, nights, a whole session
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -HOUR, max: span }), fc.integer({ min: 0, max: 3 * 24 * HOUR })), {
          minLength: 1,
          maxLength: 20,
          size: 'max',
        }),
        (queries) => {
          for (const [a, len] of queries) {
            const fresh = sessionUProfile(NYSE_HOURS).volumeBetween(OPEN + a, OPEN + a + len);
            expect(shared.volumeBetween(OPEN + a, OPEN + a + len)).toBe(fresh);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a trajectory asked in any order gives what it gives asked alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5 * 24 * HOUR }), { minLength: 1, maxLength: 30, size: 'max' }),
        (ts) => {
          const shared = trajectoryOf({ kind: 'vwap' }, OPEN, 5 * 24 * HOUR, sessionUProfile(NYSE_HOURS));
          for (const t of ts) {
            const alone = trajectoryOf({ kind: 'vwap' }, OPEN, 5 * 24 * HOUR, sessionUProfile(NYSE_HOURS));
            expect(shared.fractionAt(OPEN + t)).toBeCloseTo(alone.fractionAt(OPEN + t), 12);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('a VWAP from the open front-loads, one across midday is nearly flat', () => {
    const u = sessionUProfile(NYSE_HOURS);
    const atOpen = trajectoryOf({ kind: 'vwap' }, OPEN, HOUR, u);
    expect(atOpen.linear).toBe(false);
    expect(atOpen.fractionAt(OPEN + HOUR / 2)).toBeGreaterThan(0.55);
    const mid = OPEN + (CLOSE - OPEN) / 2 - HOUR / 2;
    const midday = trajectoryOf({ kind: 'vwap' }, mid, HOUR, u);
    expect(midday.fractionAt(mid + HOUR / 2)).toBeCloseTo(0.5, 6);
  });

  it('a horizon with no expected volume (the venue closed throughout) falls back to the line', () => {
    const t = trajectoryOf({ kind: 'vwap' }, CLOSE + HOUR, HOUR, sessionUProfile(NYSE_HOURS));
    expect(t.fellBack).toBe(true);
    expect(t.fractionAt(CLOSE + HOUR + HOUR / 4)).toBe(0.25);
  });
});

describe('validateTrajectory', () => {
  const refused = (spec: TrajectorySpec): TwapPlanError => {
    try {
      validateTrajectory(spec);
    } catch (e) {
      expect(e).toBeInstanceOf(TwapPlanError);
      return e as TwapPlanError;
    }
    throw new Error('accepted');
  };
  it('names the field and the problem', () => {
    expect(refused({ kind: 'vwap', profile: [] }).field).toBe('profile');
    expect(refused({ kind: 'vwap', profile: [1, -1] }).field).toBe('profile.1');
    expect(refused({ kind: 'vwap', profile: [0, 0] }).problem).toMatch(/above 0/);
    expect(refused({ kind: 'almgren-chriss', urgency: -1, volatility: 0.1, impact: 1 }).field).toBe('urgency');
    expect(refused({ kind: 'almgren-chriss', urgency: 1, volatility: Number.NaN, impact: 1 }).field).toBe('volatility');
    expect(refused({ kind: 'almgren-chriss', urgency: 1, volatility: 0.1, impact: 0 }).field).toBe('impact');
    expect(refused({ kind: 'almgren-chriss', urgency: 1e308, volatility: 100, impact: 1e-300 }).field).toBe('urgency');
  });
});
