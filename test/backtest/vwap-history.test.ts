// A backtest VWAP with `profile: history` (examples/algorithms/vwap-history.yaml): the profile is
// the average volume of each minute of the horizon's time of day over the previous trading days,
// drawn from the scenario's own market model before the start; the plan stores it, its slices
// follow it within a lot, a restart plans nothing again, and the run reproduces its digest. With
// no trades before the start (a static book) it falls back to the venue's default profile and
// stores why. Bad input is refused with one message at the field.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { historyProfile, historyWindows } from '../../src/core/algo/history-profile.ts';
import type { PlannedTrajectory } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { venueRules } from '../../src/core/venues/index.ts';
import { backtestVolumeHistory } from '../../src/host/backtest-history.ts';
import { buildVenue } from '../../src/scenario/build-venue.ts';
import { parseScenario, ScenarioError } from '../../src/scenario/load-scenario.ts';
import { formatReport } from '../../src/cli/format-report.ts';
import { runLogged } from '../support/logged-run.ts';

const TEXT = readFileSync('examples/algorithms/vwap-history.yaml', 'utf8');
const run = (text: string) => runLogged(parseScenario(text, 'inline.yaml'));

describe('a backtest VWAP with a profile from history', () => {
  it('follows the market model’s volume before the start, stored with the plan, through a restart', () => {
    const { report, log, of } = run(TEXT);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    const planned = of('TwapPlanned');
    expect(planned).toHaveLength(1);
    const t = planned[0]!.event.trajectory as Extract<PlannedTrajectory, { kind: 'vwap' }>;
    expect(t).toMatchObject({
      kind: 'vwap',
      profile: 'history',
      history: { days: 3, daysUsed: 3, source: 'the market model' },
    });
    expect(report.parents[0]!.profile).toBe('history over the 3 days before the start, from the market model');
    expect(formatReport(report, false)).toContain(
      '    vwap (profile: history over the 3 days before the start, from the market model): ',
    );
    // The weights are the model's own minutes: drawn again the same way, over the windows of the
    // three previous NYSE sessions at the horizon's offset from the open.
    const scenario = parseScenario(TEXT, 'inline.yaml').scenario;
    const inst = makeInstrument(scenario.instrument);
    const start = planned[0]!.time;
    const horizonMs = 3_600_000;
    const windows = historyWindows(start, horizonMs, 3, venueRules('alpaca-equities').hours);
    expect(windows.map((w) => new Date(w.from).toISOString())).toEqual([
      '2024-08-08T13:30:00.000Z',
      '2024-08-07T13:30:00.000Z',
      '2024-08-06T13:30:00.000Z',
    ]);
    const answer = backtestVolumeHistory({
      scenario,
      file: 'inline.yaml',
      seed: scenario.seed,
      instrument: inst,
      instruments: [inst],
      venueBuilder: buildVenue,
    }).minuteVolumes('AAPL', windows);
    if (answer.kind !== 'read') throw new Error(answer.reason);
    const want = historyProfile(answer.bars, windows, horizonMs, 3);
    if (!('weights' in want)) throw new Error(want.unavailable);
    expect(t.weights).toEqual(want.weights);
    expect(t.weights).toHaveLength(60);
    // The slices' cumulative follows the profile's within a lot at the end of each interval.
    const total = want.weights.reduce((a, w) => a + w, 0);
    const slices = of('OrderCreated').map((e) => e.event.qty);
    let cum = 0;
    slices.forEach((q, i) => {
      cum += q;
      const share = want.weights.slice(0, (i + 1) * 6).reduce((a, w) => a + w, 0) / total;
      expect(Math.abs(cum - 300 * share)).toBeLessThanOrEqual(1);
    });
    // The restart plans nothing again; the run reproduces its digest.
    const restarted = of('ProcessRestarted')[0]!.seq;
    expect(log.filter((e) => e.seq > restarted && e.event.kind === 'TwapPlanned')).toEqual([]);
    expect(run(TEXT).report.digest).toBe(report.digest);
  });

  it('with no trades before the start it falls back to the venue’s default, saying why', () => {
    const text = TEXT.replace(
      /market:\n(?: {2}.*\n)+/,
      'market:\n  model: static_book\n  bids: [["214.90", "1000"]]\n  asks: [["215.00", "1000"]]\n',
    );
    const { of, report } = run(text);
    expect(report.parents[0]!.profile).toBe(
      "the U-shaped default of the exchange's sessions (history over 3 days asked for: volume in the horizon's time of day on 0 of the 3 previous days asked (at least 2 needed))",
    );
    expect(of('TwapPlanned')[0]!.event.trajectory).toEqual({
      kind: 'vwap',
      profile: 'u-shaped',
      history: {
        days: 3,
        source: 'the market model',
        unavailable: "volume in the horizon's time of day on 0 of the 3 previous days asked (at least 2 needed)",
      },
    });
  });

  it.each([
    ['days: 0', 'algo: { kind: vwap, profile: history, days: 0 }', /algo\.days.*1 to 20/],
    ['days: 21', 'algo: { kind: vwap, profile: history, days: 21 }', /algo\.days.*1 to 20/],
    ['days without history', 'algo: { kind: vwap, days: 3 }', /algo\.days.*applies only to profile: history/],
    [
      'an unknown profile',
      'algo: { kind: vwap, profile: recent }',
      /algo\.profile.*history or a list of volume weights/,
    ],
  ])('refuses %s with one message at the field', (_name, algo, message) => {
    const text = TEXT.replace('algo: { kind: vwap, profile: history, days: 3 }', algo);
    let error: unknown = null;
    try {
      parseScenario(text, 'inline.yaml');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const lines = String((error as Error).message)
      .split('\n')
      .filter((l) => /algo/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
