// The coordinator of a queued sweep: enqueues the units not yet stored (and not already on the
// queue) as chunk jobs, stores the results that come back on the sweep's results queue (each
// results job in one idempotent transaction, completed only after its commit), and ends when every
// unit is stored, a chunk fails, or it is asked to stop. A resume, and every reconnect to Redis,
// re-enqueues what is neither stored nor on its way, looked at in the order a unit moves (chunks,
// then results, then the store) so that nothing in flight is lost (docs/0022-sweeps-on-bullmq.md).
import { Queue, QueueEvents, UnrecoverableError, Worker, type Job, type JobType } from './bullmq-package.ts';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import type { QueuedSweepStore, StoredUnit } from '../../store/queued-sweep-store.ts';
import { storedPath } from '../sweep-recorder.ts';
import { seedDeriver, type SweepResult } from '../sweep.ts';
import {
  CHUNK_QUEUE,
  chunkJobId,
  resultsQueueName,
  settlesWithin,
  STOP_WAIT_MS,
  type ChunkJob,
  type ResultsJob,
  type WireUnit,
} from './protocol.ts';
import { SweepCollector, unitCount, type StoredUnitResult, type SweepDefinition } from '../sweep-units.ts';
import type { RankField } from '../path-trading.ts';
import { checkChunkJob, checkResultsJob, WireDataError, type SweepIdentity } from './wire-check.ts';

/** How often the coordinator's heartbeat is refreshed while it waits for results. */
const HEARTBEAT_MS = 5_000;

export interface CoordinateOptions {
  readonly redis: Redis;
  readonly store: QueuedSweepStore;
  readonly sweepId: string;
  /** The scenario's name, as the report gives it. */
  readonly scenario: string;
  readonly def: SweepDefinition;
  /** The code version the chunks carry (workers on another one refuse them). */
  readonly codeVersion: string;
  /** Units per chunk job. */
  readonly chunk: number;
  /** Stops the sweep (its status 'interrupted', with the reason given to abort()). */
  readonly signal?: AbortSignal;
  /** After each stored batch and at the start: (paths stored, paths in all). */
  readonly onProgress?: (done: number, total: number) => void;
  /** A job of this sweep found on the queue in another shape than execsim writes, dropped. */
  readonly onWarning?: (message: string) => void;
  /** What a grid sweep's points are ranked by (default: net P&L), as a local sweep's --rank. */
  readonly rank?: RankField;
}

export type CoordinateOutcome =
  | {
      readonly kind: 'finished';
      readonly result: SweepResult;
      readonly enqueued: number;
      /** The workers (by name) whose results this coordinator stored, in the order they first
       *  returned some; empty when every path was stored before it started (a resume). */
      readonly workers: readonly string[];
    }
  | { readonly kind: 'failed'; readonly reason: string; readonly done: number }
  | { readonly kind: 'interrupted'; readonly reason: string; readonly done: number };

/** Default units per chunk: small sweeps still spread over a few workers; big ones pay the
 *  queue's round trips once per 25 paths. */
export function defaultChunk(units: number): number {
  return Math.max(1, Math.min(25, Math.ceil(units / 16)));
}

const LIVE_CHUNK_STATES: JobType[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];
const REMOVABLE_CHUNK_STATES: JobType[] = ['waiting', 'delayed', 'prioritized'];

