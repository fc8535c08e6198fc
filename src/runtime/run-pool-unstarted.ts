// A run taken off the pool's queue before any worker started it (cancelled while queued, or the
// server stopping): stored as interrupted, with no events, so that what its progress stream says
// ("interrupted") is what the store says, and the run is listed, shown and its id looked up like
// any run that was stopped. Its row is the one a worker would have written on starting it (the
// same scenario, seed and code version), marked interrupted in the same transaction.
import { loadScenarioFile, parseScenario } from '../scenario/load-scenario.ts';
import { parseUtcInstant } from '../scenario/time-fields.ts';
import type { RunStore } from '../store/run-store.ts';
import { codeVersion } from './code-version.ts';
import type { PoolJob } from './run-pool-messages.ts';

/**
 * Stores `job` as interrupted with `reason`, submitted at `submittedAt` (its started_at: a
 * list ordered by start shows it where it was asked for). Throws what loading its scenario
 * throws (a scenario file removed since it was queued): nothing is stored then.
 */
export function storeUnstartedRun(store: RunStore, job: PoolJob, reason: string, submittedAt: string): void {
  const loaded = job.yaml !== undefined ? parseScenario(job.yaml, job.name) : loadScenarioFile(job.file as string);
  const s = loaded.scenario;
  const at = new Date().toISOString();
  store.db.transaction(() => {
    store.createRun({
      id: job.runId,
      scenarioName: s.name,
      scenarioHash: loaded.hash,
      scenarioJson: loaded.canonical,
      seed: job.seed ?? s.seed,
      codeVersion: codeVersion(),
      startedAt: submittedAt,
      simStart: parseUtcInstant(s.start),
      ...(job.sweepId !== undefined ? { sweepId: job.sweepId } : {}),
    });
    store.interruptRun(job.runId, reason, at);
  })();
}
