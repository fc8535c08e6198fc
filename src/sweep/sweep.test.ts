// Monte Carlo sweeps: the derived seeds (pinned, distinct), the statistics against hand
// computations, missing values counted rather than dropped, and real sweeps of a scenario with
// randomness (shortfall varies across paths) and one without (every path identical).
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParentReport } from '../core/report/run-report.ts';
import { loadScenarioFile, parseScenario } from '../scenario/load-scenario.ts';
import { runScenario } from '../runtime/backtest-run.ts';
import {
  deriveSeed,
  MAX_SWEEP_PATHS,
  pathTotals,
  runSweep,
  summarize,
  type ParentPathMetrics,
  type SweepPath,
} from './sweep.ts';
import { storedPath } from './sweep-recorder.ts';
import { pathCosts } from './path-costs.ts';
import { metricStats } from './sweep-stats.ts';

const IMPACT = loadScenarioFile('scenarios/almgren-chriss-impact.yaml');
const NO_RANDOMNESS = loadScenarioFile('scenarios/reject-window-signals.yaml');

describe('deriveSeed', () => {
  it('gives the pinned seeds (the documented derivation, checked against an independent Python implementation)', () => {
    expect([0, 1, 2, 3].map((i) => deriveSeed(9, i))).toEqual([
      218706852311543, 209053109666437, 170114033933815, 221217782951664,
    ]);
    expect(deriveSeed(0, 0)).toBe(38331575804884);
    expect(deriveSeed(Number.MAX_SAFE_INTEGER, 99_999)).toBe(99834792682922);
  });

  it('is distinct for distinct paths, an integer in [0, 2^48), and depends on the sweep seed', () => {
    const seeds = Array.from({ length: 20_000 }, (_, i) => deriveSeed(21, i));
    expect(new Set(seeds).size).toBe(seeds.length);
    expect(seeds.filter((s) => !Number.isSafeInteger(s) || s < 0 || s >= 2 ** 48)).toEqual([]);
    const other = Array.from({ length: 100 }, (_, i) => deriveSeed(22, i));
    expect(other.filter((s) => seeds.includes(s))).toEqual([]);
  });

  it('refuses a negative or fractional seed or index', () => {
    expect(() => deriveSeed(-1, 0)).toThrow(/sweep seed/);
    expect(() => deriveSeed(1.5, 0)).toThrow(/sweep seed/);
    expect(() => deriveSeed(1, -1)).toThrow(/path index/);
  });
});

describe('metricStats', () => {
  it('matches a hand computation on 1, 2, 3, 4', () => {
    // mean 10/4; sample variance ((1.5^2 + 0.5^2) x 2) / 3 = 5/3; quantiles interpolate over
    // positions (n - 1) x p: 0.15 -> 1 + 0.15, 1.5 -> 2.5, 2.85 -> 3 + 0.85.
    const s = metricStats([3, 1, 4, 2]);
    expect(s.n).toBe(4);
    expect(s.missing).toBe(0);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(s.p5).toBeCloseTo(1.15, 12);
    expect(s.p50).toBe(2.5);
    expect(s.p95).toBeCloseTo(3.85, 12);
  });

  it('counts nulls as missing and leaves them out of the figures', () => {
    const s = metricStats([null, 10, null, 20, null]);
    expect(s).toMatchObject({ n: 2, missing: 3, mean: 15, p50: 15 });
    expect(s.std).toBeCloseTo(Math.sqrt(50), 12);
    expect(s.p5).toBeCloseTo(10.5, 12);
    expect(s.p95).toBeCloseTo(19.5, 12);
  });

  it('gives null figures when every value is missing, and std 0 for one value', () => {
    expect(metricStats([null, null])).toEqual({
      n: 0,
      missing: 2,
      mean: null,
      std: null,
      p5: null,
      p50: null,
      p95: null,
    });
    expect(metricStats([])).toEqual({ n: 0, missing: 0, mean: null, std: null, p5: null, p50: null, p95: null });
    expect(metricStats([7])).toEqual({ n: 1, missing: 0, mean: 7, std: 0, p5: 7, p50: 7, p95: 7 });
  });

  it("gives mathjs's figures to the bit, in any order, with any nulls", () => {
    const math = createRequire(import.meta.url)('mathjs/number') as Pick<
      typeof import('mathjs'),
      'mean' | 'std' | 'quantileSeq'
    >;
    // mathjs compares numbers within a relative 1e-12 (or 1e-15 apart) as equal, so the order it picks among
    // such near-ties is its own: cases with two values that close and not equal are skipped
    // (fc.double draws them: 1 and the next double up).
    const value = fc.oneof(
      fc
        .tuple(fc.integer({ min: -1_000_000, max: 1_000_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([whole, part]) => whole + part),
      fc.integer({ min: -50_000, max: 50_000 }).map((k) => k / 64),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.array(value, { maxLength: 300, size: 'max' }), (values) => {
        const present = values.filter((v): v is number => v !== null);
        fc.pre(!hasNearTie(present));
        const s = metricStats(values);
        if (present.length === 0) {
          expect(s.n).toBe(0);
          return;
        }
        const [p5, p50, p95] = math.quantileSeq(present, [0.05, 0.5, 0.95]) as number[];
        expect(s).toEqual({
          n: present.length,
          missing: values.length - present.length,
          mean: math.mean(present),
          std: math.std(present),
          p5,
          p50,
          p95,
        });
      }),
      { numRuns: 500 },
    );
  });
});

/** Whether two of the values differ, but by at most a relative 1e-12 or an absolute 1e-15 (mathjs's
 *  own equality). */
function hasNearTie(values: readonly number[]): boolean {
  const sorted = [...values].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as number;
    const b = sorted[i] as number;
    if (a !== b && Math.abs(b - a) <= Math.max(1e-12 * Math.max(Math.abs(a), Math.abs(b)), 1e-15)) return true;
  }
  return false;
}

