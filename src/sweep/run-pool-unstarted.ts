// A run taken off the pool's queue before any worker started it (cancelled while queued, or the
// server stopping): stored as interrupted, with no events, so that what its progress stream says
// ("interrupted") is what the store says, and the run is listed, shown and its id looked up like
// any run that was stopped. Its row is the one a worker would have written on starting it (the
// same scenario, seed and code version), marked interrupted in the same transaction.
import type { RunStore } from '../store/run-store.ts';
import { backtestRunRow } from '../runtime/backtest-run.ts';
import { loadJobScenario, type PoolJob } from './run-pool-messages.ts';

/**
 * Stores `job` as interrupted with `reason`, submitted at `submittedAt` (its started_at: a
 * list ordered by start shows it where it was asked for). Throws what loading its scenario
 * throws (a scenario file removed since it was queued): nothing is stored then.
 */
export function storeUnstartedRun(store: RunStore, job: PoolJob, reason: string, submittedAt: string): void {
  const loaded = loadJobScenario(job);
  const at = new Date().toISOString();
  store.db.transaction(() => {
    store.createRun(backtestRunRow(loaded, job.runId, job.seed ?? loaded.scenario.seed, submittedAt, job.sweepId));
    store.interruptRun(job.runId, reason, at);
  })();
}
