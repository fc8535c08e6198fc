// A grouped run's side of its link to the process's store writer thread (store-writer.ts, one per
// process and boot file, started on first use and kept for the next runs): opening the run there,
// posting its units, taking in what the thread answers meanwhile (buffers it is done with, or its
// failure), and waiting for its answer to the run's end. ThreadedRunWriter decides what to hand
// over and when; this is the protocol.
import {
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  type MessagePort,
  type TransferListItem,
} from 'node:worker_threads';
import { failureError } from './store-writer-errors.ts';
import type { StoreWriterMessage, StoreWriterOpen, StoreWriterReply } from './store-writer.ts';

const WAIT_SLICE_MS = 100;
/** Buffers kept for hand-overs (two are in use at a time: one on the run's thread, one at the
 *  writer). */
const MAX_SPARES = 2;
/** How long the run's end waits for a writer that writes nothing before it fails the run. */
export const STALL_MS = 60_000;

export class WriterThreadLink {
  /** Buffers the writer thread gave back, for the next hand-overs. */
  private readonly spares: ArrayBuffer[] = [];
  /** What the writer thread failed with, once read. */
  private failed: StoreWriterReply | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly reply: MessagePort,
    /** [0]: the run's end is answered; [1]: units written so far (awaitEnd checks it moves). */
    private readonly flag: Int32Array,
  ) {}

  /** Opens a run on the process's writer thread for `bootFile`. */
  static open(run: Omit<StoreWriterOpen, 'type' | 'reply' | 'done'>, bootFile?: URL): WriterThreadLink {
    const { port1, port2 } = new MessageChannel();
    const done = new SharedArrayBuffer(8);
    const worker = writerThread(bootFile);
    worker.postMessage({ type: 'open', ...run, reply: port2, done } satisfies StoreWriterOpen, [port2]);
    return new WriterThreadLink(worker, port1, new Int32Array(done));
  }

  post(message: StoreWriterMessage, transfer: TransferListItem[]): void {
    this.worker.postMessage(message, transfer);
  }

  /** A buffer of at least `room` bytes the writer thread gave back, or null. */
  spare(room: number): Uint8Array | null {
    this.takeReplies();
    for (let spare = this.spares.pop(); spare; spare = this.spares.pop())
      if (spare.byteLength >= room) return new Uint8Array(spare);
    return null;
  }

  /** Throws what the writer thread failed with, once it has said so. */
  checkFailed(): void {
    this.takeReplies();
    if (this.failed) throw failure(this.failed);
  }

  /**
   * Waits for the thread's answer to the run's end (posted last), and throws what it failed with.
   * Bounded by progress, not by time: a writer behind by a long backlog keeps writing units, but
   * one that stopped (its thread died outside a handler) fails the run after `stallMs` without
   * writing, instead of hanging it.
   */
  awaitEnd(stallMs = STALL_MS): void {
    const flag = this.flag;
    let progress = Atomics.load(flag, 1);
    let still = 0;
    while (Atomics.load(flag, 0) === 0) {
      if (Atomics.wait(flag, 0, 0, WAIT_SLICE_MS) !== 'timed-out') continue;
      const now = Atomics.load(flag, 1);
      still = now === progress ? still + WAIT_SLICE_MS : 0;
      progress = now;
      if (still >= stallMs)
        throw new Error(
          `the store writer thread wrote nothing for ${stallMs / 1000} s and did not answer the run's end`,
        );
    }
    // Its answer is the last message on the run's port (an error reported while it ran comes first).
    let last: StoreWriterReply | undefined;
    for (let m = receiveMessageOnPort(this.reply); m; m = receiveMessageOnPort(this.reply)) {
      const reply = m.message as StoreWriterReply;
      if (reply.type !== 'spare') last = reply;
    }
    this.reply.close();
    if (last?.type !== 'done') throw failure(last ?? this.failed ?? undefined);
  }

  /** Reads what the writer thread sent meanwhile: buffers it is done with, or its failure (kept
   *  until the run's thread next checks). */
  private takeReplies(): void {
    if (this.failed) return;
    for (let m = receiveMessageOnPort(this.reply); m; m = receiveMessageOnPort(this.reply)) {
      const reply = m.message as StoreWriterReply;
      if (reply.type === 'spare') {
        if (this.spares.length < MAX_SPARES) this.spares.push(reply.bytes);
      } else {
        this.failed = reply;
        return;
      }
    }
  }
}

/** The process's writer thread, per boot file; started on first use. */
const threads = new Map<string, Worker>();

function writerThread(bootFile = new URL('../boot/store-writer-boot.js', import.meta.url)): Worker {
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
  if (reply.type === 'done' || reply.type === 'spare')
    return new Error('the store writer thread answered before the run ended');
  return failureError(reply);
};
