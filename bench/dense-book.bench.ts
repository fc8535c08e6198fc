// The dense-book hour: a synthetic book of 20 levels a tick apart on each side, redrawn every
// 100 ms, with 3 trades of other participants a second (bench/fixtures/dense-book-hour.yaml), in
// three variants: the market alone; one limit order of ours resting 500 USDT from the market for
// the whole hour (the fixture itself); and our TWAPs working in it, a market TWAP of 120 slices
// and a limit TWAP resting 3 USDT off the touch (bench/fixtures/dense-book-twap.yaml). Beside
// them the bench's one-hour TWAP (twap.bench.ts), which the dense hours are measured against.
// In process: CPU ms (user + system, every thread) per simulated hour, warm (the median of
// --runs after --warmups runs, each variant in a block of its own) and cold (the first run).
// --against DIR also runs another checkout's code (e.g. a `git worktree` of an earlier commit)
// in the same process, in alternating blocks (--rounds of each), and checks that both log the
// same runs (equal digests). --cli N instead spawns the whole command users run, `execsim run
// FIXTURE --no-store` (the built CLI, built first when stale, and DIR's too with --against), N
// times per fixture, interleaved: wall time from spawn to exit and the child's CPU.
// Run: npm run bench:dense -- [--runs 11] [--warmups 40] [--rounds 2]
//        [--against DIR [--changed-ok]] [--cli N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runScenario as currentRunScenario } from '../src/runtime/backtest-run.ts';
import { parseScenario as currentParseScenario } from '../src/scenario/load-scenario.ts';
import { distProblem } from '../src/boot/code-loader.js';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DENSE_BOOK_HOUR_FILE = path.join(ROOT, 'bench', 'fixtures', 'dense-book-hour.yaml');
export const DENSE_BOOK_TWAP_FILE = path.join(ROOT, 'bench', 'fixtures', 'dense-book-twap.yaml');

/** The dense-book hour with nothing of ours: the fixture without its order and expectations. */
export function denseQuiet(fixture: string): string {
  const at = fixture.indexOf('\nfillDetection:');
  if (at < 0) throw new Error('the dense-book fixture no longer has its fillDetection line before its orders');
  return `${fixture.slice(0, at).replace('name: dense-book-hour', 'name: dense-book-quiet')}\norders: []\n`;
}

export interface Variant {
  readonly name: string;
  readonly yaml: string;
}

export function variants(): Variant[] {
  const hour = readFileSync(DENSE_BOOK_HOUR_FILE, 'utf8');
  return [
    { name: 'bench hour (twap.bench.ts)', yaml: TWAP_ONE_HOUR },
    { name: 'dense, market only', yaml: denseQuiet(hour) },
    { name: 'dense, one order resting', yaml: hour },
    { name: 'dense, our TWAPs working', yaml: readFileSync(DENSE_BOOK_TWAP_FILE, 'utf8') },
  ];
}

/** What the bench needs of an implementation: its scenario parser and its run. */
export interface Code {
  readonly label: string;
  readonly parse: (yaml: string, file: string) => unknown;
  readonly run: (loaded: unknown) => { simulatedMs: number; clockActions: number; events: number; digest: string };
}

export const current: Code = {
  label: 'this checkout',
  parse: (yaml, file) => currentParseScenario(yaml, file),
  run: (loaded) => currentRunScenario(loaded as Parameters<typeof currentRunScenario>[0]),
};

/** Another checkout's code (its sources, through tsx like this one's). */
export async function codeAt(dir: string): Promise<Code> {
  const load = (rel: string) => import(pathToFileURL(path.resolve(dir, rel)).href);
  const run = (await load('src/runtime/backtest-run.ts')) as { runScenario: Code['run'] };
  const scen = (await load('src/scenario/load-scenario.ts')) as { parseScenario: Code['parse'] };
  return { label: dir, parse: scen.parseScenario, run: run.runScenario };
}

export interface Block {
  /** CPU ms per simulated hour of each measured run. */
  readonly cpu: number[];
  readonly wall: number[];
  /** The block's first run (the process's first of this variant: cold) per simulated hour. */
  readonly firstCpu: number;
  readonly clockActions: number;
  readonly events: number;
  readonly digest: string;
}

/** `warmups` runs, then `runs` measured ones, of one variant on one implementation. */
export function block(code: Code, v: Variant, runs: number, warmups: number): Block {
  const loaded = code.parse(v.yaml, `${v.name}.yaml`);
  const cpu: number[] = [];
  const wall: number[] = [];
  let firstCpu = NaN;
  let last: ReturnType<Code['run']> | null = null;
  for (let i = 0; i < warmups + runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = code.run(loaded);
    const w = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const hours = r.simulatedMs / 3_600_000;
    const perHour = (c.user + c.system) / 1000 / hours;
    if (i === 0) firstCpu = perHour;
    if (i >= warmups) {
      cpu.push(perHour);
      wall.push(w / hours);
    }
    last = r;
  }
  const r = last as ReturnType<Code['run']>;
  return { cpu, wall, firstCpu, clockActions: r.clockActions, events: r.events, digest: r.digest };
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

const CPU_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs';" +
    "process.on('exit', () => { const u = process.cpuUsage(); " +
    'writeFileSync(process.env.DENSE_BENCH_CPU_FILE, String(u.user + u.system)); });',
)}`;

/** One `execsim run FILE --no-store` of the CLI under `dir`: wall ms spawn to exit, child CPU ms. */
function spawnRun(dir: string, file: string, cpuFile: string): { wallMs: number; cpuMs: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, DENSE_BENCH_CPU_FILE: cpuFile };
  delete env['NODE_OPTIONS'];
  delete env['EXECSIM_FROM_SOURCE'];
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ['--import', CPU_AT_EXIT, path.join(dir, 'bin', 'execsim.js'), 'run', file, '--no-store'],
    {
      cwd: dir,
      env,
      encoding: 'utf8',
    },
  );
  const wallMs = performance.now() - t0;
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`execsim run ${file} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: Number(readFileSync(cpuFile, 'utf8')) / 1000 };
}

