// The race a fault-free run can show: the venue's fill reports take 3 s on the stream and a pass
// reads the orders every second, so a pass finds the fill first (a missed_fill finding, the
// venue's state applied) and the stream's report then arrives as a duplicate trade. The report
// counts a late fill, not a missed one. When the stream loses the reports instead, the fill is
// missed.
import { describe, expect, it } from 'vitest';
import { formatReport } from '../../src/cli/format-report.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';

const scenario = (faults: string): string => `
name: late-stream
seed: 5
venue:
  name: binance-spot
  latency: { orderEntry: 10, ack: 10, fillReport: 3000, marketData: 2 }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT30S
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.3
  stepMs: 200
  spreadTicks: 2
  depth: ["0.5", "0.8", "1.0", "1.5", "2.0"]
  trades: { ratePerSec: 3, meanQty: "0.02" }
fillDetection: { enabled: false }
reconciliation: { periodMs: 1000 }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
orders:
  - { id: taker, at: PT5S, side: buy, qty: "0.1", type: market, route: single }
${faults}`;

describe('a pass that reads a fill before the stream delivers it', () => {
  it('counts a late fill, and no missed fill, when the stream delivers it afterwards', () => {
    const r = runScenario(parseScenario(scenario(''), 'late-stream.yaml'));
    expect(r.parents[0]?.filledQty).toBe('0.1');
    expect(r.reconciliation).toMatchObject({ mismatches: 1, missedFills: 0, lateFills: 1 });
    expect(formatReport(r)).toContain(
      '1 mismatches (0 missed fills, 1 late fill found by reconciliation before the stream delivered it, ',
    );
  });

  it('counts a missed fill when the stream never delivers it', () => {
    const lost = 'faults:\n  - { kind: lost_reports, from: PT0S, until: PT30S, probability: 1 }\n';
    const r = runScenario(parseScenario(scenario(lost), 'late-stream.yaml'));
    expect(r.parents[0]?.filledQty).toBe('0.1');
    expect(r.reconciliation).toMatchObject({ mismatches: 1, missedFills: 1, lateFills: 0 });
  });
});
