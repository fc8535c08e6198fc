// Runs a sweep's units on worker threads (or, with one worker, in this thread) and hands the
// results to the caller in unit order, whatever order they finish in: the caller sees exactly the
// sequence a single-threaded sweep produces, so its statistics, its stored rows and its output are
// the same whatever the number of workers.
//
// Units go out in chunks of consecutive units, handed to whichever worker is free (dynamic: a slow
// chunk does not hold the others back). A chunk's results come back in one message; results that
// arrive ahead of an earlier unfinished chunk wait until it is in. A path whose run throws stops
// the handing out; the chunks already out finish, every unit before the failing one is handed to
// the caller, then the sweep fails with that path's SweepPathError (the lowest failing unit, as a
// single thread would meet it first). A worker thread that throws or exits fails the sweep with a
// SweepWorkerError naming the worker and the units it had. An abort (Ctrl-C) terminates the
// workers at once; the caller has had every unit before the first unfinished one.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { SweepPathError } from './sweep.ts';
import { SweepUnitRunner, unitCount, type SweepDefinition, type UnitResult } from './sweep-units.ts';

/** A message to a sweep worker: run units from..to-1, or stop. */
export type SweepThreadRequest =
  { readonly type: 'chunk'; readonly from: number; readonly to: number } | { readonly type: 'stop' };

/** A sweep worker's answer: ready (its runner is built), a chunk's results, or the results
 *  before a path whose run threw and that path's failure. */
export type SweepThreadReply =
  | { readonly type: 'ready' }
  | { readonly type: 'results'; readonly results: readonly UnitResult[] }
  | {
      readonly type: 'path-error';
      readonly results: readonly UnitResult[];
      readonly unit: number;
      readonly path: number;
      readonly seed: number;
      readonly point: number;
      readonly label: string | null;
      readonly cause: string;
    };

/** A worker thread that failed (threw outside a path, or exited): the sweep cannot go on. */
export class SweepWorkerError extends Error {
  override readonly name = 'SweepWorkerError';
}

/** The default number of workers: every core. */
export const defaultWorkers = (): number => availableParallelism();

/** The most workers a sweep may start. */
export const MAX_WORKERS = 256;

export interface UnitSweepOptions {
  /** Worker threads; 1 runs the units in this thread. */
  readonly workers: number;
  /** Units per chunk; default: about 16 chunks per worker, from 1 to 64 units each. */
  readonly chunkUnits?: number;
  /** A runner of the definition already built (the in-thread run uses it). */
  readonly runner?: SweepUnitRunner;
  /** Each unit's result, in unit order, with how many are done of how many. */
  readonly onUnit?: (r: UnitResult, done: number, total: number) => void;
  /** Stops the sweep: the workers are terminated and the sweep ends as interrupted. */
  readonly signal?: AbortSignal;
  /** The worker's boot file (tests substitute a faulty worker). */
  readonly bootFile?: URL;
}

export type UnitSweepEnd =
  | { readonly kind: 'finished'; readonly units: number }
  | { readonly kind: 'interrupted'; readonly units: number; readonly reason: string };

const reasonOf = (signal: AbortSignal): string =>
  signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');

/** The chunk size for `units` over `workers`. */
export function chunkSize(units: number, workers: number): number {
  return Math.max(1, Math.min(64, Math.floor(units / (workers * 16))));
}

/** Runs every unit of `def`; resolves when all are handed to onUnit (finished) or the signal
 *  stopped it (interrupted); rejects with SweepPathError or SweepWorkerError. */
