// TWAP slicer benchmark: how many 10,000-slice plans planTwapSlices makes per second.
// Run: node --import tsx bench/slicer.bench.ts
// The plan: 10 BTC (1,000,000 lots of 0.00001) over 10 hours in 10,000 slices on the BTCUSDT grid
// at 61,000 USDT, against the 5 USDT venue minimum and a 50 USDT slice floor. "plain" is
// the even plan; "randomized" adds sizes +/- 20% and times jittered by up to 50% of the interval,
// each plan with its own seeded stream (made inside the timed loop, as a caller would). One run
// makes PLANS plans; the figure is the median of RUNS runs after a warm-up.
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { planTwapSlices, type TwapSpec } from '../src/core/algo/twap-slicer.ts';
import { Rng } from '../src/core/clock/rng.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';

export interface SlicerRuns {
  slices: number;
  plansPerRun: number;
  runs: number;
  medianPlansPerSec: number;
  /** medianPlansPerSec x slices. */
  medianSlicesPerSec: number;
  runsPlansPerSec: number[];
}

export interface SlicerBenchResult {
  node: string;
  cpu: string;
  cores: number;
  plain: SlicerRuns;
  randomized: SlicerRuns;
}

const SLICES = 10_000;
const RUNS = 9;
const PLANS = 200;

const SPEC: TwapSpec = {
  side: 'buy',
  qty: 1_000_000,
  startTime: 1_723_161_600_000, // 2024-08-09T00:00:00Z
  durationMs: 10 * 3_600_000,
  sliceCount: SLICES,
  instrument: makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' }),
  referencePrice: 6_100_000,
  minSliceNotionalUnits: 500_000_000,
  childType: 'market',
};
const RANDOMIZED: TwapSpec = { ...SPEC, randomize: { sizePct: 20, timeJitterPct: 50 } };

let sink = 0;

/** Plans per second over one run of `plans` plans. */
function run(spec: TwapSpec, plans: number, seed: number): number {
  const randomized = spec.randomize !== undefined;
  const t0 = performance.now();
  for (let i = 0; i < plans; i++) {
    const plan = planTwapSlices(spec, randomized ? new Rng(seed + i).stream('twap/bench') : undefined);
    if (plan.totalSlices !== SLICES) throw new Error(`expected ${SLICES} slices, got ${plan.totalSlices}`);
    sink += (plan.slices[SLICES - 1] as { scheduledTime: number }).scheduledTime;
  }
  return plans / ((performance.now() - t0) / 1000);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function main(): Promise<SlicerBenchResult> {
  const cpus = os.cpus();
  run(SPEC, 100, 1); // warm-up (JIT), both paths
  run(RANDOMIZED, 100, 1);
  const plain: number[] = [];
  const randomized: number[] = [];
  // Alternate the two so drift on the VM hits both alike.
  for (let r = 0; r < RUNS; r++) {
    plain.push(run(SPEC, PLANS, 0));
    randomized.push(run(RANDOMIZED, PLANS, 1_000 * r));
  }
  if (sink === 0) throw new Error('no plans made');
  const runs = (xs: number[]): SlicerRuns => ({
    slices: SLICES,
    plansPerRun: PLANS,
    runs: xs.length,
    medianPlansPerSec: median(xs),
    medianSlicesPerSec: median(xs) * SLICES,
    runsPlansPerSec: xs,
  });
  return {
    node: process.version,
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    plain: runs(plain),
    randomized: runs(randomized),
  };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main();
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  for (const [label, x] of [
    ['plain', r.plain],
    ['randomized', r.randomized],
  ] as const) {
    console.log(
      `${`${label}:`.padEnd(12)}${fmt(x.medianPlansPerSec)} plans/s of ${fmt(x.slices)} slices = ${fmt(x.medianSlicesPerSec)} slices/s ` +
        `(median of ${x.runs} runs x ${x.plansPerRun} plans; runs: ${x.runsPlansPerSec.map(fmt).join(', ')})`,
    );
  }
}
