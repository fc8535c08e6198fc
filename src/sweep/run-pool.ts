// Runs scenarios and sweeps on worker threads, several at once behind one FIFO queue, so a server
// stays responsive. Every job's life is a numbered list of updates, so a listener that joins late
// or reconnects (Last-Event-ID) gets what it missed.
// Cancelling, and which rows the pool itself writes:
// docs/0070-store-service-and-cli-notes.md#srcsweeprun-poolts.
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openDatabase } from '../store/open-database.ts';
import { RunStore } from '../store/run-store.ts';
import { SweepStore } from '../store/sweep-store.ts';
import { storeUnstartedRun } from './run-pool-unstarted.ts';
import {
  FINAL_UPDATES,
  type PoolJob,
  type PoolMessage,
  type RunUpdate,
  type RunUpdateBody,
  type SweepJob,
  type SweepUpdate,
  type SweepUpdateBody,
  type WorkerMessage,
} from './run-pool-messages.ts';
import type { ScenarioSource } from '../scenario/load-scenario.ts';
import { newSweep } from './sweep-recorder.ts';
import { GridError, type GridAxis } from './sweep-grid.ts';
import { ScenarioGrid } from './scenario-grid.ts';
import { parseScenario, ScenarioError } from '../scenario/load-scenario.ts';

export type { PoolJob, RunUpdate, SweepJob, SweepUpdate } from './run-pool-messages.ts';

export interface RunPoolOptions {
  readonly dbPath: string;
  /** Worker threads (jobs at once). */
  readonly size: number;
  /** Progress updates kept per job for late listeners (the last ones; other updates are all kept). */
  readonly keepProgress?: number;
  /** Finished jobs whose updates are kept (the oldest are forgotten first). */
  readonly keepRuns?: number;
  /** Hears every update of every run (metrics, logs). */
  readonly onUpdate?: (u: RunUpdate | SweepUpdate) => void;
}

/** A sweep to submit: a parsed scenario with its text, the sweep seed (default the scenario's),
 *  the number of paths (per grid point) and the grid's axes (none: a plain sweep). The submitter
 * *  checks the grid first (checkSweepGrid): a grid that cannot run fails the sweep in its
 *  worker, after its row is stored. */
export interface SweepSubmission {
  readonly sweepId: string;
  readonly source: ScenarioSource;
  readonly seed?: number;
  readonly paths: number;
  readonly grid?: readonly GridAxis[];
}

/** What asking for a sweep path's drill-down run came to. */
export type PathRerun =
  /** `again`: the path's re-run still queued or running on this pool, answered instead of a second. */
  | {
      readonly kind: 'submitted';
      readonly runId: string;
      readonly seed: number;
      readonly digest: string | null;
      readonly again: boolean;
    }
  | { readonly kind: 'no-sweep' }
  | { readonly kind: 'no-path' }
  /** The stored scenario (or its grid point) does not load here, e.g. a replay file it names is
   *  gone: nothing was submitted or recorded. */
  | { readonly kind: 'unloadable'; readonly error: ScenarioError | GridError };

type Kind = 'run' | 'sweep';
type Update = RunUpdate | SweepUpdate;
type UpdateBody = RunUpdateBody | SweepUpdateBody;
type Listener = (u: Update) => void;

interface Queued {
  readonly id: string;
  readonly message: PoolMessage;
  /** When it was submitted (ISO-8601): a run dropped from the queue is stored as of then. */
  readonly submittedAt: string;
}

interface Slot {
  readonly worker: Worker;
  job: Queued | null;
  /** Called when the worker is done with its job (close() waits for it). */
  onIdle: (() => void) | null;
}

interface History {
  readonly kind: Kind;
  readonly updates: Update[];
  next: number;
  done: boolean;
}

