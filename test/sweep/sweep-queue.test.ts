// Sweeps across machines on a real Redis: `execsim sweep --queue` coordinating `execsim worker`
// processes. A worker SIGKILLed in the middle of a chunk has that chunk run again by the other
// worker and the sweep still stores every path exactly once and reports exactly what a local
// sweep reports; a chunk from a coordinator on another code version is refused without being
// run; a coordinator stopped by SIGINT (with a chunk left locked by a killed worker) resumes and
// finishes with every path once. The text report says the paths ran through the queue on the
// workers that returned results (two workers, three chunks: two). A grid sweep on two workers
// prints byte for byte what the local grid sweep prints and is stored (rows, grid points, grid
// report) as the local one is, also after a stop and a resume. Bad --queue values (each way one
// can be wrong has its message: not a URL, another scheme, no host, a bad port), bad grids and an
// unreachable Redis are one message and exit 2, in bounded time. Jobs edited in Redis into another
// shape (or, for results, into another path's identity) are one named problem: a worker refuses
// such a chunk without running it, a coordinator fails the sweep without storing a row, a resume
// drops them and enqueues their paths again. The store's idempotence (a batch delivered twice) is
// checked without Redis. Needs the redis-server binary (Debian package redis-server): without it
// the Redis tests are skipped, saying so.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import Database from 'better-sqlite3';
import { Queue } from 'bullmq';
import { redisAnswers, spawnRedis } from '../support/redis.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { SWEEP_QUEUE_HELP, SWEEP_QUEUE_USAGE } from '../../src/cli/sweep-queue-command.ts';
import { WORKER_USAGE } from '../../src/cli/worker-help.ts';
import { coordinateSweep } from '../../src/sweep/queue/coordinator.ts';
import { startSweepWorker, type WorkerEvent } from '../../src/sweep/queue/worker.ts';
import { CHUNK_QUEUE, connectRedis, QueueUnreachableError, resultsQueueName } from '../../src/sweep/queue/protocol.ts';
import { storedPath, newSweep, newSweepId } from '../../src/sweep/sweep-recorder.ts';
import { SweepUnitRunner, type SweepDefinition } from '../../src/sweep/sweep-units.ts';
import { runSweep } from '../../src/sweep/sweep.ts';
import { loadScenarioSource } from '../../src/scenario/load-scenario.ts';
import { openDatabase, openExistingDatabase } from '../../src/store/open-database.ts';
import { QueuedSweepStore, ResumeSweepRefused } from '../../src/store/queued-sweep-store.ts';
import { getSweep, sweepPaths } from '../../src/store/sweep-read.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';
import { freePort } from '../support/free-port.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const SCENARIO = 'scenarios/twap-calm.yaml';

function findRedisServer(): string | null {
  const r = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  const found = r.status === 0 ? r.stdout.trim() : '';
  return found !== '' ? found : null;
}
const REDIS_SERVER = findRedisServer();
if (!REDIS_SERVER)
  console.warn(
    'test/sweep/sweep-queue.test.ts: redis-server not found: the queued-sweep tests are SKIPPED (apt-get install redis-server)',
  );

/** Polls `probe` until it returns something truthy; fails after `timeoutMs`. */
async function waitFor<T>(what: string, probe: () => Promise<T> | T, timeoutMs = 60_000): Promise<NonNullable<T>> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Proc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: string;
  stderr: string;
}

function execsim(args: readonly string[]): Proc {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['NODE_OPTIONS'];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const p: Proc = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))),
  };
  child.stdout?.on('data', (d: Buffer) => (p.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (p.stderr += d.toString()));
  return p;
}

/** `node bin/execsim.js ARGS` to its end, as spawnSync runs it (this process's environment, killed
 *  at 60 s) but without blocking: the bad-input cases run their processes at once. */
function binRun(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr });
    });
  });
}

/** `promise`, or an error once `timeoutMs` have passed without it settling. */
async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: not within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function exitOf(p: Proc, timeoutMs = 120_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`process did not exit within ${timeoutMs} ms; stderr: ${p.stderr}`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What a local sweep of `paths` paths reports, as its JSON: computed once per number of paths
 *  (the queued tests compute theirs before they start, so that no test's event loop is held by
 *  another's sweep while it watches a worker's progress). */
const localSweeps = new Map<number, unknown>();
function localSweep(paths: number): unknown {
  if (!localSweeps.has(paths))
    localSweeps.set(paths, JSON.parse(JSON.stringify(runSweep(loadScenarioSource(SCENARIO).loaded, { paths }))));
  return localSweeps.get(paths);
}

function storedRows(db: string, sweepId: string) {
  const d = new Database(db, { readonly: true });
  try {
    const sweep = d.prepare('SELECT status, paths_done, paths_requested FROM sweeps WHERE id = ?').get(sweepId) as
      { status: string; paths_done: number; paths_requested: number } | undefined;
    const paths = d.prepare('SELECT path FROM sweep_paths WHERE sweep_id = ? ORDER BY path').pluck().all(sweepId);
    const units = d
      .prepare('SELECT unit FROM sweep_unit_results WHERE sweep_id = ? ORDER BY unit')
      .pluck()
      .all(sweepId);
    return { sweep, paths, units };
  } finally {
    d.close();
  }
}

function readDone(db: string, sweepId: string | null): number {
  if (sweepId === null || !fs.existsSync(db)) return 0;
  const d = new Database(db, { readonly: true });
  try {
    return (d.prepare('SELECT paths_done FROM sweeps WHERE id = ?').pluck().get(sweepId) as number | undefined) ?? 0;
  } finally {
    d.close();
  }
}

const sweepIdOf = (p: Proc): string | null => /sweep (sweep-[0-9a-f-]{36}) on /.exec(p.stderr)?.[1] ?? null;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-queue-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the coordinator store', () => {
  it('stores a batch delivered twice once: each path one row, paths_done counts each once', () => {
    const source = loadScenarioSource(SCENARIO);
    const db = openDatabase(path.join(dir, 'idempotent.db'));
    try {
      const id = newSweepId();
      new SweepStore(db).create(newSweep(id, source, 7, 3));
      const def: SweepDefinition = { file: source.loaded.file, yaml: source.text, seed: 7, paths: 3, grid: [] };
      const runner = new SweepUnitRunner(def);
      const unit = (u: number) => {
        const r = runner.run(u);
        return { unit: u, resultJson: JSON.stringify({ path: r.path }), path: storedPath(r.path, r.parents) };
      };
      const store = new QueuedSweepStore(db);
      const at = new Date().toISOString();
      expect(store.storeUnits(id, [unit(0), unit(1)], at)).toBe(2);
      // The same chunk again (a redelivered chunk), and one overlapping it.
      expect(store.storeUnits(id, [unit(0), unit(1)], at)).toBe(0);
      expect(store.storeUnits(id, [unit(1), unit(2)], at)).toBe(1);
      expect(store.pathsDone(id)).toBe(3);
      expect([...store.storedUnits(id)].sort()).toEqual([0, 1, 2]);
      const rows = db.prepare('SELECT path FROM sweep_paths WHERE sweep_id = ? ORDER BY path').pluck().all(id);
      expect(rows).toEqual([0, 1, 2]);
      const parents = db.prepare('SELECT COUNT(*) FROM sweep_path_parents WHERE sweep_id = ?').pluck().get(id);
      expect(parents).toBe(3 * runner.run(0).parents.length);
    } finally {
      db.close();
    }
  });
});

