// Each execution algorithm against TWAP, side by side in one run, on two markets: the bench hour
// (twap.bench.ts's synthetic market: 10 levels 5 ticks apart, 5 trades a second) and the dense
// book (dense-book-hour.yaml: 20 levels a tick apart redrawn every 100 ms, 3 trades a second).
// For each market: the hour with no orders of ours ("quiet"), then per algorithm (twap, vwap, is,
// pov) three busy hours: a market-order parent of 120 slices over the hour ("market"), a limit
// parent of 60 slices resting 3 USDT beyond the touch ("limit"), and the market parent with a
// never-worse price ("never-worse": its slices go out as IOC limits at it); and one busy hour
// for each algorithm that places its children as it runs (DECIDERS: an iceberg, a user's module).
// What it prints, per variant:
// - CPU ms (user + system, every thread) per simulated hour: warm, the median over --rounds
//   rounds of --runs runs (default 6 x 16), and cold (the process's first run of the variant).
//   Before its first round a variant runs --warmups pairs (default 60), before each later one 2:
//   the code a busy hour runs only per child (a few hundred calls a run) is still being compiled
//   by V8 through about its 40th run, and the compiler's threads and the not yet optimized code
//   are CPU of those runs (a sweep worker is past them after its first paths). The pairs' ratios
//   spread by about 15% either side of their median on this kind of machine, so 24 pairs left a
//   variant's median 5% from run to run, enough to move a variant at 1.9x past 2x in one run of
//   three; 96 pairs halve that (see bench/RESULTS.md);
// - the busy hour's warm CPU over its market's quiet hour (the goal: at most 2x), measured in
//   pairs: each busy run sits between two quiet runs of its market, and its ratio is to their
//   mean; the median of those ratios is given with their quartiles. On this kind of machine a
//   run's CPU drifts by up to 1.7x over seconds with nothing of ours changing (a quiet dense
//   hour at 14 ms, then 24, in one process), so only runs next to each other compare;
// - per-child CPU: (busy - quiet) / the children the run sent, warm;
// - the plan of the parent (planTrajectorySlices): warm (median of many plans in this process)
//   and cold (the first plan in a fresh process: --plan-cold KIND, spawned per algorithm);
// - with --cli N: the whole command, `execsim run FILE --no-store` of the dense market's busy hour
//   with both parents (market and limit) per algorithm and of its quiet hour, through the built
//   CLI, N spawns each, interleaved: wall and CPU of the child process (bench/child-cpu.ts); the
//   first spawn of each is the cold one (disk and page caches), the median the usual command.
// - with --against DIR: the same variants on another checkout's code (e.g. a `git worktree` of an
//   earlier commit) in the same process, interleaved round by round with this one's, each
//   variant's runs checked to log the same run on both (equal digests); its rows follow, marked.
// Run: npm run bench:algorithms -- [--runs 16] [--warmups 60] [--rounds 6] [--cli 3]
//        [--only dense|bench] [--algos twap,vwap,iceberg,module] [--against DIR]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { planTrajectorySlices } from '../src/core/algo/trajectory-plan.ts';
import type { TrajectorySpec } from '../src/core/algo/trajectory.ts';
import { Rng } from '../src/core/clock/rng.ts';
import { makeInstrument } from '../src/core/model/instrument.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { distProblem } from '../src/boot/code-loader.js';
import { childrenCpuMs } from './child-cpu.ts';
import { quantile } from './stats.ts';
import { arg, codeAt, current, DENSE_BOOK_HOUR_FILE, denseQuiet, load, median, type Code } from './dense-book.bench.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));

export const ALGOS = ['twap', 'vwap', 'is', 'pov'] as const;
export type Algo = (typeof ALGOS)[number];
export const PLACEMENTS = ['market', 'limit', 'never-worse'] as const;
export type Placement = (typeof PLACEMENTS)[number];
/** The algorithms that place their own children as they run, one busy hour each: an iceberg
 *  pegged to the touch, and a user's module (examples/algorithms/liquidity-seeker.ts: one child
 *  resting at the bid, a market child when the ask shows size, a look at the book every 2 s). */
