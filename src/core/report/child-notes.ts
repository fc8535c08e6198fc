// Why each child order ended as it did, folded from the log for the run report: when it was
// first sent, and the reason (with the venue's code) for a skip, a refusal, a cancel, an expiry or
// an abandonment. Also the run's fault summary: what the faults did to our orders (unknown
// outcomes, resends, refusals, fills that only a query found, stale answers ignored). Counts
// only; the run report (run-report.ts) joins them with the ledger's state.
import type { LogEntry } from '../model/events.ts';
import type { ClientOrderId, ParentOrderId } from '../model/ids.ts';
import type { OrderState } from '../order/apply-event.ts';

export interface ChildNote {
  /** First SubmitOrder, epoch ms; null: never sent. */
  firstSentAt: number | null;
  /** Why it did not fill (the last reason that applies), and the venue's code when it refused. */
  reason: string | null;
  code: string | null;
  skipped: boolean;
}

export interface FaultSummary {
  /** FaultApplied events by fault kind (outage, rate_limit, lost_reports, ...). */
  readonly applied: Readonly<Record<string, number>>;
  /** Requests whose outcome we could not know (timeouts, 5xx), resolved by lookups. */
  readonly unknownOutcomes: number;
  /** Sends of an order after its first (same client order id, after a lookup). */
  readonly resends: number;
  /** Refusals by the venue, counted apart: final ones (RejectReport) in `rejects`, retryable
   *  ones (429 and the like: RetryableRejectReport) in `retryableRejects`: not a part of
   *  `rejects`, and it may be the larger. */
  readonly rejects: number;
  readonly retryableRejects: number;
  /** Trades we learned from a query answer (a lookup or reconciliation), not from the stream:
   *  fills a lost or late push would have hidden. */
  readonly fillsLearnedByQuery: number;
  /** Answers ignored as stale (asked before our latest send, or before the venue showed the order). */
  readonly staleAnswersIgnored: number;
  readonly restarts: number;
}

export class ChildNotesFold {
  private readonly notes = new Map<ClientOrderId, ChildNote>();
  /** (parent, slice) of skips logged before we know the child's id from the ledger. */
  private readonly skips = new Map<string, string>();
  private readonly applied: Record<string, number> = {};
  private unknownOutcomes = 0;
  private sends = 0;
  private readonly sent = new Set<ClientOrderId>();
  private rejects = 0;
  private retryableRejects = 0;
  private fillsLearnedByQuery = 0;
  private staleAnswersIgnored = 0;
  private restarts = 0;

  /** `tradesApplied`: trades the ledger applied from this entry. */
  add({ event: e, time }: LogEntry, tradesApplied: number): void {
    switch (e.kind) {
      case 'SubmitOrder':
        this.sends++;
        this.sent.add(e.clientOrderId);
        if (this.note(e.clientOrderId).firstSentAt === null) this.note(e.clientOrderId).firstSentAt = time;
        return;
      case 'SliceSkipped':
        this.skips.set(`${e.parentId}#${e.sliceNum}`, e.reason);
        return;
      case 'RejectReport':
        this.rejects++;
        this.set(e.clientOrderId, e.reason, e.code);
        return;
      case 'RetryableRejectReport':
        this.retryableRejects++;
        return;
      case 'OrderAbandoned':
      case 'ExpiredReport':
        this.set(e.clientOrderId, e.reason, null);
        return;
      case 'CancelOrder':
        if (this.note(e.clientOrderId).reason === null) this.set(e.clientOrderId, e.reason, null);
        return;
      case 'OutcomeUnknownReport':
        this.unknownOutcomes++;
        return;
      case 'FaultApplied':
        this.applied[e.fault] = (this.applied[e.fault] ?? 0) + 1;
        return;
      case 'OrderStatusReport':
        this.fillsLearnedByQuery += tradesApplied;
        return;
      case 'ReportIgnored':
        if (e.reason === 'stale_answer') this.staleAnswersIgnored++;
        return;
      case 'ProcessRestarted':
        this.restarts++;
        return;
      default:
    }
  }

  /** What we know of one child (its skip found by parent and slice). */
  noteOf(parentId: ParentOrderId, child: OrderState): ChildNote {
    const n = this.notes.get(child.request.clientOrderId) ?? {
      firstSentAt: null,
      reason: null,
      code: null,
      skipped: false,
    };
    const skip = this.skips.get(`${parentId}#${child.request.sliceNum}`);
    if (skip !== undefined && child.attempts === 0) return { ...n, reason: skip, code: null, skipped: true };
    return n;
  }

  faults(): FaultSummary {
    return {
      applied: { ...this.applied },
      unknownOutcomes: this.unknownOutcomes,
      resends: this.sends - this.sent.size,
      rejects: this.rejects,
      retryableRejects: this.retryableRejects,
      fillsLearnedByQuery: this.fillsLearnedByQuery,
      staleAnswersIgnored: this.staleAnswersIgnored,
      restarts: this.restarts,
    };
  }

  private note(id: ClientOrderId): ChildNote {
    let n = this.notes.get(id);
    if (!n) this.notes.set(id, (n = { firstSentAt: null, reason: null, code: null, skipped: false }));
    return n;
  }

  private set(id: ClientOrderId, reason: string, code: string | null): void {
    const n = this.note(id);
    n.reason = reason;
    n.code = code;
  }
}
