// A full one-hour TWAP scenario, end to end (market model, venue, engine, event log; no store):
// CPU ms per simulated hour of the current implementation and of the previous one (kept as a
// reference in bench/reference/), run alternately in one process on the same scenario, each the
// median of several runs, with the clock actions each fires and a check that both logs are the
// same (equal digests); then simulated events (clock actions fired) and log events per wall second.
// Run: node --import tsx bench/twap.bench.ts (TWAP_ONE_HOUR is also the one-hour run of series.bench.ts)
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario, type RunOptions } from '../src/runtime/backtest-run.ts';
import { parseScenario, type LoadedScenario } from '../src/scenario/load-scenario.ts';
import { referenceBuildVenue } from './reference/index.ts';

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

export interface CpuPerHour {
  /** Median CPU ms (user + system, this process) per simulated hour. */
  readonly cpuMsPerSimHour: number;
  /** Every run's CPU ms per simulated hour, in run order. */
  readonly samples: readonly number[];
  readonly clockActions: number;
  readonly logEvents: number;
  readonly digest: string;
  /** The first (cold) run's CPU per simulated hour, JIT warm-up included. */
  readonly firstRunCpuMsPerSimHour: number;
}

export interface OldVsNew {
  readonly runs: number;
  readonly warmups: number;
  readonly simulatedHours: number;
  readonly current: CpuPerHour;
  readonly reference: CpuPerHour;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const n = sorted.length;
  return n % 2 === 1
    ? (sorted[(n - 1) / 2] as number)
    : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
};

/**
 * CPU per simulated hour of the current implementation and of the reference one, each in a block
 * of its own (current first): `warmups` runs, then `runs` measured. Alternating them run by run
 * charged each with the other's garbage and JIT work (the reference allocates several times
 * more), which hid the current code's cost behind the reference's collections. The JIT keeps
 * compiling on its own threads for the first dozens of runs (about 20 ms of CPU per run on the
 * current code at first; per-run figures printed over 40 runs show some processes still settling
 * between runs 20 and 30): the steady state measured here is what each path of a sweep costs;
 * the first run of each (what one `execsim run` pays) is reported beside it. Throws when the two
 * event logs differ.
 */
export function oldVsNew(loaded: LoadedScenario, runs = 11, warmups = 40): OldVsNew {
  const variants: Array<[string, RunOptions]> = [
    ['current', {}],
    ['reference', { buildVenue: referenceBuildVenue }],
  ];
  const cpu = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const last = new Map<string, ReturnType<typeof runScenario>>();
  const first = new Map<string, number>();
  for (const [name, options] of variants) {
    for (let i = 0; i < warmups + runs; i++) {
      const c0 = process.cpuUsage();
      const r = runScenario(loaded, options);
      const c = process.cpuUsage(c0);
      const perHour = (c.user + c.system) / 1000 / (r.simulatedMs / 3_600_000);
      if (i === 0) first.set(name, perHour);
      if (i >= warmups) cpu.get(name)?.push(perHour);
      last.set(name, r);
    }
  }
  const result = (name: string): CpuPerHour => {
    const r = last.get(name) as ReturnType<typeof runScenario>;
    const samples = cpu.get(name) as number[];
    return {
      cpuMsPerSimHour: median(samples),
      firstRunCpuMsPerSimHour: first.get(name) ?? NaN,
      samples,
      clockActions: r.clockActions,
      logEvents: r.events,
      digest: r.digest,
    };
  };
  const current = result('current');
  const reference = result('reference');
  if (current.digest !== reference.digest)
    throw new Error(
      `the current and the reference implementation logged different runs: ${current.digest} vs ${reference.digest}`,
    );
  const simulatedMs = (last.get('current') as ReturnType<typeof runScenario>).simulatedMs;
  return { runs, warmups, simulatedHours: simulatedMs / 3_600_000, current, reference };
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
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  const cmp = oldVsNew(parseScenario(TWAP_ONE_HOUR, 'twap-one-hour.yaml'));
  const row = (label: string, c: CpuPerHour) =>
    `  ${label}: ${c.cpuMsPerSimHour.toFixed(1)} ms CPU per simulated hour warm (median of ${cmp.runs} after ${cmp.warmups} warm-up runs; runs ${c.samples.map((x) => x.toFixed(0)).join(', ')}), ${c.firstRunCpuMsPerSimHour.toFixed(0)} cold (first run), ${fmt(c.clockActions)} clock actions, ${fmt(c.logEvents)} log events`;
  console.log(
    `load average ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `one-hour TWAP, ${cmp.simulatedHours.toFixed(3)} simulated hours per run, current against the reference (previous) implementation:`,
  );
  console.log(row('current  ', cmp.current));
  console.log(row('reference', cmp.reference));
  console.log(
    `  ${(cmp.reference.cpuMsPerSimHour / cmp.current.cpuMsPerSimHour).toFixed(2)}x less CPU; the same event log (digest ${cmp.current.digest.slice(0, 12)})`,
  );
  const r = await main();
  console.log(`node ${r.node} | ${r.cpu} | ${r.cores} cores`);
  console.log(
    `one-hour TWAP (120 slices, synthetic market 100 ms steps, 5 trades/s): ${fmt(r.simulatedSeconds)} s simulated in ${r.medianWallMs.toFixed(0)} ms (median of ${r.runs})`,
  );
  console.log(
    `  ${fmt(r.clockActions)} simulated events -> ${fmt(r.clockActionsPerSec)} events/s; ${fmt(r.logEvents)} log events -> ${fmt(r.logEventsPerSec)}/s; ${fmt(r.simulatedSecondsPerWallSecond)}x real time`,
  );
}
