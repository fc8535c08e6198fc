// A sweep worker: takes chunk jobs from the chunk queue, runs their units one at a time on a
// thread of the sweep's (unit-thread.ts: this event loop stays free while a path runs, so BullMQ
// renews the lock however long the path) and adds the results to the sweep's results queue. A
// chunk from another code version, or one with a unit that throws, fails without retry.
// Redelivery of a dead or stopped worker's chunk: docs/0070-store-service-and-cli-notes.md#srcsweepqueueworkerts.
import { Queue, UnrecoverableError, WaitingError, Worker, type Job } from './bullmq-package.ts';
import type { Redis } from 'ioredis';
import { hostname } from 'node:os';
import { codeVersion as currentCodeVersion } from '../../store/code-version.ts';
import { DEFAULT_LOCK_MS } from './defaults.ts';
import {
  CHUNK_QUEUE,
  resultsQueueName,
  settlesWithin,
  STOP_WAIT_MS,
  type ChunkJob,
  type ResultsJob,
  type WireUnit,
} from './protocol.ts';
import { UnitThread } from './unit-thread.ts';
import { checkChunkJob } from './wire-check.ts';

/** A chunk whose worker died this many times fails (something kills whoever runs it). */
export const MAX_STALLED = 3;

export type WorkerEvent =
  | { readonly kind: 'chunk-done'; readonly jobId: string; readonly sweepId: string; readonly units: number }
  | { readonly kind: 'chunk-refused'; readonly jobId: string; readonly sweepId: string; readonly reason: string }
  | { readonly kind: 'chunk-failed'; readonly jobId: string; readonly sweepId: string; readonly reason: string }
  | { readonly kind: 'error'; readonly message: string };

export interface SweepWorkerOptions {
  /** This worker's name (in job records and refusals); default host:pid. */
  readonly name?: string;
  /** The lock on a running chunk and the stalled-check interval, ms. */
  readonly lockMs?: number;
  /** The code version this worker runs (default: this checkout's). */
  readonly codeVersion?: string;
  readonly onEvent?: (e: WorkerEvent) => void;
  /** The path thread's boot file (tests); default the sweep worker's. */
  readonly threadBootFile?: URL | string;
}

export interface SweepWorker {
  readonly name: string;
  /** Stops taking chunks; a running chunk goes back to the queue after its current unit. */
  close(): Promise<void>;
}

const MAX_RESULT_QUEUES = 8;