describe('summarize', () => {
  const m = (over: Partial<ParentPathMetrics>): ParentPathMetrics => ({
    status: 'filled',
    shortfallQuote: 1,
    shortfallBps: 2,
    fillRatio: 1,
    durationMs: 10,
    ...over,
  });
  const path = (i: number, parents: Record<string, ParentPathMetrics>): SweepPath => ({
    path: i,
    seed: i,
    digest: `d${i}`,
    passed: true,
    shortfallBps: null,
    fillRatio: null,
    netPnl: null,
    parents,
  });

  it('counts statuses, missing values and parents absent from a path', () => {
    const summary = summarize([
      path(0, {
        a: m({ shortfallQuote: 1, shortfallBps: 1, durationMs: 10 }),
        b: m({ status: 'unfilled', shortfallQuote: null, shortfallBps: null, fillRatio: 0 }),
      }),
      path(1, { a: m({ shortfallQuote: 3, shortfallBps: 3, status: 'working', durationMs: null, fillRatio: 0.5 }) }),
      path(2, {
        a: m({ shortfallQuote: null, shortfallBps: null, status: 'unfilled', fillRatio: 0, durationMs: 30 }),
        b: m({}),
      }),
    ]);
    expect(Object.keys(summary)).toEqual(['a', 'b']);
    const a = summary['a'];
    expect(a?.status).toEqual({ filled: 1, partially_filled: 0, unfilled: 1, working: 1, absent: 0 });
    expect(a?.shortfallQuote).toMatchObject({ n: 2, missing: 1, mean: 2 });
    expect(a?.shortfallBps).toMatchObject({ n: 2, missing: 1, mean: 2 });
    expect(a?.fillRatio).toMatchObject({ n: 3, missing: 0, mean: 0.5 });
    expect(a?.durationMs).toMatchObject({ n: 2, missing: 1, mean: 20 }); // the working path has no duration
    const b = summary['b'];
    expect(b?.status).toEqual({ filled: 1, partially_filled: 0, unfilled: 1, working: 0, absent: 1 });
    expect(b?.shortfallQuote).toMatchObject({ n: 1, missing: 2, mean: 1 });
    expect(b?.fillRatio).toMatchObject({ n: 2, missing: 1, mean: 0.5 });
  });
});

