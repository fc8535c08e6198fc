// Clock benchmark: schedule-then-fire throughput of VirtualClock vs rxjs VirtualTimeScheduler.
// Run: node --import tsx bench/clock.bench.ts
// Each run schedules N actions at seeded-random virtual times, then fires them all; the figure
// is N / (schedule time + fire time). rxjs re-sorts its queue on every schedule, so it only gets
// 10k actions (quadratic: 100k would take minutes).
// A second VirtualClock figure, the "hold" model, keeps 1,000 actions pending and has each fired
// action schedule the next one (how a simulation's timers behave); the queue stays cache-sized.
// Both workloads run four ways: schedule() and post(), each either with one shared handler or with
// a fresh closure per action capturing its argument. schedule() (the general, cancellable API)
// allocates an action object per call; post() allocates nothing, so "post(), shared handler" is
// the clock's own floor. Simulator events carry their data in a closure (a venue's
// `() => this.arrive(order)`: one closure + context per event, allocated by the caller), so the
// like-for-like gain for a venue hop is "schedule(), closure each" -> "post(), closure each".
// A fifth way, post(handler, delay, arg), is the object-free form of that event: one shared handler
// and the event's own value (here its index i) as the argument, so nothing is allocated per event
// and each event still carries its own data (checked by a checksum, like the closure rows).
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { VirtualTimeScheduler } from 'rxjs';
import { VirtualClock } from '../src/core/clock/virtual-clock.ts';

export interface Runs {
  runs: number;
  medianActionsPerSec: number;
  runsActionsPerSec: number[];
}

export interface ClockBenchResult {
  node: string;
  cpu: string;
  cores: number;
  /** schedule(), 1M at random times, then fire all. */
  virtualClock: { actions: number } & Runs;
  /** schedule() with a fresh closure per action, same workload. */
  virtualClockClosure: { actions: number } & Runs;
  /** post() with one shared handler, same workload. */
  virtualClockPost: { actions: number } & Runs;
  /** post() with a fresh closure per action, same workload. */
  virtualClockPostClosure: { actions: number } & Runs;
  /** post(handler, delay, i): one shared handler, each action's own argument, same workload. */
  virtualClockPostArg: { actions: number } & Runs;
  /** Hold model with schedule(). */
  virtualClockHold: { actions: number; pending: number } & Runs;
  /** Hold model with schedule(), a fresh closure per action. */
  virtualClockHoldClosure: { actions: number; pending: number } & Runs;
  /** Hold model with post(), one shared handler. */
  virtualClockHoldPost: { actions: number; pending: number } & Runs;
  /** Hold model with post(), a fresh closure per action. */
  virtualClockHoldPostClosure: { actions: number; pending: number } & Runs;
  /** Hold model with post(handler, delay, i). */
  virtualClockHoldPostArg: { actions: number; pending: number } & Runs;
  rxjsVirtualTimeScheduler: { actions: number; actionsPerSec: number; seconds: number };
  ratio: number;
}

/**
 * How the bench queues work: schedule() or post(), of a shared handler or of a fresh closure, or
 * post(handler, delay, arg) of a shared handler with the action's own argument.
 */
type Mode = 'schedule' | 'scheduleClosure' | 'post' | 'postClosure' | 'postArg';

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
let checksum = 0;
function work(): void {
  fired++;
}

/** The shared handler of post(handler, delay, i): the action's data arrives as its argument. */
function deliverArg(i: number): void {
  fired++;
  checksum += i;
}

/** A fresh closure (and context) per call, like the venue's `() => this.arrive(order)`. */
function deliver(i: number): () => void {
  return () => {
    fired++;
    checksum += i;
  };
}

function benchVirtualClock(delays: Float64Array, mode: Mode): number {
  const n = delays.length;
  const clock = new VirtualClock(0);
  fired = 0;
  checksum = 0;
  const t0 = performance.now();
  if (mode === 'schedule') for (let i = 0; i < n; i++) clock.schedule(work, delays[i] as number);
  else if (mode === 'scheduleClosure') for (let i = 0; i < n; i++) clock.schedule(deliver(i), delays[i] as number);
  else if (mode === 'post') for (let i = 0; i < n; i++) clock.post(work, delays[i] as number);
  else if (mode === 'postArg') for (let i = 0; i < n; i++) clock.post(deliverArg, delays[i] as number, i);
  else for (let i = 0; i < n; i++) clock.post(deliver(i), delays[i] as number);
  clock.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (fired !== n || clock.pending() !== 0) throw new Error(`VirtualClock (${mode}) fired ${fired}/${n}`);
  if ((mode === 'scheduleClosure' || mode === 'postClosure' || mode === 'postArg') && checksum !== (n * (n - 1)) / 2) {
    throw new Error(`VirtualClock (${mode}): closure checksum`);
  }
  return n / seconds;
}