describe('taking a queued sweep over', () => {
  it('refuses a sweep that ran on worker threads, leaving it as it was', () => {
    const source = loadScenarioSource(SCENARIO);
    const db = openDatabase(path.join(dir, 'take-over-local.db'));
    try {
      const id = newSweepId();
      const sweeps = new SweepStore(db);
      sweeps.create(newSweep(id, source, 7, 3));
      const def: SweepDefinition = { file: source.loaded.file, yaml: source.text, seed: 7, paths: 3, grid: [] };
      const r = new SweepUnitRunner(def).run(0);
      // As a local sweep stopped by a signal leaves it: a path stored, no unit of the queue's.
      sweeps.interrupt(id, [storedPath(r.path, r.parents)], 'stopped by SIGINT', new Date().toISOString());
      const store = new QueuedSweepStore(db);
      expect(() => store.takeOver(id, new Date().toISOString())).toThrow(
        new ResumeSweepRefused(
          `sweep ${id} ran on one machine's worker threads, not a queue: only a queued sweep resumes (run it again)`,
        ),
      );
      expect(db.prepare('SELECT status FROM sweeps WHERE id = ?').pluck().get(id)).toBe('interrupted');
    } finally {
      db.close();
    }
  });

  it('looks and writes under one write lock: a resume at the same moment cannot write in between', () => {
    const source = loadScenarioSource(SCENARIO);
    const file = path.join(dir, 'take-over.db');
    const db = openDatabase(file);
    const other = new Database(file);
    try {
      const id = newSweepId();
      new SweepStore(db).create(newSweep(id, source, 7, 3));
      other.pragma('busy_timeout = 0');
      let otherWrote: boolean | null = null;
      // Between this process's look at the sweep (running, its writer asked about) and its write,
      // another process tries to take the sweep over.
      const live = {
        nowMs: 0,
        host: os.hostname(),
        isAlive: () => {
          try {
            other.prepare(`UPDATE sweeps SET writer_pid = 1 WHERE id = ?`).run(id);
            otherWrote = true;
          } catch (err) {
            expect((err as { code?: string }).code).toBe('SQLITE_BUSY');
            otherWrote = false;
          }
          return false; // its writer died
        },
      };
      const taken = new QueuedSweepStore(db).takeOver(id, new Date().toISOString(), live);
      expect(taken.id).toBe(id);
      expect(otherWrote).toBe(false);
      expect(db.prepare('SELECT writer_pid, status FROM sweeps WHERE id = ?').get(id)).toEqual({
        writer_pid: process.pid,
        status: 'running',
      });
    } finally {
      other.close();
      db.close();
    }
  });
});

describe('the coordinator store, grid sweep', () => {
  it('stores grid units delivered twice once: each row numbered by unit with its grid point', () => {
    const source = loadScenarioSource(SCENARIO);
    const db = openDatabase(path.join(dir, 'idempotent-grid.db'));
    try {
      const id = newSweepId();
      const grid = [{ key: 'twap.slices', values: ['5', '10'] }];
      new SweepStore(db).create(newSweep(id, source, 7, 2, grid));
      const def: SweepDefinition = { file: source.loaded.file, yaml: source.text, seed: 7, paths: 2, grid };
      const runner = new SweepUnitRunner(def);
      const unit = (u: number) => {
        const r = runner.run(u);
        return { unit: u, resultJson: '{}', path: storedPath(r.path, r.parents, r.unit, r.point) };
      };
      const store = new QueuedSweepStore(db);
      const at = new Date().toISOString();
      expect(store.storeUnits(id, [unit(0), unit(1), unit(2)], at)).toBe(3);
      expect(store.storeUnits(id, [unit(1), unit(2), unit(3)], at)).toBe(1);
      expect(store.pathsDone(id)).toBe(4);
      const rows = db
        .prepare('SELECT path, grid_point, seed FROM sweep_paths WHERE sweep_id = ? ORDER BY path')
        .all(id) as Array<{ path: number; grid_point: number; seed: number }>;
      // Units 2k and 2k + 1 are path k at points 0 and 1: one seed per path index.
      expect(rows.map((r) => [r.path, r.grid_point])).toEqual([
        [0, 0],
        [1, 1],
        [2, 0],
        [3, 1],
      ]);
      expect(rows[0]?.seed).toBe(rows[1]?.seed);
      expect(rows[2]?.seed).toBe(rows[3]?.seed);
      expect(rows[0]?.seed).not.toBe(rows[2]?.seed);
    } finally {
      db.close();
    }
  });
});

