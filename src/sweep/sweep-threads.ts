// Runs a sweep's units on N threads, this one included, and hands the results over in unit order
// whatever order they finish in, so statistics, stored rows and output are those of a
// single-threaded sweep. Chunking and failures (design: docs/0020-sweeps-on-worker-threads.md):
// docs/0070-store-service-and-cli-notes.md#srcsweepsweep-threadsts.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ReplayFileError } from '../scenario/replay-file.ts';
import { SweepPathError } from './sweep.ts';
import { SweepUnitRunner, unitCount, type SweepDefinition, type UnitResult } from './sweep-units.ts';

/** A message to a sweep worker: run units from..to-1. */
export interface SweepThreadRequest {
  readonly type: 'chunk';
  readonly from: number;
  readonly to: number;
}

/** A sweep worker's answer to a chunk: its results, or the results before a path whose run
 *  threw and that path's failure. */
export type SweepThreadReply =
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
      /** The cause was a replay file's content (ReplayFileError): bad input, not a fault. */
      readonly dataProblem: boolean;
    };

/** What a sweep worker starts with (workerData): the sweep, and its end of the channel it gets
 *  chunks on and answers on. */
export interface SweepWorkerData {
  readonly def: SweepDefinition;
  readonly port: MessagePort;
  /** Where a replay's parsed cache lives (UnitSweepOptions.replayCacheDir). */
  readonly replayCacheDir?: string | null;
  /** Answer with the parents' whole reports, not their figures alone: a queue worker's thread,
   *  whose results go on to the coordinator as they are (queue/unit-thread.ts). */
  readonly wholeReports?: boolean;
}

/** A worker thread that failed (threw outside a path, or exited): the sweep cannot go on. */
export class SweepWorkerError extends Error {
  override readonly name = 'SweepWorkerError';
}

/** The default number of threads: every core. */
export const defaultWorkers = (): number => availableParallelism();

/** The most threads a sweep may use. */
export const MAX_WORKERS = 256;

/** The units a sweep runs, one at a time in this thread: a SweepUnitRunner (tests substitute
 *  another). */
export interface SweepUnits {
  readonly units: number;
  run(unit: number): UnitResult;
}

export interface UnitSweepOptions {
  /** Threads that run units, this one included; 1 runs them in this thread alone. */
  readonly workers: number;
  /** Units per chunk handed to a worker thread; default chunkSize's (shrinking near the end). */
  readonly chunkUnits?: number;
  /** A runner of the definition already built (this thread's units run on it). */
  readonly runner?: SweepUnits;
  /** Each unit's result, in unit order, with how many are done of how many. */
  readonly onUnit?: (r: UnitResult, done: number, total: number) => void;
  /** Stops the sweep: the workers are terminated and the sweep ends as interrupted. */
  readonly signal?: AbortSignal;
  /** Where a replay's parsed cache lives, in this thread and every worker (beside the sweep's
   *  store); absent: the environment's, which worker threads inherit. */
  readonly replayCacheDir?: string | null;
  /** The worker's boot file (tests substitute a faulty worker). */
  readonly bootFile?: URL;
  /** Whether the worker threads wait for the sweep to prove long enough (workerPays; the
   *  default) or are handed units at once ('at-once': tests of the threads' hand-over). */
  readonly handOut?: 'when-it-pays' | 'at-once';
}

export type UnitSweepEnd =
  /** `threads`: how many ran units (this one, and the workers if the sweep was long enough to
   *  start them: workerPays). */
  | { readonly kind: 'finished'; readonly units: number; readonly threads: number }
  | { readonly kind: 'interrupted'; readonly units: number; readonly reason: string };

const reasonOf = (signal: AbortSignal): string =>
  signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');

/** The most units in a worker's chunk: about 64 ms of a calm path, one message each way. */
const MAX_CHUNK = 64;

/**
 * Whether a sweep with `leftUnits` still to run is long enough for worker threads, `elapsedMs`
 * after this thread began its units, at `perUnitMs` each (its recent average). A worker thread
 * loads its code (about 0.5 s of CPU on two slow cores), runs its first units cold, many times
 * slower, and compiles its own optimised code on the cores this thread and its compiler use: on
 * two cores 100 one-hour paths took 0.85x the time with a second worker (about 2.5 s of work and
 * 1.8 s of CPU more). So workers are started only once the work left is more than
 * WORKER_PAYS_MS. This thread's first units run cold too and its early estimate runs high (ten
 * times and more for heavy paths), so the bar starts far higher and comes down to
 * WORKER_PAYS_MS as the estimate becomes trustworthy, 5 s in: a sweep of 10,000 calm paths
 * starts its workers after its first unit, 100 one-hour paths never.
 */
