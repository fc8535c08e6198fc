// Sweep throughput: paths per second of `execsim sweep`'s engine (runSweepUnits, results handed
// back in path order as the CLI uses them; no store) for twap-calm (scenarios/) and the bench's
// one-hour TWAP, with 1 worker (in this thread) and with 2 worker threads. Worker threads run the
// built bundle when dist/ is current (as the CLI's do), else the sources through tsx (then their
// start-up takes seconds). Reports wall time and the process's CPU time (every thread's:
// process.cpuUsage), paths/s by wall and per CPU second, and the wall time 10,000 paths would
// take: each configuration also runs a fifth of the paths, and the two runs give a straight line
// (a fixed cost: threads starting, code compiling; and a cost per path), so start-up counts once
// in the estimate, not once per measured batch. `--whole` also runs the target itself: the built
// CLI, `execsim sweep scenarios/twap-calm.yaml --paths 10000 --workers 2`, timed end to end.
// The default sizes (2,000 calm paths, 100 one-hour paths) put both runs of the line past most of
// each thread's compiling: with 400 and 20, the fifth-size runs were mostly unoptimised code and
// the line's slope was wrong (two workers, the hour: 665 s for 10,000 paths from 20, 379 s from 100).
// It also times the summary a sweep computes once its paths are in (12 metrics over 10,000 paths),
// side by side with mathjs, which computed it before (its load included: a sweep paid it at the
// end, with every worker idle).
// Run: npm run bench:sweep [-- --calm-paths N --hour-paths N --whole]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distProblem } from '../src/runtime/code-loader.js';
import { metricStats } from '../src/runtime/sweep-stats.ts';
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
  /** Wall time of 10,000 paths (s): the fixed cost once, plus 10,000 times the cost per path,
   *  from this run and one of a fifth of the paths. */
  tenThousandS: number;
  /** That fixed cost (s): threads starting, code compiling. */
  fixedS: number;
}

async function timed(
  scenario: string,
  def: SweepDefinition,
  workers: number,
): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let done = 0;
  const end = await runSweepUnits(def, { workers, onUnit: () => void done++ });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (end.kind !== 'finished' || done !== def.paths) throw new Error(`${scenario}: the sweep did not finish`);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function measure(scenario: string, def: SweepDefinition, workers: number): Promise<SweepBenchRow> {
  // Another sweep of the same scenario with a fifth of the paths (other seeds: the paths differ).
  const few = Math.max(workers, Math.round(def.paths / 5));
  const small = await timed(scenario, { ...def, seed: def.seed + 1, paths: few }, workers);
  const { wallMs, cpuMs } = await timed(scenario, def, workers);
  const perPathMs = Math.max(0, (wallMs - small.wallMs) / (def.paths - few));
  const fixedMs = Math.max(0, wallMs - def.paths * perPathMs);
  return {
    scenario,
    workers,
    paths: def.paths,
    wallMs,
    cpuMs,
    pathsPerSec: def.paths / (wallMs / 1000),
    pathsPerCpuSec: def.paths / (cpuMs / 1000),
    tenThousandS: (fixedMs + 10_000 * perPathMs) / 1000,
    fixedS: fixedMs / 1000,
  };
}

export async function main(calmPaths = 2000, hourPaths = 100): Promise<SweepBenchRow[]> {
  const calmFile = fileURLToPath(new URL('../scenarios/twap-calm.yaml', import.meta.url));
  const cases: Array<[string, SweepDefinition]> = [
    ['twap-calm', { file: calmFile, yaml: readFileSync(calmFile, 'utf8'), seed: 31, paths: calmPaths, grid: [] }],
    ['one-hour TWAP', { file: 'twap-one-hour.yaml', yaml: TWAP_ONE_HOUR, seed: 77, paths: hourPaths, grid: [] }],
  ];
  // Worker threads run what the CLI's run: the bundle, when it is built from these sources.
  if (distProblem() === null) process.env.EXECSIM_CODE = 'dist';
  const rows: SweepBenchRow[] = [];
  for (const [name, def] of cases) {
    await measure(name, { ...def, paths: 2 }, 1); // warm-up (JIT) of this thread
    for (const workers of [1, 2]) rows.push(await measure(name, def, workers));
  }
  return rows;
}

