// The writer thread of grouped runs (ThreadedRunWriter's other half), shared by its process's runs:
// it takes whole commit units, writes their lines in blocks and folds no log. A run's first error
// stops its writing, so its stored log stays a prefix of whole units. Connections, batches and the
// run's end:
// docs/0070-store-service-and-cli-notes.md#srcstorestore-writerts.
import { parentPort, type MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { openExistingDatabase } from './open-database.ts';
import { PrefoldedRunWriter, unitsFrom } from './prefolded-writer.ts';
import type { UnitCounts } from './run-counts.ts';
import { RunStore, type RunTotals } from './run-store.ts';
import { failureReply, type StoreWriterFailure } from './store-writer-errors.ts';

export interface StoreWriterOpen {
  readonly type: 'open';
  readonly runId: string;
  readonly dbPath: string;
  readonly reply: MessagePort;
  /** Int32 flags: [0] set to 1 and notified once the run's end is answered; [1] units taken. */
  readonly done: SharedArrayBuffer;
  /** Lines and samples written per transaction (default BATCH_EVENTS). */
  readonly batchEvents?: number;
}

/** Lines and samples the thread writes per transaction (and whatever waits once a heartbeat is
 *  due): what it holds back is what the run's end waits for. */
export const BATCH_EVENTS = 4_096;

/** Whole units: `lines` canonical lines as UTF-8 (`bytes`); their market samples packed
 *  (sample-blocks.ts, transferred); and the counts they bring the run to. */
export interface UnitsMessage {
  readonly bytes: Uint8Array;
  readonly lines: number;
  readonly samples: ArrayBuffer;
  readonly counts: UnitCounts;
}

export type StoreWriterMessage =
  | StoreWriterOpen
  | ({ readonly type: 'units'; readonly runId: string } & UnitsMessage)
  | { readonly type: 'finish'; readonly runId: string; readonly units: UnitsMessage; readonly totals: RunTotals }
  | {
      readonly type: 'interrupt';
      readonly runId: string;
      readonly units: UnitsMessage;
      readonly reason: string;
      readonly at: string;
    }
  | {
      readonly type: 'fail';
      readonly runId: string;
      readonly units: UnitsMessage;
      readonly error: string;
      readonly at: string;
    };

/** The run's end done, a failure, or a buffer of lines written and given back for reuse. */
export type StoreWriterReply =
  StoreWriterFailure | { readonly type: 'done' } | { readonly type: 'spare'; readonly bytes: ArrayBuffer };

/** The writer thread's connection checkpoints by itself only once the WAL holds about this many
 *  bytes (10,000 of SQLite's 4 KiB pages; 5,000 of a new file's 8 KiB pages), not at SQLite's
 *  default of 1,000 pages. */
export const CHECKPOINT_BYTES = 40 * 1024 * 1024;

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** One run being written. */
class RunSlot {
  db: Database.Database | null = null;
  store: RunStore | null = null;
  writer: PrefoldedRunWriter | null = null;
  failure: Error | null = null;
  /** The buffers of the units buffered in the writer, given back once they are written. */
  private held: ArrayBuffer[] = [];

  constructor(private readonly open: StoreWriterOpen) {
    try {
      this.db = openExistingDatabase(open.dbPath, 'write');
      // Checkpoints (copying the WAL into the database file, with an fsync) are moved off the
      // run's path: this connection checkpoints only past CHECKPOINT_BYTES (a long run), and
      // once after the run's end is answered (end()). At SQLite's default of 1,000 pages a
      // 46k-event run checkpointed twice while it ran, about 50 ms of the run's wall time.
      const pageBytes = this.db.pragma('page_size', { simple: true }) as number;
      this.db.pragma(`wal_autocheckpoint = ${Math.ceil(CHECKPOINT_BYTES / pageBytes)}`);
      // Every row this connection writes belongs to the run it was opened for, whose row each of
      // its transactions checks (PrefoldedRunWriter): the foreign keys' lookup of the run for
      // every event inserted is not needed (about a twentieth of the inserts' cost).
      this.db.pragma('foreign_keys = OFF');
      this.store = new RunStore(this.db);
      this.writer = new PrefoldedRunWriter(this.db, open.runId);
    } catch (err) {
      this.report(err);
    }
  }

  /** The buffers of lines written and committed go back to the run's thread, which reuses them. */
  private giveBack(): void {
    for (const bytes of this.held)
      this.open.reply.postMessage({ type: 'spare', bytes } satisfies StoreWriterReply, [bytes]);
    this.held = [];
  }

  /** A failure while the run goes on: reported now, thrown by the run's thread at its next check. */
  private report(err: unknown): void {
    this.failure = asError(err);
    this.open.reply.postMessage(failureReply(this.failure, this.open.dbPath) satisfies StoreWriterReply);
  }

  private add(w: PrefoldedRunWriter, u: UnitsMessage): void {
    w.add(unitsFrom(u.bytes, u.lines, u.samples, u.counts));
  }

  units(u: UnitsMessage): void {
    if (this.failure || !this.writer) return;
    try {
      this.add(this.writer, u);
      this.held.push(u.bytes.buffer as ArrayBuffer);
      if (this.writer.writeIfDue(this.open.batchEvents ?? BATCH_EVENTS)) this.giveBack();
      // Progress the run's thread watches while it waits for its end to be answered.
      Atomics.add(new Int32Array(this.open.done), 1, 1);
    } catch (err) {
      this.report(err);
    }
  }

  /** The run's end, answered; the connection closed. */
  end(m: Exclude<StoreWriterMessage, StoreWriterOpen | { type: 'units' }>): void {
    let reply: StoreWriterReply = { type: 'done' };
    try {
      const { store, writer } = this;
      if (!store || !writer) throw this.failure ?? new Error('the store writer did not open its database');
      const live = this.failure ? null : writer;
      if (live) this.add(live, m.units);
      if (m.type === 'interrupt') store.interruptRun(m.runId, m.reason, m.at, live);
      else if (m.type === 'fail') store.failRun(live, m.runId, m.error, m.at);
      else {
        if (this.failure) throw this.failure;
        store.finishRun(writer, m.totals);
      }
    } catch (err) {
      reply = failureReply(err, this.open.dbPath);
    }
    this.open.reply.postMessage(reply);
    this.open.reply.close();
    const flag = new Int32Array(this.open.done);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    // The run has its answer: the WAL is copied into the database now, while the run's thread
    // goes on (PASSIVE: readers and other writers are not waited for; what they hold back is
    // copied by a later checkpoint).
    try {
      this.db?.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // A checkpoint that could not run leaves the WAL as it was: nothing stored changes.
    }
    try {
      this.db?.close();
    } catch {
      // The run has its answer; a failed close changes nothing stored.
    }
  }
}

const port = parentPort;
if (!port) throw new Error('store-writer.ts runs as a worker thread of ThreadedRunWriter');
const runs = new Map<string, RunSlot>();
port.on('message', (m: StoreWriterMessage) => {
  if (m.type === 'open') runs.set(m.runId, new RunSlot(m));
  else if (m.type === 'units') runs.get(m.runId)?.units(m);
  else {
    runs.get(m.runId)?.end(m);
    runs.delete(m.runId);
  }
});