function benchHold(delays: Float64Array, pendingCount: number, mode: Mode): number {
  const n = delays.length;
  const clock = new VirtualClock(0);
  let holdFired = 0;
  let argSum = 0;
  function holdWork(): void {
    holdFired++;
    if (holdFired + pendingCount <= n) queue(delays[holdFired] as number);
  }
  function holdWorkArg(i: number): void {
    argSum += i;
    holdWork();
  }
  const queue =
    mode === 'schedule'
      ? (d: number) => void clock.schedule(holdWork, d)
      : mode === 'scheduleClosure'
        ? (d: number) => void clock.schedule(() => holdWork(), d)
        : mode === 'post'
          ? (d: number) => clock.post(holdWork, d)
          : mode === 'postArg'
            ? (d: number) => clock.post(holdWorkArg, d, holdFired)
            : (d: number) => clock.post(() => holdWork(), d);
  const t0 = performance.now();
  for (let i = 0; i < pendingCount; i++) queue(delays[i] as number);
  clock.runUntilIdle();
  const seconds = (performance.now() - t0) / 1000;
  if (holdFired !== n || clock.pending() !== 0) throw new Error(`VirtualClock hold (${mode}) fired ${holdFired}/${n}`);
  if (mode === 'postArg' && argSum === 0) throw new Error('VirtualClock hold (postArg): arguments lost');
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
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export async function main(): Promise<ClockBenchResult> {
  const cpus = os.cpus();
  const cpu = cpus[0]?.model ?? 'unknown';
  const cores = cpus.length;

  const modes: Mode[] = ['schedule', 'scheduleClosure', 'post', 'postClosure', 'postArg'];
  // Warm-up (JIT): every mode, so the clock's code has seen both kinds of queue entry, as it
  // does in a simulation, before anything is timed.
  for (const mode of modes) {
    benchVirtualClock(randomDelays(100_000, 1), mode);
    benchHold(randomDelays(100_000, 2), HOLD_PENDING, mode);
  }
  // Each mode gets the same 5 seeds; runs alternate modes so drift on the VM hits all alike.
  const burst: Record<Mode, number[]> = { schedule: [], scheduleClosure: [], post: [], postClosure: [], postArg: [] };
  for (let run = 0; run < VC_RUNS; run++) {
    for (const mode of modes) burst[mode].push(benchVirtualClock(randomDelays(VC_ACTIONS, 42 + run), mode));
  }
  const hold: Record<Mode, number[]> = { schedule: [], scheduleClosure: [], post: [], postClosure: [], postArg: [] };
  for (let run = 0; run < VC_RUNS; run++) {
    for (const mode of modes) hold[mode].push(benchHold(randomDelays(VC_ACTIONS, 1042 + run), HOLD_PENDING, mode));
  }
  const runs = (xs: number[]): Runs => ({ runs: xs.length, medianActionsPerSec: median(xs), runsActionsPerSec: xs });

  const rx = benchRxjs(randomDelays(RX_ACTIONS, 42));

  const result: ClockBenchResult = {
    node: process.version,
    cpu,
    cores,
    virtualClock: { actions: VC_ACTIONS, ...runs(burst.schedule) },
    virtualClockClosure: { actions: VC_ACTIONS, ...runs(burst.scheduleClosure) },
    virtualClockPost: { actions: VC_ACTIONS, ...runs(burst.post) },
    virtualClockPostClosure: { actions: VC_ACTIONS, ...runs(burst.postClosure) },
    virtualClockPostArg: { actions: VC_ACTIONS, ...runs(burst.postArg) },
    virtualClockHold: { actions: VC_ACTIONS, pending: HOLD_PENDING, ...runs(hold.schedule) },
    virtualClockHoldClosure: { actions: VC_ACTIONS, pending: HOLD_PENDING, ...runs(hold.scheduleClosure) },
    virtualClockHoldPost: { actions: VC_ACTIONS, pending: HOLD_PENDING, ...runs(hold.post) },
    virtualClockHoldPostClosure: { actions: VC_ACTIONS, pending: HOLD_PENDING, ...runs(hold.postClosure) },
    virtualClockHoldPostArg: { actions: VC_ACTIONS, pending: HOLD_PENDING, ...runs(hold.postArg) },
    rxjsVirtualTimeScheduler: { actions: RX_ACTIONS, actionsPerSec: rx.actionsPerSec, seconds: rx.seconds },
    ratio: median(burst.schedule) / rx.actionsPerSec,
  };
  return result;
}

function fmt(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const r = await main();
  const line = (label: string, x: Runs, what: string): void =>
    console.log(
      `${label.padEnd(40)}${fmt(x.medianActionsPerSec)} actions/s (median of ${x.runs} runs x ${what}; runs: ${x.runsActionsPerSec.map(fmt).join(', ')})`,
    );
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  const n = `${fmt(r.virtualClock.actions)} actions`;
  line('VirtualClock schedule():', r.virtualClock, n);
  line('VirtualClock schedule(), closure each:', r.virtualClockClosure, n);
  line('VirtualClock post(), shared fn:', r.virtualClockPost, n);
  line('VirtualClock post(), closure each:', r.virtualClockPostClosure, n);
  line('VirtualClock post(fn, delay, i):', r.virtualClockPostArg, n);
  const h = `${fmt(r.virtualClockHold.actions)} actions, ${fmt(r.virtualClockHold.pending)} pending`;
  line('hold schedule():', r.virtualClockHold, h);
  line('hold schedule(), closure each:', r.virtualClockHoldClosure, h);
  line('hold post(), shared fn:', r.virtualClockHoldPost, h);
  line('hold post(), closure each:', r.virtualClockHoldPostClosure, h);
  line('hold post(fn, delay, i):', r.virtualClockHoldPostArg, h);
  console.log(
    `${'VirtualTimeScheduler:'.padEnd(40)}${fmt(r.rxjsVirtualTimeScheduler.actionsPerSec)} actions/s ` +
      `(${fmt(r.rxjsVirtualTimeScheduler.actions)} actions in ${r.rxjsVirtualTimeScheduler.seconds.toFixed(2)} s)`,
  );
  console.log(`${'ratio (schedule() / rxjs):'.padEnd(40)}${r.ratio.toFixed(0)}x`);
}
