// What a RunPool and its worker threads say to each other, and what the pool tells its
// listeners about one run or one sweep. Plain data: it crosses the thread boundary by structured
// clone. And how a run job's scenario is read, by a worker that runs it or by the pool storing it
// unstarted.
import { loadScenarioFile, parseScenario, type LoadedScenario } from '../scenario/load-scenario.ts';
import type { GridAxis } from './sweep-grid.ts';

/** One run to execute: a scenario file, or a scenario's YAML text with the name it goes by. */
export interface PoolJob {
  readonly runId: string;
  readonly name: string;
  readonly file?: string;
  readonly yaml?: string;
  readonly seed?: number;
  /** A sweep path re-run for drill-down: the sweep, stored on the run's row. */
  readonly sweepId?: string;
}

/** The job's scenario: its YAML text, or the file it names. */
export function loadJobScenario(job: PoolJob): LoadedScenario {
  return job.yaml !== undefined ? parseScenario(job.yaml, job.name) : loadScenarioFile(job.file as string);
}

/** One sweep to execute: its row is stored (queued) before the job is; the scenario travels as
 *  its text and the file it came from (replay files resolve against it). The fields other than
 *  the id are a sweep definition (sweep-units.ts). */
export interface SweepJob {
  readonly sweepId: string;
  readonly file: string;
  readonly yaml: string;
  /** The sweep seed the path seeds derive from. */
  readonly seed: number;
  /** Paths per grid point. */
  readonly paths: number;
  /** The grid's axes; [] for a plain sweep. */
  readonly grid: readonly GridAxis[];
}

/** What the pool posts to a worker. */
export type PoolMessage =
  | { readonly type: 'run'; readonly job: PoolJob }
  | { readonly type: 'sweep'; readonly job: SweepJob }
  | { readonly type: 'cancel'; readonly jobId: string };

/** A worker's report on the job it runs; `idle` ends every job, whatever happened. */
export type WorkerMessage =
  | { readonly type: 'started'; readonly runId: string; readonly scenario: string }
  | {
      readonly type: 'progress';
      readonly runId: string;
      readonly simulatedMs: number;
      readonly totalMs: number;
      readonly events: number;
    }
  | {
      readonly type: 'finished';
      readonly runId: string;
      readonly passed: boolean;
      readonly digest: string;
      readonly events: number;
    }
  | { readonly type: 'failed'; readonly runId: string; readonly error: string }
  | { readonly type: 'interrupted'; readonly runId: string }
  | { readonly type: 'sweep-update'; readonly sweepId: string; readonly update: SweepUpdateBody }
  | { readonly type: 'idle'; readonly jobId: string };

/** What a listener of one run hears: its life in order, each with a sequence number (the SSE id,
 *  so a reconnecting client resumes after the last one it saw). */
export type RunUpdate = { readonly id: number; readonly runId: string } & RunUpdateBody;

/** A run update without its numbering. `deleted`: the stored run was deleted (the pool forgot it),
 *  the last update a listener hears. */
export type RunUpdateBody =
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'deleted' }
  | DistributiveOmit<
      Extract<WorkerMessage, { type: 'started' | 'progress' | 'finished' | 'failed' | 'interrupted' }>,
      'runId'
    >;

/** What a listener of one sweep hears, numbered as a run's updates are. `done` counts the paths
 *  stored (progress comes once per stored batch, so it never runs ahead of the store); `total`
 *  and `done` count every grid point's paths (units) in a grid sweep. */
export type SweepUpdate = { readonly id: number; readonly sweepId: string } & SweepUpdateBody;

export type SweepUpdateBody =
  | { readonly type: 'queued'; readonly position: number }
  | { readonly type: 'started'; readonly scenario: string; readonly total: number }
  | { readonly type: 'progress'; readonly done: number; readonly total: number }
  | { readonly type: 'finished'; readonly done: number; readonly total: number; readonly passed: number }
  | { readonly type: 'failed'; readonly done: number; readonly error: string }
  | { readonly type: 'interrupted'; readonly done: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Updates that end a run or a sweep: nothing follows them. */
export const FINAL_UPDATES: ReadonlySet<RunUpdate['type'] | SweepUpdate['type']> = new Set([
  'finished',
  'failed',
  'interrupted',
  'deleted',
]);
