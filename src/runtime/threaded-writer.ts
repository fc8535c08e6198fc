// The event sink of a grouped run (a backtest without restarts) whose SQLite writes run on a
// worker thread (store-writer.ts, one per process, started by the first run that needs it and
// kept for the next ones), on another core while the simulation goes on. The run's thread
// only copies the canonical lines of what the log appends, as UTF-8, into a buffer, and packs
// market samples as numbers (sample-blocks.ts: no line is written for them), and hands whole
// commit units to the writer thread (the buffers are transferred, not copied); the writer turns
// them back into entries and samples and writes them with a grouped RunWriter on its own
// connection, so the store holds what the run's own writer would have written (the same rows; the
// market samples' blocks split where this writer's transactions fall).
// The run's end (finish, interrupt, fail) is one message done there in the same transaction as
// the last events, and the run's thread waits for its answer: a failed write fails the run,
// nothing is lost silently. A crash leaves what the writer had written: whole units, a prefix.
// A short run never starts a thread: until GROUPED_THREAD_EVENTS are logged or a heartbeat is
// due, everything stays buffered here, and a run that ends before that is written here as before.
import { receiveMessageOnPort, MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { LogEntry } from '../core/model/events.ts';
import type { Instrument } from '../core/model/instrument.ts';
import type { EventSink, LogLine } from '../core/ports/event-sink.ts';
import { HEARTBEAT_EVERY_MS, type RunStore, type RunTotals } from '../store/run-store.ts';
import { SampleBuffer } from '../store/sample-blocks.ts';
import { failureError } from './store-writer-errors.ts';
import type { StoreWriterMessage, StoreWriterReply } from './store-writer.ts';

/** A run that logged this many events hands its writes to a thread. */
export const GROUPED_THREAD_EVENTS = 4_096;

/** Whole units are handed over once this many lines and samples wait (fewer, larger messages). */
const POST_EVENTS = 1_024;

/** The writer thread writes what it was handed once this many events wait: each hand-over as it
 *  arrives (a run's own grouped writer waits for GROUP_COMMIT_EVENTS). The thread has the time
 *  while the run goes on, and what it holds back is what the run waits for at its end. */
const THREAD_BATCH_EVENTS = POST_EVENTS;

/** The buffer the lines are copied into after the thread starts (grown when a line needs it):
 *  room for POST_EVENTS lines of a busy run (samples are packed apart). */
const BUFFER_BYTES = 256 * 1024;

export interface ThreadedWriterOptions {
  /** Events logged before the thread starts (default GROUPED_THREAD_EVENTS). */
  readonly threadEvents?: number;
  /** The thread's grouped writer writes once this many events are buffered (default
   *  THREAD_BATCH_EVENTS). */
  readonly batchEvents?: number;
  /** The thread's boot file (tests substitute a faulty one). */
  readonly bootFile?: URL;
  /** How long the run's end waits for a writer that writes nothing before it fails the run
   *  (default STALL_MS). */
  readonly stallMs?: number;
}

/** Whether a store's runs can be written from a thread: a file another connection can open. */
export const canWriteFromThread = (store: RunStore): boolean =>
  store.db.name !== ':memory:' && store.db.name !== '' && !store.db.readonly;

export class ThreadedRunWriter implements EventSink {
  /** Entries and lines kept only until the thread starts (a run that ends before is written
   *  here); once it runs, lines go into `bytes` instead. */
  private entries: LogEntry[] | null = [];
  private lines: string[] | null = [];
  /** How many buffered lines are whole units (the log committed after them). */
  private unitsEnd = 0;
  /** Market samples not yet handed over (before and after the thread starts); the first
   *  `samplesEnd` belong to whole units. */
  private readonly samples = new SampleBuffer();
  private samplesEnd = 0;
  /** Once the thread runs: the lines not yet handed over, as UTF-8 (`used` bytes, `count`
   *  lines), and where the last whole unit ends in it. */
  private bytes: Buffer | null = null;
  private used = 0;
  private count = 0;
  private unitsEndByte = 0;
  private worker: Worker | null = null;
  private reply: MessagePort | null = null;
  private flag: Int32Array | null = null;
  private closed = false;
  private readonly started = Date.now();
  private readonly threadEvents: number;

  constructor(
    private readonly store: RunStore,
    readonly runId: string,
    private readonly instrument: Instrument,
    private readonly options: ThreadedWriterOptions = {},
  ) {
    this.threadEvents = options.threadEvents ?? GROUPED_THREAD_EVENTS;
  }

  write(entry: LogEntry, line: LogLine): void {
    if (entry.event.kind === 'MarketSampled') this.samples.add(entry.seq, entry.time, entry.event);
    else if (this.bytes) this.put(line);
    else {
      this.entries?.push(entry);
      this.lines?.push(line.text());
    }
  }

  /** Copies a line's UTF-8 into the buffer: the log's own bytes as they are, or a line kept as
   *  text before the thread started, encoded. */
  private put(line: LogLine | string): void {
    let bytes = this.bytes as Buffer;
    // UTF-8 takes at most 3 bytes per UTF-16 unit.
    const most = typeof line === 'string' ? line.length * 3 : line.byteLength;
    if (bytes.length - this.used < most) {
      const larger = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, this.used + most));
      bytes.copy(larger, 0, 0, this.used);
      this.bytes = bytes = larger;
    }
    if (typeof line === 'string') this.used += bytes.write(line, this.used, 'utf8');
    else {
      line.copyTo(bytes, this.used);
      this.used += line.byteLength;
    }
    this.count++;
  }

  /** The log committed: a whole unit ends here; handed over once enough are buffered. */
  commit(): void {
    this.unitEnd();
  }

  unitEnd(): void {
    this.samplesEnd = this.samples.count;
    if (this.bytes) {
      this.unitsEnd = this.count;
      this.unitsEndByte = this.used;
      if (this.unitsEnd + this.samplesEnd >= POST_EVENTS) this.postUnits();
    } else {
      this.unitsEnd = (this.lines as string[]).length;
      if (this.unitsEnd + this.samplesEnd >= this.threadEvents) this.start();
    }
  }

  /** Called while the clock advances: hands over the whole units buffered (the thread writes
   *  them within its heartbeat), starts the thread once a heartbeat is due, and throws what the
   *  thread failed with. */
  heartbeat(): void {
    if (this.closed) return;
    if (this.worker) {
      this.checkFailed();
      this.postUnits();
    } else if (Date.now() - this.started >= HEARTBEAT_EVERY_MS) this.start();
  }

  /** The last events and the finished run row in one transaction (RunStore.finishRun). */
  finish(totals: RunTotals): void {
    this.end(
      (tail, tailSamples) => ({ type: 'finish', runId: this.runId, tail, tailSamples, totals }),
      (writer) => this.store.finishRun(writer, totals),
    );
  }

  /** Marked interrupted with the whole units logged (RunStore.interruptRun). */
  interrupt(reason: string, at: string): void {
    this.end(
      () => ({ type: 'interrupt', runId: this.runId, reason, at }),
      (writer) => this.store.interruptRun(this.runId, reason, at, writer),
    );
  }

  /** Marked failed with everything logged (RunStore.failRun). */
  fail(error: string, at: string): void {
    if (this.closed) {
      this.store.failRun(null, this.runId, error, at);
      return;
    }
    this.end(
      (tail, tailSamples) => ({ type: 'fail', runId: this.runId, tail, tailSamples, error, at }),
      (writer) => this.store.failRun(writer, this.runId, error, at),
    );
  }

  private end(
    message: (tail: string, tailSamples: ArrayBuffer) => StoreWriterMessage,
    here: (writer: ReturnType<RunStore['writer']>) => void,
  ): void {
    if (this.closed) throw new Error(`run ${this.runId}: its store writer has already ended`);
    this.closed = true;
    if (!this.worker || !this.reply || !this.flag || !this.bytes) {
      // Never handed over: written on this thread, as a grouped writer would have.
      const writer = this.store.writer(this.runId, this.instrument, { commits: 'grouped', batchEvents: Infinity });
      const entries = this.entries as LogEntry[];
      const lines = this.lines as string[];
      const samples = this.samples;
      for (let i = 0; i < this.unitsEnd; i++) writer.write(entries[i] as LogEntry, lines[i] as string);
      writer.writeSamples(samples.values, this.samplesEnd);
      writer.unitEnd();
      for (let i = this.unitsEnd; i < entries.length; i++) writer.write(entries[i] as LogEntry, lines[i] as string);
      samples.drop(this.samplesEnd);
      writer.writeSamples(samples.values, samples.count);
      here(writer);
      return;
    }
    this.postUnits();
    const tailSamples = this.samples.copy(this.samples.count);
    this.worker.postMessage(message(this.bytes.toString('utf8', 0, this.used), tailSamples), [tailSamples]);
    this.bytes = null;
    // Its answer is the last message on the run's port (an error reported while it ran comes first).
    // Bounded by progress, not by time: a writer behind by a long backlog keeps writing units, but
    // one that stopped (its thread died outside a handler) must fail the run, not hang it.
    let progress = Atomics.load(this.flag, 1);
    let still = 0;
    while (Atomics.load(this.flag, 0) === 0) {
      if (Atomics.wait(this.flag, 0, 0, WAIT_SLICE_MS) !== 'timed-out') continue;
      const now = Atomics.load(this.flag, 1);
      still = now === progress ? still + WAIT_SLICE_MS : 0;
      progress = now;
      const stallMs = this.options.stallMs ?? STALL_MS;
      if (still >= stallMs)
        throw new Error(
          `the store writer thread wrote nothing for ${stallMs / 1000} s and did not answer the run's end`,
        );
    }
    let last: StoreWriterReply | undefined;
    for (let m = receiveMessageOnPort(this.reply); m; m = receiveMessageOnPort(this.reply))
      last = m.message as StoreWriterReply;
    this.reply.close();
    if (last?.type !== 'done') throw failure(last);
  }

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    // [0]: the run's end is answered; [1]: units written so far (the wait below checks it moves).
    const done = new SharedArrayBuffer(8);
    const open: StoreWriterMessage = {
      type: 'open',
      runId: this.runId,
      dbPath: this.store.db.name,
      instrument: this.instrument,
      reply: port2,
      done,
      batchEvents: this.options.batchEvents ?? THREAD_BATCH_EVENTS,
    };
    this.worker = writerThread(this.options.bootFile);
    this.worker.postMessage(open, [port2]);
    this.reply = port1;
    this.flag = new Int32Array(done);
    // What was buffered goes into the bytes (its whole units are handed over at once).
    const lines = this.lines as string[];
    this.bytes = Buffer.allocUnsafeSlow(BUFFER_BYTES);
    for (let i = 0; i < lines.length; i++) {
      this.put(lines[i] as string);
      if (i + 1 === this.unitsEnd) this.unitsEndByte = this.used;
    }
    this.entries = null;
    this.lines = null;
    this.postUnits();
  }

  /** Hands the whole units buffered to the thread: their bytes are transferred (the buffer
   *  moves to the writer thread, nothing is copied) and what follows them starts a new buffer;
   *  their samples are copied out (a few KiB) and transferred. */
  private postUnits(): void {
    const bytes = this.bytes;
    if ((this.unitsEnd === 0 && this.samplesEnd === 0) || !this.worker || !bytes) return;
    const next = Buffer.allocUnsafeSlow(Math.max(BUFFER_BYTES, 2 * (this.used - this.unitsEndByte)));
    bytes.copy(next, 0, this.unitsEndByte, this.used);
    // Its own memory (allocUnsafeSlow: not a slice of a shared pool), so it can be transferred.
    const memory = bytes.buffer as ArrayBuffer;
    const samples = this.samples.copy(this.samplesEnd);
    this.worker.postMessage(
      {
        type: 'units',
        runId: this.runId,
        bytes: memory,
        length: this.unitsEndByte,
        samples,
      } satisfies StoreWriterMessage,
      [memory, samples],
    );
    this.samples.drop(this.samplesEnd);
    this.samplesEnd = 0;
    this.bytes = next;
    this.used -= this.unitsEndByte;
    this.count -= this.unitsEnd;
    this.unitsEndByte = 0;
    this.unitsEnd = 0;
  }

  private checkFailed(): void {
    if (!this.reply) return;
    const m = receiveMessageOnPort(this.reply);
    if (m) throw failure(m.message as StoreWriterReply);
  }
}

const WAIT_SLICE_MS = 100;
const STALL_MS = 60_000;

/** The process's writer thread, per boot file; started on first use. */
const threads = new Map<string, Worker>();

function writerThread(bootFile = new URL('./store-writer-boot.js', import.meta.url)): Worker {
  let worker = threads.get(bootFile.href);
  if (worker) return worker;
  worker = new Worker(bootFile);
  // A process that ends mid-run is a crash: its writer thread does not keep it alive.
  worker.unref();
  const started = worker;
  const forget = (): void => {
    if (threads.get(bootFile.href) === started) threads.delete(bootFile.href);
  };
  started.on('exit', forget);
  started.on('error', forget);
  threads.set(bootFile.href, started);
  return started;
}

const failure = (reply: StoreWriterReply | undefined): Error => {
  if (reply === undefined) return new Error('the store writer thread ended without an answer');
  if (reply.type === 'done') return new Error('the store writer thread answered before the run ended');
  return failureError(reply);
};
