// What a run carries from one reconciliation pass to the next must not grow with the run: over a
// three-hour TWAP (360 slices, every slice created with the parent) each periodic pass lists
// only the orders submitted since the previous pass (less the overlap), not every slice sent
// since the TWAP began. Sizes are asserted, never times.
import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const THREE_HOUR_TWAP = `
name: three-hour-twap
seed: 5
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 10 }, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT3H5M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.5
  stepMs: 5000
  spreadTicks: 2
  depth: ["1", "2", "3"]
  levelSpacingTicks: 5
  trades: { ratePerSec: 0.2, meanQty: "0.02" }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: twap-buy
    at: PT1M
    side: buy
    qty: "3.6"
    type: market
    twap: { duration: PT3H, interval: PT30S, maxSpread: 0.05, maxPriceDeviation: 0.5 }
`;

describe('a long TWAP', () => {
  it('lists a bounded number of orders per reconciliation pass, however long it has run', () => {
    const entries: LogEntry[] = [];
    const report = runScenario(parseScenario(THREE_HOUR_TWAP, 'three-hour-twap.yaml'), {
      onEntry: (e) => entries.push(e),
    });
    expect(report.parents[0]?.filledQty).toBe('3.6');
    expect(report.parents[0]?.childOrders).toBe(360);
    const passes = entries.filter((e) => e.event.kind === 'ReconciliationStarted');
    const listed = entries.flatMap((e) => (e.event.kind === 'OrdersPageReport' ? [e.event.orders.length] : []));
    expect(passes.length).toBeGreaterThanOrEqual(36);
    // One page per pass (the last pass may still be asking when the run ends), each with the
    // slices of one period (5 min) plus the overlap (60 s) at one slice per 30 s: at most 12,
    // and one more for a slice on the boundary.
    expect(listed.length).toBeGreaterThanOrEqual(passes.length - 1);
    expect(listed.length).toBeLessThanOrEqual(passes.length);
    expect(Math.max(...listed)).toBeLessThanOrEqual(13);
    // The listing starts near the pass, not at the TWAP's start.
    for (const p of passes) {
      if (p.event.kind !== 'ReconciliationStarted') continue;
      expect(p.event.since).not.toBeNull();
      expect(p.time - (p.event.since ?? 0)).toBeLessThanOrEqual(360_000 + 30_000);
    }
  });
});
