// A full one-hour TWAP scenario, end to end (market model, venue, engine, event log; no store):
// simulated events (clock actions fired) per wall second, and log events per second.
// Run: node --import tsx bench/twap.bench.ts (TWAP_ONE_HOUR is also the one-hour run of series.bench.ts)
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';

export const TWAP_ONE_HOUR = `
name: twap-one-hour
seed: 77
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 10 }, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT1H5M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 1.0
  stepMs: 100
  spreadTicks: 2
  depth: ["0.4", "0.6", "0.8", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0"]
  levelSpacingTicks: 5
  trades: { ratePerSec: 5, meanQty: "0.02" }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: twap-buy
    at: PT1M
    side: buy
    qty: "10"
    type: market
    twap: { duration: PT1H, slices: 120, maxSpread: 0.05, maxPriceDeviation: 0.5 }
`;

export interface TwapBenchResult {
  node: string;
  cpu: string;
  cores: number;
  runs: number;
  simulatedSeconds: number;
  clockActions: number;
  logEvents: number;
  medianWallMs: number;
  clockActionsPerSec: number;
  logEventsPerSec: number;
  simulatedSecondsPerWallSecond: number;
}

export async function main(runs = 5): Promise<TwapBenchResult> {
  const loaded = parseScenario(TWAP_ONE_HOUR, 'twap-one-hour.yaml');
  runScenario(loaded); // warm-up (JIT)
  const walls: number[] = [];
  let last = runScenario(loaded);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = runScenario(loaded);
    walls.push(performance.now() - t0);
  }
  if (!last.passed || last.parents[0]?.filledQty !== '10')
    throw new Error('the benchmark TWAP did not fill: the scenario is broken');
  const sorted = [...walls].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] as number;
  const cpus = os.cpus();
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    runs,
    simulatedSeconds: last.simulatedMs / 1000,
    clockActions: last.clockActions,
    logEvents: last.events,
    medianWallMs: median,
    clockActionsPerSec: last.clockActions / (median / 1000),
    logEventsPerSec: last.events / (median / 1000),
    simulatedSecondsPerWallSecond: last.simulatedMs / median,
  };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main();
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  console.log(
    `one-hour TWAP (120 slices, synthetic market 100 ms steps, 5 trades/s): ${fmt(r.simulatedSeconds)} s simulated in ${r.medianWallMs.toFixed(0)} ms (median of ${r.runs})`,
  );
  console.log(
    `  ${fmt(r.clockActions)} simulated events -> ${fmt(r.clockActionsPerSec)} events/s; ${fmt(r.logEvents)} log events -> ${fmt(r.logEventsPerSec)}/s; ${fmt(r.simulatedSecondsPerWallSecond)}x real time`,
  );
}