export function runSweepUnits(def: SweepDefinition, options: UnitSweepOptions): Promise<UnitSweepEnd> {
  const { workers } = options;
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    throw new RangeError(`workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  return workers === 1 ? runInThread(def, options) : runOnThreads(def, options);
}

/** How long the in-thread runner goes before letting the event loop run (signals, I/O). */
const YIELD_MS = 25;

async function runInThread(def: SweepDefinition, options: UnitSweepOptions): Promise<UnitSweepEnd> {
  const runner = options.runner ?? new SweepUnitRunner(def);
  const total = runner.units;
  let since = performance.now();
  for (let u = 0; u < total; u++) {
    if (performance.now() - since >= YIELD_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
    if (options.signal?.aborted) return { kind: 'interrupted', units: u, reason: reasonOf(options.signal) };
    options.onUnit?.(runner.run(u), u + 1, total);
  }
  return { kind: 'finished', units: total };
}

interface Thread {
  readonly index: number;
  readonly worker: Worker;
  /** The chunk it is running, or null. */
  chunk: { from: number; to: number } | null;
}

function runOnThreads(def: SweepDefinition, options: UnitSweepOptions): Promise<UnitSweepEnd> {
  const total = unitCount(def);
  const size = options.chunkUnits ?? chunkSize(total, options.workers);
  const threadCount = Math.min(options.workers, Math.ceil(total / size));
  const boot = options.bootFile ?? new URL('./sweep-worker-boot.js', import.meta.url);

  return new Promise<UnitSweepEnd>((resolve, reject) => {
    const threads: Thread[] = [];
    const waiting = new Map<number, UnitResult>();
    let nextChunk = 0;
    let emitted = 0;
    let failure: { unit: number; error: SweepPathError } | null = null;
    let settled = false;

    const settle = (end: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const t of threads) void t.worker.terminate();
      end();
    };
    const fail = (err: unknown): void => settle(() => reject(err));

    const emit = (limit: number): void => {
      for (let r = waiting.get(emitted); r !== undefined && emitted < limit; r = waiting.get(emitted)) {
        waiting.delete(emitted);
        emitted++;
        options.onUnit?.(r, emitted, total);
      }
    };

    const dispatch = (t: Thread): void => {
      if (failure !== null || nextChunk >= total) {
        t.chunk = null;
        return;
      }
      t.chunk = { from: nextChunk, to: Math.min(total, nextChunk + size) };
      nextChunk = t.chunk.to;
      t.worker.postMessage({ type: 'chunk', ...t.chunk } satisfies SweepThreadRequest);
    };

    const afterChunk = (): void => {
      if (failure !== null) {
        if (threads.some((t) => t.chunk !== null)) return;
        emit(failure.unit);
        const error = failure.error;
        settle(() => reject(error));
        return;
      }
      emit(total);
      if (emitted === total) settle(() => resolve({ kind: 'finished', units: total }));
    };

    const onMessage = (t: Thread, m: SweepThreadReply): void => {
      if (settled) return;
      try {
        if (m.type === 'ready') {
          dispatch(t);
          return;
        }
        for (const r of m.results) waiting.set(r.unit, r);
        if (m.type === 'path-error' && (failure === null || m.unit < failure.unit)) {
          const error = new SweepPathError(m.path, m.seed, new Error(m.cause), m.point, m.unit, m.label);
          failure = { unit: m.unit, error };
        }
        dispatch(t);
        afterChunk();
      } catch (err) {
        // The caller's onUnit threw (a store that went away): the sweep stops with that.
        fail(err);
      }
    };

    const onAbort = (): void => {
      const reason = options.signal ? reasonOf(options.signal) : 'aborted';
      settle(() => resolve({ kind: 'interrupted', units: emitted, reason }));
    };
    if (options.signal?.aborted) {
      resolve({ kind: 'interrupted', units: 0, reason: reasonOf(options.signal) });
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    const unitsOf = (t: Thread): string => (t.chunk ? `units ${t.chunk.from}..${t.chunk.to - 1}` : 'no units');
    for (let i = 0; i < threadCount; i++) {
      const worker = new Worker(boot, { workerData: { def } });
      const t: Thread = { index: i, worker, chunk: null };
      threads.push(t);
      worker.on('message', (m: SweepThreadReply) => onMessage(t, m));
      worker.on('error', (err) =>
        fail(new SweepWorkerError(`sweep worker thread ${i + 1} failed (${unitsOf(t)}): ${err.message}`)),
      );
      worker.on('messageerror', (err) =>
        fail(new SweepWorkerError(`sweep worker thread ${i + 1} sent a message that cannot be read: ${err.message}`)),
      );
      worker.on('exit', (code) =>
        fail(new SweepWorkerError(`sweep worker thread ${i + 1} exited with code ${code} (${unitsOf(t)})`)),
      );
    }
  });
}
