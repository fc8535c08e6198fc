// `npm run bench`: runs every benchmark in bench/ and prints its figures with the machine.
// Benchmarks are scripts, never timed unit tests; record the figures in bench/RESULTS.md.
import { main as clockBench } from './clock.bench.ts';
import { main as orderBookBench } from './order-book.bench.ts';
import { main as replayBench } from './replay.bench.ts';
import { main as slicerBench } from './slicer.bench.ts';
import { main as twapBench } from './twap.bench.ts';
import { main as algorithmsBench } from './algorithms.bench.ts';
import { main as fillsBench } from './fills.bench.ts';
import { main as restartBench } from './restart.bench.ts';
import { main as gatewayBench, print as printGatewayBench } from './gateway.bench.ts';
import { main as binanceBench, print as printBinanceBench } from './binance-gateway.bench.ts';

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

const clock = await clockBench();
console.log(`machine: ${clock.cpu}, ${clock.cores} cores, node ${clock.node}`);
console.log(
  'clock (queue N at random virtual times, then fire all; hold: 1,000 pending, each fired action queues the next):',
);
const row = (label: string, x: { medianActionsPerSec: number; runsActionsPerSec: number[] }, what: string): void =>
  console.log(
    `  ${label.padEnd(38)}${fmt(x.medianActionsPerSec).padStart(11)} actions/s (${what}; runs: ${x.runsActionsPerSec.map(fmt).join(', ')})`,
  );
const median5 = `1M actions, median of ${clock.virtualClock.runs}`;
row('VirtualClock schedule()', clock.virtualClock, median5);
row('VirtualClock schedule(), closure each', clock.virtualClockClosure, median5);
row('VirtualClock post(), shared handler', clock.virtualClockPost, median5);
row('VirtualClock post(), closure each', clock.virtualClockPostClosure, median5);
row('hold schedule()', clock.virtualClockHold, median5);
row('hold schedule(), closure each', clock.virtualClockHoldClosure, median5);
row('hold post(), shared handler', clock.virtualClockHoldPost, median5);
row('hold post(), closure each', clock.virtualClockHoldPostClosure, median5);
console.log(
  `  ${'rxjs VirtualTimeScheduler'.padEnd(38)}${fmt(clock.rxjsVirtualTimeScheduler.actionsPerSec).padStart(11)} actions/s (10k actions, ${clock.rxjsVirtualTimeScheduler.seconds.toFixed(2)} s)`,
);
console.log(`  ${'ratio schedule() / rxjs'.padEnd(38)}${clock.ratio.toFixed(0).padStart(11)}x`);

const book = await orderBookBench();
console.log('order book (1M seeded ops: 70% passive limits, 20% cancels, 10% marketable; same stream for both books):');
for (const b of book.books) {
  console.log(
    `  ${b.name.padEnd(8)} L3Book ${fmt(b.l3.medianOpsPerSec)} ops/s, nodejs-order-book ${fmt(b.nodejsOrderBook.medianOpsPerSec)} ops/s, ` +
      `ratio ${b.ratio.toFixed(1)}x (medians of ${b.l3.runs} and ${b.nodejsOrderBook.runs} runs; ${fmt(b.prefillOrders)} orders prefilled)`,
  );
}

const replay = await replayBench();
console.log(
  `replay (bundled Binance BTCUSDT, ${fmt(replay.messages)} messages from the .gz files: gunzip, parse, depth sync into the L2 book):`,
);
console.log(
  `  end to end  ${fmt(replay.medianMsgsPerSec)} messages/s (median of ${replay.runs}; runs: ${replay.runsMsgsPerSec.map(fmt).join(', ')}; ` +
    `cold first run ${fmt(replay.coldMsgsPerSec)})`,
);
console.log(
  `  stages      ms per run: gunzip ${replay.stagesMs.gunzip.toFixed(1)} | read+gunzip+split ${replay.stagesMs.readAndSplit.toFixed(1)} | ` +
    `+ parse ${replay.stagesMs.parse.toFixed(1)} | + sync/book ${replay.stagesMs.endToEnd.toFixed(1)}`,
);
console.log(
  `  no gunzip   ${fmt(replay.plainTextMsgsPerSec)} messages/s (the same pipeline on the files decompressed beforehand)`,
);

const slicer = await slicerBench();
console.log(
  'TWAP slicer (10,000-slice plans: 10 BTC over 10 h on the BTCUSDT grid; randomized: sizes +/-20%, times jittered up to 50%):',
);
for (const [label, x] of [
  ['plain', slicer.plain],
  ['randomized', slicer.randomized],
] as const) {
  console.log(
    `  ${label.padEnd(11)}${fmt(x.medianPlansPerSec).padStart(7)} plans/s = ${fmt(x.medianSlicesPerSec)} slices/s ` +
      `(median of ${x.runs} runs x ${x.plansPerRun} plans; runs: ${x.runsPlansPerSec.map(fmt).join(', ')})`,
  );
}

const twap = await twapBench();
console.log('one-hour TWAP scenario (120 slices, synthetic market 100 ms steps, 5 trades/s; no store):');
console.log(
  `  ${fmt(twap.clockActions)} simulated events in ${twap.medianWallMs.toFixed(0)} ms (median of ${twap.runs}): ` +
    `${fmt(twap.clockActionsPerSec)} events/s, ${fmt(twap.logEventsPerSec)} log events/s, ${fmt(twap.simulatedSecondsPerWallSecond)}x real time`,
);

console.log(
  'each algorithm against TWAP on the bench hour and the dense book (npm run bench:algorithms; a few minutes):',
);
await algorithmsBench(['--runs', '4', '--warmups', '2', '--rounds', '2']);

console.log('fill detection fault matrix (npm run bench:fills):');
fillsBench();

const restart = restartBench();
console.log('restart (one simulated hour: 600 market orders + a 120-slice limit TWAP; median of 3):');
for (const v of restart.variants) {
  console.log(
    `  ${v.label.padEnd(22)} ${v.medianWallMs.toFixed(0).padStart(6)} ms wall, ${v.report.reconciliation.restarts} restarts, startup to ready ${v.readyMs.map((x) => x.toFixed(0)).join('/') || '-'} ms virtual`,
  );
}

console.log('Alpaca gateway on loopback (npm run bench:gateway; under a minute):');
printGatewayBench(await gatewayBench());

console.log('Binance gateway through ccxt beside the Alpaca gateway (npm run bench:binance; under a minute):');
printBinanceBench(await binanceBench());
