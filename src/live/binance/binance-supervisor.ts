// Keeps one of the adapter's websocket subscriptions alive. ccxt's watch* calls are one answer
// each: a subscription is a loop that calls them again and again, and a dropped connection
// rejects the pending call (ccxt then drops its client, and the next call dials again). The loop
// is run again after a failure, after a delay that doubles up to a ceiling (on the adapter's
// clock, so stop() cancels it), and the failure is told to the owner, who reports the
// connection's change. Nothing here reads what the subscription carries.
import type { Subscription } from 'rxjs';
import type { Clock } from '../../core/ports/clock.ts';

export interface SupervisorOptions {
  readonly clock: Clock;
  /** First delay before running the loop again (ms), doubling to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** The loop failed (why, for a report); it runs again after a delay unless the adapter stopped. */
  readonly onFailure: (reason: string) => void;
}

export class StreamSupervisor {
  private timer: Subscription | null = null;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly loop: (healthy: () => void) => Promise<void>,
    private readonly options: SupervisorOptions,
  ) {}

  start(): void {
    if (this.stopped) return;
    this.loop(() => (this.failures = 0)).then(
      () => this.again(),
      (err: unknown) => {
        if (this.stopped) return;
        this.options.onFailure(err instanceof Error ? err.message : String(err));
        this.again();
      },
    );
  }

  /** No further run; a scheduled one is cancelled. */
  stop(): void {
    this.stopped = true;
    this.timer?.unsubscribe();
    this.timer = null;
  }

  private again(): void {
    if (this.stopped) return;
    const { initialDelayMs, maxDelayMs, clock } = this.options;
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.failures, 20));
    this.failures++;
    this.timer = clock.schedule(() => {
      this.timer = null;
      this.start();
    }, delay);
  }
}
