// Sweep throughput as users meet it: the built CLI, `execsim sweep FILE --paths N --workers 1`
// against `--workers 2`, each a process of its own (its threads' JIT cold), run in turns (1, 2, 1,
// 2, ...) so that both see the machine alike, for twap-calm (scenarios/) and the bench's one-hour
// TWAP. Before, this bench timed one worker as the sweep engine in this thread, after a warm-up,
// against two cold worker threads: it compared a warm run with cold ones, and showed two workers
// slower than one. Reports each command's wall (spawn to exit) and CPU (the child's user + system,
// from /proc/self/stat on Linux), paths/s, paths per CPU-second, the ratio of the medians, and
// checks that both commands print the same sweep (--json, byte for byte). Each round also runs two
// one-worker processes side by side, half the paths each (another sweep seed for the second): what
// two isolates on this machine do with no thread hand-over, messages or shared aggregation at all,
// the ceiling of any two-thread sweep here; reported as that ceiling's speed-up and the share of it
// the threads reach.
// It also times the summary a sweep computes once its paths are in (12 metrics over 10,000 paths),
// side by side with mathjs, which computed it before (its load included: a sweep paid it at the
// end, with every worker idle).
// Run: npm run bench:sweep [-- --calm-paths N --hour-paths N --rounds N]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distProblem } from '../src/boot/code-loader.js';
import { metricStats } from '../src/sweep/sweep-stats.ts';
import { childrenCpuMs } from './child-cpu.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

export interface SweepCommandRow {
  readonly scenario: string;
  readonly paths: number;
  readonly workers: number;
  /** Each round's wall and CPU (ms), in the order run. */
  readonly wallMs: readonly number[];
  readonly cpuMs: ReadonlyArray<number | null>;
  readonly medianWallMs: number;
  readonly medianCpuMs: number | null;
  readonly pathsPerSec: number;
  readonly pathsPerCpuSec: number | null;
}

export interface SweepBenchCase {
  readonly scenario: string;
  readonly one: SweepCommandRow;
  readonly two: SweepCommandRow;
  /** Median wall on one worker over the median on two. */
  readonly speedup: number;
  /** Median CPU on two workers over the median on one. */
  readonly cpuRatio: number | null;
  /** Two one-worker processes side by side, half the paths each (wall: until both exited). */
  readonly pair: SweepCommandRow;
  /** Median wall on one worker over the pair's: the ceiling of two threads on this machine. */
  readonly ceiling: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** One whole `execsim sweep` command: wall, CPU and a digest of what it printed. */
function sweepCommand(
  file: string,
  paths: number,
  workers: number,
): { wallMs: number; cpuMs: number | null; out: string } {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const env = { ...process.env };
  delete env.EXECSIM_CODE;
  delete env.NODE_OPTIONS;
  const args = ['bin/execsim.js', 'sweep', file, '--paths', String(paths), '--workers', String(workers), '--json'];
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd: root, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const c1 = childrenCpuMs();
  if (r.status !== 0) throw new Error(`execsim sweep ${file} --workers ${workers} exited ${r.status}: ${r.stderr}`);
  return {
    wallMs,
    cpuMs: c0 === null || c1 === null ? null : c1 - c0,
    out: createHash('sha256').update(r.stdout).digest('hex'),
  };
}

/** Two one-worker `execsim sweep` processes at once, `paths` / 2 each (the second with another
 *  sweep seed): wall until both exited, and their CPU together. */
async function pairCommand(file: string, paths: number): Promise<{ wallMs: number; cpuMs: number | null }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const env = { ...process.env };
  delete env.EXECSIM_CODE;
  delete env.NODE_OPTIONS;
  const half = String(Math.floor(paths / 2));
  const one = (seed: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const args = ['bin/execsim.js', 'sweep', file, '--paths', half, '--seed', seed, '--workers', '1', '--json'];
      const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`execsim sweep ${file} exited ${code}`))));
    });
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  await Promise.all([one('1'), one('2')]);
  const wallMs = performance.now() - t0;
  const c1 = childrenCpuMs();
  return { wallMs, cpuMs: c0 === null || c1 === null ? null : c1 - c0 };
}

function row(
  scenario: string,
  paths: number,
  workers: number,
  runs: Array<{ wallMs: number; cpuMs: number | null }>,
): SweepCommandRow {
  const wallMs = runs.map((r) => r.wallMs);
  const cpuMs = runs.map((r) => r.cpuMs);
  const medianWallMs = median(wallMs);
  const medianCpuMs = cpuMs.every((c) => c !== null) ? median(cpuMs as number[]) : null;
  return {
    scenario,
    paths,
    workers,
    wallMs,
    cpuMs,
    medianWallMs,
    medianCpuMs,
    pathsPerSec: paths / (medianWallMs / 1000),
    pathsPerCpuSec: medianCpuMs === null ? null : paths / (medianCpuMs / 1000),
  };
}

