// The short synthetic BTCUSDT run the strategy tests give a strategy section: a binance-spot
// venue with small latencies, two minutes of a calm synthetic market, wide pre-trade limits and a
// one-second dedup window, so what a test sees is the strategy's doing.

/** The fixtures' folder: strategy modules the scenarios name by relative path. */
export const STRATEGY_DIR = 'test/fixtures/strategies';

export interface StrategyRunShape {
  readonly name: string;
  readonly seed: number;
  /** ISO-8601 duration of the run. */
  readonly duration: string;
}

/** A scenario's YAML with `strategy` (its indented fields) as its strategy section and `extra`
 *  (more top-level YAML) after it. */
export function strategyScenario(shape: StrategyRunShape, strategy: string, extra = ''): string {
  return `
name: ${shape.name}
seed: ${shape.seed}
venue: { name: binance-spot, latency: { orderEntry: 5, ack: 5, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: ${shape.duration}
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 2.0
  stepMs: 500
  spreadTicks: 2
  depth: ["1", "2", "3"]
  trades: { ratePerSec: 2, meanQty: "0.02" }
safety:
  preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" }
  dedup: { bucketMs: 1000, ttlMs: 1000 }
strategy:
${strategy}
${extra}`;
}
