// Runs scenarios on worker threads so that a server stays responsive while they run, several at
// once: one job per worker, a FIFO queue in front. Every run's life (queued, started, progress,
// finished, failed, interrupted) is kept as a numbered list of updates, so a listener that joins
// late or reconnects gets what it missed (the SSE stream's Last-Event-ID) and then the rest live.
// A run cancelled while queued never starts; one cancelled while running stops at its next chunk
// boundary and is stored as interrupted. The workers write to the SQLite store themselves.
import { Worker } from 'node:worker_threads';
import {
  FINAL_UPDATES,
  type PoolJob,
  type RunUpdate,
  type RunUpdateBody,
  type WorkerMessage,
} from './run-pool-messages.ts';

export type { PoolJob, RunUpdate } from './run-pool-messages.ts';

export interface RunPoolOptions {
  readonly dbPath: string;
  /** Worker threads (runs at once). */
  readonly size: number;
  /** Progress updates kept per run for late listeners (the last ones; other updates are all kept). */
  readonly keepProgress?: number;
  /** Finished runs whose updates are kept (the oldest are forgotten first). */
  readonly keepRuns?: number;
  /** Hears every update of every run (metrics, logs). */
  readonly onUpdate?: (u: RunUpdate) => void;
}

type Listener = (u: RunUpdate) => void;

interface Slot {
  readonly worker: Worker;
  job: PoolJob | null;
  /** Called when the worker is done with its job (close() waits for it). */
  onIdle: (() => void) | null;
}

interface History {
  readonly updates: RunUpdate[];
  next: number;
  done: boolean;
}

export class RunPool {
  private readonly slots: Slot[] = [];
  private readonly queue: PoolJob[] = [];
  private readonly histories = new Map<string, History>();
  private readonly listeners = new Map<string, Set<Listener>>();
  private closed = false;

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
    if (this.closed) throw new Error('RunPool is closed');
    if (this.histories.has(job.runId)) throw new Error(`run ${job.runId} was submitted before`);
    this.histories.set(job.runId, { updates: [], next: 1, done: false });
    this.queue.push(job);
    this.emit(job.runId, { type: 'queued', position: this.queue.length });
    this.dispatch();
  }

  /** Whether the pool knows the run, and where it is. */
  state(runId: string): 'queued' | 'running' | 'done' | null {
    const h = this.histories.get(runId);
    if (!h) return null;
    if (h.done) return 'done';
    return this.queue.some((j) => j.runId === runId) ? 'queued' : 'running';
  }

  /** Cancels a queued run (it never starts) or a running one (it stops and is stored interrupted). */
  cancel(runId: string): 'cancelled' | 'already_done' | 'unknown' {
    const h = this.histories.get(runId);
    if (!h) return 'unknown';
    if (h.done) return 'already_done';
    const queued = this.queue.findIndex((j) => j.runId === runId);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.emit(runId, { type: 'interrupted' });
      return 'cancelled';
    }
    this.slots.find((s) => s.job?.runId === runId)?.worker.postMessage({ type: 'cancel', runId });
    return 'cancelled';
  }

  /** The run's updates after `afterId` (0: all kept), then every new one until it ends; returns
   *  the unsubscribe function. Null when the pool does not know the run. */
  follow(runId: string, afterId: number, listener: Listener): (() => void) | null {
    const h = this.histories.get(runId);
    if (!h) return null;
    for (const u of h.updates) if (u.id > afterId) listener(u);
    if (h.done) return () => {};
    let set = this.listeners.get(runId);
    if (!set) this.listeners.set(runId, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Stops taking jobs, cancels what runs (stored as interrupted) and ends the workers. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.emit(job.runId, { type: 'interrupted' });
    const running = this.slots.filter((s) => s.job !== null);
    await Promise.all(
      running.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.onIdle = resolve;
            s.worker.postMessage({ type: 'cancel', runId: s.job?.runId });
          }),
      ),
    );
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./run-worker-boot.js', import.meta.url), {
      workerData: { dbPath: this.options.dbPath },
    });
    const slot: Slot = { worker, job: null, onIdle: null };
    worker.on('message', (m: WorkerMessage) => this.onWorker(slot, m));
    worker.on('error', (err) => {
      // A worker that dies takes its job with it: the job failed; a fresh worker takes its place.
      if (slot.job) this.emit(slot.job.runId, { type: 'failed', error: `worker failed: ${err.message}` });
      slot.job = null;
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
      this.dispatch();
    });
    return slot;
  }

  private onWorker(slot: Slot, m: WorkerMessage): void {
    if (m.type === 'idle') {
      slot.job = null;
      slot.onIdle?.();
      slot.onIdle = null;
      this.dispatch();
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
      slot.worker.postMessage({ type: 'run', job });
    }
  }

  private emit(runId: string, body: RunUpdateBody): void {
    const h = this.histories.get(runId);
    if (!h || h.done) return;
    const u = { ...body, id: h.next++, runId } as RunUpdate;
    h.updates.push(u);
    this.trim(h);
    if (FINAL_UPDATES.has(u.type)) h.done = true;
    this.options.onUpdate?.(u);
    for (const l of this.listeners.get(runId) ?? []) l(u);
    if (h.done) {
      this.listeners.delete(runId);
      this.forgetOld();
    }
  }

  /** Keeps the newest progress updates only: a long run sends thousands. */
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