describe('runSweep', () => {
  it('varies the shortfall across paths of a scenario with randomness, and each path is `run --seed` of its seed', () => {
    const progress: Array<[number, number]> = [];
    const r = runSweep(IMPACT, { paths: 6, onProgress: (done, total) => progress.push([done, total]) });
    expect(r).toMatchObject({ scenario: 'almgren-chriss-impact', seed: 9, paths: 6 });
    expect(progress).toEqual([1, 2, 3, 4, 5, 6].map((d) => [d, 6]));
    expect(r.perPath.map((p) => p.seed)).toEqual([0, 1, 2, 3, 4, 5].map((i) => deriveSeed(9, i)));
    expect(new Set(r.perPath.map((p) => p.digest)).size).toBe(6);
    const quotes = r.perPath.map((p) => p.parents['b1']?.shortfallQuote);
    expect(new Set(quotes).size).toBeGreaterThan(1);
    const b1 = r.summary['b1'];
    expect(b1?.shortfallQuote.n).toBe(6);
    expect(b1?.shortfallQuote.std).toBeGreaterThan(0);
    expect(b1?.shortfallBps.std).toBeGreaterThan(0);
    expect(b1?.status.filled).toBe(6);
    // The summary is the statistics of the per-path values.
    expect(b1?.shortfallQuote).toEqual(metricStats(quotes.map((q) => q ?? null)));

    const third = r.perPath[2] as SweepPath;
    const single = runScenario(IMPACT, { seed: third.seed });
    expect(single.digest).toBe(third.digest);
    expect(third.parents['b1']?.shortfallQuote).toBe(Number(single.parents.find((p) => p.id === 'b1')?.shortfallQuote));
    // Its costs are the run's (the path samples the market as the run does), and the sweep's cost
    // statistics are those of the paths' figures.
    expect(third.costs).toEqual(pathCosts(single.costs, single.parents));
    expect(third.costs?.totalCostBps).not.toBeNull();
    expect(r.costs?.totalCostBps).toEqual(metricStats(r.perPath.map((p) => p.costs?.totalCostBps ?? null)));
    expect(r.costs?.markout5sBps.n).toBe(6);

    expect(r.expectations.map((e) => e.name)).toEqual([
      'filledQty b5',
      'shortfallBps b1',
      'shortfallBps b5',
      'noDiscrepancies',
    ]);
    // Tallies per expectation: recounted from single runs of the path seeds.
    const runs = r.perPath.map((p) => runScenario(IMPACT, { seed: p.seed }));
    r.expectations.forEach((e, k) => {
      expect(e.paths).toBe(6);
      expect(e.passed).toBe(runs.filter((x) => x.expectations[k]?.pass).length);
    });
    expect(r.perPath.map((p) => p.passed)).toEqual(runs.map((x) => x.passed));
  });

  it('gives the same result for the same sweep seed and different paths for another', () => {
    const a = runSweep(IMPACT, { paths: 3, seed: 5 });
    const b = runSweep(IMPACT, { paths: 3, seed: 5 });
    const c = runSweep(IMPACT, { paths: 3, seed: 6 });
    expect(b).toEqual(a);
    expect(c.perPath.map((p) => p.digest)).not.toEqual(a.perPath.map((p) => p.digest));
  });

  it('gives identical values on every path of a scenario without randomness, and counts the missing ones', () => {
    const r = runSweep(NO_RANDOMNESS, { paths: 4, seed: 1 });
    expect(new Set(r.perPath.map((p) => p.digest)).size).toBe(1);
    expect(new Set(r.perPath.map((p) => JSON.stringify(p.parents))).size).toBe(1);
    // Signals become parents whose ids derive from their fingerprints (the order manager).
    const parentOf = (signal: string) =>
      runScenario(NO_RANDOMNESS).signals.find((x) => x.id === signal)?.parentId ?? signal;
    const late = r.summary[parentOf('sig-late')];
    expect(late?.shortfallBps).toMatchObject({ n: 4, missing: 0, std: 0 });
    expect(late?.shortfallBps.p5).toBe(late?.shortfallBps.p95);
    // Rejected: nothing filled, so no shortfall on any path, but a fill ratio of 0 and a duration.
    const early = r.summary[parentOf('sig-early')];
    expect(early?.status.unfilled).toBe(4);
    expect(early?.shortfallQuote).toMatchObject({ n: 0, missing: 4, mean: null });
    expect(early?.shortfallBps).toMatchObject({ n: 0, missing: 4 });
    expect(early?.fillRatio).toMatchObject({ n: 4, missing: 0, mean: 0 });
    // The stop never triggers: it never completes, so it has no duration on any path.
    const stop = r.summary['stop-buy'];
    expect(stop?.status.working).toBe(4);
    expect(stop?.durationMs).toMatchObject({ n: 0, missing: 4 });
    expect(r.expectations.every((e) => e.passed === 4)).toBe(true);
  });

  it('refuses a path count outside 1..MAX_SWEEP_PATHS', () => {
    expect(() => runSweep(IMPACT, { paths: 0 })).toThrow(/paths/);
    expect(() => runSweep(IMPACT, { paths: 1.5 })).toThrow(/paths/);
    expect(() => runSweep(IMPACT, { paths: MAX_SWEEP_PATHS + 1 })).toThrow(/paths/);
  });
});

describe('a scenario order refused before it became a parent', () => {
  // b (0.3 BTC, about 18,000 USDT) needs a large-order confirmation it does not have, so the
  // pre-trade checks refuse it on every path; a (0.01 BTC) fills.
  const REFUSED = parseScenario(
    `name: refused-order
seed: 5
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 10, fillReport: 5 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1M
market: { model: synthetic, initialPrice: "61000.00", volatility: 1.0, stepMs: 500, spreadTicks: 2, depth: ["1", "2"] }
orders:
  - { id: a, at: PT5S, side: buy, qty: "0.01", type: market, route: single }
  - { id: b, at: PT10S, side: sell, qty: "0.3", type: market, route: single }
`,
    'refused-order.yaml',
  );

  it('is absent on every path, counts as ordered and not filled, and is stored as an absent row', () => {
    const parents: ParentReport[][] = [];
    const r = runSweep(REFUSED, { paths: 3, onPath: (_, p) => parents.push([...p]) });
    expect(r.summary['b']?.status).toEqual({ filled: 0, partially_filled: 0, unfilled: 0, working: 0, absent: 3 });
    expect(r.summary['b']?.fillRatio).toMatchObject({ n: 0, missing: 3 });
    r.perPath.forEach((p, i) => {
      expect(p.parents['a']?.status).toBe('filled');
      // 0.01 filled of 0.01 + 0.3 ordered, not 0.01 of 0.01.
      expect(p.fillRatio).toBeCloseTo(0.01 / 0.31, 12);
      expect(p.shortfallBps).toBe(pathTotals(parents[i] ?? []).shortfallBps);
      const row = storedPath(p, parents[i] ?? []);
      expect(row.fillRatio).toBe(p.fillRatio);
      expect(row.parents.map((x) => [x.parentId, x.status])).toEqual([
        ['a', 'filled'],
        ['b', 'absent'],
      ]);
    });
  });
});
