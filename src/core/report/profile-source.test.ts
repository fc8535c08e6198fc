// A VWAP's profile source in words, for each way its plan can store one; none for other parents.
import { describe, expect, it } from 'vitest';
import { profileSource } from './profile-source.ts';

describe('profileSource', () => {
  it('names each source a VWAP plan stores', () => {
    expect(profileSource({ kind: 'vwap', profile: 'given', weights: [3, 1, 1, 3] })).toBe(
      'given with the order (4 weights)',
    );
    expect(profileSource({ kind: 'vwap', profile: 'flat' })).toBe('flat (a 24/7 market without history)');
    expect(profileSource({ kind: 'vwap', profile: 'u-shaped' })).toBe(
      "the U-shaped default of the exchange's sessions",
    );
    expect(
      profileSource({
        kind: 'vwap',
        profile: 'history',
        weights: [1, 2],
        history: { days: 5, daysUsed: 4, source: "the venue's minute bars" },
      }),
    ).toBe("history over the 5 days before the start, 4 of them with volume, from the venue's minute bars");
    expect(
      profileSource({
        kind: 'vwap',
        profile: 'history',
        weights: [1],
        history: { days: 1, daysUsed: 1, source: null },
      }),
    ).toBe('history over the 1 day before the start');
    expect(
      profileSource({
        kind: 'vwap',
        profile: 'flat',
        history: { days: 3, source: null, unavailable: 'this run reads no minute history' },
      }),
    ).toBe('flat (a 24/7 market without history) (history over 3 days asked for: this run reads no minute history)');
    expect(profileSource({ kind: 'vwap', profile: 'u-shaped', fellBack: true })).toBe(
      "the U-shaped default of the exchange's sessions; it expected no volume in the horizon, so the straight line was followed",
    );
  });

  it('is null for every other parent', () => {
    expect(profileSource(null)).toBeNull();
    expect(profileSource(undefined)).toBeNull();
    expect(profileSource({ kind: 'pov', rate: 0.1, maxRate: null, minChildQty: 0, end: 'stop' })).toBeNull();
    expect(
      profileSource({ kind: 'almgren-chriss', urgency: 1, volatility: 0.01, impact: 1e-4, kappaPerSecond: 0.1 }),
    ).toBeNull();
  });
});
