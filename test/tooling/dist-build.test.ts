// The built CLI (dist/, scripts/build.js) against the TypeScript sources, in a copy of the
// project (so that editing a source here cannot disturb other tests using the real dist/): the
// bundle gives the same run digests as the sources through tsx, including a scenario on the NYSE
// calendar (the bundle unpacks time-zone rules lazily), and a dist/ whose sources changed is not
// run, while one whose sources were only touched still is.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { distProblem } from '../../src/boot/code-loader.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let copy: string;
let rootUrl: URL;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(args: readonly string[], fromSource: boolean, extraEnv: NodeJS.ProcessEnv = {}): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv };
  delete env['NODE_OPTIONS'];
  delete env['EXECSIM_CODE'];
  delete env['EXECSIM_DIST_FILES'];
  if (fromSource) env['EXECSIM_FROM_SOURCE'] = '1';
  else delete env['EXECSIM_FROM_SOURCE'];
  const r = spawnSync(process.execPath, args, { cwd: copy, env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const execsim = (args: readonly string[], fromSource: boolean, extraEnv: NodeJS.ProcessEnv = {}): Result =>
  node([path.join(copy, 'bin', 'execsim.js'), ...args], fromSource, extraEnv);

/** The digest of one stored run of `file`, built or from the sources. */
function digest(file: string, fromSource: boolean): string {
  const db = path.join(copy, 'data', `${fromSource ? 'source' : 'built'}.db`);
  const r = execsim(['run', file, '--json', '--db', db], fromSource);
  // Only where the run was stored (stdout is the JSON report).
  expect(r.stderr).toMatch(/^stored run run-\S+ in \S+\n$/);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout) as { digest: string };
  return report.digest;
}

/** Rewrites a file of the copy in place. */
function edit(rel: string, change: (text: string) => string): void {
  const file = path.join(copy, rel);
  fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
}

/** The exit code of `-W` run by the CLI entry loaded in a worker thread whose main thread chose
 *  `code` (EXECSIM_CODE; undefined: a main thread that did not use the loader, like vitest). */
async function workerAnswer(code: string | undefined): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['EXECSIM_CODE'];
  delete env['EXECSIM_DIST_FILES'];
  delete env['EXECSIM_FROM_SOURCE'];
  if (code !== undefined) env['EXECSIM_CODE'] = code;
  const loader = pathToFileURL(path.join(copy, 'src', 'boot', 'code-loader.js')).href;
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(loader)})
       .then((m) => m.loadEntry('execsim'))
       .then((m) => m.runCli(['-W'], { out() {}, err() {}, env: {} }))
       .then((exit) => parentPort.postMessage(exit));`,
    { eval: true, env },
  );
  try {
    const [exit] = (await once(worker, 'message')) as [number];
    return exit;
  } finally {
    await worker.terminate();
  }
}

beforeAll(() => {
  copy = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-dist-'));
  for (const dir of ['src', 'bin', 'scripts', 'scenarios'])
    fs.cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
  for (const file of ['package.json', 'tsconfig.json']) fs.copyFileSync(path.join(ROOT, file), path.join(copy, file));
  fs.copyFileSync(
    path.join(ROOT, 'test', 'fixtures', 'gateway', 'alpaca-aapl.yaml'),
    path.join(copy, 'scenarios', 'alpaca-aapl.yaml'),
  );
  // Before the NYSE open (13:30Z in August): the orders wait for the session the tz rules place.
  edit('scenarios/alpaca-aapl.yaml', (t) => t.replace('start: 2024-08-09T14:00:00Z', 'start: 2024-08-09T13:00:00Z'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  fs.mkdirSync(path.join(copy, 'data'));
  rootUrl = pathToFileURL(`${copy}/`);
  const built = node([path.join(copy, 'scripts', 'build.js')], false);
  expect(built.code).toBe(0);
}, 120_000);

afterAll(() => {
  fs.rmSync(copy, { recursive: true, force: true });
});

describe("the bundle's code cache", () => {
  /** The CLI bundle's code cache: its bytes, or null when there is none. */
  const cacheFile = (): string => path.join(copy, 'dist', `${manifest().files['execsim']}.v8cache`);
  const cached = (): Buffer | null => (fs.existsSync(cacheFile()) ? fs.readFileSync(cacheFile()) : null);

  it('is written by the build, and a command that ran with it leaves it as it is', () => {
    const written = cached();
    expect(written).not.toBeNull();
    // What a run compiles (hundreds of KB), not only the entry's top level.
    expect(written!.length).toBeGreaterThan(500_000);
    const r = execsim(['run', 'scenarios/walkthrough.yaml', '--no-store'], false);
    expect(r.code).toBe(0);
    expect(cached()!.equals(written!)).toBe(true);
  });

  it('is replaced when V8 refuses it, and the command answers as it does with a good one', () => {
    const good = execsim(['run', 'scenarios/walkthrough.yaml', '--no-store', '--json'], false);
    expect(good.code).toBe(0);
    const garbage = Buffer.alloc(4096, 0x42);
    fs.writeFileSync(cacheFile(), garbage);
    const r = execsim(['run', 'scenarios/walkthrough.yaml', '--no-store', '--json'], false);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).digest).toBe(JSON.parse(good.stdout).digest);
    const now = cached()!;
    expect(now.equals(garbage)).toBe(false);
    expect(now.length).toBeGreaterThan(500_000);
  });

  it('is written by the next command when it is missing, and no half-written file is left', () => {
    fs.rmSync(cacheFile());
    expect(execsim(['--help'], false).code).toBe(0);
    expect(cached()).not.toBeNull();
    expect(fs.readdirSync(path.join(copy, 'dist')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('the packages bundled apart, in the built CLI', () => {
  /** A paper run of the built CLI on `venue` pointed at port 9 of this machine: it loads the
   *  venue's client package, fails to reach the venue, and says so. Fetch refuses port 9 itself
   *  (a port browsers block): nothing is connected to, and the run fails at once instead of
   *  waiting for a venue to come up. */
  const unreachable = (venue: 'binance' | 'alpaca'): Result =>
    execsim(
      [
        'run',
        venue === 'binance' ? 'scenarios/paper/twap-btcusdt.yaml' : 'scenarios/paper/twap-aapl.yaml',
        '--venue-url',
        'http://127.0.0.1:9',
        '--db',
        path.join(copy, 'data', `unreachable-${venue}.db`),
        '--market-hours',
        'always',
        '--quiet',
      ],
      false,
      venue === 'binance'
        ? { BINANCE_API_KEY: 'local-key', BINANCE_API_SECRET: 'local-secret' }
        : { APCA_API_KEY_ID: 'local-key', APCA_API_SECRET_KEY: 'local-secret' },
    );

  it.each([
    ['ccxt-binance', 'binance', /cannot reach the venue at http:\/\/127\.0\.0\.1:9: NetworkError /],
    ['alpaca', 'alpaca', /cannot reach the venue at http:\/\/127\.0\.0\.1:9: .*fetch failed/],
  ] as const)('%s: loaded from its bundle (with its code cache) by a paper run on %s', (name, venue, failure) => {
    const file = manifest().packages[name];
    expect(file).toMatch(new RegExp(`^${name}-\\w+\\.cjs$`));
    const bundle = path.join(copy, 'dist', file!);
    // ASCII only, as the loader reads it, and primed by the build (a client was made).
    const bytes = fs.readFileSync(bundle);
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
    const cache = `${bundle}.v8cache`;
    expect(fs.statSync(cache).size).toBeGreaterThan(20_000);
    // Without a cache, the process that loads the bundle writes one (at its exit): this one did.
    fs.rmSync(cache);
    const r = unreachable(venue);
    expect(r.stderr, r.stderr).toMatch(failure);
    expect(r.code).toBe(2);
    expect(fs.existsSync(cache)).toBe(true);
  });
});

describe('the built CLI', () => {
  it('is current right after the build', () => {
    expect(distProblem(rootUrl)).toBeNull();
  });

  it('is ASCII only, as the loader reads it (Latin-1), with the bundled licenses in a file beside it', () => {
    const { files, outputs } = manifest();
    for (const file of Object.values(files)) {
      const bytes = fs.readFileSync(path.join(copy, 'dist', file));
      expect(
        bytes.findIndex((b) => b > 0x7f),
        file,
      ).toBe(-1);
    }
    // js-joda's copyright notices (its authors' names are not ASCII) are kept with the bundle.
    const legal = outputs.filter((f) => f.endsWith('.LEGAL.txt'));
    expect(legal.length).toBeGreaterThan(0);
    expect(legal.some((f) => fs.readFileSync(path.join(copy, 'dist', f), 'utf8').includes('js-joda'))).toBe(true);
  });

  it('runs scenarios to the same digests as the sources through tsx', () => {
    for (const file of ['scenarios/walkthrough.yaml', 'scenarios/alpaca-aapl.yaml']) {
      expect(digest(file, false), file).toBe(digest(file, true));
    }
  });

  it('stays current when a source is touched without being changed', () => {
    const file = path.join(copy, 'src', 'cli', 'usage.ts');
    const later = new Date(fs.statSync(file).mtimeMs + 60_000);
    fs.utimesSync(file, later, later);
    expect(distProblem(rootUrl)).toBeNull();
  });

  it('is not run once a source changes, even with its size kept', () => {
    // Same size, new behaviour: -V becomes -W. A stale bundle would refuse -W (exit 2).
    expect(execsim(['-W'], false).code).toBe(2);
    edit('src/cli/usage.ts', (t) => t.replace("case '-V':", "case '-W':"));
    expect(distProblem(rootUrl)).toMatch(/src\/cli\/usage\.ts/);
    const r = execsim(['-W'], false);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(fs.readFileSync(path.join(copy, 'package.json'), 'utf8')).version);
  });

  it('runs in a worker thread exactly when its main thread runs it', async () => {
    // dist/ is stale here (-W is the sources' flag): only a worker told so runs the bundle.
    expect(await workerAnswer('dist')).toBe(2);
    expect(await workerAnswer('source')).toBe(0);
    expect(await workerAnswer(undefined)).toBe(0);
  });

  it('is not run once a source it was built from is gone', () => {
    fs.renameSync(path.join(copy, 'src', 'cli', 'gateway-help.ts'), path.join(copy, 'gateway-help.ts'));
    try {
      expect(distProblem(rootUrl)).toMatch(/gateway-help\.ts is gone/);
    } finally {
      fs.renameSync(path.join(copy, 'gateway-help.ts'), path.join(copy, 'src', 'cli', 'gateway-help.ts'));
    }
  });

  it('is current again after a rebuild, which keeps the package bundles and their code caches', () => {
    const before = manifest();
    const caches = Object.values(before.packages).map((f) => fs.readFileSync(path.join(copy, 'dist', `${f}.v8cache`)));
    expect(caches).toHaveLength(2);
    expect(node([path.join(copy, 'scripts', 'build.js')], false).code).toBe(0);
    expect(distProblem(rootUrl)).toBeNull();
    expect(execsim(['-W'], false).code).toBe(0);
    // An edit to src/ changes the entries, not what the package bundles are made from: the same
    // files, and the caches the earlier build's processes wrote, not primed again.
    const after = manifest();
    expect(after.files['execsim']).not.toBe(before.files['execsim']);
    expect(after.packages).toEqual(before.packages);
    Object.values(after.packages).forEach((f, i) =>
      expect(fs.readFileSync(path.join(copy, 'dist', `${f}.v8cache`)).equals(caches[i]!), f).toBe(true),
    );
  });

  it('keeps serving a process started before a rebuild: its lazy imports and its workers run its own build', async () => {
    // The CLI's short version flag marks a build: a letter after -V, which the entry also
    // answers itself (src/cli/cli-entry.ts) whatever usage.ts says.
    if (versionFlag() === '-V') rebuildWithFlag('-V', '-W');
    const first = versionFlag();
    const second = flagAfter(first);
    const third = flagAfter(second);
    const fourth = flagAfter(third);
    const before = manifest();
    const child = spawn(process.execPath, [writeScript('held.mjs', HELD_PROCESS), first], {
      cwd: copy,
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    try {
      const lines = outputLines(child);
      expect(await lines.next()).toBe('ready');
      // A new build while the process waits, from a changed source.
      rebuildWithFlag(first, second);
      const after = manifest();
      expect(after.files['execsim']).not.toBe(before.files['execsim']);
      expect(after.earlier[0]).toEqual(before.outputs);
      for (const file of before.outputs) expect(fs.existsSync(path.join(copy, 'dist', file)), file).toBe(true);
      child.stdin.end('go\n');
      // Its first run (the backtest's code, imported only now) and a worker it starts now, which
      // must run its build: the first flag is known there, not in the new one.
      expect(JSON.parse(await lines.next())).toEqual({ run: 0, worker: 0 });
    } finally {
      child.kill('SIGKILL');
    }
    // A process started now runs the new build.
    expect(execsim([second], false).code).toBe(0);
    expect(execsim([first], false).code).toBe(2);
    // Two builds later the first one's files are gone, and the one after it is still kept.
    rebuildWithFlag(second, third);
    const kept = manifest().earlier[0] as string[];
    rebuildWithFlag(third, fourth);
    const last = manifest();
    expect(last.earlier).toHaveLength(2);
    const left = new Set(fs.readdirSync(path.join(copy, 'dist')));
    expect(before.outputs.filter((f) => !left.has(f)).length).toBeGreaterThan(0);
    for (const file of [...last.outputs, ...kept]) expect(left.has(file), file).toBe(true);
    // A code cache goes with its bundle.
    for (const file of left)
      if (file.endsWith('.v8cache')) expect(left.has(file.replace(/\.v8cache$/, '')), file).toBe(true);
    expect(distProblem(rootUrl)).toBeNull();
  }, 120_000);
});

describe('the build', () => {
  it('waits while another build holds dist/, and takes over a hold left by a build that died', async () => {
    const hold = path.join(copy, 'dist.lock');
    const before = manifest();
    // A hold a minute old is a dead build's: taken over.
    fs.mkdirSync(hold);
    const old = new Date(Date.now() - 120_000);
    fs.utimesSync(hold, old, old);
    const next = flagAfter(versionFlag());
    rebuildWithFlag(versionFlag(), next);
    expect(fs.existsSync(hold)).toBe(false);
    expect(manifest().files['execsim']).not.toBe(before.files['execsim']);
    // A live hold: the build bundles, then waits for it before it touches dist/.
    fs.mkdirSync(hold);
    const current = manifest();
    edit('src/cli/usage.ts', (t) => t.replace(`case '${next}':`, `case '${flagAfter(next)}':`));
    const build = spawn(process.execPath, [path.join(copy, 'scripts', 'build.js')], { cwd: copy, env: childEnv() });
    const exited = new Promise<number | null>((resolve) => build.once('exit', (code) => resolve(code)));
    const bundled = (): boolean =>
      fs.readdirSync(copy).some((f) => f.startsWith('dist.tmp-') && fs.readdirSync(path.join(copy, f)).length > 0);
    const deadline = Date.now() + 60_000;
    while (!bundled() && Date.now() < deadline && build.exitCode === null)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(bundled()).toBe(true);
    expect(manifest()).toEqual(current);
    fs.rmdirSync(hold);
    expect(await exited).toBe(0);
    expect(manifest().files['execsim']).not.toBe(current.files['execsim']);
    expect(distProblem(rootUrl)).toBeNull();
  }, 120_000);
});

interface Manifest {
  readonly files: Record<string, string>;
  readonly packages: Record<string, string | undefined>;
  readonly outputs: string[];
  readonly earlier: string[][];
}

const manifest = (): Manifest =>
  JSON.parse(fs.readFileSync(path.join(copy, 'dist', 'manifest.json'), 'utf8')) as Manifest;

/** The CLI's short version flag as the copy's sources have it now. */
function versionFlag(): string {
  const flag = /case '(-[A-Z])':/.exec(fs.readFileSync(path.join(copy, 'src', 'cli', 'usage.ts'), 'utf8'))?.[1];
  if (flag === undefined) throw new Error('usage.ts has no short version flag');
  return flag;
}

/** The next capital letter as a flag, past Z back to A, never -V (which the entry answers itself
 *  whatever usage.ts says). */
function flagAfter(flag: string): string {
  const next = flag === '-Z' ? 'A' : String.fromCharCode(flag.charCodeAt(1) + 1);
  return next === 'V' ? '-W' : `-${next}`;
}

/** Changes the CLI's version flag from `from` to `to` (same size) and rebuilds. */
function rebuildWithFlag(from: string, to: string): void {
  edit('src/cli/usage.ts', (t) => t.replace(`case '${from}':`, `case '${to}':`));
  expect(node([path.join(copy, 'scripts', 'build.js')], false).code).toBe(0);
}

/** The environment of a process of the copy that decides for itself what it runs. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['NODE_OPTIONS', 'EXECSIM_CODE', 'EXECSIM_DIST_FILES', 'EXECSIM_FROM_SOURCE']) delete env[name];
  return env;
}

function writeScript(name: string, text: string): string {
  const file = path.join(copy, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The lines a child writes, one at a time, each within 60 s. */
function outputLines(child: ReturnType<typeof spawn>): { next(): Promise<string> } {
  const waiting: string[] = [];
  let wake: (() => void) | null = null;
  let buffered = '';
  let errors = '';
  child.stdout?.on('data', (d: Buffer) => {
    buffered += d.toString();
    for (let at = buffered.indexOf('\n'); at >= 0; at = buffered.indexOf('\n')) {
      waiting.push(buffered.slice(0, at));
      buffered = buffered.slice(at + 1);
    }
    wake?.();
  });
  child.stderr?.on('data', (d: Buffer) => (errors += d.toString()));
  return {
    async next(): Promise<string> {
      const deadline = Date.now() + 60_000;
      while (waiting.length === 0) {
        if (child.exitCode !== null || Date.now() > deadline)
          throw new Error(`no line from the process (exit ${child.exitCode}): ${errors}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 1_000);
        });
        wake = null;
      }
      return waiting.shift() as string;
    },
  };
}

/** A process of the built CLI that loads its entry, waits for a line on stdin, then runs a
 *  backtest (whose code it imports only then) and starts a worker thread that answers the
 *  version flag it was given (exit 0 where the flag is known, 2 where not). */
const HELD_PROCESS = `
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { loadEntry } from './src/boot/code-loader.js';
const quiet = { out() {}, err() {}, env: {} };
const { runCli } = await loadEntry('execsim', { mainThread: true });
console.log('ready');
await once(process.stdin, 'data');
const run = await runCli(['run', 'scenarios/walkthrough.yaml', '--no-store', '--json'], quiet);
const worker = new Worker(
  "import('./src/boot/code-loader.js').then((m) => m.loadEntry('execsim')).then((m) => m.runCli([require('node:worker_threads').workerData], { out() {}, err() {}, env: {} })).then((exit) => require('node:worker_threads').parentPort.postMessage(exit));",
  { eval: true, workerData: process.argv[2] },
);
const [exit] = await once(worker, 'message');
await worker.terminate();
console.log(JSON.stringify({ run, worker: exit }));
`;
