// A gateway's fault log for requests an outage leaves unanswered. The venue records such a request
// when it arrives, as "<request>: timed out after N ms", which in a backtest is always so by the
// time anyone reads the log; a gateway runs on the wall clock and may stop first. So the record is
// held until its timeout has gone by, and a request still held when the gateway stops is logged
// as ended by the stop instead of as a timeout that never happened.
import type { ExecEvent } from '../core/model/events.ts';
import type { Subscription } from 'rxjs';
import type { Clock } from '../core/ports/clock.ts';

const TIMED_OUT = /^(.*): timed out after (\d+) ms(.*)$/s;

export class TimeoutLog {
  /** Records held until their timeout: the request, the rest of its record, and its release. */
  private readonly held = new Set<{ readonly what: string; readonly rest: string; release?: Subscription }>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly record: (event: ExecEvent) => void,
  ) {}

  /** Records `event`, or holds it for its timeout when it is an outage's unanswered request. */
  readonly log = (event: ExecEvent): void => {
    const m = event.kind === 'FaultApplied' && event.fault === 'outage' ? TIMED_OUT.exec(event.detail) : null;
    if (m === null) {
      this.record(event);
      return;
    }
    if (this.stopped) return;
    const entry: { what: string; rest: string; release?: Subscription } = { what: m[1] ?? '', rest: m[3] ?? '' };
    this.held.add(entry);
    entry.release = this.clock.schedule(() => {
      this.held.delete(entry);
      this.record(event);
    }, Number(m[2]));
  };

  /** The gateway stops: each request still held is logged once as ended by the stop. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const entry of this.held) {
      entry.release?.unsubscribe();
      this.record({
        kind: 'FaultApplied',
        fault: 'outage',
        detail: `${entry.what}: unanswered, the gateway is stopping${entry.rest}`,
      });
    }
    this.held.clear();
  }
}
