// The event sink of a grouped run (a backtest without restarts): whole commit units handed to a
// writer thread (store-writer.ts) so SQLite writes run on another core. On a machine with two or
// fewer cores a process's first grouped run writes in the run's thread instead, since starting the
// thread costs more CPU than the writes. What the run's thread does and when it writes locally:
// docs/0070-store-service-and-cli-notes.md#srcstorethreaded-writerts.
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { LogEntry } from '../core/model/events.ts';
import type { OrderLedger } from '../core/order/order-ledger.ts';
import type { EventSink, LogLine } from '../core/ports/event-sink.ts';
import { PrefoldedRunWriter, unitsFrom } from './prefolded-writer.ts';
import { BlockSealer, type SealedUnits } from './block-sealer.ts';
import { RunCounts } from './run-counts.ts';
import { HEARTBEAT_EVERY_MS, type RunStore, type RunTotals, type StoreRunWriter } from './run-store.ts';
import { SampleBuffer } from './sample-blocks.ts';
import type { StoreWriterMessage, UnitsMessage } from './store-writer.ts';
import { WriterThreadLink } from './writer-thread-link.ts';

/** A run that logged this many events hands its writes to a thread. A short run never starts a
 *  thread: until GROUPED_THREAD_EVENTS are logged or a heartbeat is due, everything stays buffered
 *  here, and a run that ends before that is written here. */
export const GROUPED_THREAD_EVENTS = 4_096;

/** Whole units are handed over once this many lines and samples wait (fewer, larger messages);
 *  the writer thread writes each hand-over in a transaction of its own. */
const POST_EVENTS = 4_096;

/** Whole units written on the run's own thread (no writer thread) are written in transactions
 *  of at least this many lines and samples, or a heartbeat's worth: about 2.5 MB of an
 *  order-heavy run's compressed blocks at most, and a one-hour backtest in one or two
 *  transactions. */
export const LOCAL_BATCH_EVENTS = 65_536;

const NO_BYTES = new Uint8Array(0);

/** The buffer the lines are copied into, reused (grown when it needs more room): POST_EVENTS
 *  lines of a busy run (samples are packed apart). */
const BUFFER_BYTES = 1024 * 1024;

export interface ThreadedWriterOptions {
  /** Events logged before the thread starts (default GROUPED_THREAD_EVENTS). */
  readonly threadEvents?: number;
  /** Whole units are handed over once this many events wait (default POST_EVENTS). */
  readonly postEvents?: number;
  /** The thread writes a transaction once this many events wait (default BATCH_EVENTS). */
  readonly batchEvents?: number;
  /** The thread's boot file (tests substitute a faulty one). */
  readonly bootFile?: URL;
  /** How long the run's end waits for a writer that writes nothing before it fails the run
   *  (default STALL_MS). */
  readonly stallMs?: number;
  /** Whether the units are written on a thread (default: writerThreadPays) or on the run's own
   *  thread. */
  readonly thread?: boolean;
}

/** Grouped runs of this process written on their own thread so far. */
let writtenHere = 0;

/** Whether a writer thread makes a run faster: with a core to spare for it, or once its start is
 *  paid for several runs of the process (the first one wrote on its own thread). */
export const writerThreadPays = (): boolean => availableParallelism() > 2 || writtenHere > 0;

/** Whether a store's runs can be written from a thread: a file another connection can open. */
export const canWriteFromThread = (store: RunStore): boolean =>
  store.db.name !== ':memory:' && store.db.name !== '' && !store.db.readonly;

/** Whole units taken from the buffer: as UnitsMessage, and their blocks when this thread sealed
 *  them (a writer thread is sent the lines instead). */
type TakenUnits = UnitsMessage & { readonly sealed: SealedUnits | null };

/** Units as the writer thread is sent them. */
const onTheWire = ({ sealed: _sealed, ...u }: TakenUnits): UnitsMessage => u;

