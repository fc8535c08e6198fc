import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALWAYS_OPEN } from '../venues/nyse-calendar.ts';
import { venueRules } from '../venues/index.ts';
import {
  historyBuckets,
  historyProfile,
  historyWindows,
  readHistoryProfile,
  type MinuteVolume,
  type MinuteVolumeSource,
} from './history-profile.ts';
import { planTrajectorySlices } from './trajectory-plan.ts';
import { FLAT_PROFILE, validateTrajectory } from './trajectory.ts';
import { makeInstrument } from '../model/instrument.ts';
import { TwapPlanError } from './twap-spec-check.ts';

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.UTC(2024, 7, 9, 14, 0); // a Friday, 10:00 in New York
const nyse = venueRules('alpaca-equities').hours;

describe('history windows', () => {
  it('on a 24/7 venue: the horizon 1..N whole days back', () => {
    expect(historyWindows(T0, 3_600_000, 3, ALWAYS_OPEN)).toEqual([
      { from: T0 - DAY, to: T0 - DAY + 3_600_000, shift: DAY },
      { from: T0 - 2 * DAY, to: T0 - 2 * DAY + 3_600_000, shift: 2 * DAY },
      { from: T0 - 3 * DAY, to: T0 - 3 * DAY + 3_600_000, shift: 3 * DAY },
    ]);
    expect(historyWindows(T0, 3_600_000, 2, undefined)).toHaveLength(2);
  });

  it('on an exchange calendar: trading days only, the same offset from each open', () => {
    // Friday 2024-08-09 back 5 trading days: Thu 8, Wed 7, Tue 6, Mon 5, Fri 2 (the weekend skipped).
    const w = historyWindows(T0, 3_600_000, 5, nyse);
    expect(w.map((x) => new Date(x.from).toISOString())).toEqual([
      '2024-08-08T14:00:00.000Z',
      '2024-08-07T14:00:00.000Z',
      '2024-08-06T14:00:00.000Z',
      '2024-08-05T14:00:00.000Z',
      '2024-08-02T14:00:00.000Z',
    ]);
    // Across the end of daylight saving (Sunday 2024-11-03): 10:00 in New York is 15:00 UTC
    // after it and 14:00 UTC before it.
    const after = Date.UTC(2024, 10, 4, 15, 0);
    const back = historyWindows(after, 3_600_000, 1, nyse);
    expect(new Date(back[0]!.from).toISOString()).toBe('2024-11-01T14:00:00.000Z');
  });
});

