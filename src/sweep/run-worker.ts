// A worker thread that runs scenarios and sweeps for a RunPool, off the server's event loop,
// one job at a time, reporting its life as messages; it writes to the SQLite store through its own
// connection. How runs, sweeps and cancels go:
// docs/0070-store-service-and-cli-notes.md#srcsweeprun-workerts.
import { homedir } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { RunInterrupted, runScenarioAsync } from '../runtime/backtest-run.ts';
import { parseScenario } from '../scenario/load-scenario.ts';
import { replayCacheDir } from '../scenario/replay-cache-location.ts';
import { openDatabase } from '../store/open-database.ts';
import { RunStore } from '../store/run-store.ts';
import { SweepStore } from '../store/sweep-store.ts';
import { SweepRecorder } from './sweep-recorder.ts';
import { SweepCollector, SweepUnitRunner, type SweepDefinition } from './sweep-units.ts';
import {
  loadJobScenario,
  type PoolJob,
  type PoolMessage,
  type SweepJob,
  type SweepUpdateBody,
  type WorkerMessage,
} from './run-pool-messages.ts';

const port = parentPort;
if (!port) throw new Error('run-worker.ts runs as a worker thread of a RunPool');
const { dbPath } = workerData as { dbPath: string };
const db = openDatabase(dbPath);
// Replays' parsed caches beside the store, as the CLI's runs on it put them.
const replayCache = replayCacheDir(process.env, homedir(), dbPath);
const store = new RunStore(db);
const sweeps = new SweepStore(db);
const running = new Map<string, AbortController>();
const send = (m: WorkerMessage): void => port.postMessage(m);

port.on('message', (m: PoolMessage) => {
  if (m.type === 'cancel') running.get(m.jobId)?.abort('cancelled');
  else if (m.type === 'run') void run(m.job);
  else void sweep(m.job);
});

async function run(job: PoolJob): Promise<void> {
  const stop = new AbortController();
  running.set(job.runId, stop);
  try {
    const loaded = loadJobScenario(job);
    send({ type: 'started', runId: job.runId, scenario: loaded.scenario.name });
    const report = await runScenarioAsync(loaded, {
      store,
      runId: job.runId,
      signal: stop.signal,
      replayCacheDir: replayCache,
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      ...(job.sweepId !== undefined ? { sweepId: job.sweepId } : {}),
      onProgress: (p) =>
        send({ type: 'progress', runId: job.runId, simulatedMs: p.simulatedMs, totalMs: p.totalMs, events: p.events }),
    });
    send({ type: 'finished', runId: job.runId, passed: report.passed, digest: report.digest, events: report.events });
  } catch (err) {
    if (err instanceof RunInterrupted) send({ type: 'interrupted', runId: job.runId });
    else send({ type: 'failed', runId: job.runId, error: err instanceof Error ? err.message : String(err) });
  } finally {
    running.delete(job.runId);
    send({ type: 'idle', jobId: job.runId });
  }
}

async function sweep(job: SweepJob): Promise<void> {
  const stop = new AbortController();
  running.set(job.sweepId, stop);
  const update = (u: SweepUpdateBody) => send({ type: 'sweep-update', sweepId: job.sweepId, update: u });
  let recorder: SweepRecorder | null = null;
  try {
    const def: SweepDefinition = { file: job.file, yaml: job.yaml, seed: job.seed, paths: job.paths, grid: job.grid };
    const loaded = parseScenario(def.yaml, def.file);
    // Every grid point is parsed here, before the sweep is marked started.
    const runner = new SweepUnitRunner(def, loaded, replayCache);
    const total = runner.units;
    sweeps.start(job.sweepId, new Date().toISOString());
    const rec = (recorder = new SweepRecorder(sweeps, job.sweepId));
    const collector = new SweepCollector(def, loaded.scenario.name);
    update({ type: 'started', scenario: loaded.scenario.name, total });
    let passed = 0;
    for (let unit = 0; unit < total; unit++) {
      const r = runner.run(unit);
      collector.add(r);
      if (r.path.passed) passed++;
      if (rec.addUnit(r)) update({ type: 'progress', done: rec.pathsWritten, total });
      // Between units: a cancel that arrived meanwhile is seen here.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (stop.signal.aborted) {
        rec.interrupt(String(stop.signal.reason));
        update({ type: 'interrupted', done: rec.pathsWritten });
        return;
      }
    }
    rec.finish(collector.result());
    update({ type: 'finished', done: rec.pathsWritten, total, passed });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    try {
      if (recorder) recorder.fail(err);
      else sweeps.endQueued(job.sweepId, 'failed', error, new Date().toISOString());
    } catch {
      // The row is gone or ended by someone else: the update below still says what happened.
    }
    update({ type: 'failed', done: recorder?.pathsWritten ?? 0, error });
  } finally {
    running.delete(job.sweepId);
    send({ type: 'idle', jobId: job.sweepId });
  }
}
