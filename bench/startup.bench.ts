// `npm run bench:startup`: what one `execsim` call costs from spawn to exit, the built CLI (dist/)
// against the sources through tsx (EXECSIM_FROM_SOURCE=1), for `execsim --help`, for a run of
// one small scenario (walkthrough: a minute on a static book, stored in a scratch database) and for
// `execsim runs` listing what those runs stored, and for the help of `resume`, `worker` and
// `gateway` (commands that run as processes, each loading its own code), and a paper run on each
// venue up to its first request (to port 9, which fetch refuses at once: the venue's client
// package loaded and a client made). Then the client packages alone, loaded in a fresh process and
// a client made: from the build's bundle of them with its code cache (what the built CLI loads),
// and from the package's own files (what the sources load; for ccxt, its Binance modules and its
// index).
// Each case is spawned N times (--n N, default 9), the cases interleaved so that the machine's
// load falls on all of them alike; reported per case: the median and range of wall time (spawn to
// exit) and the median CPU time of the child (user + system, measured inside it at exit by a
// preloaded module), with the machine and its load average before and after.
// dist/ is built first when it is missing or stale.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { distProblem } from '../src/boot/code-loader.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'execsim.js');
const SCENARIO = 'scenarios/walkthrough.yaml';

// Writes the process's own CPU time (µs, user + system) to the file named by the environment.
const CPU_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs';" +
    "process.on('exit', () => { const u = process.cpuUsage(); " +
    'writeFileSync(process.env.STARTUP_BENCH_CPU_FILE, String(u.user + u.system)); });',
)}`;

interface Case {
  readonly name: string;
  /** The command's arguments, or (`script`) a node script of its own instead of the CLI. */
  readonly args: readonly string[];
  readonly fromSource: boolean;
  readonly script?: boolean;
  /** The exit code the case ends with (0 by default). */
  readonly exit?: number;
}

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
}

function parseN(argv: readonly string[]): number {
  const i = argv.indexOf('--n');
  if (i === -1) return 9;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--n: expected a positive integer, got ${argv[i + 1]}`);
  return n;
}

function spawnOnce(c: Case, scratch: string, index: number): Sample {
  const cpuFile = join(scratch, `cpu-${index}`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    STARTUP_BENCH_CPU_FILE: cpuFile,
    BINANCE_API_KEY: 'local-key',
    BINANCE_API_SECRET: 'local-secret',
  };
  delete env['NODE_OPTIONS'];
  // Read by every node process at start (see vitest.config.ts): not what execsim costs.
  delete env['NODE_EXTRA_CA_CERTS'];
  delete env['EXECSIM_CODE'];
  if (c.fromSource) env['EXECSIM_FROM_SOURCE'] = '1';
  else delete env['EXECSIM_FROM_SOURCE'];
  const started = performance.now();
  const argv = c.script === true ? ['--input-type=module', ...c.args] : [BIN, ...c.args];
  const r = spawnSync(process.execPath, ['--import', CPU_AT_EXIT, ...argv], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
  });
  const wallMs = performance.now() - started;
  if (r.error) throw r.error;
  if (r.status !== (c.exit ?? 0)) throw new Error(`${c.name} exited ${r.status}: ${r.stderr}`);
  return { wallMs, cpuMs: Number(readFileSync(cpuFile, 'utf8')) / 1000 };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const load = (): string =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

/** The venues' client packages loaded and a client made, in a process of their own: from the
 *  built bundle (with its code cache), from the package's files. */