describe('history profile', () => {
  const windows = historyWindows(T0, 10 * MIN, 2, ALWAYS_OPEN);

  it('averages each minute of the horizon over the days that traded', () => {
    const bars: MinuteVolume[] = [
      { start: T0 - DAY, volume: 10 },
      { start: T0 - DAY + 9 * MIN, volume: 30 },
      { start: T0 - 2 * DAY, volume: 30 },
      { start: T0 - 2 * DAY + 5 * MIN, volume: 8 },
      // Outside every window: not counted.
      { start: T0 - DAY + 10 * MIN, volume: 1000 },
      { start: T0 - 3 * DAY, volume: 1000 },
    ];
    const p = historyProfile(bars, windows, 10 * MIN, 2);
    expect(p).toEqual({ weights: [20, 0, 0, 0, 0, 4, 0, 0, 0, 15], daysUsed: 2 });
  });

  it('needs at least half the days asked to have traded in the window', () => {
    const one = [{ start: T0 - DAY, volume: 5 }];
    expect(historyProfile(one, windows, 10 * MIN, 2)).toMatchObject({ daysUsed: 1 });
    const w3 = historyWindows(T0, 10 * MIN, 3, ALWAYS_OPEN);
    expect(historyProfile(one, w3, 10 * MIN, 3)).toEqual({
      unavailable: "volume in the horizon's time of day on 1 of the 3 previous days asked (at least 2 needed)",
    });
    expect(historyProfile([], windows, 10 * MIN, 2)).toHaveProperty('unavailable');
  });

  it('a source that fails, or none, is a reason to fall back', () => {
    expect(readHistoryProfile(undefined, 'X', T0, MIN, 1, ALWAYS_OPEN)).toEqual({
      unavailable: 'this run reads no minute history',
      source: null,
    });
    const failing: MinuteVolumeSource = { minuteVolumes: () => ({ kind: 'failed', reason: 'timeout', source: 'v' }) };
    expect(readHistoryProfile(failing, 'X', T0, MIN, 1, ALWAYS_OPEN)).toEqual({ unavailable: 'timeout', source: 'v' });
  });

  it('property: the weights are the bars in the windows, averaged; the plan sums to its quantity and follows them', () => {
    const inst = makeInstrument({ symbol: 'X', tickSize: '0.01', lotSize: '1', minNotional: '0' });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 2, max: 90 }),
        fc.array(
          fc.record({ day: fc.integer({ min: 1, max: 7 }), min: fc.integer({ min: -5, max: 95 }), v: fc.nat(500) }),
          { maxLength: 200, size: 'max' },
        ),
        fc.integer({ min: 1, max: 5000 }),
        (days, minutes, raw, qty) => {
          const horizonMs = minutes * MIN;
          const bars = raw.map((b) => ({ start: T0 - b.day * DAY + b.min * MIN, volume: b.v }));
          const ws = historyWindows(T0, horizonMs, days, ALWAYS_OPEN);
          const p = historyProfile(bars, ws, horizonMs, days);
          const inside = raw.filter((b) => b.v > 0 && b.min >= 0 && b.min < minutes && b.day <= days);
          const tradedDays = new Set(inside.map((b) => b.day)).size;
          if (tradedDays < Math.ceil(days / 2)) {
            expect(p).toHaveProperty('unavailable');
            return;
          }
          if (!('weights' in p)) throw new Error('expected a profile');
          expect(p.weights).toHaveLength(historyBuckets(horizonMs));
          expect(p.daysUsed).toBe(tradedDays);
          const total = p.weights.reduce((a, w) => a + w, 0);
          expect(total * tradedDays).toBeCloseTo(
            inside.reduce((a, b) => a + b.v, 0),
            6,
          );
          // Planned over one-minute slices, the parent's cumulative follows the weights' within a lot.
          const source: MinuteVolumeSource = { minuteVolumes: () => ({ kind: 'read', bars, source: 'test' }) };
          const { plan, trajectory } = planTrajectorySlices(
            {
              side: 'buy',
              qty,
              startTime: T0,
              durationMs: horizonMs,
              intervalMs: MIN,
              instrument: inst,
              referencePrice: 100,
              childType: 'market',
            },
            { kind: 'vwap', profile: 'history', days },
            undefined,
            FLAT_PROFILE,
            (start, h, d) => readHistoryProfile(source, 'X', start, h, d, ALWAYS_OPEN),
          );
          expect(plan.slices.reduce((a, s) => a + s.qty, 0)).toBe(qty);
          expect(trajectory).toMatchObject({
            kind: 'vwap',
            profile: 'history',
            history: { days, daysUsed: tradedDays },
          });
          // The weights' cumulative at t, each minute's volume spread evenly over it.
          const weightUpTo = (t: number): number => {
            const x = Math.min(p.weights.length, (t - T0) / MIN);
            const i = Math.floor(x);
            return (
              p.weights.slice(0, i).reduce((a, v) => a + v, 0) + (i < p.weights.length ? p.weights[i]! * (x - i) : 0)
            );
          };
          let cum = 0;
          plan.slices.forEach((s, k) => {
            cum += s.qty;
            if (k === plan.slices.length - 1) return;
            const end = T0 + (Math.round((s.scheduledTime - T0) / plan.intervalMs) + 1) * plan.intervalMs;
            expect(Math.abs(cum - (qty * weightUpTo(end)) / total)).toBeLessThanOrEqual(1);
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('falls back to the default profile with the reason when history is too thin', () => {
    const inst = makeInstrument({ symbol: 'X', tickSize: '0.01', lotSize: '1', minNotional: '0' });
    const empty: MinuteVolumeSource = { minuteVolumes: () => ({ kind: 'read', bars: [], source: 'test bars' }) };
    const { trajectory, plan } = planTrajectorySlices(
      {
        side: 'buy',
        qty: 10,
        startTime: T0,
        durationMs: 10 * MIN,
        intervalMs: MIN,
        instrument: inst,
        referencePrice: 100,
        childType: 'market',
      },
      { kind: 'vwap', profile: 'history', days: 2 },
      undefined,
      FLAT_PROFILE,
      (start, h, d) => readHistoryProfile(empty, 'X', start, h, d, ALWAYS_OPEN),
    );
    expect(trajectory).toEqual({
      kind: 'vwap',
      profile: 'flat',
      history: {
        days: 2,
        source: 'test bars',
        unavailable: "volume in the horizon's time of day on 0 of the 2 previous days asked (at least 1 needed)",
      },
    });
    expect(plan.slices.map((s) => s.qty)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('days out of range or without history: one message at the field', () => {
    const refusal = (spec: Parameters<typeof validateTrajectory>[0]): string => {
      try {
        validateTrajectory(spec);
        return 'accepted';
      } catch (err) {
        if (!(err instanceof TwapPlanError)) throw err;
        return err.message;
      }
    };
    expect(refusal({ kind: 'vwap', profile: 'history', days: 0 })).toMatch(/days.*1 to 20, got 0/);
    expect(refusal({ kind: 'vwap', profile: 'history', days: 21 })).toMatch(/days.*1 to 20, got 21/);
    expect(refusal({ kind: 'vwap', profile: 'history', days: 2.5 })).toMatch(/days.*got 2.5/);
    expect(refusal({ kind: 'vwap', days: 3 })).toMatch(/days.*applies only to profile: history/);
    expect(refusal({ kind: 'vwap', profile: 'history', days: 20 })).toBe('accepted');
  });
});