export class ThreadedRunWriter implements EventSink {
  /** The lines not yet handed over, as UTF-8 (`used` bytes, `count` lines), and where the last
   *  whole unit ends in it. */
  private bytes: Uint8Array = new Uint8Array(BUFFER_BYTES);
  private used = 0;
  private count = 0;
  private unitsEnd = 0;
  private unitsEndByte = 0;
  /** Market samples not yet handed over; the first `samplesEnd` belong to whole units. */
  private readonly samples = new SampleBuffer();
  private samplesEnd = 0;
  private readonly counts = new RunCounts();
  /** Over the lines handed over (when they go as bytes, not as sealed blocks), in order: the run
   *  digest of the stored prefix, recorded with it (runs.log_digest). */
  private readonly logHash = createHash('sha256');
  /** Where the run writes on its own thread (no writer thread pays: writerThreadPays), its lines
   *  go into compressed blocks as the log commits, not into `bytes` (block-sealer.ts). */
  private readonly sealer: BlockSealer | null;
  /** The writer thread's link, once the run is handed to it. */
  private link: WriterThreadLink | null = null;
  /** The writer on the run's own thread, when there is no writer thread (the sealer's). */
  private local: PrefoldedRunWriter | null = null;
  private closed = false;
  private readonly started = Date.now();
  /** When whole units were last handed over. */
  private posted = Date.now();
  private readonly threadEvents: number;
  private readonly postEvents: number;
  /** Events a transaction written on this thread holds (at least; or a heartbeat's worth). */
  private readonly localBatch: number;

  constructor(
    private readonly store: RunStore,
    readonly runId: string,
    private readonly options: ThreadedWriterOptions = {},
  ) {
    this.threadEvents = options.threadEvents ?? GROUPED_THREAD_EVENTS;
    this.postEvents = options.postEvents ?? POST_EVENTS;
    this.localBatch = options.batchEvents ?? LOCAL_BATCH_EVENTS;
    this.sealer = (options.thread ?? writerThreadPays()) ? null : new BlockSealer();
    if (this.sealer) this.bytes = NO_BYTES;
  }

  /** The run's process ledger (the run has one process: a run with restarts is not written from
   *  a thread); the run row's counts are read from it. */
  follow(ledger: OrderLedger): void {
    this.counts.follow(ledger);
  }

  write(entry: LogEntry, line: LogLine): void {
    if (entry.event.kind === 'MarketSampled') this.samples.add(entry.seq, entry.time, entry.event);
    else {
      this.counts.write(entry);
      if (this.sealer) this.sealer.line(entry, line);
      else this.put(line);
      this.count++;
    }
  }

  /** Copies a line's UTF-8 (the log's own bytes) into the buffer. */
  private put(line: LogLine): void {
    let bytes = this.bytes;
    if (bytes.length - this.used < line.byteLength) {
      const larger = new Uint8Array(Math.max(bytes.length * 2, this.used + line.byteLength));
      larger.set(bytes.subarray(0, this.used));
      this.bytes = bytes = larger;
    }
    line.copyTo(bytes, this.used);
    this.used += line.byteLength;
  }

  /** The log committed: a whole unit ends here; handed over once enough are buffered. */
  commit(): void {
    this.unitEnd();
  }

  unitEnd(): void {
    this.wholeUnits();
    const waiting = this.unitsEnd + this.samplesEnd;
    if (this.link) {
      if (waiting >= this.postEvents) this.postUnits();
    } else if (this.local) {
      // Written here, units are taken only when their transaction is due: an order that changes
      // in several units (created as a pending slice, sent, filled) is then one row write, not
      // one per hand-over.
      if (waiting >= this.localBatch) this.postUnits();
    } else if (waiting >= this.threadEvents) this.start();
  }

  /** What was logged so far is whole units. */
  private wholeUnits(strict = true): void {
    this.counts.unitEnd(strict);
    this.sealer?.unitEnd();
    this.unitsEnd = this.count;
    this.unitsEndByte = this.used;
    this.samplesEnd = this.samples.count;
  }

  /** Called while the clock advances: hands over the whole units buffered once a heartbeat
   *  passed since the last hand-over (the thread writes them within its heartbeat), starts the
   *  thread once a heartbeat is due, and throws what the thread failed with. */
  heartbeat(): void {
    if (this.closed) return;
    const now = Date.now();
    if (this.link || this.local) {
      this.link?.checkFailed();
      if (now - this.posted >= HEARTBEAT_EVERY_MS) this.postUnits();
    } else if (now - this.started >= HEARTBEAT_EVERY_MS) this.start();
  }

  /** The last events and the finished run row in one transaction (RunStore.finishRun). */
  finish(totals: RunTotals): void {
    this.wholeUnits();
    this.end(
      (units) => ({ type: 'finish', runId: this.runId, units, totals }),
      (writer) => this.store.finishRun(writer, totals),
    );
  }

  /** Marked interrupted with the whole units logged (RunStore.interruptRun). */
  interrupt(reason: string, at: string): void {
    this.end(
      (units) => ({ type: 'interrupt', runId: this.runId, units, reason, at }),
      (writer) => this.store.interruptRun(this.runId, reason, at, writer),
    );
  }