function packageCases(): Case[] {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'manifest.json'), 'utf8')) as {
    packages?: Record<string, string>;
  };
  const resolve = createRequire(join(ROOT, 'package.json')).resolve;
  const ccxt = resolve('ccxt');
  const alpaca = resolve('@alpacahq/alpaca-trade-api');
  const binanceModule = pathToFileURL(join(dirname(dirname(ccxt)), 'js', 'src', 'pro', 'binance.js')).href;
  const binanceClient = "if (new B({}).id !== 'binance') process.exit(3);";
  const alpacaClient = "if (!new A({ keyId: 'k', secret: 's', paper: true }).paper) process.exit(3);";
  const runner = pathToFileURL(join(ROOT, 'src', 'boot', 'bundle-runner.js')).href;
  const script = (name: string, code: string): Case => ({ name, args: ['-e', code], fromSource: false, script: true });
  const fromBundle = (name: string, requireFrom: string, pick: string, client: string): Case[] => {
    const file = manifest.packages?.[name];
    if (file === undefined) return [];
    return [
      script(
        `${name} from its bundle, cached`,
        `const { runBundle } = await import(${JSON.stringify(runner)}); ` +
          `const m = runBundle(${JSON.stringify(join(ROOT, 'dist', file))}, { requireFrom: ${JSON.stringify(requireFrom)} }); ` +
          `${pick} ${client}`,
      ),
    ];
  };
  return [
    ...fromBundle('ccxt-binance', ccxt, 'const B = m.binance;', binanceClient),
    script(
      'ccxt-binance from its ES modules',
      `const { default: B } = await import(${JSON.stringify(binanceModule)}); ${binanceClient}`,
    ),
    script(
      "ccxt-binance from ccxt's index",
      `const { default: c } = await import('ccxt'); const B = c.pro.binance; ${binanceClient}`,
    ),
    ...fromBundle('alpaca', alpaca, 'const A = m.Alpaca;', alpacaClient),
    script(
      'alpaca from its package',
      `const { Alpaca: A } = (await import('node:module')).createRequire(${JSON.stringify(alpaca)})(${JSON.stringify(alpaca)}); ${alpacaClient}`,
    ),
  ];
}

function main(): void {
  const n = parseN(process.argv.slice(2));
  const stale = distProblem();
  if (stale !== null) {
    console.log(`dist/: ${stale}; building`);
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('the build failed');
  }
  const scratch = mkdtempSync(join(os.tmpdir(), 'execsim-startup-'));
  const runArgs = (db: string): string[] => ['run', SCENARIO, '--db', join(scratch, db)];
  const cases: Case[] = [
    { name: '--help, built', args: ['--help'], fromSource: false },
    { name: '--help, tsx', args: ['--help'], fromSource: true },
    { name: `run ${SCENARIO}, built`, args: runArgs('built.db'), fromSource: false },
    { name: `run ${SCENARIO}, tsx`, args: runArgs('tsx.db'), fromSource: true },
    // The runs stored by the cases above (a store command loads the store's code alone).
    { name: 'runs, built', args: ['runs', '--db', join(scratch, 'built.db')], fromSource: false },
    { name: 'runs, tsx', args: ['runs', '--db', join(scratch, 'tsx.db')], fromSource: true },
    // Commands that run as processes of their own, up to their help: what each loads first.
    { name: 'resume --help, built', args: ['resume', '--help'], fromSource: false },
    { name: 'worker --help, built', args: ['worker', '--help'], fromSource: false },
    { name: 'gateway --help, built', args: ['gateway', '--help'], fromSource: false },
    {
      name: 'Binance paper run to its first request, built',
      args: [
        'run',
        'scenarios/paper/twap-btcusdt.yaml',
        '--venue-url',
        'http://127.0.0.1:9',
        '--db',
        join(scratch, 'b.db'),
      ],
      fromSource: false,
      exit: 2,
    },
    {
      name: 'Alpaca paper run to its first request, built',
      args: [
        'run',
        'scenarios/paper/twap-aapl.yaml',
        '--venue-url',
        'http://127.0.0.1:9',
        '--market-hours',
        'always',
        '--db',
        join(scratch, 'a.db'),
      ],
      fromSource: false,
      exit: 2,
    },
    ...packageCases(),
  ];
  const cpu = os.cpus();
  console.log(
    `machine: ${cpu[0]?.model ?? 'unknown cpu'}, ${cpu.length} cores, node ${process.version}, ${os.platform()}`,
  );
  console.log(`load average before: ${load()}; ${n} spawns per case, interleaved`);
  const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
  let index = 0;
  try {
    for (let i = 0; i < n; i++) for (const c of cases) samples.get(c.name)!.push(spawnOnce(c, scratch, index++));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`load average after: ${load()}`);
  const width = Math.max(...cases.map((c) => c.name.length));
  console.log(`${'case'.padEnd(width)}  wall median (min..max)      CPU median`);
  for (const c of cases) {
    const s = samples.get(c.name)!;
    const walls = s.map((x) => x.wallMs);
    console.log(
      `${c.name.padEnd(width)}  ${median(walls).toFixed(0).padStart(5)} ms (${Math.min(...walls).toFixed(0)}..${Math.max(...walls).toFixed(0)})`.padEnd(
        width + 29,
      ) +
        `${median(s.map((x) => x.cpuMs))
          .toFixed(0)
          .padStart(5)} ms`,
    );
  }
}

main();
