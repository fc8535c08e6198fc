// Where every report of a venue adapter leaves it: to the core's report handler, scrubbed of
// the keys (a venue or transport message could echo what it was sent), never after stop(), and
// never inside the command that caused it when sent `later`. Connection changes are reported
// here too, once per transition. One sink per adapter, given to every part of it (commands,
// queries, streams), so the rules for what may go out hold for all of them alike.
import type { ConnectionReport, VenueMessage } from '../core/model/reports.ts';
import type { ReportHandler } from '../core/ports/broker.ts';

export class ReportSink {
  private handler: ReportHandler | null = null;
  private closed = false;
  private readonly connected: Record<ConnectionReport['stream'], boolean> = { orders: false, market_data: false };

  /** `owner` names the adapter in the error of a report sent before a handler was set. */
  constructor(
    private readonly scrub: (text: string) => string,
    private readonly owner: string,
  ) {}

  setHandler(handler: ReportHandler): void {
    this.handler = handler;
  }

  /** From now on nothing is reported (the adapter stopped). */
  stop(): void {
    this.closed = true;
  }

  get stopped(): boolean {
    return this.closed;
  }

  /** A stream's connection changed (reported on a transition, or always when `force`d). */
  connection(
    stream: ConnectionReport['stream'],
    state: ConnectionReport['state'],
    reason: string,
    force = false,
  ): void {
    if (this.closed) return;
    if (this.connected[stream] === (state === 'connected') && !force) return;
    this.connected[stream] = state === 'connected';
    this.emit({ kind: 'ConnectionReport', stream, state, reason: this.scrub(reason) });
  }

  /** Delivers a report later (never inside the command that caused it). */
  later(report: VenueMessage): void {
    void Promise.resolve().then(() => this.emit(report));
  }

  emit(report: VenueMessage): void {
    if (this.closed) return;
    const handler = this.handler;
    if (handler === null) throw new Error(`${this.owner}: no report handler set`);
    handler(this.scrubbed(report));
  }

  private scrubbed(report: VenueMessage): VenueMessage {
    if (!('reason' in report) && !('code' in report)) return report;
    const r = { ...report } as Record<string, unknown>;
    for (const k of ['reason', 'code'] as const) if (typeof r[k] === 'string') r[k] = this.scrub(r[k]);
    return r as unknown as VenueMessage;
  }
}
