// Sweep throughput: paths per second of `execsim sweep`'s engine (runSweepUnits, results handed
// back in path order as the CLI uses them; no store) for twap-calm (scenarios/) and the bench's
// one-hour TWAP, with 1 worker (in this thread) and with 2 worker threads. Reports wall time and
// the process's CPU time (every thread's: process.cpuUsage), paths/s by wall and per CPU second,
// and the wall time 10,000 paths would take at the measured rate (worker start-up included once).
// Run: npm run bench:sweep [-- --calm-paths N --hour-paths N]
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runSweepUnits } from '../src/runtime/sweep-threads.ts';
import type { SweepDefinition } from '../src/runtime/sweep-units.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

export interface SweepBenchRow {
  scenario: string;
  workers: number;
  paths: number;
  wallMs: number;
  cpuMs: number;
  pathsPerSec: number;
  pathsPerCpuSec: number;
  /** Wall time of 10,000 paths at this rate (s). */
  tenThousandS: number;
}

async function measure(scenario: string, def: SweepDefinition, workers: number): Promise<SweepBenchRow> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  const end = await runSweepUnits(def, { workers, onUnit: () => void done++ });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (end.kind !== 'finished' || done !== def.paths) throw new Error(`${scenario}: the sweep did not finish`);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  return {
    scenario,
    workers,
    paths: def.paths,
    wallMs,
    cpuMs,
    pathsPerSec: def.paths / (wallMs / 1000),
    pathsPerCpuSec: def.paths / (cpuMs / 1000),
    tenThousandS: (10_000 * wallMs) / def.paths / 1000,
  };
}

export async function main(calmPaths = 400, hourPaths = 20): Promise<SweepBenchRow[]> {
  const calmFile = fileURLToPath(new URL('../scenarios/twap-calm.yaml', import.meta.url));
  const cases: Array<[string, SweepDefinition]> = [
    ['twap-calm', { file: calmFile, yaml: readFileSync(calmFile, 'utf8'), seed: 31, paths: calmPaths, grid: [] }],
    ['one-hour TWAP', { file: 'twap-one-hour.yaml', yaml: TWAP_ONE_HOUR, seed: 77, paths: hourPaths, grid: [] }],
  ];
  const rows: SweepBenchRow[] = [];
  for (const [name, def] of cases) {
    await measure(name, { ...def, paths: 2 }, 1); // warm-up (JIT) of this thread
    for (const workers of [1, 2]) rows.push(await measure(name, def, workers));
  }
  return rows;
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { values } = parseArgs({ options: { 'calm-paths': { type: 'string' }, 'hour-paths': { type: 'string' } } });
  const rows = await main(Number(values['calm-paths'] ?? 400), Number(values['hour-paths'] ?? 20));
  const cpus = os.cpus();
  console.log(
    `node ${process.version} | ${cpus[0]?.model ?? 'unknown'} | ${cpus.length} cores | load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  for (const r of rows) {
    console.log(
      `${r.scenario.padEnd(14)} ${r.workers} worker${r.workers === 1 ? ' ' : 's'}: ${r.paths} paths in ${(r.wallMs / 1000).toFixed(1)} s wall, ` +
        `${(r.cpuMs / 1000).toFixed(1)} s CPU -> ${r.pathsPerSec.toFixed(1)} paths/s, ${r.pathsPerCpuSec.toFixed(1)} paths/CPU-s; ` +
        `10,000 paths ~ ${r.tenThousandS.toFixed(0)} s wall`,
    );
  }
}
