// A queued sweep with 2 `execsim worker` processes against the same sweep run locally on one
// thread: paths per wall second, CPU per path (the local process; the coordinator and the workers
// for the queued one, workers read from /proc), and the same per-path digests. Starts its own
// redis-server on a free local port (no persistence) and stops it; without redis-server it says
// so and exits. Workers start before the timing (they wait on the queue) and both sides get a
// short warm-up sweep first.
// Run: npm run bench:queue [-- --paths N] [-- --scenario FILE]
import { Queue } from 'bullmq';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { codeVersion } from '../src/store/code-version.ts';
import { coordinateSweep, defaultChunk } from '../src/sweep/queue/coordinator.ts';
import { CHUNK_QUEUE, connectRedis } from '../src/sweep/queue/protocol.ts';
import { redisAnswers, spawnRedis } from '../test/support/redis.ts';
import { newSweep, newSweepId } from '../src/sweep/sweep-recorder.ts';
import type { SweepDefinition } from '../src/sweep/sweep-units.ts';
import { runSweep, type SweepResult } from '../src/sweep/sweep.ts';
import { loadScenarioSource, type ScenarioSource } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { QueuedSweepStore } from '../src/store/queued-sweep-store.ts';
import { SweepStore } from '../src/store/sweep-store.ts';
import { freePort } from '../test/support/free-port.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'execsim.js');
const TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU in 1/100 s

const { values } = parseArgs({
  options: {
    paths: { type: 'string', default: '200' },
    scenario: { type: 'string', default: 'scenarios/twap-calm.yaml' },
  },
});
const PATHS = Number(values.paths);

const redisServer = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
if (redisServer === '') {
  console.log('queue bench: redis-server is not installed (apt-get install redis-server): not run');
  process.exit(0);
}

async function until(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function procCpu(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const ownCpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-queue-bench-'));
const port = await freePort();
const redisProc = spawnRedis(redisServer, port, dir);
const workers: ChildProcess[] = [];
try {
  const url = `redis://127.0.0.1:${port}`;
  await until('redis-server', () => redisAnswers(port));
  const source = loadScenarioSource(values.scenario);
  const redis = await connectRedis(url, (err) => console.error(err.message));
  for (let i = 0; i < 2; i++) {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env['NODE_OPTIONS'];
    workers.push(spawn(process.execPath, [BIN, 'worker', '--queue', url], { cwd: ROOT, env, stdio: 'ignore' }));
  }
  const chunks = new Queue(CHUNK_QUEUE, { connection: redis });
  await until('2 workers on the queue', async () => (await chunks.getWorkersCount()) >= 2);
  await chunks.close();

  const db = openDatabase(path.join(dir, 'bench.db'));
  const queued = async (
    paths: number,
  ): Promise<{ result: SweepResult; wallMs: number; coordCpu: number; workerCpu: number }> => {
    const id = newSweepId();
    const seed = source.loaded.scenario.seed;
    new SweepStore(db).create(newSweep(id, source, seed, paths));
    const def: SweepDefinition = { file: source.loaded.file, yaml: source.text, seed, paths, grid: [] };
    const store = new QueuedSweepStore(db);
    const w0 = workers.reduce((s, w) => s + procCpu(w.pid as number), 0);
    const c0 = ownCpu();
    const t0 = performance.now();
    const outcome = await coordinateSweep({
      redis,
      store,
      sweepId: id,
      scenario: source.loaded.scenario.name,
      def,
      codeVersion: codeVersion(),
      chunk: defaultChunk(paths),
    });
    const wallMs = performance.now() - t0;
    const coordCpu = ownCpu() - c0;
    const workerCpu = workers.reduce((s, w) => s + procCpu(w.pid as number), 0) - w0;
    if (outcome.kind !== 'finished') throw new Error(`queued sweep ${outcome.kind}: ${JSON.stringify(outcome)}`);
    return { result: outcome.result, wallMs, coordCpu, workerCpu };
  };
  const local = (paths: number, s: ScenarioSource): { result: SweepResult; wallMs: number; cpu: number } => {
    const c0 = ownCpu();
    const t0 = performance.now();
    const result = runSweep(s.loaded, { paths });
    return { result, wallMs: performance.now() - t0, cpu: ownCpu() - c0 };
  };

  local(8, source);
  await queued(8);
  const l = local(PATHS, source);
  const q = await queued(PATHS);
  const same = JSON.stringify(l.result) === JSON.stringify(q.result);
  db.close();
  redis.disconnect();

  const [load1, load5, load15] = os.loadavg().map((x) => x.toFixed(2));
  const cpus = os.cpus();
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores, node ${process.version}; load average ${load1}, ${load5}, ${load15}`,
  );
  console.log(
    `queued sweep vs local: ${source.loaded.scenario.name}, ${PATHS} paths, chunk ${defaultChunk(PATHS)} paths`,
  );
  const rate = (ms: number): string => (PATHS / (ms / 1000)).toFixed(1);
  console.log(
    `  local, 1 thread           ${rate(l.wallMs).padStart(8)} paths/s  wall ${(l.wallMs / 1000).toFixed(2)} s, CPU ${((l.cpu * 1000) / PATHS).toFixed(1)} ms/path`,
  );
  console.log(
    `  queue, 2 worker processes ${rate(q.wallMs).padStart(8)} paths/s  wall ${(q.wallMs / 1000).toFixed(2)} s, CPU workers ${((q.workerCpu * 1000) / PATHS).toFixed(1)} ms/path + coordinator ${((q.coordCpu * 1000) / PATHS).toFixed(1)} ms/path`,
  );
  console.log(
    `  speed-up ${(l.wallMs / q.wallMs).toFixed(2)}x; same paths and summary as local: ${same ? 'yes' : 'NO'}`,
  );
  if (!same) process.exitCode = 1;
} finally {
  for (const w of workers) w.kill('SIGKILL');
  redisProc.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
}
