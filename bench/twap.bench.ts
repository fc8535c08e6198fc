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
}

export interface OldVsNew {
  readonly runs: number;
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
 * CPU per simulated hour of the current implementation and of the reference one, runs
 * alternating (current, reference, current, ...) after three warm-up runs of each (the JIT's
 * optimising tier takes a few runs: the steady state is what a sweep's paths cost), so load on
 * the shared machine falls on both alike. Throws when the two event logs differ.
 */
export function oldVsNew(loaded: LoadedScenario, runs = 11): OldVsNew {
  const variants: Array<[string, RunOptions]> = [
    ['current', {}],
    ['reference', { buildVenue: referenceBuildVenue }],
  ];
  const cpu = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  const last = new Map<string, ReturnType<typeof runScenario>>();
  // Warm-up (JIT).
  for (let w = 0; w < 3; w++) for (const [name, options] of variants) last.set(name, runScenario(loaded, options));
  for (let i = 0; i < runs; i++) {
    for (const [name, options] of variants) {
      const c0 = process.cpuUsage();
      const r = runScenario(loaded, options);
      const c = process.cpuUsage(c0);
      const hours = r.simulatedMs / 3_600_000;
      cpu.get(name)?.push((c.user + c.system) / 1000 / hours);
      last.set(name, r);
    }
  }
  const result = (name: string): CpuPerHour => {
    const r = last.get(name) as ReturnType<typeof runScenario>;
    const samples = cpu.get(name) as number[];
    return {
      cpuMsPerSimHour: median(samples),
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
  return { runs, simulatedHours: simulatedMs / 3_600_000, current, reference };
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
    `  ${label}: ${c.cpuMsPerSimHour.toFixed(1)} ms CPU per simulated hour (median of ${cmp.runs}; runs ${c.samples.map((x) => x.toFixed(0)).join(', ')}), ${fmt(c.clockActions)} clock actions, ${fmt(c.logEvents)} log events`;
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