  /** Marked failed with everything logged (RunStore.failRun): the entry the run failed on is
   *  stored too, without fill rows when its process never applied it. */
  fail(error: string, at: string): void {
    if (this.closed) {
      this.store.failRun(null, this.runId, error, at);
      return;
    }
    this.wholeUnits(false);
    this.end(
      (units) => ({ type: 'fail', runId: this.runId, units, error, at }),
      (writer) => this.store.failRun(writer, this.runId, error, at),
    );
  }

  private end(message: (units: UnitsMessage) => StoreWriterMessage, here: (writer: StoreRunWriter) => void): void {
    if (this.closed) throw new Error(`run ${this.runId}: its store writer has already ended`);
    this.closed = true;
    const units = this.takeUnits(this.link !== null);
    if (!this.link) {
      // Never handed over: written on this thread, as the writer thread would have.
      const writer = this.local ?? new PrefoldedRunWriter(this.store.db, this.runId);
      writer.add(unitsFrom(units.bytes, units.lines, units.samples, units.counts, units.sealed));
      here(writer);
      return;
    }
    this.link.post(message(onTheWire(units)), [units.bytes.buffer as ArrayBuffer, units.samples]);
    this.link.awaitEnd(this.options.stallMs);
  }

  private start(): void {
    if (this.sealer) {
      writtenHere++;
      this.local = new PrefoldedRunWriter(this.store.db, this.runId);
      if (this.unitsEnd + this.samplesEnd >= this.localBatch) this.postUnits();
      return;
    }
    this.link = WriterThreadLink.open(
      {
        runId: this.runId,
        dbPath: this.store.db.name,
        ...(this.options.batchEvents === undefined ? {} : { batchEvents: this.options.batchEvents }),
      },
      this.options.bootFile,
    );
    this.postUnits();
  }

  /** Hands the whole units buffered to the thread (when there are any). */
  private postUnits(): void {
    if (this.local) {
      this.writeHere(this.local);
      return;
    }
    if ((this.unitsEnd === 0 && this.samplesEnd === 0) || !this.link) return;
    const units = this.takeUnits(true);
    this.posted = Date.now();
    this.link.post({ type: 'units', runId: this.runId, ...onTheWire(units) } satisfies StoreWriterMessage, [
      units.bytes.buffer as ArrayBuffer,
      units.samples,
    ]);
  }

  /** The whole units buffered (their sealed blocks), to the writer on this thread, which writes
   *  them with those it holds once LOCAL_BATCH_EVENTS wait or its heartbeat is due (batchEvents
   *  when given). A failed write throws here: the run fails with it. */
  private writeHere(local: PrefoldedRunWriter): void {
    if (this.unitsEnd > 0 || this.samplesEnd > 0) {
      const units = this.takeUnits(false);
      this.posted = Date.now();
      local.add(unitsFrom(units.bytes, units.lines, units.samples, units.counts, units.sealed));
    }
    local.writeIfDue(this.localBatch);
  }

  /** The whole units buffered: their bytes, their samples (copied out, a few KiB) and the counts
   *  they bring the run to. `handOver`: the buffer itself goes with them (transferred, not
   *  copied) and what follows them moves to another, one the writer thread gave back when it
   *  has one (a fresh buffer costs the kernel a page fault and zeroing per 4 KiB as the lines
   *  are copied in); otherwise a view for the run's last write, on this thread. */
  private takeUnits(handOver: boolean): TakenUnits {
    const sealed = this.sealer?.take() ?? null;
    const bytes = this.bytes.subarray(0, this.unitsEndByte);
    if (sealed === null) this.logHash.update(bytes);
    const units: TakenUnits = {
      bytes,
      lines: this.unitsEnd,
      samples: this.samples.copy(this.samplesEnd),
      counts: { ...this.counts.units, logDigest: sealed?.digest ?? this.logHash.copy().digest('hex') },
      sealed,
    };
    const rest = this.used - this.unitsEndByte;
    if (handOver) {
      const next = this.spareBuffer(rest);
      next.set(this.bytes.subarray(this.unitsEndByte, this.used), 0);
      this.bytes = next;
    }
    this.samples.drop(this.samplesEnd);
    this.samplesEnd = 0;
    this.used = rest;
    this.count -= this.unitsEnd;
    this.unitsEndByte = 0;
    this.unitsEnd = 0;
    return units;
  }

  /** A buffer for the lines after a hand-over: a spare the writer thread gave back, or a new one. */
  private spareBuffer(room: number): Uint8Array {
    return this.link?.spare(room) ?? new Uint8Array(Math.max(BUFFER_BYTES, 2 * room));
  }
}
