// The serial inbox of a live process, its UnitRunner (unit-runner.ts): everything that reaches
// the node from outside is queued here and handled one at a time, each item one unit of work
// after which the log commits. A unit that throws stops the inbox. Why: docs/0065-the-host-layer.md.
import type { UnitRunner } from './unit-runner.ts';

export class SerialInbox implements UnitRunner {
  private readonly queue: Array<() => void> = [];
  private running = false;
  private failure: unknown = null;
  private stopped = false;
  /** Units handled so far (tests, progress). */
  handled = 0;

  /**
   * `commit` runs after each unit (the log's commit); `onFailure` is told once when a unit or a
   * commit throws, after which the inbox drops everything.
   */
  constructor(
    private readonly commit: () => void,
    private readonly onFailure: (err: unknown) => void,
  ) {}

  /** Queues `work`; runs it now when nothing else runs. */
  post(work: () => void): void {
    if (this.stopped || this.failure !== null) return;
    this.queue.push(work);
    if (!this.running) this.drain();
  }

  /** Drops what is queued and refuses more (the process is ending). */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  get open(): boolean {
    return !this.stopped && this.failure === null;
  }

  run<A>(work: (arg: A) => void, arg: A): void {
    this.post(() => work(arg));
  }

  get failed(): unknown {
    return this.failure;
  }

  private drain(): void {
    this.running = true;
    try {
      for (let work = this.queue.shift(); work !== undefined; work = this.queue.shift()) {
        if (this.stopped) return;
        try {
          work();
          this.commit();
          this.handled++;
        } catch (err) {
          this.failure = err;
          this.queue.length = 0;
          this.onFailure(err);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }
}
