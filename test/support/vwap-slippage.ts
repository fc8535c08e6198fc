// VWAP's slippage against the interval VWAP beside a TWAP's, on the recorded BTCUSDT replay and
// on synthetic days (synthetic-day.ts), shared by test/backtest/vwap-slippage.test.ts and
// bench/vwap-slippage.ts: each run's parent as the report states it (vwapSlippageBps: our
// average price against the market's VWAP over the parent's interval, in basis points, positive
// when we paid more on a buy).
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { uProfile, writeSyntheticDay } from './synthetic-day.ts';

export interface SlippageRow {
  readonly market: string;
  readonly algo: string;
  readonly vwapSlippageBps: number | null;
  readonly twapSlippageBps: number | null;
  readonly filledQty: string;
  readonly slices: number;
}

const REPLAY = 'scenarios/twap-replay-btcusdt.yaml';

/** The bundled replay's TWAP parent (3 BTC over 8 minutes), as itself and as a VWAP on its
 *  default profile (flat: a 24/7 venue) and on a given U. */
export function replayRows(): SlippageRow[] {
  const text = readFileSync(REPLAY, 'utf8').replace(/expect:[\s\S]*$/, 'expect:\n  - noDiscrepancies: true\n');
  const algos: Array<[string, string]> = [
    ['twap', ''],
    ['vwap (default: flat)', '\n    algo: { kind: vwap }'],
    ['vwap (given U)', '\n    algo: { kind: vwap, profile: [3, 2, 1.5, 1, 1, 1.5, 2, 3] }'],
  ];
  return algos.map(([algo, block]) => {
    const yaml = text.replace(
      'twap: { duration: PT8M, interval: PT30S, maxPriceDeviation: 0.02 }',
      `twap: { duration: PT8M, interval: PT30S, maxPriceDeviation: 0.02 }${block}`,
    );
    return row('replay BTCUSDT 8 min', algo, yaml, REPLAY);
  });
}

/** Days of `tradesPerSec` others' trades on a U over the day, seeded. */
export const DAY = { seconds: 86_400, stepS: 60, tradesPerSec: 0.2, initialMid: 61_000, stepSd: 10 } as const;

/** One synthetic day (seed): a 2 BTC buy over the day in 5-minute slices as a TWAP, a VWAP on
 *  its default profile (flat: a 24/7 venue) and a VWAP given the day's true U profile. */
export function dayRows(seed: number): SlippageRow[] {
  const file = join(tmpdir(), `execsim-vwap-day-${process.pid}-${seed}.gz`);
  const start = Date.parse('2024-08-09T00:00:00Z');
  writeSyntheticDay(file, { seed, start, ...DAY });
  // The parent starts a minute in (the book is there) and runs to five minutes before the end; its
  // profile is the day's U in 24 equal buckets of its horizon.
  const profile = uProfile(24).map((w) => w.toFixed(5));
  const yaml = (block: string) => `
name: vwap-synthetic-day
seed: ${seed}
venue: { name: binance-spot, latency: { orderEntry: 20, ack: 15, fillReport: 10, marketData: 5 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT24H
market: { model: replay, files: ["${file}"] }
safety: { preTrade: { largeOrderNotional: "10000000", hardLimitNotional: "20000000", maxOrderNotional: "50000000" } }
orders:
  - id: p
    at: PT1M
    side: buy
    qty: "2"
    type: market
    twap: { duration: PT23H55M, interval: PT5M, maxPriceDeviation: 0.5, maxSpread: 0.5 }
    confirm: [large-order, hard-limit]
    confirmedBy: desk-lead${block}
expect:
  - noDiscrepancies: true
`;
  const market = `synthetic U day, seed ${seed}`;
  try {
    return [
      row(market, 'twap', yaml(''), 'day.yaml'),
      row(market, 'vwap (default: flat)', yaml('\n    algo: { kind: vwap }'), 'day.yaml'),
      row(market, 'vwap (true U)', yaml(`\n    algo: { kind: vwap, profile: [${profile.join(', ')}] }`), 'day.yaml'),
    ];
  } finally {
    rmSync(file, { force: true });
  }
}

function row(market: string, algo: string, yaml: string, file: string): SlippageRow {
  const report = runScenario(parseScenario(yaml, file));
  const p = report.parents[0];
  if (p === undefined || report.expectations.some((e) => !e.pass))
    throw new Error(`${market} ${algo}: the run failed: ${JSON.stringify(report.rejectedParents)}`);
  return {
    market,
    algo,
    vwapSlippageBps: p.vwapSlippageBps,
    twapSlippageBps: p.twapSlippageBps,
    filledQty: p.filledQty,
    slices: p.slicesExecuted,
  };
}
