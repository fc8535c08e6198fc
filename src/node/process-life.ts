// What makes a simulated process mortal (crash and restart as a fault): its runner. Killing it
// silences the process's clock and venue facades (unit-runner.ts) at once: timers it scheduled
// never fire, venue answers addressed to it are dropped, and whatever its log appended after
// the last commit is lost (the host keeps only committed entries, exactly what the store
// holds). The venue, the market and the virtual clock belong to the world and keep running.
import type { UnitRunner } from './unit-runner.ts';

/** Thrown inside a process to end it on the spot (a crash between two statements). */
class ProcessCrashed extends Error {
  override readonly name = 'ProcessCrashed';
}

/** Liveness of one process; `run` executes process code unless it is dead, and absorbs a crash.
 *  After `crashAfterSubmit` orders have left, it dies right after the next one leaves, before
 *  anything about it is stored (the crash between sending an order and storing its status). */
export class ProcessLife implements UnitRunner {
  alive = true;
  private submits = 0;

  constructor(
    private readonly onCrash: () => void,
    private readonly crashAfterSubmit: number | null = null,
    /** Runs after each piece of process work that completed (commits: each handled timer, report
     *  or input is one transaction, as a service commits before it answers). */
    private readonly afterWork: (() => void) | null = null,
  ) {}

  get open(): boolean {
    return this.alive;
  }

  run<A>(work: (arg: A) => void, arg: A): void {
    if (!this.alive) return;
    try {
      work(arg);
      this.afterWork?.();
    } catch (err) {
      if (!(err instanceof ProcessCrashed)) throw err;
      this.onCrash();
    }
  }

  afterSubmit(): void {
    this.submits++;
    if (this.crashAfterSubmit !== null && this.submits === this.crashAfterSubmit) this.crash();
  }

  /** Ends the process now, from inside it. */
  crash(): never {
    throw new ProcessCrashed('process crashed');
  }
}