export const DECIDERS = ['iceberg', 'module'] as const;
export type Decider = (typeof DECIDERS)[number];
const isAlgo = (a: string): a is Algo => (ALGOS as readonly string[]).includes(a);
const isDecider = (a: string): a is Decider => (DECIDERS as readonly string[]).includes(a);

/** Each algorithm's `algo` block (none for TWAP: the exact path TWAP always took). VWAP follows a
 *  U-shaped profile of its own (the 24/7 default would be flat); implementation shortfall has
 *  kappa T of about 1.2 over the hour; POV takes 3% of the others' volume, enough for the
 *  parent on both markets. */
const ALGO_BLOCK: Record<Algo, string> = {
  twap: '',
  vwap: ', algo: { kind: vwap, profile: [3, 2, 1, 1, 2, 3] }',
  is: ', algo: { kind: is, urgency: 0.001, volatility: 0.02, impact: 0.001 }',
  pov: ', algo: { kind: pov, rate: 0.03, maxRate: 0.1, end: complete }',
};

/** The trajectory each algorithm plans (the planner's input for the plan's cost). */
const TRAJECTORY: Record<Algo, TrajectorySpec | undefined> = {
  twap: undefined,
  vwap: { kind: 'vwap', profile: [3, 2, 1, 1, 2, 3] },
  is: { kind: 'almgren-chriss', urgency: 0.001, volatility: 0.02, impact: 0.001 },
  pov: { kind: 'pov', rate: 0.03, maxRate: 0.1, minChildQty: 0, end: 'complete' },
};

/** A deciding algorithm's parent in the hour, as a scenario's orders entry: 3 BTC over the hour,
 *  as the limit parents, never above 61,300. */
export function deciderOrder(kind: Decider): string {
  const base = '  - { id: buy, at: PT1M, side: buy, qty: "3", type: limit, limitPrice: "61300"';
  switch (kind) {
    case 'iceberg':
      return (
        `${base}, twap: { duration: PT1H, interval: PT20S },` +
        ' algo: { kind: iceberg, displayMin: "0.05", displayMax: "0.1", peg: touch, repegTicks: 3, end: complete } }'
      );
    case 'module': {
      const module = JSON.stringify(path.join(ROOT, 'examples', 'algorithms', 'liquidity-seeker.ts'));
      return (
        `${base}, twap: { duration: PT1H, interval: PT1M },` +
        ` algo: { kind: module, path: ${module}, params: { takeAt: 60000, restQty: 5000, checkEveryMs: 2000 } } }`
      );
    }
  }
}

/** A parent of ours in the hour, as a scenario's orders entry. */
export function order(algo: Algo, placement: Placement): string {
  const a = ALGO_BLOCK[algo];
  switch (placement) {
    case 'market':
      return (
        `  - { id: buy, at: PT1M, side: buy, qty: "10", type: market,` +
        ` twap: { duration: PT1H, slices: 120, maxSpread: 0.05, maxPriceDeviation: 0.5 }${a} }`
      );
    case 'never-worse':
      return (
        `  - { id: buy, at: PT1M, side: buy, qty: "10", type: market,` +
        ` twap: { duration: PT1H, slices: 120, maxSpread: 0.05, maxPriceDeviation: 0.5, worstPrice: "61300" }${a} }`
      );
    case 'limit':
      return (
        `  - { id: sell, at: PT1M, side: sell, qty: "3", type: limit,` +
        ` twap: { duration: PT1H, interval: PT1M, limitOffsetTicks: 300, maxPriceDeviation: 0.5 }${a} }`
      );
  }
}

const SAFETY =
  'safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }';

export interface Market {
  readonly name: 'bench' | 'dense';
  /** The market's scenario without orders (ends with `orders: []`). */
  readonly quiet: string;
}