export class RunPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private readonly histories = new Map<string, History>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;
  private connection: Database.Database | null = null;
  private sweepRows: SweepStore | null = null;
  private runRows: RunStore | null = null;

  constructor(private readonly options: RunPoolOptions) {
    if (!Number.isSafeInteger(options.size) || options.size < 1)
      throw new Error(`RunPool: size must be at least 1, got ${options.size}`);
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  /** Jobs waiting for a worker, and jobs running. */
  get load(): { queued: number; running: number; workers: number } {
    return {
      queued: this.queue.length,
      running: this.slots.filter((s) => s.job !== null).length,
      workers: this.slots.length,
    };
  }

  /** Queues a run; its updates start with 'queued'. The run id must be new. */
  submit(job: PoolJob): void {
    this.enqueue('run', job.runId, { type: 'run', job });
  }

  /** Stores the sweep as queued and queues it; its updates start with 'queued'. The id must be new. */
  submitSweep(s: SweepSubmission): void {
    this.refuseSubmission(s.sweepId);
    const seed = s.seed ?? s.source.loaded.scenario.seed;
    const grid = s.grid ?? [];
    this.sweepStore().queue(newSweep(s.sweepId, s.source, seed, s.paths, grid));
    const job: SweepJob = {
      sweepId: s.sweepId,
      file: s.source.loaded.file,
      yaml: s.source.text,
      seed,
      paths: s.paths,
      grid,
    };
    this.enqueue('sweep', s.sweepId, { type: 'sweep', job });
  }

  /**
   * Re-runs path `index` of a stored sweep as a full, stored run (same scenario text, same seed,
   * so the same digest) and records the run's id on the path row. The run goes through the queue
   * like any other; its id is new unless given. The scenario is loaded here first: one that no
   * longer loads (a replay file moved, a grid value the schema now refuses) is refused before
   * anything is queued or recorded on the path. While the path's last re-run is queued or running
   * here, asking again answers that run (a second click, a retried request) instead of another.
   */
  rerunSweepPath(sweepId: string, index: number, runId = `run-${randomUUID()}`): PathRerun {
    const source = this.sweepStore().pathSource(sweepId, index);
    if (source.kind !== 'found') return source;
    const path = source;
    const last = source.runId;
    if (last !== null && (this.state(last) === 'queued' || this.state(last) === 'running'))
      return { kind: 'submitted', runId: last, seed: path.seed, digest: path.digest, again: true };
    let yaml: string;
    try {
      const base = parseScenario(source.yaml, source.file);
      // A grid sweep's path runs its grid point's scenario.
      yaml =
        source.grid === null ? source.yaml : new ScenarioGrid(source.yaml, base, source.grid).pointText(source.point);
    } catch (err) {
      if (err instanceof ScenarioError || err instanceof GridError) return { kind: 'unloadable', error: err };
      throw err;
    }
    this.submit({ runId, name: source.file, yaml, seed: source.seed, sweepId });
    this.sweepStore().setPathRun(sweepId, index, runId);
    return { kind: 'submitted', runId, seed: path.seed, digest: path.digest, again: false };
  }

  /** Whether the pool knows the job (run or sweep), and where it is. */
  state(id: string): 'queued' | 'running' | 'done' | null {
    const h = this.histories.get(id);
    if (!h) return null;
    if (h.done) return 'done';
    return this.queue.some((j) => j.id === id) ? 'queued' : 'running';
  }

  /** Whether `id` is a run or a sweep of this pool. */
  kindOf(id: string): Kind | null {
    return this.histories.get(id)?.kind ?? null;
  }

  /** Cancels a queued job (it never starts) or a running one (it stops and is stored interrupted). */
  cancel(id: string): 'cancelled' | 'already_done' | 'unknown' {
    const h = this.histories.get(id);
    if (!h) return 'unknown';
    if (h.done) return 'already_done';
    const queued = this.queue.findIndex((j) => j.id === id);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      this.dropQueued(job as Queued, h.kind, 'cancelled before it started');
      return 'cancelled';
    }
    this.slots.find((s) => s.job?.id === id)?.worker.postMessage({ type: 'cancel', jobId: id } satisfies PoolMessage);
    return 'cancelled';
  }

  /**
   * Forgets a run whose stored row was deleted: its listeners hear a last update, `deleted`, and
   * nothing after it; its kept updates and listeners are dropped, so that it is unknown from then
   * on (state null), and what its worker still reports is ignored. A job still queued is dropped
   * (nothing is stored for it) and a running one is cancelled: the store refuses to delete a run
   * still being written, so this is a run already ending. A sweep or an unknown id: no-op.
   */
  forget(runId: string): void {
    const h = this.histories.get(runId);
    if (!h || h.kind !== 'run') return;
    const queued = this.queue.findIndex((j) => j.id === runId);
    if (queued >= 0) this.queue.splice(queued, 1);
    else if (!h.done)
      this.slots
        .find((s) => s.job?.id === runId)
        ?.worker.postMessage({ type: 'cancel', jobId: runId } satisfies PoolMessage);
    const u: RunUpdate = { type: 'deleted', id: h.next++, runId };
    this.histories.delete(runId);
    const listeners = this.listeners.get(runId) ?? [];
    this.listeners.delete(runId);
    this.options.onUpdate?.(u);
    for (const l of listeners) l(u);
  }

  /** The run's updates after `afterId` (0: all kept), then every new one until it ends; returns
   *  the unsubscribe function. Null when the pool does not know the run. */
  follow(runId: string, afterId: number, listener: (u: RunUpdate) => void): (() => void) | null {
    return this.subscribe(runId, 'run', afterId, listener as Listener);
  }

  /** The sweep's updates after `afterId`, as follow() gives a run's. */
  followSweep(sweepId: string, afterId: number, listener: (u: SweepUpdate) => void): (() => void) | null {
    return this.subscribe(sweepId, 'sweep', afterId, listener as Listener);
  }

  /** Stops taking jobs, cancels what runs (stored as interrupted) and ends the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0))
      this.dropQueued(job, this.histories.get(job.id)?.kind ?? 'run', 'the server stopped before it started');
    const running = this.slots.filter((s) => s.job !== null);
    await Promise.all(
      running.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.onIdle = resolve;
            s.worker.postMessage({ type: 'cancel', jobId: s.job?.id ?? '' } satisfies PoolMessage);
          }),
      ),
    );
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.connection?.close();
    this.connection = null;
    this.sweepRows = null;
    this.runRows = null;
  }

  private refuseSubmission(id: string): void {
    if (this.closed) throw new Error('RunPool is closed');
    if (this.histories.has(id)) throw new Error(`job ${id} was submitted before`);
  }

  private enqueue(kind: Kind, id: string, message: PoolMessage): void {
    this.refuseSubmission(id);
    this.histories.set(id, { kind, updates: [], next: 1, done: false });
    this.queue.push({ id, message, submittedAt: new Date().toISOString() });
    this.emit(id, { type: 'queued', position: this.queue.length });
    this.dispatch();
  }

  /** A job taken off the queue before it started: a sweep's row is marked interrupted, a run is
   *  stored as interrupted (no events), before its stream says so. A run whose scenario no
   *  longer loads (its file removed since) cannot be stored: its stream says it failed. */
  private dropQueued(job: Queued, kind: Kind, reason: string): void {
    const { id, message } = job;
    if (kind === 'sweep') {
      this.sweepStore().endQueued(id, 'interrupted', reason, new Date().toISOString());
      this.emit(id, { type: 'interrupted', done: 0 });
      return;
    }
    if (message.type !== 'run') throw new Error(`job ${id}: a run queued as a ${message.type}`);
    try {
      storeUnstartedRun(this.runStore(), message.job, reason, job.submittedAt);
    } catch (err) {
      this.emit(id, { type: 'failed', error: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.emit(id, { type: 'interrupted' });
  }

  private subscribe(id: string, kind: Kind, afterId: number, listener: Listener): (() => void) | null {
    const h = this.histories.get(id);
    if (!h || h.kind !== kind) return null;
    for (const u of h.updates) if (u.id > afterId) listener(u);
    if (h.done) return () => {};
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** The pool's own connection, for sweep rows and unstarted runs (opened on first use). */
  private db(): Database.Database {
    return (this.connection ??= openDatabase(this.options.dbPath));
  }

  private sweepStore(): SweepStore {
    return (this.sweepRows ??= new SweepStore(this.db()));
  }

  private runStore(): RunStore {
    return (this.runRows ??= new RunStore(this.db()));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('../boot/run-worker-boot.js', import.meta.url), {
      workerData: { dbPath: this.options.dbPath },
    });
    const slot: Slot = { worker, job: null, onIdle: null };
    worker.on('message', (m: WorkerMessage) => this.onWorker(slot, m));
    worker.on('error', (err) => {
      // A worker that dies takes its job with it: the job failed; a fresh worker takes its place.
      const job = slot.job;
      if (job) this.workerDied(job, err);
      slot.job = null;
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
      this.dispatch();
    });
    return slot;
  }

  private workerDied(job: Queued, err: Error): void {
    const error = `worker failed: ${err.message}`;
    if (this.histories.get(job.id)?.kind !== 'sweep') {
      this.emit(job.id, { type: 'failed', error });
      return;
    }
    const db = this.sweepStore().db;
    const at = new Date().toISOString();
    db.prepare(
      `UPDATE sweeps SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status IN ('queued', 'running')`,
    ).run(error, at, job.id);
    const row = db.prepare('SELECT paths_done FROM sweeps WHERE id = ?').get(job.id) as
      { paths_done: number } | undefined;
    this.emit(job.id, { type: 'failed', error, done: row?.paths_done ?? 0 });
  }

  private onWorker(slot: Slot, m: WorkerMessage): void {
    if (m.type === 'idle') {
      slot.job = null;
      slot.onIdle?.();
      slot.onIdle = null;
      this.dispatch();
      return;
    }
    if (m.type === 'sweep-update') {
      this.emit(m.sweepId, m.update);
      return;
    }
    const { runId, ...body } = m;
    this.emit(runId, body as RunUpdateBody);
  }

  private dispatch(): void {
    if (this.closed) return;
    for (const slot of this.slots) {
      if (slot.job !== null) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      slot.worker.postMessage(job.message);
    }
  }

  private emit(id: string, body: UpdateBody): void {
    const h = this.histories.get(id);
    if (!h || h.done) return;
    const u = (
      h.kind === 'run' ? { ...body, id: h.next++, runId: id } : { ...body, id: h.next++, sweepId: id }
    ) as Update;
    h.updates.push(u);
    this.trim(h);
    if (FINAL_UPDATES.has(u.type)) h.done = true;
    this.options.onUpdate?.(u);
    for (const l of this.listeners.get(id) ?? []) l(u);
    if (h.done) {
      this.listeners.delete(id);
      this.forgetOld();
    }
  }

  /** Keeps the newest progress updates only: a long job sends thousands. */
  private trim(h: History): void {
    const keep = this.options.keepProgress ?? 100;
    let progress = 0;
    for (const u of h.updates) if (u.type === 'progress') progress++;
    if (progress <= keep) return;
    const i = h.updates.findIndex((u) => u.type === 'progress');
    h.updates.splice(i, 1);
  }

  private forgetOld(): void {
    const keep = this.options.keepRuns ?? 1_000;
    const done = [...this.histories].filter(([, h]) => h.done);
    for (const [id] of done.slice(0, Math.max(0, done.length - keep))) this.histories.delete(id);
  }
}