export async function coordinateSweep(o: CoordinateOptions): Promise<CoordinateOutcome> {
  const { redis, store, sweepId } = o;
  const total = unitCount(o.def);
  const prefix = `${sweepId}.`;
  const chunks = new Queue<ChunkJob>(CHUNK_QUEUE, { connection: redis });
  // Failures are read from the queue's event stream from its current end, taken before any chunk
  // is added: a chunk refused at once is not missed while the reader starts.
  const [lastEvent] = (await redis.xrevrange(chunks.keys['events'] ?? '', '+', '-', 'COUNT', 1)) as Array<
    [string, string[]]
  >;
  const events = new QueueEvents(CHUNK_QUEUE, { connection: redis, lastEventId: lastEvent?.[0] ?? '0-0' });
  const resultsName = resultsQueueName(sweepId);
  const results = new Queue<ResultsJob>(resultsName, { connection: redis });
  let resultsWorker: Worker<ResultsJob> | undefined;
  let heartbeat: NodeJS.Timeout | undefined;
  // Set when Redis did not answer while the coordinator tidied up: closing is not waited for.
  let redisGone = false;
  let stopListening = (): void => {};

  let settle!: (outcome: CoordinateOutcome) => void;
  const ended = new Promise<CoordinateOutcome>((resolve) => (settle = resolve));
  let over = false;
  const end = (outcome: CoordinateOutcome): void => {
    if (over) return;
    over = true;
    settle(outcome);
  };
  const done = (): number => store.pathsDone(sweepId);

  // Each BullMQ client prints an error it has no listener for, stack and all, once per retry while
  // Redis is down; the connection's own handler (connectRedis) has already said Redis is gone.
  chunks.on('error', () => {});
  events.on('error', () => {});
  results.on('error', () => {});
  try {
    await Promise.all([chunks.waitUntilReady(), events.waitUntilReady(), results.waitUntilReady()]);
    events.on('failed', ({ jobId, failedReason }) => {
      if (jobId.startsWith(prefix)) end({ kind: 'failed', reason: failedReason, done: done() });
    });
    const onAbort = (): void => {
      const why = o.signal?.reason;
      end({ kind: 'interrupted', reason: typeof why === 'string' ? why : 'stopped', done: done() });
    };
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });

    // Chunks of an earlier session that failed are dropped: their units are enqueued again.
    for (const job of await chunks.getJobs(['failed'])) {
      if (job.id?.startsWith(prefix)) await job.remove().catch(() => {});
    }
    // A job edited into another shape is dropped (a running one is left to fail when its worker
    // checks it): its units count as not in flight and are enqueued again.
    const identity: SweepIdentity = { sweepId, def: o.def, seedOf: seedDeriver(o.def.seed) };
    const drop = async (job: Job, err: unknown): Promise<void> => {
      if (!(err instanceof WireDataError)) throw err;
      o.onWarning?.(`${err.message}: dropped (the paths not stored are enqueued again)`);
      await job.remove().catch(() => {});
    };
    /** The units neither stored nor on the queue (in a chunk or a results job). */
    const lookForMissing = async (): Promise<number[]> => {
      const inFlight = new Set<number>();
      for (const job of await chunks.getJobs(LIVE_CHUNK_STATES)) {
        if (!job.id?.startsWith(prefix)) continue;
        try {
          for (const u of checkChunkJob(job.id, job.data).units) inFlight.add(u);
        } catch (err) {
          await drop(job, err);
        }
      }
      for (const job of await results.getJobs(LIVE_CHUNK_STATES)) {
        try {
          for (const w of checkResultsJob(job.id, job.data, identity)) inFlight.add(w.unit);
        } catch (err) {
          await drop(job, err);
        }
      }
      const stored = store.storedUnits(sweepId);
      const missing: number[] = [];
      for (let u = 0; u < total; u++) if (!stored.has(u) && !inFlight.has(u)) missing.push(u);
      return missing;
    };
    const session = randomBytes(4).toString('hex');
    let chunkCount = 0;
    let enqueued = 0;
    const enqueue = async (missing: readonly number[]): Promise<void> => {
      const jobs = [];
      for (let k = 0; k * o.chunk < missing.length; k++) {
        const units = missing.slice(k * o.chunk, (k + 1) * o.chunk);
        jobs.push({
          name: 'chunk',
          data: { sweepId, codeVersion: o.codeVersion, def: o.def, units },
          opts: { jobId: chunkJobId(sweepId, session, chunkCount++), removeOnComplete: true, removeOnFail: false },
        });
      }
      enqueued += missing.length;
      if (!over) await chunks.addBulk(jobs);
    };
    const missing = await lookForMissing();
    o.onProgress?.(done(), total);

    // Who ran the paths: each results job names the worker that ran its chunk.
    const workers = new Set<string>();
    const checkDone = (): void => {
      const n = done();
      o.onProgress?.(n, total);
      if (n >= total) end({ kind: 'finished', result: rebuild(store, sweepId, o), enqueued, workers: [...workers] });
    };
    resultsWorker = new Worker<ResultsJob>(
      resultsName,
      async (job: Job<ResultsJob>) => {
        // A results job that is not what a worker of this sweep writes, or a batch the store
        // refuses (the sweep taken over by another coordinator, a database error), ends the sweep
        // with that reason: nothing of the job is stored, and a resume enqueues its units again.
        // (Thrown on, it would only fail the job, unseen, and the sweep would wait forever.)
        let added: number;
        try {
          const units = checkResultsJob(job.id, job.data, identity);
          added = store.storeUnits(sweepId, units.map(toStored), new Date().toISOString());
          workers.add(job.data.worker);
        } catch (err) {
          const reason = err instanceof Error ? err.message : String(err);
          end({ kind: 'failed', reason, done: done() });
          throw new UnrecoverableError(reason);
        }
        checkDone();
        return { added };
      },
      { connection: redis, concurrency: 1, autorun: false },
    );
    resultsWorker.on('error', () => {});
    heartbeat = setInterval(() => store.heartbeat(sweepId, new Date().toISOString()), HEARTBEAT_MS);

    await enqueue(missing);
    // Redis can come back from an outage without what it held (restarted without persistence,
    // flushed, failed over to a replica behind): chunks gone from it would never be run and the
    // sweep would wait for ever. After each reconnect the coordinator looks as a resume does and
    // enqueues the units found nowhere (one looking at a time; a reconnect meanwhile looks again).
    // A unit that was still in a worker's hands may then run twice: its second result is ignored.
    let looking = false;
    let lookAgain = false;
    const onReconnect = (): void => {
      if (over) return;
      if (looking) {
        lookAgain = true;
        return;
      }
      looking = true;
      void (async () => {
        do {
          lookAgain = false;
          const lost = await lookForMissing();
          if (lost.length > 0 && !over) {
            o.onWarning?.(`${lost.length} paths were no longer on the queue after Redis came back: enqueued again`);
            await enqueue(lost);
          }
        } while (lookAgain && !over);
      })()
        .catch(() => {})
        .finally(() => (looking = false));
    };
    redis.on('ready', onReconnect);
    stopListening = () => redis.off('ready', onReconnect);
    void resultsWorker.run().catch(() => {});
    checkDone();

    const outcome = await ended;
    // Tidying up needs Redis, whose commands wait for it to come back: while it is down they
    // would wait forever, and a stopped coordinator would never exit. Given up after a while: the
    // outcome is what it is either way, and what was not tidied is safe to leave (a resume counts
    // chunks still waiting as in flight; a finished sweep's empty results queue is unused).
    const tidy = (async () => {
      await resultsWorker.close();
      if (outcome.kind !== 'finished') await removeWaitingChunks(chunks, prefix);
      if (outcome.kind === 'finished') await results.obliterate({ force: true }).catch(() => {});
    })();
    redisGone = !(await settlesWithin(tidy, STOP_WAIT_MS));
    if (redisGone && outcome.kind !== 'finished')
      o.onWarning?.(
        `Redis did not answer within ${STOP_WAIT_MS / 1000} s while stopping: chunks of this sweep no worker has ` +
          'taken may be left on the queue (workers that run them add their results for a resume)',
      );
    return outcome;
  } finally {
    stopListening();
    clearInterval(heartbeat);
    const closing = Promise.all([resultsWorker?.close(), events.close(), chunks.close(), results.close()]);
    if (redisGone || !(await settlesWithin(closing, STOP_WAIT_MS))) {
      // Redis is not answering: drop the connections instead of waiting on them (the shared one
      // is the caller's, which disconnects it).
      for (const p of [resultsWorker?.disconnect(), events.disconnect()]) void p?.catch(() => {});
    }
  }
}