export function workerPays(leftUnits: number, perUnitMs: number, elapsedMs: number): boolean {
  if (elapsedMs <= 0) return false;
  const bar = WORKER_PAYS_MS * Math.max(1, TRUSTED_AFTER_MS / elapsedMs);
  return leftUnits * perUnitMs > bar;
}

/** Work left (ms of this thread's time) above which a worker thread pays for its start. */
export const WORKER_PAYS_MS = 3_000;
/** When this thread's estimate of the work left is taken as it stands. */
const TRUSTED_AFTER_MS = 5_000;

/** Chunks a worker thread holds at once: the one it runs and the next, already sent, so it never
 *  waits for this thread to hand it the next. A chunk's results come back in one message, trimmed
 *  to what the caller reads (a parent's figures, not its report with every child); results that
 *  arrive ahead of an earlier unfinished unit wait until it is in. */
const IN_FLIGHT = 2;

/** The chunk to hand out when `left` units are not handed out yet, over `threads` threads, to a
 *  worker that has answered `done` units so far: at most MAX_CHUNK, and a small share of what is
 *  left, so that the last chunks out are short and every thread finishes at about the same time;
 *  and no more than the worker has done (one at first), so a thread that has just started, whose
 *  first units run cold and many times slower, never holds units this thread would have run
 *  sooner (a short sweep was no faster on two threads: the worker sat on a quarter of it). */
export function chunkSize(left: number, threads: number, done = Infinity): number {
  return Math.max(1, Math.min(MAX_CHUNK, Math.floor(left / (threads * 4)), done));
}

/** Runs every unit of `def`; resolves when all are handed to onUnit (finished) or the signal
 *  stopped it (interrupted); rejects with SweepPathError or SweepWorkerError. */
