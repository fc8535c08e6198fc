// The trend-rsi example (scenarios/strategies/trend-rsi.ts): trading-signals' EMAs and RSI on two
// bar lengths in a backtest, its trades reduce-only on the way out, the same run every time, and
// its RSI filter deciding what it buys.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

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
