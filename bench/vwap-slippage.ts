// `node --import tsx bench/vwap-slippage.ts [--seeds N]`: VWAP's slippage against the interval
// VWAP (the report's vwapSlippageBps) beside a TWAP's, on the recorded BTCUSDT replay and on N
// synthetic U-shaped days (default 4; test/support/synthetic-day.ts), as a table for
// bench/RESULTS.md. test/backtest/vwap-slippage.test.ts asserts what must hold of the same runs.
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { dayRows, DAY, replayRows, type SlippageRow } from '../test/support/vwap-slippage.ts';

const { values } = parseArgs({ options: { seeds: { type: 'string' } } });
const seeds = Number(values.seeds ?? 4);
console.log(
  `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${cpus().length} cores, load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}, node ${process.version}`,
);
console.log(
  `synthetic day: ${DAY.seconds} s, ${DAY.tradesPerSec} trades/s on a U (3x midday at the open and close), mid step sd $${DAY.stepSd} every ${DAY.stepS} s; parent: buy 2 BTC over 23h55m in 5-minute market slices`,
);
const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
const print = (rows: readonly SlippageRow[]) => {
  for (const r of rows)
    console.log(`| ${r.market} | ${r.algo} | ${r.slices} | ${fmt(r.vwapSlippageBps)} | ${fmt(r.twapSlippageBps)} |`);
};
console.log('| market | algorithm | slices | vs interval VWAP (bps) | vs interval TWAP (bps) |');
console.log('|---|---|---|---|---|');
print(replayRows());
const days: SlippageRow[] = [];
for (let seed = 1; seed <= seeds; seed++) {
  const rows = dayRows(seed);
  days.push(...rows);
  print(rows);
}
for (const algo of ['twap', 'vwap (default: flat)', 'vwap (true U)']) {
  const mine = days.filter((r) => r.algo === algo);
  const mean = mine.reduce((s, r) => s + Math.abs(r.vwapSlippageBps ?? 0), 0) / mine.length;
  console.log(`mean |vs interval VWAP| over ${mine.length} days, ${algo}: ${mean.toFixed(2)} bps`);
}