/** The target as users meet it: the built CLI sweeping 10,000 twap-calm paths on 2 workers, from
 *  its start to its exit (wall), with the digests of the first and last path. */
export function wholeCalmSweep(): { wallS: number; paths: number } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const why = distProblem();
  if (why !== null) throw new Error(`--whole runs the built CLI: ${why} (npm run build)`);
  const env = { ...process.env };
  delete env.EXECSIM_CODE;
  delete env.NODE_OPTIONS;
  const args = ['bin/execsim.js', 'sweep', 'scenarios/twap-calm.yaml', '--paths', '10000', '--workers', '2', '--json'];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallS = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`execsim sweep exited ${r.status}: ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { perPath: unknown[] };
  return { wallS, paths: out.perPath.length };
}

/** The end-of-sweep summary, 12 metrics over 10,000 paths (a tenth of them missing): ms with
 *  metricStats, and with mathjs (its first call, which loads it, and then warm). */
export function summaryStatistics(): { oursMs: number; mathjsFirstMs: number; mathjsWarmMs: number } {
  let x = 12_345;
  const metrics = Array.from({ length: 12 }, () =>
    Array.from({ length: 10_000 }, (_, i) => {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      return i % 10 === 0 ? null : x / 65_536 - 16_384;
    }),
  );
  type MathJs = Pick<typeof import('mathjs'), 'mean' | 'std' | 'quantileSeq'>;
  let math: MathJs | null = null;
  const withMathjs = (values: ReadonlyArray<number | null>): number => {
    math ??= createRequire(import.meta.url)('mathjs/number') as MathJs;
    const present = values.filter((v): v is number => v !== null);
    const q = math.quantileSeq(present, [0.05, 0.5, 0.95]) as number[];
    return (math.mean(present) as number) + (math.std(present) as unknown as number) + (q[0] ?? 0);
  };
  const time = (f: () => void): number => {
    const t0 = performance.now();
    f();
    return performance.now() - t0;
  };
  const all = (f: (values: ReadonlyArray<number | null>) => unknown) => () => metrics.forEach((m) => f(m));
  const oursMs = Math.min(...[0, 1, 2].map(() => time(all(metricStats))));
  const mathjsFirstMs = time(all(withMathjs));
  const mathjsWarmMs = Math.min(...[0, 1, 2].map(() => time(all(withMathjs))));
  return { oursMs, mathjsFirstMs, mathjsWarmMs };
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { values } = parseArgs({
    options: { 'calm-paths': { type: 'string' }, 'hour-paths': { type: 'string' }, whole: { type: 'boolean' } },
  });
  const rows = await main(Number(values['calm-paths'] ?? 2000), Number(values['hour-paths'] ?? 100));
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
        `10,000 paths ~ ${r.tenThousandS.toFixed(0)} s wall (fixed ${r.fixedS.toFixed(1)} s)`,
    );
  }
  console.log(`worker threads ran ${process.env.EXECSIM_CODE === 'dist' ? 'the built bundle' : 'the sources (tsx)'}`);
  const st = summaryStatistics();
  console.log(
    `summary of 10,000 paths (12 metrics): ${st.oursMs.toFixed(1)} ms; mathjs ${st.mathjsFirstMs.toFixed(0)} ms ` +
      `the first time (loading it), ${st.mathjsWarmMs.toFixed(1)} ms warm (${(st.mathjsWarmMs / st.oursMs).toFixed(1)}x)`,
  );
  if (values.whole) {
    const w = wholeCalmSweep();
    console.log(
      `execsim sweep twap-calm --paths 10000 --workers 2 (built CLI, end to end): ${w.paths} paths in ${w.wallS.toFixed(1)} s wall`,
    );
  }
}
