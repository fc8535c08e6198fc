// Whole runs in an Almgren-Chriss market against the model's closed form. A parent of X units is
// sold (bought) in N equal TWAP slices n = X / N, one every tau, the trading interval the model
// is given (market.rateInterval). As implemented, slice k executes all of n at the mid before it,
// S_{k-1}, worsened by the temporary impact h(n / tau) = epsilon + eta * n / tau, and then moves
// the mid by gamma * n for good; between slices the mid walks with volatility sigma. The
// implementation shortfall against the arrival mid S_0 is then
//
//   sum_k n * (gamma * (k - 1) * n + epsilon + eta * n / tau) - (walk terms)
//     = 1/2 gamma X^2 (1 - 1/N) + epsilon X + (eta / tau) X^2 / N        (expectation)
//
// (the Almgren-Chriss expected cost of the linear trajectory, 1/2 gamma X^2 + epsilon X +
// (eta - 1/2 gamma tau) / tau * sum n^2, written out), and its variance is the walk's:
//
//   sigma^2 tau sum_{k=1}^{N-1} x_k^2,  x_k = X (1 - k / N) the holdings left after slice k.
//
// With sigma 0 the shortfall is exactly the expectation (the tick is fine enough that rounding
// the executed price to it changes nothing); with sigma > 0 its mean and variance over seeds
// match within their sampling error. The first case is the published liquidation example
// (Almgren and Chriss 2000: 1M shares at $50 over 5 days, sigma 0.95, epsilon 0.0625,
// eta 2.5e-6, gamma 2.5e-7), which earlier sold at one tick for a shortfall of 49,999,900.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { almgrenChrissTwap, PAPER, type AlmgrenChrissTwap } from '../support/almgren-chriss-twap.ts';

type Case = AlmgrenChrissTwap;

function expected(c: Case): { mean: number; variance: number } {
  const n = c.X / c.N;
  let holdings = 0;
  for (let k = 1; k < c.N; k++) holdings += (c.X - k * n) ** 2;
  return {
    mean: 0.5 * c.gamma * c.X ** 2 * (1 - 1 / c.N) + c.epsilon * c.X + (c.eta / c.tauInUnits) * (c.X ** 2 / c.N),
    variance: c.sigma ** 2 * c.tauInUnits * holdings,
  };
}

function shortfall(c: Case, seed: number): number {
  // The walk steps once per slice interval: its variance between slices is sigma^2 tau.
  const r = runScenario(parseScenario(almgrenChrissTwap(c), 'ac-twap.yaml'), { seed });
  const p = r.parents.find((x) => x.id === 'p');
  expect(p?.status).toBe('filled');
  expect(r.modelWarnings).toEqual([]);
  return Number(p?.shortfallQuote);
}

describe('Almgren-Chriss market against the closed form', () => {
  it('sigma 0: the shortfall of a TWAP is exactly 1/2 gamma X^2 (1 - 1/N) + epsilon X + eta X^2 / (N tau)', () => {
    const cases: Case[] = [
      { ...PAPER, sigma: 0 }, // 100,000 + 62,500 + 500,000
      { ...PAPER, sigma: 0, side: 'buy', X: 600_000, N: 10 },
      // Hourly slices with the time unit a day: tau is 1/24 of a unit, the rate 24 n per day.
      { ...PAPER, sigma: 0, X: 240_000, N: 8, interval: 'PT1H', tauInUnits: 1 / 24 },
      // The same market stated per hour (eta per unit per hour is 24 times eta per unit per day)
      // gives the same figures.
      { ...PAPER, sigma: 0, X: 240_000, N: 8, interval: 'PT1H', tauInUnits: 1, timeUnit: 'hour', eta: 2.5e-6 * 24 },
    ];
    const got = cases.map((c) => shortfall(c, 1));
    expect(got[0]).toBe(662_500);
    cases.forEach((c, i) => expect(got[i]).toBeCloseTo(expected(c).mean, 2));
    expect(got[3]).toBeCloseTo(got[2] as number, 2);
  });

  it('sigma > 0: over seeds the mean shortfall and its variance match the closed form', () => {
    const c = PAPER;
    const { mean, variance } = expected(c); // 662,500 and 0.95^2 x 1.2e12
    const paths = 300;
    const xs = Array.from({ length: paths }, (_, i) => shortfall(c, 1000 + i));
    const m = xs.reduce((a, b) => a + b, 0) / paths;
    const s2 = xs.reduce((a, b) => a + (b - m) ** 2, 0) / (paths - 1);
    // Four standard errors: of the mean sqrt(V / paths), of a normal sample's variance V sqrt(2 / (paths - 1)).
    expect(Math.abs(m - mean)).toBeLessThan(4 * Math.sqrt(variance / paths));
    expect(Math.abs(s2 - variance)).toBeLessThan(4 * variance * Math.sqrt(2 / (paths - 1)));
  });

  it('the bundled scenario: each 1 BTC buy pays epsilon + eta x 1,440 BTC/day = $5.54 over its arrival mid, on average', () => {
    const text = readFileSync('scenarios/almgren-chriss-impact.yaml', 'utf8');
    const ids = ['b1', 'b2', 'b3', 'b4', 'b5'];
    // sigma 0: exactly, every buy (each arrival mid already holds the earlier buys' permanent impact).
    const still = runScenario(parseScenario(text.replace('sigma: 300', 'sigma: 0'), 'almgren-chriss-impact.yaml'));
    expect(ids.map((id) => still.parents.find((p) => p.id === id)?.shortfallQuote)).toEqual(ids.map(() => '5.54'));
    // sigma 300 per sqrt(day): the walk moves the mid between a parent's arrival and its fill by
    // one step of 300 / sqrt(86,400) = $1.02 at most; over seeds the mean is the same $5.54.
    const loaded = parseScenario(text, 'almgren-chriss-impact.yaml');
    const xs: number[] = [];
    for (let seed = 1; seed <= 100; seed++) {
      const r = runScenario(loaded, { seed });
      for (const id of ids) xs.push(Number(r.parents.find((p) => p.id === id)?.shortfallQuote));
    }
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.abs(m - 5.54)).toBeLessThan((4 * (300 / Math.sqrt(86_400))) / Math.sqrt(xs.length));
  });
});