export function markets(): Market[] {
  const bench = TWAP_ONE_HOUR.slice(0, TWAP_ONE_HOUR.indexOf('\norders:')).replace(
    'name: twap-one-hour',
    'name: bench-quiet',
  );
  return [
    { name: 'bench', quiet: `${bench}\norders: []\n` },
    // The safety limits of the dense TWAPs' fixture (a 10 BTC parent is above the default's).
    {
      name: 'dense',
      quiet: denseQuiet(readFileSync(DENSE_BOOK_HOUR_FILE, 'utf8')).replace(
        /\norders: \[\]\n$/,
        `\n${SAFETY}\norders: []\n`,
      ),
    },
  ];
}

/** The market's hour with `orders` (scenario lines) in place of none. */
export function busy(m: Market, name: string, orders: readonly string[]): string {
  return m.quiet
    .replace(/\norders: \[\]\n$/, `\norders:\n${orders.join('\n')}\n`)
    .replace(/\nname: [^\n]*/, `\nname: ${name}`);
}

interface Variant {
  /** Whose code runs it: this checkout's, or --against's. */
  readonly code: Code;
  readonly market: Market['name'];
  /** null: the quiet hour. */
  readonly algo: Algo | Decider | null;
  /** null: the quiet hour, or a deciding algorithm's (it places its children itself). */
  readonly placement: Placement | null;
  readonly label: string;
  readonly loaded: unknown;
  /** Children sent in one run, and the run's digest (the same every run). */
  readonly children: number;
  readonly events: number;
  readonly digest: string;
  readonly simulatedHours: number;
  readonly cpu: number[];
  /** Each measured busy run over the mean of the quiet runs either side of it. */
  readonly ratios: number[];
  cold: number;
}

function variant(code: Code, m: Market, algo: Algo | Decider | null, placement: Placement | null): Variant {
  const label =
    algo === null ? `${m.name} quiet` : placement === null ? `${m.name} ${algo}` : `${m.name} ${algo} ${placement}`;
  const yaml =
    algo === null
      ? m.quiet
      : isDecider(algo)
        ? busy(m, `${m.name}-${algo}`, [deciderOrder(algo)])
        : busy(m, `${m.name}-${algo}-${placement}`, [order(algo, placement ?? 'market')]);
  const loaded = code.parse(yaml, `${label.replaceAll(' ', '-')}.yaml`);
  // The first (cold) run also tells the children sent.
  const c0 = process.cpuUsage();
  const r = code.run(loaded) as ReturnType<typeof runScenario>;
  const c = process.cpuUsage(c0);
  const simulatedHours = r.simulatedMs / 3_600_000;
  const children = r.parents.reduce((n, p) => n + (p.childOrders ?? 0), 0);
  if (algo !== null && children === 0) throw new Error(`${label}: the parent sent no child: the scenario is broken`);
  return {
    code,
    market: m.name,
    algo,
    placement,
    label,
    loaded,
    children,
    events: r.events,
    digest: r.digest,
    simulatedHours,
    cpu: [],
    ratios: [],
    cold: (c.user + c.system) / 1000 / simulatedHours,
  };
}

/** One run's CPU ms per simulated hour; checks it logs the same run as the first. */
function once(v: Variant): number {
  const c0 = process.cpuUsage();
  const r = v.code.run(v.loaded);
  const c = process.cpuUsage(c0);
  if (r.digest !== v.digest) throw new Error(`${v.label}: a run logged another run (${r.digest} vs ${v.digest})`);
  return (c.user + c.system) / 1000 / v.simulatedHours;
}

/** `warmups` pairs, then `runs` measured ones, of a busy variant and its market's quiet hour:
 *  quiet, busy, quiet, busy, ..., quiet; each busy run's ratio is to the quiet runs either side. */
function measurePairs(quiet: Variant, busy: Variant, runs: number, warmups: number): void {
  for (let i = 0; i < warmups; i++) {
    once(quiet);
    once(busy);
  }
  let before = once(quiet);
  for (let i = 0; i < runs; i++) {
    const b = once(busy);
    const after = once(quiet);
    busy.cpu.push(b);
    busy.ratios.push(b / ((before + after) / 2));
    quiet.cpu.push(after);
    before = after;
  }
}