describe('bad --queue input', () => {
  it('a malformed URL is one message naming --queue, exit 2, nothing stored', async () => {
    const db = path.join(dir, 'bad-url.db');
    const urls = ['http://127.0.0.1:6379', 'not a url', 'redis://127.0.0.1:6379/99', 'redis://127.0.0.1:0'];
    const [w, ...sweeps] = await Promise.all([
      binRun(['worker', '--queue', 'redis://']),
      ...urls.map((url) => binRun(['sweep', SCENARIO, '--paths', '2', '--queue', url, '--db', db])),
    ]);
    for (const r of sweeps) {
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(/^execsim: --queue: /);
    }
    expect(w!.status).toBe(2);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('each way a --queue value can be wrong has its own message, for a sweep and a worker, exit 2, nothing stored', async () => {
    const db = path.join(dir, 'bad-url-kinds.db');
    // The case reported as "not a URL" through the real bin too, in a process of its own while
    // the cases run in this one.
    const bin = binRun(['sweep', SCENARIO, '--paths', '2', '--queue', 'redis://127.0.0.1:notaport', '--db', db]);
    const cases: ReadonlyArray<readonly [string, string]> = [
      ['not a url', '"not a url" is not a URL (expected redis://host:port)'],
      ['localhost:6379', '"localhost:6379" is not a URL (expected redis://host:port)'],
      ['http://127.0.0.1:6379', '"http://127.0.0.1:6379" has scheme http, expected redis or rediss'],
      [
        'redis://127.0.0.1:notaport',
        '"redis://127.0.0.1:notaport" has port "notaport", which is not a number from 1 to 65535',
      ],
      ['redis://127.0.0.1:70000', '"redis://127.0.0.1:70000" has port "70000", which is not a number from 1 to 65535'],
      ['redis://127.0.0.1:0', '"redis://127.0.0.1:0" has port "0", which is not a number from 1 to 65535'],
      ['redis://[::1]:x', '"redis://[::1]:x" has port "x", which is not a number from 1 to 65535'],
      [
        'redis://[::1]x:6379',
        '"redis://[::1]x:6379" has host:port "[::1]x:6379", which is not an IPv6 address in brackets followed by an optional :port',
      ],
      [
        'redis://[::1',
        '"redis://[::1" has host:port "[::1", which is not an IPv6 address in brackets followed by an optional :port',
      ],
      ['redis://:6379', '"redis://:6379" names no host (expected redis://host:port)'],
      ['redis://', '"redis://" names no host (expected redis://host:port)'],
      // The password is not printed, also when the value is refused.
      [
        'redis://me:s3cret@127.0.0.1:x',
        '"redis://me:***@127.0.0.1:x" has port "x", which is not a number from 1 to 65535',
      ],
      ['redis://127.0.0.1:6379/16', '"redis://127.0.0.1:6379/16" has a path that is not a database number 0..15'],
    ];
    for (const [url, message] of cases) {
      for (const args of [
        ['sweep', SCENARIO, '--paths', '2', '--queue', url, '--db', db],
        ['worker', '--queue', url],
      ]) {
        const r = await execsimInProcess(args);
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.err[0], args.join(' ')).toBe(`execsim: --queue: ${message}`);
        // Under it the command's usage lines, not its whole help.
        expect(r.err.slice(1).join('\n')).toBe(args[0] === 'worker' ? WORKER_USAGE : SWEEP_QUEUE_USAGE);
        expect(r.err.join('\n')).not.toContain('s3cret');
        expect(r.stdout).toBe('');
      }
    }
    // The same through the real bin.
    const { status, stderr } = await bin;
    expect(status).toBe(2);
    expect(stderr.split('\n')[0]).toBe(`execsim: --queue: ${cases[3]?.[1]}`);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('a bad grid, seed or resume id, or --grid on a resume, is one message and the queued sweep usage, exit 2 before Redis or the database', async () => {
    const port = await freePort(); // nothing listens there: the input is refused before connecting
    const db = path.join(dir, 'bad-grid.db');
    const queue = ['--queue', `redis://127.0.0.1:${port}`, '--db', db];
    const cases = [
      [[SCENARIO, '--paths', '2', '--grid', 'twap.slices'], /^execsim: --grid twap\.slices: expected KEY=VALUE/],
      [[SCENARIO, '--paths', '2', '--grid', 'twap.slices=5,x'], /^execsim: --grid twap\.slices=5,x: x is not a number/],
      [[SCENARIO, '--paths', '2', '--seed', 'x'], /^execsim: --seed: "x" is not a non-negative integer/],
      [
        ['--resume', 'sweep-x', '--grid', 'twap.slices=5'],
        /^execsim: --resume takes no scenario, --paths, --seed or --grid/,
      ],
      [['--resume', ''], /^execsim: --resume: "" is not a sweep id/],
      [[SCENARIO, '--paths', '2', '--workers', '2'], /^execsim: --workers is for a sweep on this machine's threads/],
      [['--resume=../x'], /^execsim: --resume: "\.\.\/x" is not a sweep id/],
      [[SCENARIO, '--paths', '2', '--rank', 'sharpe'], /^execsim: --rank ranks grid points: give it with --grid/],
      [
        [SCENARIO, '--paths', '2', '--grid', 'twap.slices=5,10', '--rank', 'luck'],
        /^execsim: --rank: "luck" is not a figure grid points rank by/,
      ],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => binRun(['sweep', ...args, ...queue])));
    for (const [i, [, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.split('\n')[0]).toMatch(message);
      // The message and the usage lines, not the whole help.
      expect(r.stderr).toBe(`${r.stderr.split('\n')[0]}\n${SWEEP_QUEUE_USAGE}\n`);
      expect(r.stderr).not.toContain(SWEEP_QUEUE_HELP.split('\n')[3]);
    }
    expect(fs.existsSync(db)).toBe(false);
  });

  it('an unreachable Redis is one message and exit 2, without a sweep row', async () => {
    const port = await freePort(); // nothing listens there now
    const db = path.join(dir, 'unreachable.db');
    const r = spawnSync(
      process.execPath,
      [BIN, 'sweep', SCENARIO, '--paths', '2', '--queue', `redis://127.0.0.1:${port}`, '--db', db],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(fs.existsSync(db)).toBe(false);
  });

  it('a Redis port that accepts but never answers gives up within the connect timeout', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const started = performance.now();
      await expect(connectRedis(`redis://127.0.0.1:${port}`, () => {}, 500)).rejects.toBeInstanceOf(
        QueueUnreachableError,
      );
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
  });

  it('after giving up on a silent port, a worker exits right after its message', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const child = spawn(process.execPath, [BIN, 'worker', '--queue', `redis://127.0.0.1:${port}`], {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      let messageAt = 0;
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        messageAt ||= performance.now();
      });
      const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      clearTimeout(deadline);
      expect(code).toBe(2);
      expect(stderr).toMatch(/cannot connect to Redis \(no answer within 5 s\)/);
      // It waited 4 s here for the silent server to close its side of the socket.
      expect(performance.now() - messageAt).toBeLessThan(2_000);
    } finally {
      silent.close();
    }
  });
});

// The queued tests run at once (each on its own Redis database, or a Redis of its own): most of
// their time is processes starting and waiting on each other, which overlaps well.
describe.skipIf(!REDIS_SERVER)(
  REDIS_SERVER ? 'queued sweeps on a real redis-server' : 'queued sweeps: SKIPPED, redis-server is not installed',
  { concurrent: true },
  () => {
    let redisProc: ChildProcess;
    let port: number;
    const workers: Proc[] = [];
    const others: Proc[] = [];

    beforeAll(async () => {
      port = await freePort();
      const data = fs.mkdtempSync(path.join(dir, 'redis-'));
      redisProc = spawnRedis(REDIS_SERVER as string, port, data);
      for (const paths of [24, 20, 300]) localSweep(paths);
      await waitFor('redis-server to answer', () => redisAnswers(port));
    }, 60_000);

    afterAll(() => {
      for (const p of [...workers, ...others]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      redisProc?.kill('SIGKILL');
    });

    /** A queue client on Redis database `db` (each test has its own). */
    const chunkQueue = (db: number) =>
      new Queue(CHUNK_QUEUE, { connection: { host: '127.0.0.1', port, db, maxRetriesPerRequest: null } });

    const worker = (db: number, name: string): Proc => {
      const p = execsim(['worker', '--queue', `redis://127.0.0.1:${port}/${db}`, '--lock-ms', '1500', '--name', name]);
      workers.push(p);
      return p;
    };

    it('a worker SIGKILLed mid-chunk: its chunk runs again on the other, every path once, as a local sweep', async () => {
      const paths = 24;
      const db = path.join(dir, 'kill.db');
      const coordinator = execsim([
        'sweep',
        SCENARIO,
        '--paths',
        String(paths),
        '--chunk',
        '12',
        '--json',
        '--queue',
        `redis://127.0.0.1:${port}/1`,
        '--db',
        db,
      ]);
      others.push(coordinator);
      const queue = chunkQueue(1);
      try {
        const a = worker(1, 'worker-a');
        // Worker a is alone: the chunk it holds with some but not all paths done is mid-way.
        const held = await waitFor('worker a to be part-way through a chunk', async () => {
          for (const job of await queue.getActive()) {
            const done = Number(job.progress);
            if (done >= 1 && done < 12) return job.id;
          }
          return null;
        });
        a.child.kill('SIGKILL');
        await exitOf(a);
        worker(1, 'worker-b');
        const { code } = await exitOf(coordinator);
        expect(code, coordinator.stderr).toBe(0);
        const out = JSON.parse(coordinator.stdout) as { sweepId: string };
        const { sweepId, ...report } = out;
        expect(report).toEqual(localSweep(paths));
        const rows = storedRows(db, sweepId);
        expect(rows.sweep).toEqual({ status: 'finished', paths_done: paths, paths_requested: paths });
        expect(rows.paths).toEqual(range(paths));
        expect(rows.units).toEqual(range(paths));
        // The held chunk was run to the end by worker b (a never finished it) and is gone.
        expect(await queue.getJob(held as string)).toBeUndefined();
        expect(await queue.getJobCounts('waiting', 'active', 'failed')).toEqual({ waiting: 0, active: 0, failed: 0 });
      } finally {
        await queue.close();
      }
    }, 180_000);

    it('a chunk from a coordinator on another code version is refused: failed with both versions, nothing run', async () => {
      const url = `redis://127.0.0.1:${port}/2`;
      worker(2, 'worker-c');
      const source = loadScenarioSource(SCENARIO);
      const db = openDatabase(path.join(dir, 'mismatch.db'));
      const redis = await connectRedis(url, () => {});
      const queue = chunkQueue(2);
      try {
        const id = newSweepId();
        new SweepStore(db).create(newSweep(id, source, 3, 4));
        const def: SweepDefinition = { file: source.loaded.file, yaml: source.text, seed: 3, paths: 4, grid: [] };
        const outcome = await coordinateSweep({
          redis,
          store: new QueuedSweepStore(db),
          sweepId: id,
          scenario: source.loaded.scenario.name,
          def,
          codeVersion: '0.0.0+not-this-code',
          chunk: 4,
        });
        expect(outcome.kind).toBe('failed');
        expect(outcome.kind === 'failed' && outcome.reason).toMatch(/0\.0\.0\+not-this-code/);
        expect(outcome.kind === 'failed' && outcome.done).toBe(0);
        const [failed] = await queue.getFailed();
        expect(failed?.failedReason).toContain('0.0.0+not-this-code');
        expect(failed?.progress).toBe(0); // not one path run
        expect(failed?.attemptsMade).toBe(1); // not retried
        expect(await new Queue(resultsQueueName(id), { connection: redis }).count()).toBe(0);
        expect(new QueuedSweepStore(db).storedUnits(id).size).toBe(0);
      } finally {
        await queue.close();
        db.close();
        redis.disconnect();
      }
    }, 120_000);

    it('a --queue naming a read-only replica is one message and exit 2, for the sweep (no sweep row) and a worker', async () => {
      const replicaPort = await freePort();
      const replica = spawnRedis(REDIS_SERVER as string, replicaPort, fs.mkdtempSync(path.join(dir, 'replica-')), [
        '--replicaof',
        '127.0.0.1',
        String(port),
      ]);
      try {
        await waitFor('the replica to answer', () => redisAnswers(replicaPort));
        const url = `redis://127.0.0.1:${replicaPort}`;
        const db = path.join(dir, 'replica.db');
        const sweep = execsim(['sweep', SCENARIO, '--paths', '2', '--queue', url, '--db', db]);
        expect((await exitOf(sweep, 30_000)).code, sweep.stderr).toBe(2);
        expect(sweep.stderr.trim().split('\n')).toEqual([
          expect.stringMatching(/^execsim: --queue redis:\/\/127\.0\.0\.1:\d+: .*read-only replica/),
        ]);
        expect(fs.existsSync(db)).toBe(false);
        const w = execsim(['worker', '--queue', url]);
        others.push(w);
        expect((await exitOf(w, 30_000)).code, w.stderr.slice(0, 2000)).toBe(2);
        expect(w.stderr.trim().split('\n')).toEqual([expect.stringMatching(/read-only replica/)]);
      } finally {
        replica.kill('SIGKILL');
      }
    }, 120_000);

    it('a --db that cannot be used is one message and exit 2 (the Redis connection closed), and a resume creates no database', async () => {
      const url = `redis://127.0.0.1:${port}`;
      const db = path.join(dir, 'no-such', 'resume.db');
      const r = execsim(['sweep', '--resume', 'sweep-x', '--queue', url, '--db', db]);
      expect((await exitOf(r, 30_000)).code).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^execsim: no database at .*resume\.db/)]);
      expect(fs.existsSync(path.dirname(db))).toBe(false);
      // A folder as the database of a new sweep: the process ends rather than waiting on Redis.
      const folder = execsim(['sweep', SCENARIO, '--paths', '2', '--queue', url, '--db', dir]);
      expect((await exitOf(folder, 30_000)).code).toBe(2);
      expect(folder.stderr.trim().split('\n')).toEqual([expect.stringMatching(/is a folder, not a database file/)]);
    }, 90_000);

    it('a worker stopped by SIGTERM puts its chunk back in the queue at once and exits 0', async () => {
      const url = `redis://127.0.0.1:${port}/4`;
      const db = path.join(dir, 'worker-stop.db');
      // One chunk of 48 paths: a wide window to stop the worker in while it holds the chunk part-way
      // (this test runs beside others, which slow the poll more than the worker). The worker's lock
      // of a minute outlasts the test: the chunk is back in the queue because the worker handed it
      // back, never because a lock renewed late on a busy machine expired.
      const coordinator = execsim(['sweep', SCENARIO, '--paths', '48', '--chunk', '48', '--queue', url, '--db', db]);
      others.push(coordinator);
      const queue = chunkQueue(4);
      try {
        const w = execsim(['worker', '--queue', url, '--lock-ms', '60000', '--name', 'worker-f']);
        workers.push(w);
        const held = await waitFor('the worker to be part-way through its chunk', async () => {
          const [job] = await queue.getActive();
          return job && Number(job.progress) >= 1 && Number(job.progress) < 48 ? job.id : null;
        });
        w.child.kill('SIGTERM');
        expect((await exitOf(w)).code).toBe(0);
        // Back in the queue without waiting for its lock to expire.
        expect((await queue.getWaiting()).map((j) => j.id)).toEqual([held]);
        expect(readDone(db, sweepIdOf(coordinator))).toBe(0);
        coordinator.child.kill('SIGINT');
        expect((await exitOf(coordinator)).code).toBe(130);
      } finally {
        await queue.close();
      }
    }, 120_000);

    it('a coordinator stopped by SIGINT resumes: only missing paths are enqueued, every path once', async () => {
      const paths = 20;
      const url = `redis://127.0.0.1:${port}/3`;
      const db = path.join(dir, 'resume.db');
      const coordinator = execsim([
        'sweep',
        SCENARIO,
        '--paths',
        String(paths),
        '--chunk',
        '2',
        '--queue',
        url,
        '--db',
        db,
      ]);
      others.push(coordinator);
      const queue = chunkQueue(3);
      try {
        const sweepId = await waitFor('the sweep to be stored', () => sweepIdOf(coordinator));
        const a = worker(3, 'worker-d');
        await waitFor('a few paths stored', () => readDone(db, sweepId) >= 4);
        // The worker dies holding a chunk: no path is stored while the coordinator stops.
        a.child.kill('SIGKILL');
        await exitOf(a);
        coordinator.child.kill('SIGINT');
        expect((await exitOf(coordinator)).code).toBe(130);
        const stopped = storedRows(db, sweepId);
        expect(stopped.sweep?.status).toBe('interrupted');
        expect(stopped.paths.length).toBeLessThan(paths);
        // Chunks no worker had taken are gone from the queue; the dead worker's is still there.
        expect((await queue.getWaiting()).filter((j) => j.id?.startsWith(sweepId))).toEqual([]);

        worker(3, 'worker-e');
        const resumed = execsim(['sweep', '--resume', sweepId, '--queue', url, '--db', db, '--json', '--quiet']);
        others.push(resumed);
        const { code } = await exitOf(resumed);
        expect(code, resumed.stderr).toBe(0);
        // --quiet: neither where the sweep runs nor where it is stored.
        expect(resumed.stderr).not.toMatch(/execsim: sweep \S+ on |stored sweep/);
        const { sweepId: again, ...report } = JSON.parse(resumed.stdout) as { sweepId: string };
        expect(again).toBe(sweepId);
        expect(report).toEqual(localSweep(paths));
        const rows = storedRows(db, sweepId);
        expect(rows.sweep).toEqual({ status: 'finished', paths_done: paths, paths_requested: paths });
        expect(rows.paths).toEqual(range(paths));
        // A finished sweep is not resumed again.
        const twice = execsim(['sweep', '--resume', sweepId, '--queue', url, '--db', db]);
        expect((await exitOf(twice)).code).toBe(2);
      } finally {
        await queue.close();
      }
    }, 180_000);

    /** A stored sweep of `paths` paths of the test scenario, for coordinateSweep in process. */
    const storedSweep = (file: string, paths: number) => {
      const source = loadScenarioSource(SCENARIO);
      const db = openDatabase(path.join(dir, file));
      const id = newSweepId();
      new SweepStore(db).create(newSweep(id, source, 3, paths));
      const def: SweepDefinition = { file: source.loaded.file, yaml: source.text, seed: 3, paths, grid: [] };
      return { db, id, def, scenario: source.loaded.scenario.name, runner: new SweepUnitRunner(def) };
    };

    it('a results job edited into another shape or for another path fails the sweep naming it, storing nothing', async () => {
      const url = `redis://127.0.0.1:${port}/7`;
      const redis = await connectRedis(url, () => {});
      const queue = chunkQueue(7);
      try {
        // Two edits of unit 1's honest result: a field of another type, and the right shape
        // for another path (index 99: its row would be stored as unit 1's).
        const honest = JSON.parse(JSON.stringify(storedSweep('wire-honest.db', 2).runner.run(1))) as {
          path: Record<string, unknown>;
        };
        for (const [file, edit, problem] of [
          [
            'wire-shape.db',
            { ...honest, path: { ...honest.path, seed: 'abc' } },
            /results\[0\]\.path\.seed: expected number, received string/,
          ],
          [
            'wire-path.db',
            { ...honest, path: { ...honest.path, path: 99 } },
            /results\[0\]\.path\.path: 99, but unit 1 is path 1/,
          ],
          ['wire-null.db', null, /results: expected array, received null/],
        ] as const) {
          const s = storedSweep(file, 2);
          try {
            const results = new Queue(resultsQueueName(s.id), { connection: redis });
            const outcome = coordinateSweep({
              redis,
              store: new QueuedSweepStore(s.db),
              sweepId: s.id,
              scenario: s.scenario,
              def: s.def,
              codeVersion: 'x',
              chunk: 2,
            });
            // With no worker on db 7 the chunk waits: the edited results job is the only one.
            await waitFor('the chunk to be enqueued', async () => (await queue.count()) > 0);
            await results.add(
              'results',
              { sweepId: s.id, chunkJobId: 'c', worker: 'w', results: edit === null ? null : [edit] },
              { jobId: 'edited', removeOnComplete: true, removeOnFail: true },
            );
            const done = await within('the sweep to end', outcome, 20_000);
            expect(done.kind).toBe('failed');
            expect(done.kind === 'failed' && done.reason).toMatch(/^results job "edited" from worker "w": /);
            expect(done.kind === 'failed' && done.reason).toMatch(problem);
            expect(storedRows(path.join(dir, file), s.id)).toMatchObject({ paths: [], units: [] });
            await results.close();
          } finally {
            s.db.close();
          }
        }
      } finally {
        await queue.close();
        redis.disconnect();
      }
    }, 120_000);

    it('a resume drops jobs of its sweep edited into another shape, naming them, and enqueues their paths again', async () => {
      const url = `redis://127.0.0.1:${port}/8`;
      const redis = await connectRedis(url, () => {});
      const queue = chunkQueue(8);
      const s = storedSweep('wire-resume.db', 3);
      const results = new Queue(resultsQueueName(s.id), { connection: redis });
      const w = startSweepWorker(redis, { name: 'worker-k', codeVersion: 'v' });
      try {
        // As a stopped coordinator could leave them, then edited: a chunk and a results job.
        await queue.add(
          'chunk',
          { sweepId: s.id, codeVersion: 'v', units: 'x' },
          { jobId: `${s.id}.old.0`, delay: 3_600_000 },
        );
        await results.add('results', { sweepId: s.id, results: null }, { jobId: 'old-results', delay: 3_600_000 });
        const warnings: string[] = [];
        const outcome = await within(
          'the resumed sweep to end',
          coordinateSweep({
            redis,
            store: new QueuedSweepStore(s.db),
            sweepId: s.id,
            scenario: s.scenario,
            def: s.def,
            codeVersion: 'v',
            chunk: 3,
            onWarning: (m) => warnings.push(m),
          }),
          60_000,
        );
        expect(outcome.kind).toBe('finished');
        expect(warnings).toEqual([
          `chunk job "${s.id}.old.0": def: expected object, received undefined: dropped (the paths not stored are enqueued again)`,
          'results job "old-results": chunkJobId: expected string, received undefined: dropped (the paths not stored are enqueued again)',
        ]);
        expect(storedRows(path.join(dir, 'wire-resume.db'), s.id)).toMatchObject({
          paths: [0, 1, 2],
          units: [0, 1, 2],
        });
        expect(await queue.getJob(`${s.id}.old.0`)).toBeUndefined();
      } finally {
        await w.close();
        await results.close();
        await queue.close();
        s.db.close();
        redis.disconnect();
      }
    }, 120_000);

    it('a worker refuses a chunk job edited into another shape, naming the field, running nothing', async () => {
      const url = `redis://127.0.0.1:${port}/9`;
      const redis = await connectRedis(url, () => {});
      const queue = chunkQueue(9);
      const events: WorkerEvent[] = [];
      const w = startSweepWorker(redis, { name: 'worker-l', codeVersion: 'v', onEvent: (e) => events.push(e) });
      try {
        const s = storedSweep('wire-chunk.db', 2);
        s.db.close();
        for (const [k, data, problem] of [
          [0, { sweepId: s.id, codeVersion: 'v', def: s.def, units: 'x' }, /units: expected array, received string/],
          [1, { sweepId: s.id, codeVersion: 'v', def: { ...s.def, paths: -1 }, units: [0] }, /def\.paths: /],
          [2, null, /: data: expected object, received null/],
        ] as const) {
          await queue.add('chunk', data, { jobId: `${s.id}.edit.${k}` });
          const failed = await waitFor(
            'the edited chunk to fail',
            async () => {
              const job = await queue.getJob(`${s.id}.edit.${k}`);
              return job?.failedReason ? job : null;
            },
            20_000,
          );
          expect(failed.failedReason).toMatch(new RegExp(`^worker worker-l: chunk job "${s.id}\\.edit\\.${k}": `));
          expect(failed.failedReason).toMatch(problem);
          expect(failed.failedReason).toMatch(/chunk refused, nothing computed$/);
          expect(failed.progress).toBe(0);
          expect(failed.attemptsMade).toBe(1);
        }
        expect(events.map((e) => e.kind)).toEqual(['chunk-refused', 'chunk-refused', 'chunk-refused']);
      } finally {
        await w.close();
        await queue.close();
        redis.disconnect();
      }
    }, 120_000);

    it('a worker runs each chunk on the scenario it carries, not the first chunk of its sweep', async () => {
      const url = `redis://127.0.0.1:${port}/10`;
      const redis = await connectRedis(url, () => {});
      const queue = chunkQueue(10);
      const events: WorkerEvent[] = [];
      const w = startSweepWorker(redis, { name: 'worker-m', codeVersion: 'v', onEvent: (e) => events.push(e) });
      const s = storedSweep('wire-def.db', 2);
      s.db.close();
      const results = new Queue<{ results: Array<{ path: { digest: string } }> }>(resultsQueueName(s.id), {
        connection: { host: '127.0.0.1', port, db: 10, maxRetriesPerRequest: null },
      });
      try {
        // The same sweep id, the second chunk's scenario edited (a valid shape, a wilder market).
        const edited = { ...s.def, yaml: s.def.yaml.replace('volatility: 1.0', 'volatility: 40.0') };
        expect(edited.yaml).not.toBe(s.def.yaml);
        await queue.add('chunk', { sweepId: s.id, codeVersion: 'v', def: s.def, units: [0] }, { jobId: `${s.id}.d.0` });
        await waitFor('the first chunk done', () => events.some((e) => e.kind === 'chunk-done') || null, 30_000);
        await queue.add(
          'chunk',
          { sweepId: s.id, codeVersion: 'v', def: edited, units: [0] },
          { jobId: `${s.id}.d.1` },
        );
        await waitFor(
          'the second chunk done',
          () => events.filter((e) => e.kind === 'chunk-done').length === 2 || null,
          30_000,
        );
        const jobs = await results.getJobs(['waiting', 'active', 'completed', 'delayed', 'failed']);
        const digests = jobs.map((j) => j.data.results[0]?.path.digest).sort();
        const want = [s.runner.run(0).path.digest, new SweepUnitRunner(edited).run(0).path.digest].sort();
        expect(want[0]).not.toBe(want[1]);
        expect(digests).toEqual(want);
      } finally {
        await w.close();
        await results.close();
        await queue.close();
        redis.disconnect();
      }
    }, 120_000);

    /**
     * A queued sweep of 300 paths in chunks of 3 on a Redis of its own (which the test stops, and
     * may start again empty on the same port with `restart`), with one worker, once its first few
     * paths are stored. Enough paths that the sweep is still running when Redis goes, however late
     * the poll sees the first ones stored (30 could all be done by then on a loaded machine).
     */
    const sweepOnOwnRedis = async (name: string, workerName: string, extraArgs: readonly string[] = []) => {
      const ownPort = await freePort();
      const data = fs.mkdtempSync(path.join(dir, `redis-${name}-`));
      const own = { redis: spawnRedis(REDIS_SERVER as string, ownPort, data) };
      try {
        await waitFor('the own redis-server to answer', () => redisAnswers(ownPort));
        const url = `redis://127.0.0.1:${ownPort}`;
        const db = path.join(dir, `${name}.db`);
        const paths = 300;
        const args = ['--paths', String(paths), '--chunk', '3', ...extraArgs, '--queue', url, '--db', db];
        const coordinator = execsim(['sweep', SCENARIO, ...args]);
        others.push(coordinator);
        const sweepId = await waitFor('the sweep to be stored', () => sweepIdOf(coordinator));
        const w = execsim(['worker', '--queue', url, '--lock-ms', '1500', '--name', workerName]);
        workers.push(w);
        await waitFor('a few paths stored', () => readDone(db, sweepId) >= 3);
        const restart = async (): Promise<void> => {
          own.redis = spawnRedis(REDIS_SERVER as string, ownPort, data);
          await waitFor('the own redis-server to answer again', () => redisAnswers(ownPort));
        };
        return { own, restart, url, db, paths, coordinator, sweepId, worker: w };
      } catch (err) {
        own.redis.kill('SIGKILL');
        throw err;
      }
    };

    it('Redis stopping mid-sweep: the coordinator and a worker stopped then say so once and exit in bounded time; a resume on the emptied Redis stores every path once', async () => {
      const {
        own,
        restart,
        url,
        db,
        paths,
        coordinator,
        sweepId,
        worker: w,
      } = await sweepOnOwnRedis('outage', 'worker-m');
      try {
        own.redis.kill('SIGKILL');
        await waitFor(
          'both to see Redis gone',
          // The first error a client sees depends on timing (a reset connection, or a refused
          // reconnect), and only that first one is reported.
          () => [coordinator, w].every((p) => /: retrying until it answers/.test(p.stderr)),
          20_000,
        );
        coordinator.child.kill('SIGINT');
        w.child.kill('SIGTERM');
        // Without bounds both waited for ever on commands queued for a Redis that is not there.
        expect((await exitOf(coordinator, 20_000)).code, coordinator.stderr).toBe(130);
        expect((await exitOf(w, 20_000)).code, w.stderr).toBe(0);
        for (const p of [coordinator, w]) {
          // The outage once, not once per retry, and no stack traces.
          expect(p.stderr.match(/retrying until it answers/g)).toHaveLength(1);
          expect(p.stderr).not.toMatch(/\n\s+at /);
        }
        expect(coordinator.stderr).toMatch(/Redis did not answer within 5 s while stopping/);
        expect(w.stderr).toMatch(/Redis did not answer within 5 s while stopping/);
        const stopped = storedRows(db, sweepId);
        expect(stopped.sweep?.status).toBe('interrupted');

        // Redis back, empty: what was on it is gone; the resume enqueues every path not stored.
        await restart();
        workers.push(execsim(['worker', '--queue', url, '--lock-ms', '1500', '--name', 'worker-n']));
        const resumed = execsim(['sweep', '--resume', sweepId, '--queue', url, '--db', db, '--json']);
        others.push(resumed);
        expect((await exitOf(resumed)).code, resumed.stderr).toBe(0);
        const { sweepId: again, ...report } = JSON.parse(resumed.stdout) as { sweepId: string };
        expect(again).toBe(sweepId);
        expect(report).toEqual(localSweep(paths));
        const rows = storedRows(db, sweepId);
        expect(rows.sweep).toEqual({ status: 'finished', paths_done: paths, paths_requested: paths });
        expect(rows.paths).toEqual(range(paths));
      } finally {
        own.redis.kill('SIGKILL');
      }
    }, 180_000);

    it('Redis restarted empty mid-sweep: the coordinator enqueues again what was lost and finishes with every path once', async () => {
      const { own, restart, db, paths, coordinator, sweepId } = await sweepOnOwnRedis('restart', 'worker-o', [
        '--json',
      ]);
      try {
        own.redis.kill('SIGKILL');
        await waitFor(
          'the coordinator to see Redis gone',
          () => /retrying until it answers/.test(coordinator.stderr),
          20_000,
        );
        await restart();
        // Without looking again after the reconnect, the coordinator waited for ever for chunks
        // that were no longer anywhere.
        const { code } = await exitOf(coordinator, 60_000);
        expect(code, coordinator.stderr).toBe(0);
        expect(coordinator.stderr).toMatch(/connected again/);
        expect(coordinator.stderr).toMatch(
          /\d+ paths were no longer on the queue after Redis came back: enqueued again/,
        );
        const { sweepId: again, ...report } = JSON.parse(coordinator.stdout) as { sweepId: string };
        expect(again).toBe(sweepId);
        expect(report).toEqual(localSweep(paths));
        const rows = storedRows(db, sweepId);
        expect(rows.sweep).toEqual({ status: 'finished', paths_done: paths, paths_requested: paths });
        expect(rows.paths).toEqual(range(paths));
        expect(rows.units).toEqual(range(paths));
      } finally {
        own.redis.kill('SIGKILL');
      }
    }, 180_000);

    /** A local grid sweep, stored in its own database: its --json text, sweep id and database. */
    // Ranked by drawdown (not the default): the queued report must rank as the local one does.
    const GRID_ARGS = ['--paths', '4', '--seed', '5', '--grid', 'twap.slices=5,10', '--rank', 'drawdown', '--json'];
    const GRID_UNITS = 8;
    let localGrid: Promise<{ text: string; sweepId: string; db: string }> | undefined;
    const localGridSweep = () =>
      (localGrid ??= (async () => {
        const db = path.join(dir, 'grid-local.db');
        const p = execsim(['sweep', SCENARIO, ...GRID_ARGS, '--workers', '1', '--store', '--db', db]);
        const { code } = await exitOf(p);
        expect(code, p.stderr).toBe(0);
        return { text: p.stdout, sweepId: (JSON.parse(p.stdout) as { sweepId: string }).sweepId, db };
      })());
    /** A --json report with its sweep id taken out, as text. */
    const withoutId = (text: string, sweepId: string): string => {
      expect(text).toContain(`,"sweepId":"${sweepId}"}`);
      return text.replace(`,"sweepId":"${sweepId}"}`, '}');
    };
    /** A stored sweep as the read model gives it, without what differs between two runs of it. */
    const readBack = (db: string, sweepId: string) => {
      const handle = openExistingDatabase(db, 'read');
      try {
        const detail = getSweep(handle, sweepId);
        const rows = [...(sweepPaths(handle, sweepId, { limit: 100 })?.items ?? [])].sort((a, b) => a.path - b.path);
        if (!detail) throw new Error(`sweep ${sweepId} is not in ${db}`);
        const { id, createdAt, startedAt, finishedAt, ...rest } = detail;
        expect([id, typeof createdAt, typeof startedAt, typeof finishedAt]).toEqual([
          sweepId,
          'string',
          'string',
          'string',
        ]);
        return { ...rest, rows };
      } finally {
        handle.close();
      }
    };

    it('the report of a queued sweep says it ran through the queue on the workers that returned results', async () => {
      const url = `redis://127.0.0.1:${port}/10`;
      const db = path.join(dir, 'two-workers.db');
      const coordinator = execsim(['sweep', SCENARIO, '--paths', '36', '--chunk', '12', '--queue', url, '--db', db]);
      others.push(coordinator);
      const queue = chunkQueue(10);
      try {
        // Worker k is alone: it takes the first of the three chunks and is stopped (SIGSTOP)
        // part-way through it, so the other two can only be run by worker l. Its lock of a minute
        // outlasts the pause: the chunk stays worker k's, which finishes it once continued. Three
        // results jobs from two workers: the report counts workers, not jobs.
        const k = execsim(['worker', '--queue', url, '--lock-ms', '60000', '--name', 'worker-k']);
        workers.push(k);
        await waitFor('worker k to be part-way through a chunk', async () => {
          for (const job of await queue.getActive()) {
            const done = Number(job.progress);
            if (done >= 1 && done <= 6) return job.id;
          }
          return null;
        });
        k.child.kill('SIGSTOP');
        const l = worker(10, 'worker-l');
        await waitFor('worker l to run the other two chunks', () => l.stderr.split(': 12 paths done').length === 3);
        k.child.kill('SIGCONT');
        const { code } = await exitOf(coordinator);
        expect(code, coordinator.stderr).toBe(0);
        // Worker k's line about its chunk is written after it posts the results the coordinator
        // finished on: it may reach this process a moment after the coordinator's exit.
        await waitFor('worker k to say its chunk is done', () => /: 12 paths done/.test(k.stderr), 20_000);
        expect(k.stderr).toMatch(/: 12 paths done/);
        const [first] = coordinator.stdout.split('\n');
        expect(first).toMatch(
          /^sweep twap-calm: 36 paths, seeds derived from \d+, \d+\.\d s wall through the queue on 2 workers; stored as sweep sweep-/,
        );
      } finally {
        await queue.close();
      }
    }, 180_000);

    it('a grid sweep on two workers prints, byte for byte, and stores what the local grid sweep does', async () => {
      const url = `redis://127.0.0.1:${port}/5`;
      const db = path.join(dir, 'grid-queued.db');
      const local = localGridSweep();
      worker(5, 'worker-g');
      worker(5, 'worker-h');
      const coordinator = execsim(['sweep', SCENARIO, ...GRID_ARGS, '--chunk', '2', '--queue', url, '--db', db]);
      others.push(coordinator);
      const { code } = await exitOf(coordinator);
      expect(code, coordinator.stderr).toBe(0);
      const { sweepId } = JSON.parse(coordinator.stdout) as { sweepId: string };
      const { text, sweepId: localId, db: localDb } = await local;
      expect(withoutId(coordinator.stdout, sweepId)).toBe(withoutId(text, localId));
      expect((JSON.parse(text) as { grid: { points: unknown[] } }).grid.points).toHaveLength(2);
      expect((JSON.parse(coordinator.stdout) as { grid: { rank: { by: string } } }).grid.rank.by).toBe('drawdown');
      const rows = storedRows(db, sweepId);
      expect(rows.sweep).toEqual({ status: 'finished', paths_done: GRID_UNITS, paths_requested: GRID_UNITS });
      expect(rows.paths).toEqual(range(GRID_UNITS));
      expect(rows.units).toEqual(range(GRID_UNITS));
      // Read back: the grid, every point's statistics and report, every row with its point.
      const queued = readBack(db, sweepId);
      expect(queued.grid).toEqual([{ key: 'twap.slices', values: ['5', '10'] }]);
      expect(queued.gridReport).not.toBeNull();
      expect(queued.rows.map((r) => r.point)).toEqual(range(GRID_UNITS).map((u) => u % 2));
      expect(queued).toEqual(readBack(localDb, localId));
    }, 180_000);

    it('a grid sweep stopped by SIGINT resumes with its grid and prints what the local grid sweep does', async () => {
      const url = `redis://127.0.0.1:${port}/6`;
      const db = path.join(dir, 'grid-resume.db');
      const local = localGridSweep();
      const coordinator = execsim(['sweep', SCENARIO, ...GRID_ARGS, '--chunk', '2', '--queue', url, '--db', db]);
      others.push(coordinator);
      const sweepId = await waitFor('the sweep to be stored', () => sweepIdOf(coordinator));
      const a = worker(6, 'worker-i');
      await waitFor('a chunk stored', () => readDone(db, sweepId) >= 2);
      a.child.kill('SIGKILL');
      await exitOf(a);
      coordinator.child.kill('SIGINT');
      expect((await exitOf(coordinator)).code).toBe(130);
      const stopped = storedRows(db, sweepId);
      expect(stopped.sweep?.status).toBe('interrupted');
      expect(stopped.units.length).toBeLessThan(GRID_UNITS);

      worker(6, 'worker-j');
      const resumed = execsim([
        'sweep',
        '--resume',
        sweepId,
        '--rank',
        'drawdown',
        '--queue',
        url,
        '--db',
        db,
        '--json',
      ]);
      others.push(resumed);
      const { code } = await exitOf(resumed);
      expect(code, resumed.stderr).toBe(0);
      const { text, sweepId: localId, db: localDb } = await local;
      expect(withoutId(resumed.stdout, sweepId)).toBe(withoutId(text, localId));
      const rows = storedRows(db, sweepId);
      expect(rows.sweep).toEqual({ status: 'finished', paths_done: GRID_UNITS, paths_requested: GRID_UNITS });
      expect(rows.paths).toEqual(range(GRID_UNITS));
      expect(rows.units).toEqual(range(GRID_UNITS));
      expect(readBack(db, sweepId)).toEqual(readBack(localDb, localId));
    }, 180_000);
  },
);
