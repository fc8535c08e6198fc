// The market section's time fields: steps of the random walks of any length (no cap at an hour),
// and the Almgren-Chriss trading interval, one time unit by default and never zero.
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './load-scenario.ts';

const head = (duration: string) => `name: probe
seed: 1
venue: { name: binance-spot }
instrument: { symbol: XYZUSD, tickSize: "0.01", lotSize: "1", minNotional: "1" }
start: 2024-08-05T00:00:00Z
duration: ${duration}
`;
const ac = (extra: string, duration = 'P5D') =>
  `${head(duration)}market: { model: almgren_chriss, initialPrice: "50", sigma: 0.95, gamma: 0.00000025, epsilon: 0.0625, eta: 0.0000025, depth: ["1000"]${extra} }\n`;
const synthetic = (extra: string, duration = 'P5D') =>
  `${head(duration)}market: { model: synthetic, initialPrice: "50", volatility: 0.01, depth: ["10"]${extra} }\n`;

function problem(text: string): string {
  try {
    parseScenario(text, 'x.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as Error).message;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

describe('market time fields', () => {
  it('stepMs may be longer than an hour: a daily step, or a week, for both walks', () => {
    for (const stepMs of [3_600_001, 86_400_000, 604_800_000]) {
      expect(parseScenario(ac(`, stepMs: ${stepMs}`), 'x.yaml').scenario.market).toMatchObject({ stepMs });
      expect(parseScenario(synthetic(`, stepMs: ${stepMs}`), 'x.yaml').scenario.market).toMatchObject({ stepMs });
    }
  });

  it('stepMs must be a whole, positive, exact number of milliseconds', () => {
    for (const bad of ['0', '-5', '1.5', '9007199254740992']) {
      expect(problem(ac(`, stepMs: ${bad}`))).toMatch(/^x\.yaml: market\.stepMs: /);
      expect(problem(synthetic(`, stepMs: ${bad}`))).toMatch(/^x\.yaml: market\.stepMs: /);
    }
  });

  it('rateInterval defaults to one timeUnit', () => {
    const interval = (timeUnit: string | null) =>
      (
        parseScenario(ac(timeUnit === null ? '' : `, timeUnit: ${timeUnit}`), 'x.yaml').scenario.market as {
          rateInterval: string;
        }
      ).rateInterval;
    expect([null, 'second', 'minute', 'hour', 'day'].map(interval)).toEqual(['P1D', 'PT1S', 'PT1M', 'PT1H', 'P1D']);
    expect(
      (
        parseScenario(ac(', timeUnit: second, rateInterval: PT30M'), 'x.yaml').scenario.market as {
          rateInterval: string;
        }
      ).rateInterval,
    ).toBe('PT30M');
  });

  it('rateInterval must be a duration longer than zero; the old rateWindow is refused by name', () => {
    expect(problem(ac(', rateInterval: PT0S'))).toBe('x.yaml: market.rateInterval: must be longer than zero');
    expect(problem(ac(', rateInterval: P1M'))).toMatch(/^x\.yaml: market\.rateInterval: .*months/);
    expect(problem(ac(', rateWindow: PT1M'))).toMatch(/^x\.yaml: market: .*rateWindow/);
  });
});
