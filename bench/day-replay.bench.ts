// A day of market data at a time: a generated day of BTCUSDT recorded lines (test/support/
// binance-day.ts: about 13 million messages at the bundled recording's rates, one gzipped day file
// as `execsim record` writes it) replayed by a TWAP over the day, through the built CLI, each
// measurement a process of its own so that its peak RSS is its own:
//   (a) the first replay of the day: parses the raw files and writes the parsed-replay cache;
//   (b) the same run again: reads the cache;
//   (c) `execsim sweep --paths 16` on the worker threads (every path a seed of its own);
//   (d) the same sweep through Redis (`--queue`) on two `execsim worker` processes, one path a chunk.
// Every run and sweep shares one fresh cache directory (EXECSIM_REPLAY_CACHE): (a) must write one
// cache file, and nothing after it may write again. That is checked three ways: the directory's
// files (names, sizes, mtimes) before and after each step, a watch on the directory during each
// (a writer creates `<key>.xrc.tmp-*` there), and each path's CPU (a parse of the day costs far more
// than a path from the cache). Reported: wall, CPU (user + system) and peak RSS of (a), (b), each
// sweep, each queue worker and each path on them (the worker's CPU between two paths' results, its
// peak RSS so far); messages per CPU-second of (a) and (b). The two sweeps must print the same
// per-path digests, (a) and (b) the same digest.
// Run: npm run bench:day [-- --dir DIR --hours H --paths N --seed S --skip-queue]
//   --dir DIR  where the recording is written, or reused when DIR holds the same one (default
//              $EXECSIM_DAY_DIR, else a temporary directory removed at the end)
//   --hours H  the recording's length (default 24; 1 to try the bench out)
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { distProblem } from '../src/boot/code-loader.js';
import { writeDayRecording, type DayRecording } from '../test/support/binance-day.ts';
import { redisAnswers, spawnRedis } from '../test/support/redis.ts';
import { freePort } from '../test/support/free-port.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const GEN_VERSION = 1;

export interface Measured {
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMb: number;
}

interface CacheFile {
  readonly name: string;
  readonly bytes: number;
  readonly mtimeMs: number;
}

const listCache = (dir: string): CacheFile[] =>
  fs
    .readdirSync(dir)
    .sort()
    .map((name) => {
      const st = fs.statSync(path.join(dir, name));
      return { name, bytes: st.size, mtimeMs: st.mtimeMs };
    });

/** Names the directory's watch saw change while `f` ran (a cache writer's temporary files). */
async function watched<T>(dir: string, f: () => Promise<T>): Promise<{ result: T; changed: string[] }> {
  const changed: string[] = [];
  const w = fs.watch(dir, (_event, name) => changed.push(String(name)));
  try {
    return { result: await f(), changed };
  } finally {
    w.close();
  }
}