export function runSweepUnits(def: SweepDefinition, options: UnitSweepOptions): Promise<UnitSweepEnd> {
  const { workers } = options;
  if (!Number.isSafeInteger(workers) || workers < 1 || workers > MAX_WORKERS)
    throw new RangeError(`workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  return runOnThreads(def, options);
}

/** How long this thread runs units before letting the event loop run (signals, I/O, a worker's
 *  failure). Between units it takes in what the worker threads sent by a synchronous read of their
 *  ports, with no round trip through the event loop. */
const YIELD_MS = 25;

const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

interface Thread {
  readonly index: number;
  readonly worker: Worker;
  /** This thread's end of the worker's channel. */
  readonly port: MessagePort;
  /** The chunks handed to it and not answered yet, oldest first. */
  readonly chunks: Array<{ from: number; to: number }>;
  /** Units it has answered. */
  done: number;
}

function runOnThreads(def: SweepDefinition, options: UnitSweepOptions): Promise<UnitSweepEnd> {
  const total = unitCount(def);
  const boot = options.bootFile ?? new URL('../boot/sweep-worker-boot.js', import.meta.url);

  return new Promise<UnitSweepEnd>((resolve, reject) => {
    const threads: Thread[] = [];
    const waiting = new Map<number, UnitResult>();
    /** The next unit not handed out (to a worker or to this thread). */
    let next = 0;
    let emitted = 0;
    let failure: { unit: number; error: SweepPathError } | null = null;
    let settled = false;

    const settle = (end: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const t of threads) {
        t.port.close();
        void t.worker.terminate();
      }
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

    const busy = (): boolean => threads.some((t) => t.chunks.length > 0);

    /** Hands out what is still to do, or ends the sweep once everything is in. */
    const progress = (): void => {
      if (failure !== null) {
        // This thread is between units here: only the workers' chunks can still be out.
        if (busy()) return;
        emit(failure.unit);
        const error = failure.error;
        settle(() => reject(error));
        return;
      }
      emit(total);
      if (emitted === total) settle(() => resolve({ kind: 'finished', units: total, threads: 1 + threads.length }));
    };

    const dispatch = (t: Thread): void => {
      while (t.chunks.length < IN_FLIGHT && failure === null && next < total) {
        const size = options.chunkUnits ?? chunkSize(total - next, threads.length + 1, t.done);
        const chunk = { from: next, to: Math.min(total, next + size) };
        next = chunk.to;
        t.chunks.push(chunk);
        t.port.postMessage({ type: 'chunk', ...chunk } satisfies SweepThreadRequest);
      }
    };

    // A path whose run throws stops the handing out; the chunks already out finish, every unit
    // before the failing one is handed to the caller, then the sweep fails with that path's
    // SweepPathError (the lowest failing unit, as a single thread would meet it first).
    const failAt = (unit: number, error: SweepPathError): void => {
      if (failure === null || unit < failure.unit) failure = { unit, error };
    };

    const onReply = (t: Thread, m: SweepThreadReply): void => {
      if (settled) return;
      try {
        t.chunks.shift();
        t.done += m.results.length;
        for (const r of m.results) waiting.set(r.unit, r);
        if (m.type === 'path-error')
          failAt(
            m.unit,
            new SweepPathError(
              m.path,
              m.seed,
              m.dataProblem ? new ReplayFileError(m.cause) : new Error(m.cause),
              m.point,
              m.unit,
              m.label,
            ),
          );
        dispatch(t);
        progress();
      } catch (err) {
        // The caller's onUnit threw (a store that went away): the sweep stops with that.
        fail(err);
      }
    };

    /** Takes in every answer the workers have sent, without waiting for the event loop. */
    const takeReplies = (): void => {
      for (const t of threads) {
        for (let m = receiveMessageOnPort(t.port); m && !settled; m = receiveMessageOnPort(t.port))
          onReply(t, m.message as SweepThreadReply);
      }
    };

    // An abort (Ctrl-C) terminates the workers at once; the caller has had every unit before the
    // first unfinished one.
    const onAbort = (): void => {
      const reason = options.signal ? reasonOf(options.signal) : 'aborted';
      settle(() => resolve({ kind: 'interrupted', units: emitted, reason }));
    };
    if (options.signal?.aborted) {
      resolve({ kind: 'interrupted', units: 0, reason: reasonOf(options.signal) });
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    // The workers, started once the sweep proves long enough for them (workerPays) or at once
    // ('at-once'): each is handed its first chunks as it starts (they wait in its port).
    const unitsOf = (t: Thread): string => {
      const first = t.chunks[0];
      const last = t.chunks[t.chunks.length - 1];
      return first && last ? `units ${first.from}..${last.to - 1}` : 'no units';
    };
    const helpers = Math.min(options.workers - 1, total);
    const startWorkers = (): void => {
      for (let i = 0; i < helpers; i++) {
        const { port1, port2 } = new MessageChannel();
        const worker = new Worker(boot, {
          workerData: {
            def,
            port: port2,
            ...(options.replayCacheDir === undefined ? {} : { replayCacheDir: options.replayCacheDir }),
          } satisfies SweepWorkerData,
          transferList: [port2],
        });
        const t: Thread = { index: i, worker, port: port1, chunks: [], done: 0 };
        threads.push(t);
        port1.on('message', (m: SweepThreadReply) => onReply(t, m));
        port1.on('messageerror', (err) =>
          fail(new SweepWorkerError(`sweep worker thread ${i + 1} sent a message that cannot be read: ${err.message}`)),
        );
        worker.on('error', (err) =>
          fail(new SweepWorkerError(`sweep worker thread ${i + 1} failed (${unitsOf(t)}): ${err.message}`)),
        );
        worker.on('exit', (code) =>
          fail(new SweepWorkerError(`sweep worker thread ${i + 1} exited with code ${code} (${unitsOf(t)})`)),
        );
      }
      for (const t of threads) dispatch(t);
    };
    // Whether the workers are started (workerPays), or to be.
    let started = options.handOut === 'at-once' || helpers === 0;
    if (started) startWorkers();

    // Then this thread's share: a unit at a time while any is left, the workers' answers taken
    // in between. Started on the next turn, so that an abort right after the call is seen first.
    let runner: SweepUnits | null = null;
    /** This thread's time per unit: an exponential average of the latest units. */
    let perUnitMs = 0;
    const runHere = async (): Promise<void> => {
      await nextTurn();
      let since = performance.now();
      const began = since;
      while (!settled && failure === null && next < total) {
        runner ??= options.runner ?? new SweepUnitRunner(def, undefined, options.replayCacheDir);
        const u = next++;
        const unitStart = performance.now();
        try {
          waiting.set(u, runner.run(u));
        } catch (err) {
          if (!(err instanceof SweepPathError)) throw err;
          failAt(u, err);
        }
        if (!started) {
          const now = performance.now();
          perUnitMs = perUnitMs === 0 ? now - unitStart : 0.9 * perUnitMs + 0.1 * (now - unitStart);
          if (workerPays(total - next, perUnitMs, now - began)) {
            started = true;
            startWorkers();
          }
        }
        takeReplies();
        if (settled) return;
        progress();
        if (performance.now() - since >= YIELD_MS) {
          await nextTurn();
          since = performance.now();
        }
      }
      // Nothing left for this thread: the workers' answers come in through their ports' events.
      if (!settled) progress();
    };
    runHere().catch(fail);
  });
}
