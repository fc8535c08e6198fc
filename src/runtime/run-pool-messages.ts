// What a RunPool and its worker threads say to each other, and what the pool tells its
// listeners about one run. Plain data: it crosses the thread boundary by structured clone.

/** One run to execute: a scenario file, or a scenario's YAML text with the name it goes by. */
export interface PoolJob {
  readonly runId: string;
  readonly name: string;
  readonly file?: string;
  readonly yaml?: string;
  readonly seed?: number;
}

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
  | { readonly type: 'idle'; readonly runId: string };

/** What a listener of one run hears: its life in order, each with a sequence number (the SSE id,
 *  so a reconnecting client resumes after the last one it saw). */
export type RunUpdate = { readonly id: number; readonly runId: string } & RunUpdateBody;

/** A run update without its numbering. */
export type RunUpdateBody =
  | { readonly type: 'queued'; readonly position: number }
  | DistributiveOmit<
      Extract<WorkerMessage, { type: 'started' | 'progress' | 'finished' | 'failed' | 'interrupted' }>,
      'runId'
    >;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Updates that end a run: nothing follows them. */
export const FINAL_UPDATES: ReadonlySet<RunUpdate['type']> = new Set(['finished', 'failed', 'interrupted']);