export function startSweepWorker(redis: Redis, options: SweepWorkerOptions = {}): SweepWorker {
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const version = options.codeVersion ?? currentCodeVersion();
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  const emit = options.onEvent ?? (() => {});
  const resultQueues = new Map<string, Queue<ResultsJob>>();
  /** The thread running the last chunk's sweep, with the definition it was made for: a chunk is
   *  run on it only when it carries the same definition (a job's data edited in Redis, or a
   *  sweep id reused, gets a thread of its own instead of the first chunk's scenario). */
  let runner: { sweepId: string; defText: string; thread: UnitThread } | null = null;
  let stopping = false;
  // Set when stopping gave up on Redis: the failures of the chunk in hand that follow are the
  // dropped connection's, not the chunk's.
  let abandoned = false;

  const resultsQueue = (sweepId: string): Queue<ResultsJob> => {
    let q = resultQueues.get(sweepId);
    if (!q) {
      q = new Queue<ResultsJob>(resultsQueueName(sweepId), { connection: redis });
      // Without a listener BullMQ prints each error with its stack (while Redis is down, one
      // every retry); the connection's own handler reports the outage.
      q.on('error', () => {});
      resultQueues.set(sweepId, q);
      // A long-lived worker sees many sweeps: keep the few latest queues open.
      for (const [id, old] of resultQueues) {
        if (resultQueues.size <= MAX_RESULT_QUEUES) break;
        resultQueues.delete(id);
        void old.close();
      }
    }
    return q;
  };

  const processor = async (job: Job<ChunkJob>, token?: string): Promise<{ units: number }> => {
    const raw = job.data as unknown;
    const jobId = job.id ?? '';
    // The version first: a chunk from other code may be of another shape, and that is the
    // problem to name. Then the shape (the job's data is whatever is stored in Redis).
    const theirs = (raw as { codeVersion?: unknown } | null)?.codeVersion;
    const sweepOf = (raw as { sweepId?: unknown } | null)?.sweepId;
    const sweepId = typeof sweepOf === 'string' ? sweepOf : (jobId.split('.')[0] ?? '');
    if (typeof theirs === 'string' && theirs !== version) {
      const reason = `worker ${name} runs code version ${version}, the sweep was started on ${theirs}: chunk refused, nothing computed`;
      emit({ kind: 'chunk-refused', jobId, sweepId, reason });
      throw new UnrecoverableError(reason);
    }
    let data: ChunkJob;
    try {
      data = checkChunkJob(jobId, raw);
    } catch (err) {
      const reason = `worker ${name}: ${(err as Error).message}: chunk refused, nothing computed`;
      emit({ kind: 'chunk-refused', jobId, sweepId, reason });
      throw new UnrecoverableError(reason);
    }
    try {
      const defText = JSON.stringify(data.def);
      if (runner?.sweepId !== data.sweepId || runner.defText !== defText) {
        void runner?.thread.close();
        runner = { sweepId: data.sweepId, defText, thread: new UnitThread(data.def, options.threadBootFile) };
      }
      const results: WireUnit[] = [];
      for (const unit of data.units) {
        if (stopping) {
          await job.moveToWait(token);
          throw new WaitingError();
        }
        results.push(await runner.thread.run(unit));
        await job.updateProgress(results.length);
      }
      await resultsQueue(data.sweepId).add(
        'results',
        { sweepId: data.sweepId, chunkJobId: jobId, worker: name, results },
        // The chunk's id: results posted again by a redelivered chunk before the first ones were
        // read are dropped by the queue itself (and by the store's unique key after).
        { jobId, removeOnComplete: true, removeOnFail: true },
      );
      emit({ kind: 'chunk-done', jobId, sweepId: data.sweepId, units: results.length });
      return { units: results.length };
    } catch (err) {
      if (err instanceof WaitingError) throw err;
      const reason = err instanceof Error ? err.message : String(err);
      if (!abandoned) emit({ kind: 'chunk-failed', jobId, sweepId: data.sweepId, reason });
      throw new UnrecoverableError(`worker ${name}: ${reason}`);
    }
  };

  const worker = new Worker<ChunkJob, { units: number }>(CHUNK_QUEUE, processor, {
    connection: redis,
    name,
    concurrency: 1,
    lockDuration: lockMs,
    stalledInterval: lockMs,
    maxStalledCount: MAX_STALLED,
  });
  // The worker's errors while Redis is down are the outage the connection's handler reports
  // once, repeated on every retry: only other errors, and each once in a row, are told.
  let lastError = '';
  worker.on('error', (err) => {
    if (redis.status !== 'ready' || err.message === lastError) return;
    lastError = err.message;
    emit({ kind: 'error', message: err.message });
  });
  worker.on('completed', () => (lastError = ''));

  return {
    name,
    close: async () => {
      stopping = true;
      // Handing the chunk back and closing need Redis, whose commands wait for it to come back:
      // while it is down they would wait forever. Given up after a while, the connections dropped:
      // the chunk in hand is then redelivered as a dead worker's is, once its lock expires.
      const closing = Promise.all([worker.close(), ...[...resultQueues.values()].map((q) => q.close())]);
      const closed = await settlesWithin(closing, STOP_WAIT_MS);
      const thread = runner?.thread;
      runner = null;
      await thread?.close();
      if (closed) return;
      abandoned = true;
      emit({
        kind: 'error',
        message: `Redis did not answer within ${STOP_WAIT_MS / 1000} s while stopping: a chunk in hand was not handed back; it is run again once its lock expires`,
      });
      for (const p of [worker.disconnect(), ...[...resultQueues.values()].map((q) => q.disconnect())])
        void p.catch(() => {});
    },
  };
}