/** One command through GNU time: its wall, user + system CPU and peak RSS, and its output. */
function timed(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Measured & { stdout: string }> {
  const out = path.join(os.tmpdir(), `execsim-day-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', out, process.execPath, BIN, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      const t = fs.readFileSync(out, 'utf8').trim().split('\n').pop() ?? '';
      fs.rmSync(out, { force: true });
      if (code !== 0) return reject(new Error(`execsim ${args.join(' ')} exited ${code}: ${t}`));
      const [wall, user, sys, rssKb] = t.split(' ').map(Number) as [number, number, number, number];
      resolve({ wallS: wall, cpuS: user + sys, peakRssMb: rssKb / 1024, stdout });
    });
  });
}

/** A process's CPU (user + system, s) and peak and current RSS (MB), from /proc. */
function procFigures(pid: number): { cpuS: number; peakRssMb: number; rssMb: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(f[11]) + Number(f[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { cpuS: ticks / 100, peakRssMb: kb('VmHWM') / 1024, rssMb: kb('VmRSS') / 1024 };
  } catch {
    return null;
  }
}

/** The scenario: a TWAP buying 10 BTC over the recording, one slice a minute. */
function dayScenario(rec: DayRecording): string {
  const minutes = Math.floor((rec.lastRecvMs - rec.firstRecvMs) / 60_000);
  return `# A TWAP over a generated recording (bench/day-replay.bench.ts)
name: day-replay-twap
seed: 1
venue:
  name: binance-spot
  latency: { orderEntry: { ms: 20, jitterMs: 10 }, ack: 15, fillReport: 10, marketData: 5 }
  queue: { model: probabilistic, exponent: 2 }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: ${new Date(rec.firstRecvMs).toISOString()}
duration: PT${minutes}M
market:
  model: replay
  files: [${rec.files.map((f) => path.basename(f)).join(', ')}]
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
orders:
  - id: twap-buy
    at: PT1M
    side: buy
    qty: "10"
    type: market
    twap: { duration: PT${minutes - 2}M, slices: ${minutes - 2} }
`;
}

/** The recording in `dir`: the one there when it was written with these options, else a new one. */
async function recording(
  dir: string,
  hours: number,
  seed: number,
): Promise<{ rec: DayRecording; generated: Measured | null }> {
  const metaFile = path.join(dir, 'recording.json');
  const want = { version: GEN_VERSION, hours, seed };
  try {
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as typeof want & { rec: DayRecording };
    const same = meta.version === want.version && meta.hours === hours && meta.seed === seed;
    if (same && meta.rec.files.every((f) => fs.existsSync(f))) return { rec: meta.rec, generated: null };
  } catch {
    // none there, or another: written below
  }
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) if (f.endsWith('.gz')) fs.rmSync(path.join(dir, f));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const rec = await writeDayRecording(dir, { seed, durationMs: hours * 3_600_000 });
  const cpu = process.cpuUsage(c0);
  const generated = {
    wallS: (performance.now() - t0) / 1000,
    cpuS: (cpu.user + cpu.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
  fs.writeFileSync(metaFile, JSON.stringify({ ...want, rec }, null, 2));
  return { rec, generated };
}

interface RunFigures extends Measured {
  readonly digest: string;
  readonly messages: number;
  readonly msgsPerCpuS: number;
  readonly cacheAfter: CacheFile[];
  readonly changed: string[];
}

async function scenarioRun(file: string, env: NodeJS.ProcessEnv, cacheDir: string): Promise<RunFigures> {
  const { result, changed } = await watched(cacheDir, () => timed(['run', file, '--no-store', '--json'], env));
  const report = JSON.parse(result.stdout.trim().split('\n')[0] as string) as {
    digest: string;
    passed: boolean;
    replay: {
      messages: { total: number };
      depth: { gaps: number };
      crossedPrevented: number;
      lockedPrevented: number;
    } | null;
  };
  if (!report.passed) throw new Error('the day TWAP failed an expectation');
  const r = report.replay;
  if (r === null) throw new Error('the run reported no replay');
  if (r.depth.gaps !== 0 || r.crossedPrevented !== 0 || r.lockedPrevented !== 0)
    throw new Error(`the day replay found gaps or crossed books: ${JSON.stringify(r)}`);
  const messages = r.messages.total;
  return {
    ...result,
    digest: report.digest,
    messages,
    msgsPerCpuS: messages / result.cpuS,
    cacheAfter: listCache(cacheDir),
    changed,
  };
}

interface SweepFigures extends Measured {
  readonly digests: string[];
  readonly changed: string[];
  readonly cacheAfter: CacheFile[];
}

async function threadSweep(file: string, paths: number, workers: number, env: NodeJS.ProcessEnv, cacheDir: string) {
  const args = ['sweep', file, '--paths', String(paths), '--workers', String(workers), '--json'];
  const { result, changed } = await watched(cacheDir, () => timed(args, env));
  const out = JSON.parse(result.stdout) as { perPath: Array<{ digest: string }> };
  return {
    wallS: result.wallS,
    cpuS: result.cpuS,
    peakRssMb: result.peakRssMb,
    digests: out.perPath.map((p) => p.digest),
    changed,
    cacheAfter: listCache(cacheDir),
  } satisfies SweepFigures;
}

export interface QueuePath {
  readonly worker: string;
  /** Since the worker's previous path (the first: since the sweep started). */
  readonly wallS: number;
  readonly cpuS: number;
  readonly peakRssMb: number;
  readonly rssMb: number;
}

async function until(what: string, probe: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`${what} did not come up within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The sweep through a local Redis on `workers` `execsim worker` processes, one path a chunk. */
async function queueSweep(
  file: string,
  paths: number,
  workers: number,
  env: NodeJS.ProcessEnv,
  cacheDir: string,
  tmp: string,
): Promise<
  SweepFigures & {
    coordinator: Measured;
    workers: Array<{ name: string; paths: number } & Measured>;
    perPath: QueuePath[];
  }
> {
  const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (redisServer === '') throw new Error('redis-server is not installed (apt-get install redis-server)');
  const port = await freePort();
  const redisDir = fs.mkdtempSync(path.join(tmp, 'redis-'));
  const redis = spawnRedis(redisServer, port, redisDir);
  const url = `redis://127.0.0.1:${port}`;
  const procs: Array<{ name: string; pid: number; exited: Promise<void>; kill: () => void }> = [];
  const perPath: QueuePath[] = [];
  try {
    await until('redis-server', () => redisAnswers(port));
    const t0 = performance.now();
    const last = new Map<string, { at: number; cpuS: number }>();
    for (let i = 0; i < workers; i++) {
      const name = `w${i + 1}`;
      const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '--name', name], {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      const pid = child.pid as number;
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      procs.push({ name, pid, exited, kill: () => child.kill('SIGTERM') });
      last.set(name, { at: t0, cpuS: 0 });
      // A worker says on stderr what it did: a line per chunk done.
      createInterface({ input: child.stderr }).on('line', (line) => {
        if (!/: 1 path done$/.test(line)) return;
        const now = performance.now();
        const f = procFigures(pid);
        const prev = last.get(name) as { at: number; cpuS: number };
        if (f === null) return;
        perPath.push({
          worker: name,
          wallS: (now - prev.at) / 1000,
          cpuS: f.cpuS - prev.cpuS,
          peakRssMb: f.peakRssMb,
          rssMb: f.rssMb,
        });
        last.set(name, { at: now, cpuS: f.cpuS });
      });
    }
    const db = path.join(tmp, 'queue.db');
    const args = ['sweep', file, '--paths', String(paths), '--queue', url, '--chunk', '1', '--db', db, '--json'];
    const { result, changed } = await watched(cacheDir, () => timed(args, env));
    const wallS = (performance.now() - t0) / 1000;
    const out = JSON.parse(result.stdout) as { perPath: Array<{ digest: string }> };
    const ws = procs.map((p) => {
      const f = procFigures(p.pid);
      return {
        name: p.name,
        paths: perPath.filter((q) => q.worker === p.name).length,
        wallS,
        cpuS: f?.cpuS ?? NaN,
        peakRssMb: f?.peakRssMb ?? NaN,
      };
    });
    return {
      wallS: result.wallS,
      cpuS: result.cpuS + ws.reduce((s, w) => s + w.cpuS, 0),
      peakRssMb: Math.max(result.peakRssMb, ...ws.map((w) => w.peakRssMb)),
      digests: out.perPath.map((p) => p.digest),
      changed,
      cacheAfter: listCache(cacheDir),
      coordinator: { wallS: result.wallS, cpuS: result.cpuS, peakRssMb: result.peakRssMb },
      workers: ws,
      perPath,
    };
  } finally {
    for (const p of procs) p.kill();
    await Promise.all(procs.map((p) => p.exited));
    redis.kill('SIGKILL');
  }
}

export interface DayBenchResult {
  readonly machine: string;
  readonly load: { before: number[]; after: number[] };
  readonly recording: DayRecording & { generated: Measured | null; dir: string };
  readonly first: RunFigures;
  readonly cached: RunFigures;
  readonly cacheBytes: number;
  readonly threads: SweepFigures & { workers: number; paths: number };
  readonly queue: Awaited<ReturnType<typeof queueSweep>> | null;
}

export async function main(o: {
  dir?: string;
  hours: number;
  paths: number;
  seed: number;
  workers: number;
  queue: boolean;
}): Promise<DayBenchResult> {
  const why = distProblem();
  if (why !== null) throw new Error(`bench:day runs the built CLI: ${why} (npm run build)`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-day-bench-'));
  const dir = o.dir ?? path.join(tmp, 'recording');
  try {
    const load0 = os.loadavg();
    const { rec, generated } = await recording(dir, o.hours, o.seed);
    const scenario = path.join(dir, 'day-twap.yaml');
    fs.writeFileSync(scenario, dayScenario(rec));
    const cacheDir = path.join(tmp, 'cache');
    fs.mkdirSync(cacheDir);
    const env: NodeJS.ProcessEnv = { ...process.env, EXECSIM_REPLAY_CACHE: cacheDir };
    delete env.EXECSIM_CODE;
    delete env.NODE_OPTIONS;

    const first = await scenarioRun(scenario, env, cacheDir);
    const caches = first.cacheAfter.filter((f) => f.name.endsWith('.xrc'));
    if (caches.length !== 1 || first.cacheAfter.length !== 1)
      throw new Error(`the first replay left ${first.cacheAfter.map((f) => f.name).join(', ')} in the cache directory`);
    const written = JSON.stringify(first.cacheAfter);
    const unchanged = (what: string, after: CacheFile[], changed: string[]): void => {
      if (JSON.stringify(after) !== written || changed.length > 0)
        throw new Error(`${what} wrote to the cache directory (${changed.join(', ')}): a path parsed the day again`);
    };
    const cached = await scenarioRun(scenario, env, cacheDir);
    unchanged('the cached replay', cached.cacheAfter, cached.changed);
    if (cached.digest !== first.digest) throw new Error('the cached replay has another digest than the raw one');

    const threads = await threadSweep(scenario, o.paths, o.workers, env, cacheDir);
    unchanged('the threaded sweep', threads.cacheAfter, threads.changed);
    let queue: Awaited<ReturnType<typeof queueSweep>> | null = null;
    if (o.queue) {
      queue = await queueSweep(scenario, o.paths, 2, env, cacheDir, tmp);
      unchanged('the queued sweep', queue.cacheAfter, queue.changed);
      if (JSON.stringify(queue.digests) !== JSON.stringify(threads.digests))
        throw new Error('the queued sweep has other path digests than the threaded one');
      if (queue.perPath.length !== o.paths)
        throw new Error(`the queue workers reported ${queue.perPath.length} paths, not ${o.paths}`);
    }
    const cpus = os.cpus();
    return {
      machine: `${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      load: { before: load0, after: os.loadavg() },
      recording: { ...rec, generated, dir },
      first,
      cached,
      cacheBytes: (caches[0] as CacheFile).bytes,
      threads: { ...threads, workers: o.workers, paths: o.paths },
      queue,
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1]);
if (isMain) {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      hours: { type: 'string' },
      paths: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'skip-queue': { type: 'boolean' },
      'json-out': { type: 'string' },
    },
  });
  const dir = values.dir ?? process.env.EXECSIM_DAY_DIR;
  const r = await main({
    ...(dir === undefined ? {} : { dir: path.resolve(dir) }),
    hours: Number(values.hours ?? 24),
    paths: Number(values.paths ?? 16),
    seed: Number(values.seed ?? 1),
    workers: Number(values.workers ?? 2),
    queue: values['skip-queue'] !== true,
  });
  if (values['json-out'] !== undefined) fs.writeFileSync(values['json-out'], JSON.stringify(r, null, 2));
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  const m = (x: Measured): string =>
    `${x.wallS.toFixed(1)} s wall, ${x.cpuS.toFixed(1)} s CPU, peak RSS ${x.peakRssMb.toFixed(0)} MB`;
  const l = (xs: number[]): string => xs.map((x) => x.toFixed(2)).join(' ');
  const rec = r.recording;
  console.log(`${r.machine}; load ${l(r.load.before)} before, ${l(r.load.after)} after`);
  console.log(
    `recording: ${n(rec.messages)} messages (${n(rec.byKind.depth)} depth, ${n(rec.byKind.bbo)} bookTicker, ` +
      `${n(rec.byKind.trade)} trade, ${rec.byKind.snapshot} snapshots), ${(rec.bytes / 1e6).toFixed(0)} MB gzipped ` +
      `(${(rec.textBytes / 1e9).toFixed(2)} GB of text) in ${rec.files.length} file(s); ` +
      (rec.generated === null ? `reused from ${rec.dir}` : `generated in ${m(rec.generated)}`),
  );
  for (const [what, f] of [
    ['(a) first replay, raw files, cache written', r.first],
    ['(b) replay from the cache', r.cached],
  ] as const)
    console.log(`${what}: ${m(f)}; ${n(f.msgsPerCpuS)} messages per CPU-second; digest ${f.digest.slice(0, 12)}`);
  console.log(`cache file ${(r.cacheBytes / 1e6).toFixed(0)} MB, written once, untouched by (b), (c) and (d)`);
  const t = r.threads;
  console.log(
    `(c) sweep of ${t.paths} paths on ${t.workers} threads: ${m(t)}; per path ${(t.cpuS / t.paths).toFixed(1)} s CPU, ` +
      `${((t.wallS * t.workers) / t.paths).toFixed(1)} s of a thread`,
  );
  const q = r.queue;
  if (q !== null) {
    console.log(
      `(d) the same sweep on ${q.workers.length} BullMQ workers (real Redis): ${m(q)} (all processes); ` +
        `coordinator ${m(q.coordinator)}; same path digests as (c)`,
    );
    for (const w of q.workers)
      console.log(
        `    worker ${w.name}: ${w.paths} paths, ${w.cpuS.toFixed(1)} s CPU, peak RSS ${w.peakRssMb.toFixed(0)} MB`,
      );
    q.perPath.forEach((p, i) =>
      console.log(
        `    path ${String(i + 1).padStart(2)} (${p.worker}): ${p.wallS.toFixed(1)} s wall, ${p.cpuS.toFixed(1)} s CPU, ` +
          `RSS ${p.rssMb.toFixed(0)} MB (peak so far ${p.peakRssMb.toFixed(0)} MB)`,
      ),
    );
  }
}