/** The plan of the bench's parent (10 BTC, 120 slices over an hour) under `algo`. */
export function planOnce(algo: Algo): number {
  const { plan } = planTrajectorySlices(
    {
      side: 'buy',
      qty: 1_000_000,
      startTime: 1_723_161_660_000,
      durationMs: 3_600_000,
      sliceCount: 120,
      instrument: makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' }),
      referencePrice: 6_100_000,
      childType: 'market',
    },
    TRAJECTORY[algo],
    new Rng(7).stream('twap/bench'),
  );
  return plan.totalSlices;
}

/** Warm CPU ms of one plan: the median of 9 batches of 200 plans, after 400 plans. */
function planWarm(algo: Algo): number {
  let sink = 0;
  for (let i = 0; i < 400; i++) sink += planOnce(algo);
  const batches: number[] = [];
  for (let b = 0; b < 9; b++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 200; i++) sink += planOnce(algo);
    const c = process.cpuUsage(c0);
    batches.push((c.user + c.system) / 1000 / 200);
  }
  if (sink === 0) throw new Error('no slices planned');
  return median(batches);
}

/** The first plan's CPU ms in a fresh process (its modules loaded before the clock starts). */
function planCold(algo: Algo): number {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--plan-cold', algo], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`--plan-cold ${algo} exited ${r.status}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** One `execsim run FILE --no-store` of the built CLI: wall ms and the child's CPU ms. */
function spawnRun(file: string): { wallMs: number; cpuMs: number } {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  delete env['EXECSIM_FROM_SOURCE'];
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'execsim.js'), 'run', file, '--no-store'], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - t0;
  const cpu1 = childrenCpuMs();
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`execsim run ${file} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: cpu0 === null || cpu1 === null ? NaN : cpu1 - cpu0 };
}

export async function main(argv: readonly string[]): Promise<void> {
  const runs = arg(argv, '--runs', 16);
  const warmups = arg(argv, '--warmups', 60);
  const rounds = arg(argv, '--rounds', 6);
  const cli = arg(argv, '--cli', 0);
  const oi = argv.indexOf('--only');
  const only = oi === -1 ? null : argv[oi + 1];
  const ai = argv.indexOf('--algos');
  const algos = ai === -1 ? [...ALGOS, ...DECIDERS] : (argv[ai + 1] ?? '').split(',');
  for (const a of algos)
    if (!isAlgo(a) && !isDecider(a))
      throw new Error(`--algos: no algorithm ${a} (${[...ALGOS, ...DECIDERS].join(', ')})`);
  const planned = algos.filter(isAlgo);
  const deciders = algos.filter(isDecider);
  const gi = argv.indexOf('--against');
  const codes = gi === -1 ? [current] : [current, await codeAt(path.resolve(argv[gi + 1] ?? ''))];
  const cpus = os.cpus();
  console.log(`node ${process.version} | ${cpus[0]?.model ?? 'unknown'} | ${cpus.length} cores | load ${load()}`);

  console.log('plan of the parent (10 BTC, 120 slices over an hour; planTrajectorySlices), CPU ms:');
  for (const a of planned)
    console.log(
      `  ${a.padEnd(5)} warm ${planWarm(a).toFixed(3)} ms, cold ${planCold(a).toFixed(2)} ms (first plan in a fresh process)`,
    );

  const ms = markets().filter((m) => only === null || m.name === only);
  const vs: Variant[] = [];
  for (const code of codes)
    for (const m of ms) {
      vs.push(variant(code, m, null, null));
      for (const a of planned) for (const p of PLACEMENTS) vs.push(variant(code, m, a, p));
      for (const d of deciders) vs.push(variant(code, m, d, null));
    }
  // Another checkout's variant logs the same run as this one's.
  for (const v of vs)
    if (v.code !== current) {
      const mine = vs.find((x) => x.code === current && x.label === v.label) as Variant;
      if (mine.digest !== v.digest)
        throw new Error(`${v.label}: ${v.code.label} logged another run (${v.digest} vs ${mine.digest})`);
    }
  for (let round = 0; round < rounds; round++)
    for (const v of vs) {
      if (v.algo === null) continue;
      const quiet = vs.find((x) => x.code === v.code && x.market === v.market && x.algo === null) as Variant;
      measurePairs(quiet, v, runs, round === 0 ? warmups : Math.min(warmups, 2));
    }
  console.log(
    `CPU ms per simulated hour: warm = median of ${rounds} rounds x ${runs} runs (${warmups} warm-up pairs ` +
      `before the first, ${Math.min(warmups, 2)} before the others), ` +
      `each busy run between two quiet ones; x quiet = the median of each busy run over the quiet runs beside it ` +
      `[quartiles]; cold = the process's first run of the variant (load now ${load()}):`,
  );
  for (const code of codes)
    for (const m of ms) {
      if (codes.length > 1) console.log(`  [${code.label}]`);
      const quiet = vs.find((v) => v.code === code && v.market === m.name && v.algo === null) as Variant;
      const q = median(quiet.cpu);
      console.log(
        `  ${quiet.label.padEnd(26)} ${q.toFixed(1).padStart(6)} ms warm, ${quiet.cold.toFixed(0).padStart(4)} cold; ` +
          `${quiet.events} log events`,
      );
      for (const v of vs.filter((x) => x.code === code && x.market === m.name && x.algo !== null)) {
        const w = median(v.cpu);
        console.log(
          `  ${v.label.padEnd(26)} ${w.toFixed(1).padStart(6)} ms warm, ${v.cold.toFixed(0).padStart(4)} cold; ` +
            `${median(v.ratios).toFixed(2)}x quiet [${quantile(v.ratios, 0.25).toFixed(2)}-${quantile(v.ratios, 0.75).toFixed(2)}]; ${v.children} children, ${(((w - q) * v.simulatedHours) / v.children).toFixed(3)} ms each; ` +
            `${v.events} log events`,
        );
      }
    }

  if (cli > 0) {
    const stale = distProblem(pathToFileURL(`${ROOT}/`));
    if (stale !== null) {
      console.log(`${stale}; building dist/`);
      const b = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
      if (b.status !== 0) throw new Error('the build failed');
    }
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'execsim-algos-'));
    try {
      const dense = markets().find((m) => m.name === 'dense') as Market;
      const files: Array<[string, string]> = [['dense quiet', dense.quiet]];
      for (const a of planned)
        files.push([`dense ${a} market+limit`, busy(dense, `dense-${a}`, [order(a, 'market'), order(a, 'limit')])]);
      for (const d of deciders) files.push([`dense ${d}`, busy(dense, `dense-${d}`, [deciderOrder(d)])]);
      const paths = files.map(([label, yaml], i) => {
        const file = path.join(scratch, `${i}.yaml`);
        writeFileSync(file, yaml);
        return [label, file] as const;
      });
      const samples = new Map<string, Array<{ wallMs: number; cpuMs: number }>>();
      for (let i = 0; i < cli; i++)
        for (const [label, file] of paths) samples.set(label, [...(samples.get(label) ?? []), spawnRun(file)]);
      console.log(`execsim run FILE --no-store (built CLI), ${cli} spawns each, interleaved (load after: ${load()}):`);
      for (const [label, s] of samples) {
        const first = s[0] as { wallMs: number; cpuMs: number };
        console.log(
          `  ${label.padEnd(26)} CPU median ${median(s.map((x) => x.cpuMs)).toFixed(0)} ms, wall median ` +
            `${median(s.map((x) => x.wallMs)).toFixed(0)} ms; first spawn ${first.cpuMs.toFixed(0)} ms CPU, ${first.wallMs.toFixed(0)} ms wall`,
        );
      }
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const argv = process.argv.slice(2);
  const pc = argv.indexOf('--plan-cold');
  if (pc !== -1) {
    const algo = argv[pc + 1] ?? '';
    if (!isAlgo(algo)) throw new Error(`--plan-cold: no algorithm ${algo}`);
    const c0 = process.cpuUsage();
    planOnce(algo);
    const c = process.cpuUsage(c0);
    console.log(((c.user + c.system) / 1000).toFixed(3));
  } else await main(argv);
}
