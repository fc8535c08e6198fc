// Where every report of the Alpaca adapter leaves it: to the core's report handler, scrubbed of
// the key id and secret (a venue or transport message could echo what it was sent), never after
// stop(), and never inside the command that caused it when sent `later`. Connection changes are
// reported here too, once per transition. Separate so that the rules for what may go out hold
// for every part of the adapter alike (commands, queries, the stream), each given this one sink.
import type { ConnectionReport, VenueMessage } from '../../core/model/reports.ts';
import type { ReportHandler } from '../../core/ports/broker.ts';

export class AlpacaReports {
  private handler: ReportHandler | null = null;
  private closed = false;
  private readonly connected: Record<ConnectionReport['stream'], boolean> = { orders: false, market_data: false };

  constructor(private readonly scrub: (text: string) => string) {}

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
    if (handler === null) throw new Error('AlpacaAdapter: no report handler set');
    handler(this.scrubbed(report));
  }

  private scrubbed(report: VenueMessage): VenueMessage {
    if (!('reason' in report) && !('code' in report)) return report;
    const r = { ...report } as Record<string, unknown>;
    for (const k of ['reason', 'code'] as const) if (typeof r[k] === 'string') r[k] = this.scrub(r[k]);
    return r as unknown as VenueMessage;
  }
}
