// A worker thread that runs scenarios for a RunPool, off the server's event loop: it takes one job
// at a time from its parent, runs it through runScenarioAsync into the SQLite store, and reports
// its life as messages (started, progress, finished, failed, interrupted). A cancel message aborts
// the job's run at its next chunk boundary; the store marks it interrupted. Each worker opens its
// own database connection (WAL: one writer at a time, the busy timeout queues the others).
import { parentPort, workerData } from 'node:worker_threads';
import { RunInterrupted, runScenarioAsync } from './backtest-run.ts';
import { loadScenarioFile, parseScenario } from '../scenario/load-scenario.ts';
import { openDatabase } from '../store/open-database.ts';
import { RunStore } from '../store/run-store.ts';
import type { PoolJob, WorkerMessage } from './run-pool-messages.ts';

const port = parentPort;
if (!port) throw new Error('run-worker.ts runs as a worker thread of a RunPool');
const { dbPath } = workerData as { dbPath: string };
const store = new RunStore(openDatabase(dbPath));
const running = new Map<string, AbortController>();
const send = (m: WorkerMessage): void => port.postMessage(m);

port.on('message', (m: { type: 'run'; job: PoolJob } | { type: 'cancel'; runId: string }) => {
  if (m.type === 'cancel') running.get(m.runId)?.abort('cancelled');
  else void run(m.job);
});

async function run(job: PoolJob): Promise<void> {
  const stop = new AbortController();
  running.set(job.runId, stop);
  try {
    const loaded = job.yaml !== undefined ? parseScenario(job.yaml, job.name) : loadScenarioFile(job.file as string);
    send({ type: 'started', runId: job.runId, scenario: loaded.scenario.name });
    const report = await runScenarioAsync(loaded, {
      store,
      runId: job.runId,
      signal: stop.signal,
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      onProgress: (p) =>
        send({ type: 'progress', runId: job.runId, simulatedMs: p.simulatedMs, totalMs: p.totalMs, events: p.events }),
    });
    send({ type: 'finished', runId: job.runId, passed: report.passed, digest: report.digest, events: report.events });
  } catch (err) {
    if (err instanceof RunInterrupted) send({ type: 'interrupted', runId: job.runId });
    else send({ type: 'failed', runId: job.runId, error: err instanceof Error ? err.message : String(err) });
  } finally {
    running.delete(job.runId);
    send({ type: 'idle', runId: job.runId });
  }
}
