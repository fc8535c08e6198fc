// How to test a strategy module: run it in a scenario on the virtual clock (an hour of market in
// a fraction of a second, the same every time) and assert on the run's events and report.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const yaml = (entryZ: number) => `
name: mean-reversion-check
seed: 11
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT30M
market: { model: synthetic, initialPrice: "61000.00", volatility: 3.0, depth: ["1", "2"] }
safety: { dedup: { bucketMs: 10000, ttlMs: 10000 } }
strategy:
  module: strategies/mean-reversion.ts
  params: { window: 12, entryZ: ${entryZ}, qty: 0.01 }
`;

function run(entryZ: number) {
  const entries: LogEntry[] = [];
  // The file name only anchors relative paths: the module is scenarios/strategies/....
  const report = runScenario(parseScenario(yaml(entryZ), 'scenarios/check.yaml'), { onEntry: (e) => entries.push(e) });
  const signals = entries.flatMap((e) => (e.event.kind === 'SignalReceived' ? [e.event] : []));
  return { report, signals };
}

describe('the mean-reversion strategy', () => {
  it('trades, never shorts, and gives the same run every time', () => {
    const { report, signals } = run(1.0);
    expect(signals.length).toBeGreaterThan(0);
    // Buys first; a sell is always reduce-only (it only closes what it bought).
    expect(signals[0]?.side).toBe('buy');
    for (const s of signals) if (s.side === 'sell') expect(s.reduceOnly).toBe(true);
    expect(report.positions[0]?.ours).not.toMatch(/^-/);
    expect(run(1.0).report.digest).toBe(report.digest);
  });

  it('trades less with a wider band', () => {
    expect(run(3.0).signals.length).toBeLessThan(run(1.0).signals.length);
  });
});
