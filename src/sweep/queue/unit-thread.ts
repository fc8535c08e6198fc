// A queue worker's paths run on a thread of their own (the threaded sweep's worker, sweep-worker.ts,
// asked for whole reports), one unit at a time, so that the worker's event loop stays free while a
// path runs: BullMQ renews the chunk's lock on that loop, and a path longer than the lock (a day of
// replayed market data takes a minute or more) run on it would lose the lock mid-path, its chunk
// then taken as a dead worker's and run again by another worker. The thread is the sweep's: it
// builds the sweep's runner once, and later units of the sweep reuse it.
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { SweepPathError } from '../sweep.ts';
import type { SweepThreadReply, SweepThreadRequest, SweepWorkerData } from '../sweep-threads.ts';
import type { SweepDefinition } from '../sweep-units.ts';
import type { WireUnit } from './protocol.ts';

export class UnitThread {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private waiting: { resolve: (r: WireUnit) => void; reject: (e: Error) => void } | null = null;
  /** Why the thread cannot run units any more (it failed or exited), once it cannot. */
  private broken: Error | null = null;
  private closing = false;

  constructor(
    def: SweepDefinition,
    bootFile: URL | string = new URL('../../boot/sweep-worker-boot.js', import.meta.url),
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(bootFile, {
      workerData: { def, port: port2, wholeReports: true } satisfies SweepWorkerData,
      transferList: [port2],
    });
    port1.on('message', (m: SweepThreadReply) => {
      const w = this.waiting;
      this.waiting = null;
      if (w === null) return;
      if (m.type === 'results') w.resolve(m.results[0] as unknown as WireUnit);
      else w.reject(new SweepPathError(m.path, m.seed, new Error(m.cause), m.point, m.unit, m.label));
    });
    const fail = (err: Error): void => {
      this.broken ??= err;
      const w = this.waiting;
      this.waiting = null;
      w?.reject(this.broken);
    };
    this.worker.on('error', (err) => fail(new Error(`the sweep's path thread failed: ${err.message}`)));
    this.worker.on('exit', (code) => {
      if (!this.closing) fail(new Error(`the sweep's path thread exited with code ${code}`));
    });
  }

  /** Runs one unit on the thread; its result as it goes on the wire. */
  run(unit: number): Promise<WireUnit> {
    if (this.broken !== null) return Promise.reject(this.broken);
    if (this.waiting !== null) return Promise.reject(new Error('a path is running on this thread already'));
    return new Promise<WireUnit>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.port.postMessage({ type: 'chunk', from: unit, to: unit + 1 } satisfies SweepThreadRequest);
    });
  }

  /** Stops the thread (a unit running on it is abandoned). */
  async close(): Promise<void> {
    this.closing = true;
    this.port.close();
    await this.worker.terminate();
  }
}