/** Removes the sweep's chunks no worker has taken (one taken meanwhile is left to finish). */
async function removeWaitingChunks(chunks: Queue<ChunkJob>, prefix: string): Promise<void> {
  for (const job of await chunks.getJobs(REMOVABLE_CHUNK_STATES)) {
    if (job.id?.startsWith(prefix)) await job.remove().catch(() => {});
  }
}

/** A unit's stored form: its result as the report needs it (JSON), and the rows a local sweep
 *  stores for it, numbered by unit with its grid point. */
function toStored(w: WireUnit): StoredUnit {
  const record: StoredUnitResult = {
    point: w.point,
    path: w.path,
    expectations: w.expectations.map((e) => ({ name: e.name, expected: e.expected, pass: e.pass })),
    totals: { shortfallBps: w.path.shortfallBps, fillRatio: w.path.fillRatio },
  };
  return { unit: w.unit, resultJson: JSON.stringify(record), path: storedPath(w.path, w.parents, w.unit, w.point) };
}

/** The sweep's result from its stored units, collected as a local sweep collects its units: the
 *  object a local sweep returns (with the grid report for a grid sweep). */
export function rebuild(
  store: QueuedSweepStore,
  sweepId: string,
  o: Pick<CoordinateOptions, 'scenario' | 'def' | 'rank'>,
): SweepResult {
  const collector = new SweepCollector(o.def, o.scenario);
  for (const text of store.results(sweepId)) collector.addStored(JSON.parse(text) as StoredUnitResult);
  return collector.result(o.rank);
}
