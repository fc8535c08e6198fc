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

describe('the trend-rsi example (trading-signals indicators on two bar lengths)', () => {
  const trend = (rsiMax: number) => `
name: trend-rsi-check
seed: 11
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT2H
market: { model: synthetic, initialPrice: "61000.00", volatility: 3.0, depth: ["1", "2"] }
safety: { dedup: { bucketMs: 10000, ttlMs: 10000 } }
strategy:
  module: strategies/trend-rsi.ts
  params: { rsiMax: ${rsiMax} }
`;
  const runTrend = (rsiMax: number) => {
    const entries: LogEntry[] = [];
    const report = runScenario(parseScenario(trend(rsiMax), 'scenarios/check.yaml'), {
      onEntry: (e) => entries.push(e),
    });
    const signals = entries.flatMap((e) => (e.event.kind === 'SignalReceived' ? [e.event] : []));
    const failed = entries.filter((e) => e.event.kind === 'StrategyFailed');
    return { report, signals, failed };
  };

  it('trades on its indicators, never shorts, and gives the same run every time', () => {
    const a = runTrend(70);
    expect(a.failed).toEqual([]);
    expect(a.signals.length).toBeGreaterThan(1);
    expect(a.signals[0]?.side).toBe('buy');
    for (const s of a.signals) if (s.side === 'sell') expect(s.reduceOnly).toBe(true);
    expect(runTrend(70).report.digest).toBe(a.report.digest);
    // The RSI filter decides: no buy passes a ceiling of 0.
    expect(runTrend(0).signals).toEqual([]);
  });
});
