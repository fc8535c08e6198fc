// Clock benchmark: schedule-then-fire throughput of VirtualClock vs rxjs VirtualTimeScheduler.
// Run: node --import tsx bench/clock.bench.ts
// Each run schedules N actions at seeded-random virtual times, then fires them all; the figure
// is N / (schedule time + fire time). rxjs re-sorts its queue on every schedule, so it only gets
// 10k actions (quadratic: 100k would take minutes).
// A second VirtualClock figure, the "hold" model, keeps 1,000 actions pending and has each fired
// action schedule the next one (how a simulation's timers behave); the queue stays cache-sized.
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { VirtualTimeScheduler } from 'rxjs';
import { VirtualClock } from '../src/core/clock/virtual-clock.ts';

export interface ClockBenchResult {
  node: string;
  cpu: string;
  cores: number;
  virtualClock: { actions: number; runs: number; medianActionsPerSec: number; runsActionsPerSec: number[] };
  virtualClockHold: { actions: number; pending: number; runs: number; medianActionsPerSec: number };
  rxjsVirtualTimeScheduler: { actions: number; actionsPerSec: number; seconds: number };
  ratio: number;
}

const VC_ACTIONS = 1_000_000;
const VC_RUNS = 5;
const RX_ACTIONS = 10_000;
const HOLD_PENDING = 1_000;
/** Virtual times are spread over this many ms (integers, so equal due times occur). */
const SPAN_MS = 1_000_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomDelays(n: number, seed: number): Float64Array {
  const rand = mulberry32(seed);
  const delays = new Float64Array(n);
  for (let i = 0; i < n; i++) delays[i] = Math.floor(rand() * SPAN_MS);
  return delays;
}

let fired = 0;
function work(): void {
  fired++;
}

function benchVirtualClock(delays: Float64Array): number {
  const n = delays.length;
  const clock = new VirtualClock(0);
  fired = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) clock.schedule(work, delays[i] as number);
  clock.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (fired !== n || clock.pending() !== 0) throw new Error(`VirtualClock fired ${fired}/${n}`);
  return n / seconds;
}

function benchHold(delays: Float64Array, pendingCount: number): number {
  const n = delays.length;
  const clock = new VirtualClock(0);
  let holdFired = 0;
  function holdWork(): void {
    holdFired++;
    if (holdFired + pendingCount <= n) clock.schedule(holdWork, delays[holdFired] as number);
  }
  const t0 = performance.now();
  for (let i = 0; i < pendingCount; i++) clock.schedule(holdWork, delays[i] as number);
  clock.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (holdFired !== n || clock.pending() !== 0) throw new Error(`VirtualClock hold fired ${holdFired}/${n}`);
  return n / seconds;
}

function benchRxjs(delays: Float64Array): { actionsPerSec: number; seconds: number } {
  const n = delays.length;
  const scheduler = new VirtualTimeScheduler();
  fired = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) scheduler.schedule(work, delays[i] as number);
  scheduler.flush();
  const seconds = (performance.now() - t0) / 1000;
  if (fired !== n) throw new Error(`VirtualTimeScheduler fired ${fired}/${n}`);
  return { actionsPerSec: n / seconds, seconds };
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function main(): Promise<ClockBenchResult> {
  const cpus = os.cpus();
  const cpu = cpus[0]?.model ?? 'unknown';
  const cores = cpus.length;

  benchVirtualClock(randomDelays(100_000, 1)); // warm-up (JIT)
  const runsActionsPerSec: number[] = [];
  for (let run = 0; run < VC_RUNS; run++) {
    runsActionsPerSec.push(benchVirtualClock(randomDelays(VC_ACTIONS, 42 + run)));
  }
  const vcMedian = median(runsActionsPerSec);

  const holdRuns: number[] = [];
  for (let run = 0; run < VC_RUNS; run++) holdRuns.push(benchHold(randomDelays(VC_ACTIONS, 1042 + run), HOLD_PENDING));

  const rx = benchRxjs(randomDelays(RX_ACTIONS, 42));

  const result: ClockBenchResult = {
    node: process.version,
    cpu,
    cores,
    virtualClock: { actions: VC_ACTIONS, runs: VC_RUNS, medianActionsPerSec: vcMedian, runsActionsPerSec },
    virtualClockHold: { actions: VC_ACTIONS, pending: HOLD_PENDING, runs: VC_RUNS, medianActionsPerSec: median(holdRuns) },
    rxjsVirtualTimeScheduler: { actions: RX_ACTIONS, actionsPerSec: rx.actionsPerSec, seconds: rx.seconds },
    ratio: vcMedian / rx.actionsPerSec,
  };
  return result;
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main();
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  console.log(
    `VirtualClock:          ${fmt(r.virtualClock.medianActionsPerSec)} actions/s ` +
      `(median of ${r.virtualClock.runs} runs x ${fmt(r.virtualClock.actions)} actions; runs: ` +
      `${r.virtualClock.runsActionsPerSec.map(fmt).join(', ')})`,
  );
  console.log(
    `VirtualClock (hold):   ${fmt(r.virtualClockHold.medianActionsPerSec)} actions/s ` +
      `(median of ${r.virtualClockHold.runs} runs x ${fmt(r.virtualClockHold.actions)} actions, ` +
      `${fmt(r.virtualClockHold.pending)} pending at a time)`,
  );
  console.log(
    `VirtualTimeScheduler:  ${fmt(r.rxjsVirtualTimeScheduler.actionsPerSec)} actions/s ` +
      `(${fmt(r.rxjsVirtualTimeScheduler.actions)} actions in ${r.rxjsVirtualTimeScheduler.seconds.toFixed(2)} s)`,
  );
  console.log(`ratio:                 ${r.ratio.toFixed(0)}x`);
}