/** `rounds` turns of one worker, two, and the pair of processes, for each scenario; the built CLI
 *  (dist/) only. */
export async function main(calmPaths = 10_000, hourPaths = 100, rounds = 2): Promise<SweepBenchCase[]> {
  const why = distProblem();
  if (why !== null) throw new Error(`bench:sweep runs the built CLI: ${why} (npm run build)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-bench-'));
  try {
    const hourFile = path.join(dir, 'twap-one-hour.yaml');
    writeFileSync(hourFile, TWAP_ONE_HOUR);
    const calmFile = fileURLToPath(new URL('../scenarios/twap-calm.yaml', import.meta.url));
    const cases: Array<[string, string, number]> = [
      ['twap-calm', calmFile, calmPaths],
      ['one-hour TWAP', hourFile, hourPaths],
    ];
    const out: SweepBenchCase[] = [];
    for (const [scenario, file, paths] of cases) {
      if (paths <= 0) continue;
      const runs: Record<1 | 2, Array<{ wallMs: number; cpuMs: number | null }>> = { 1: [], 2: [] };
      const pairs: Array<{ wallMs: number; cpuMs: number | null }> = [];
      const printed = new Set<string>();
      for (let r = 0; r < rounds; r++) {
        for (const workers of [1, 2] as const) {
          const run = sweepCommand(file, paths, workers);
          printed.add(run.out);
          runs[workers].push(run);
        }
        pairs.push(await pairCommand(file, paths));
      }
      if (printed.size !== 1) throw new Error(`${scenario}: one and two workers printed different sweeps`);
      const one = row(scenario, paths, 1, runs[1]);
      const two = row(scenario, paths, 2, runs[2]);
      const pair = row(scenario, paths, 2, pairs);
      out.push({
        pair,
        ceiling: one.medianWallMs / pair.medianWallMs,
        scenario,
        one,
        two,
        speedup: one.medianWallMs / two.medianWallMs,
        cpuRatio: one.medianCpuMs && two.medianCpuMs ? two.medianCpuMs / one.medianCpuMs : null,
      });
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    options: { 'calm-paths': { type: 'string' }, 'hour-paths': { type: 'string' }, rounds: { type: 'string' } },
  });
  const cpus = os.cpus();
  console.log(
    `node ${process.version} | ${cpus[0]?.model ?? 'unknown'} | ${cpus.length} cores | load ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const cases = await main(
    Number(values['calm-paths'] ?? 10_000),
    Number(values['hour-paths'] ?? 100),
    Number(values.rounds ?? 2),
  );
  const s = (ms: number) => (ms / 1000).toFixed(2);
  for (const c of cases) {
    for (const r of [c.one, c.two]) {
      console.log(
        `${c.scenario.padEnd(14)} ${r.paths} paths, --workers ${r.workers}: ${s(r.medianWallMs)} s wall` +
          (r.medianCpuMs === null ? '' : `, ${s(r.medianCpuMs)} s CPU`) +
          ` (median of ${r.wallMs.length}: ${r.wallMs.map(s).join(', ')} s) -> ${r.pathsPerSec.toFixed(1)} paths/s` +
          (r.pathsPerCpuSec === null ? '' : `, ${r.pathsPerCpuSec.toFixed(1)} paths/CPU-s`),
      );
    }
    console.log(
      `${c.scenario.padEnd(14)} two workers: ${c.speedup.toFixed(2)}x the speed of one` +
        (c.cpuRatio === null ? '' : `, ${c.cpuRatio.toFixed(2)}x its CPU`) +
        `; the same sweep printed (--json) by both`,
    );
    console.log(
      `${c.scenario.padEnd(14)} two one-worker processes side by side, ${c.pair.paths / 2} paths each: ` +
        `${s(c.pair.medianWallMs)} s wall` +
        (c.pair.medianCpuMs === null ? '' : `, ${s(c.pair.medianCpuMs)} s CPU`) +
        ` (median of ${c.pair.wallMs.length}: ${c.pair.wallMs.map(s).join(', ')} s): ${c.ceiling.toFixed(2)}x the speed of one ` +
        `worker, the ceiling of two threads here; the threads reach ${((100 * c.speedup) / c.ceiling).toFixed(0)}% of it`,
    );
  }
  console.log(
    `load at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const st = summaryStatistics();
  console.log(
    `summary of 10,000 paths (12 metrics): ${st.oursMs.toFixed(1)} ms; mathjs ${st.mathjsFirstMs.toFixed(0)} ms ` +
      `the first time (loading it), ${st.mathjsWarmMs.toFixed(1)} ms warm (${(st.mathjsWarmMs / st.oursMs).toFixed(1)}x)`,
  );
}