/** The whole number after `name` on the command line (`--runs 5`), or byDefault. */
export function arg(argv: readonly string[], name: string, byDefault: number): number {
  const i = argv.indexOf(name);
  if (i === -1) return byDefault;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}: expected a whole number, got ${argv[i + 1]}`);
  return n;
}

/** The machine's load averages (1, 5, 15 minutes), printed with a benchmark's figures. */
export const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(argv: readonly string[]): Promise<void> {
  const runs = arg(argv, '--runs', 11);
  const warmups = arg(argv, '--warmups', 40);
  const rounds = arg(argv, '--rounds', 2);
  const cli = arg(argv, '--cli', 0);
  // Compares checkouts whose runs differ (an intended change of behaviour), saying so per variant.
  const changedOk = argv.includes('--changed-ok');
  const ai = argv.indexOf('--against');
  const against = ai === -1 ? null : path.resolve(argv[ai + 1] ?? '');
  const cpus = os.cpus();
  console.log(`node ${process.version} | ${cpus[0]?.model ?? 'unknown'} | ${cpus.length} cores | load ${load()}`);
  const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

  if (cli > 0) {
    const dirs = against === null ? [ROOT] : [ROOT, against];
    for (const dir of dirs) {
      const stale = distProblem(pathToFileURL(`${dir}/`));
      if (stale === null) continue;
      console.log(`${dir}: ${stale}; building dist/`);
      const b = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.js')], { cwd: dir, stdio: 'inherit' });
      if (b.status !== 0) throw new Error(`the build in ${dir} failed`);
    }
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'execsim-dense-'));
    const files = [DENSE_BOOK_HOUR_FILE, DENSE_BOOK_TWAP_FILE];
    const samples = new Map<string, Array<{ wallMs: number; cpuMs: number }>>();
    try {
      let n = 0;
      for (let i = 0; i < cli; i++)
        for (const file of files)
          for (const dir of dirs) {
            const key = `${path.basename(file)} | ${dir}`;
            samples.set(key, [...(samples.get(key) ?? []), spawnRun(dir, file, path.join(scratch, `cpu-${n++}`))]);
          }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    console.log(`execsim run FILE --no-store, ${cli} spawns each, interleaved (load after: ${load()}):`);
    for (const [key, s] of samples) {
      const walls = s.map((x) => x.wallMs);
      console.log(
        `  ${key}: wall median ${median(walls).toFixed(0)} ms (${Math.min(...walls).toFixed(0)}..${Math.max(...walls).toFixed(0)}), CPU median ${median(s.map((x) => x.cpuMs)).toFixed(0)} ms`,
      );
    }
    return;
  }

  const codes = against === null ? [current] : [current, await codeAt(against)];
  console.log(
    `CPU ms per simulated hour: warm = median of ${runs} runs after ${warmups} warm-ups, each variant in its own block` +
      (codes.length > 1 ? `, ${rounds} alternating rounds of each checkout` : ''),
  );
  for (const v of variants()) {
    const blocks = new Map<Code, Block[]>(codes.map((c) => [c, []]));
    for (let round = 0; round < (codes.length > 1 ? rounds : 1); round++)
      for (const code of codes) blocks.get(code)?.push(block(code, v, runs, warmups));
    const warm = (c: Code): number => median((blocks.get(c) as Block[]).flatMap((b) => b.cpu));
    for (const code of codes) {
      const bs = blocks.get(code) as Block[];
      const b = bs[0] as Block;
      console.log(
        `  ${v.name}${codes.length > 1 ? ` [${code.label}]` : ''}: ${warm(code).toFixed(1)} ms warm ` +
          `(blocks ${bs.map((x) => median(x.cpu).toFixed(1)).join(', ')}; wall ${median(bs.flatMap((x) => x.wall)).toFixed(1)}), ` +
          `${b.firstCpu.toFixed(0)} cold; ${fmt(b.clockActions)} clock actions, ${fmt(b.events)} log events, digest ${b.digest.slice(0, 12)}`,
      );
    }
    if (codes.length > 1) {
      const [a, o] = codes as [Code, Code];
      const da = (blocks.get(a) as Block[])[0]?.digest;
      const dof = (blocks.get(o) as Block[])[0]?.digest;
      if (da !== dof && !changedOk)
        throw new Error(
          `${v.name}: the two checkouts logged different runs (${da} vs ${dof}); --changed-ok compares them anyway`,
        );
      const same = da === dof ? 'the same event log' : 'DIFFERENT event logs (--changed-ok: a change of behaviour)';
      console.log(`    ${(warm(o) / warm(a)).toFixed(2)}x less CPU warm than ${o.label}; ${same}`);
    }
  }
  console.log(`load ${load()}`);
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) await main(process.argv.slice(2));
