// The writer thread of grouped runs (ThreadedRunWriter's other half), shared by the runs of its
// process: for each run it opens its own connection to the run's database file and a grouped
// RunWriter, and takes from the run's thread the canonical lines of whole commit units only. Each
// line is turned back into its log entry (as a restart reads the stored log) and written as the
// run's own writer would have written it, so the store ends with the same rows (market samples in
// blocks whose bounds follow this writer's transactions, the same samples in order). The run's end
// (finish, interrupt, fail) comes as one message, is done with the same RunStore call in the same
// transaction as the last events, and is answered on the run's reply port with its flag raised,
// for a run's thread that waits on it synchronously. A run's first error stops its writing and is
// reported; nothing after it is written (its stored log stays a prefix of whole units).
import { parentPort, type MessagePort } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Instrument } from '../core/model/instrument.ts';
import { openExistingDatabase } from '../store/open-database.ts';
import { RunStore, type RunTotals, type RunWriter } from '../store/run-store.ts';
import { SAMPLE_BYTES } from '../store/sample-blocks.ts';
import { entryOfLine } from './log-line.ts';
import { failureReply, type StoreWriterFailure } from './store-writer-errors.ts';

export interface StoreWriterOpen {
  readonly type: 'open';
  readonly runId: string;
  readonly dbPath: string;
  readonly instrument: Instrument;
  readonly reply: MessagePort;
  /** Int32 flag: set to 1 and notified once the run's end is answered. */
  readonly done: SharedArrayBuffer;
  readonly batchEvents?: number;
}

export type StoreWriterMessage =
  | StoreWriterOpen
  /** Whole units: canonical lines as UTF-8, the first `length` bytes of `bytes`, and their market
   *  samples packed (sample-blocks.ts); both transferred. */
  | {
      readonly type: 'units';
      readonly runId: string;
      readonly bytes: ArrayBuffer;
      readonly length: number;
      readonly samples: ArrayBuffer;
    }
  | {
      readonly type: 'finish';
      readonly runId: string;
      readonly tail: string;
      readonly tailSamples: ArrayBuffer;
      readonly totals: RunTotals;
    }
  | { readonly type: 'interrupt'; readonly runId: string; readonly reason: string; readonly at: string }
  | {
      readonly type: 'fail';
      readonly runId: string;
      readonly tail: string;
      readonly tailSamples: ArrayBuffer;
      readonly error: string;
      readonly at: string;
    };

export type StoreWriterReply = StoreWriterFailure | { readonly type: 'done' };

/** The writer thread's connection checkpoints by itself only once the WAL holds this many pages
 *  (about 40 MB at SQLite's 4 KiB pages), not at SQLite's default 1,000. */
export const CHECKPOINT_PAGES = 10_000;

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** One run being written. */
class RunSlot {
  db: Database.Database | null = null;
  store: RunStore | null = null;
  writer: RunWriter | null = null;
  failure: Error | null = null;

  constructor(private readonly open: StoreWriterOpen) {
    try {
      this.db = openExistingDatabase(open.dbPath, 'write');
      // Checkpoints (copying the WAL into the database file, with an fsync) are moved off the
      // run's path: this connection checkpoints only past CHECKPOINT_PAGES (a long run), and
      // once after the run's end is answered (end()). At SQLite's default of 1,000 pages a
      // 46k-event run checkpointed twice while it ran, about 50 ms of the run's wall time.
      this.db.pragma(`wal_autocheckpoint = ${CHECKPOINT_PAGES}`);
      this.store = new RunStore(this.db);
      this.writer = this.store.writer(open.runId, open.instrument, {
        commits: 'grouped',
        ...(open.batchEvents !== undefined ? { batchEvents: open.batchEvents } : {}),
      });
    } catch (err) {
      this.report(err);
    }
  }

  /** A failure while the run goes on: reported now, thrown by the run's thread at its next check. */
  private report(err: unknown): void {
    this.failure = asError(err);
    this.open.reply.postMessage(failureReply(this.failure, this.open.dbPath) satisfies StoreWriterReply);
  }

  /** Writes the lines of `text` (canonical lines, each ending in a newline: JSON escapes any
   *  newline inside a payload). */
  private put(w: RunWriter, text: string, samples: ArrayBuffer): void {
    for (let from = 0; from < text.length;) {
      const to = text.indexOf('\n', from) + 1;
      const line = text.slice(from, to);
      w.write(entryOfLine(line), line);
      from = to;
    }
    w.writeSamples(new Float64Array(samples), samples.byteLength / SAMPLE_BYTES);
  }

  units(text: string, samples: ArrayBuffer): void {
    if (this.failure || !this.writer) return;
    try {
      this.put(this.writer, text, samples);
      this.writer.unitEnd();
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
      if (m.type === 'interrupt') store.interruptRun(m.runId, m.reason, m.at, live);
      else if (m.type === 'fail') {
        if (live) this.put(live, m.tail, m.tailSamples);
        store.failRun(live, m.runId, m.error, m.at);
      } else {
        if (this.failure) throw this.failure;
        this.put(writer, m.tail, m.tailSamples);
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
  else if (m.type === 'units') runs.get(m.runId)?.units(Buffer.from(m.bytes, 0, m.length).toString('utf8'), m.samples);
  else {
    runs.get(m.runId)?.end(m);
    runs.delete(m.runId);
  }
});
