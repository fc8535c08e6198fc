// What a strategy module costs a backtest, side by side with the same scenario without it: the
// three bundled strategy scenarios (a handler on the recorded replay, a handler with TWAP entries
// on a synthetic market, an rxjs strategy on zero-intelligence order flow), each run with its
// strategy and with the `strategy:` section taken out (the same market, nothing of ours). In
// process: CPU ms (user + system) per run, warm (the median of --runs after --warmups) and cold
// (the first run), in alternating blocks. Then loading a module: a first load (esbuild bundles
// the file) and a cached one (the bundle evaluated again, as every run does), and the whole
// command users run, `execsim run <scenario> --no-store`, spawned --cli times each way.
// Run: npm run bench:strategy -- [--runs 9] [--warmups 5] [--cli 3]
import { spawnSync } from 'node:child_process';
import { readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario } from '../src/scenario/load-scenario.ts';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg('runs', 9);
const WARMUPS = arg('warmups', 5);
const CLI = arg('cli', 3);

const SCENARIOS = ['strategy-mean-reversion', 'strategy-breakout', 'strategy-quote-pressure'];

/** The scenario without its strategy section (and so without its signals). */
function withoutStrategy(yaml: string): string {
  const at = yaml.indexOf('\nstrategy:');
  const next = yaml.slice(at + 1).search(/\n[a-z]/);
  return yaml.slice(0, at) + (next < 0 ? '\n' : yaml.slice(at + 1 + next));
}

function cpuMs(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const d = process.cpuUsage(before);
  return (d.user + d.system) / 1000;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const fmt = (ms: number): string => ms.toFixed(1);

console.log(`strategy bench: ${RUNS} runs after ${WARMUPS} warm-ups, Node ${process.version}, load ${os()}`);
for (const name of SCENARIOS) {
  const file = path.join(ROOT, 'scenarios', `${name}.yaml`);
  const yaml = readFileSync(file, 'utf8');
  const variants = [
    { label: 'with strategy', yaml },
    { label: 'market only', yaml: withoutStrategy(yaml) },
  ];
  const cold: number[] = [];
  const warm: number[][] = variants.map(() => []);
  let simulatedMs = 0;
  for (let round = 0; round < WARMUPS + RUNS; round++) {
    variants.forEach((v, i) => {
      const ms = cpuMs(() => {
        simulatedMs = runScenario(parseScenario(v.yaml, file)).simulatedMs;
      });
      if (round === 0) cold[i] = ms;
      else if (round >= WARMUPS) warm[i]?.push(ms);
    });
  }
  const [w, m] = warm.map(median) as [number, number];
  console.log(
    `${name} (${simulatedMs / 60_000} min simulated): with strategy ${fmt(w)} ms CPU warm (cold ${fmt(cold[0] ?? 0)}), ` +
      `market only ${fmt(m)} ms (cold ${fmt(cold[1] ?? 0)}): ${(w / m).toFixed(2)}x`,
  );
}

// Loading: a first load bundles the file with esbuild; later loads evaluate the cached bundle.
{
  const file = path.join(ROOT, 'scenarios', 'strategy-breakout.yaml');
  const yaml = readFileSync(file, 'utf8');
  const module = path.join(ROOT, 'scenarios', 'strategies', 'breakout.ts');
  const now = new Date();
  const first: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    // A new mtime makes the loader bundle the file again.
    utimesSync(module, now, new Date(now.getTime() + (i + 1) * 1000));
    let t = performance.now();
    parseScenario(yaml, file);
    first.push(performance.now() - t);
    t = performance.now();
    parseScenario(yaml, file);
    cached.push(performance.now() - t);
  }
  utimesSync(module, now, now);
  console.log(
    `loading strategy-breakout.yaml with its module: first load (esbuild) ${fmt(median(first))} ms wall, cached ${fmt(median(cached))} ms`,
  );
}

// The whole command, each way.
for (const name of ['strategy-breakout']) {
  const file = path.join(ROOT, 'scenarios', `${name}.yaml`);
  const quiet = path.join(ROOT, 'bench', 'fixtures', `${name}-market-only.yaml`);
  const { writeFileSync, rmSync } = await import('node:fs');
  writeFileSync(quiet, withoutStrategy(readFileSync(file, 'utf8')));
  try {
    const times: Record<string, number[]> = { 'with strategy': [], 'market only': [] };
    for (let i = 0; i < CLI; i++) {
      for (const [label, f] of [
        ['with strategy', file],
        ['market only', quiet],
      ] as const) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'execsim.js'), 'run', f, '--no-store'], {
          encoding: 'utf8',
        });
        if (r.status !== 0) throw new Error(`execsim run ${f} exited ${r.status}: ${r.stderr}`);
        times[label]?.push(performance.now() - t);
      }
    }
    console.log(
      `execsim run ${name}.yaml --no-store: with strategy ${fmt(median(times['with strategy'] ?? []))} ms wall, ` +
        `market only ${fmt(median(times['market only'] ?? []))} ms (median of ${CLI})`,
    );
  } finally {
    rmSync(quiet, { force: true });
  }
}

function os(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}
