// Which missed-fill findings were only a late stream. A reconciliation pass that reads an order
// (a listing or a lookup) while the stream's report of a fill is still on its way finds the
// venue's filled quantity above ours, records a `missed_fill` and applies the venue's state;
// moments later the stream delivers the execution, which is then already counted: a duplicate
// trade (ReportIgnored, a venue that lists executions) or an execution matched to the fill the
// reconciliation inferred (InferredFillMatched, a venue that states only cumulative quantities).
// Nothing was missed. This fold follows, from the log alone, the lots each finding counted and
// the stream's later deliveries of them; a finding whose every lot the stream delivered
// afterwards is late. One the stream delivered only part of stays missed.
import type { LogEntry } from '../model/events.ts';

/** A missed-fill finding: the lots its venue state counted that the stream has not delivered
 *  since. One tied to no lots (the log does not say which it counted, or its report was not
 *  applied: Infinity) never turns late. */
interface Finding {
  remaining: number;
  late: boolean;
}

/** Lots an inferred fill counted that no execution with its own id has matched yet. */
interface Segment {
  lots: number;
  finding: Finding | null;
}

/** What one full-state report (OrderStatusReport) counted for the first time. */
interface StatusCounted {
  readonly seq: number;
  readonly order: string;
  /** Its listed trades we had not held, with their lots. */
  readonly trades: Map<string, number>;
  /** The inferred fill it made (its lots are matched to executions as they come). */
  inferred: Segment | null;
  finding: Finding | null;
}

interface OrderTrack {
  /** Every trade id applied to the order, whatever reported it. */
  readonly known: Set<string>;
  /** Inferred lots not matched yet, oldest first (executions are matched in this order). */
  readonly segments: Segment[];
  /** Trades a finding counted that the stream has not delivered yet. */
  readonly awaited: Map<string, { finding: Finding; lots: number }>;
  last: StatusCounted | null;
}

export class LateFillFold {
  private readonly orders = new Map<string, OrderTrack>();
  /** A missed fill just recorded: the next entry tells which report counted its lots. */
  private pending: { order: string; finding: Finding } | null = null;
  /** That finding's listing row is the entry being folded. */
  private listing: Finding | null = null;
  /** The latest fill and status report entries (the events derived from them follow them). */
  private fill: { seq: number; order: string; tradeId: string; qty: number; added: boolean } | null = null;
  private status: StatusCounted | null = null;

  /** Folds one entry; returns how many earlier missed-fill findings it showed to be late. */
  add({ seq, event: e }: LogEntry): number {
    if (this.pending !== null) this.settle(e);
    switch (e.kind) {
      case 'ReconciliationMismatch':
        if (e.mismatch === 'missed_fill' && e.clientOrderId !== null)
          this.pending = { order: e.clientOrderId, finding: { remaining: 0, late: false } };
        return 0;
      case 'FillReport': {
        const t = this.track(e.clientOrderId);
        const added = !t.known.has(e.tradeId);
        if (added) t.known.add(e.tradeId);
        this.fill = { seq, order: e.clientOrderId, tradeId: e.tradeId, qty: e.qty, added };
        return 0;
      }
      case 'OrderStatusReport': {
        const t = this.track(e.clientOrderId);
        const trades = new Map<string, number>();
        for (const x of e.trades ?? []) {
          if (t.known.has(x.tradeId)) continue;
          t.known.add(x.tradeId);
          trades.set(x.tradeId, x.qty);
        }
        const counted: StatusCounted = { seq, order: e.clientOrderId, trades, inferred: null, finding: null };
        t.last = counted;
        this.status = counted;
        if (this.listing !== null) this.link(counted, this.listing);
        this.listing = null;
        return 0;
      }
      case 'FillInferred': {
        const s = this.status;
        if (s === null || s.seq !== e.cause) return 0;
        s.inferred = { lots: e.qty, finding: s.finding };
        if (s.finding !== null) s.finding.remaining += e.qty;
        this.track(s.order).segments.push(s.inferred);
        return 0;
      }
      case 'ReportIgnored':
      case 'DiscrepancyRecorded':
        if (e.kind === 'ReportIgnored' && e.reason === 'duplicate_trade') return this.duplicate(e.cause);
        this.notApplied(e.cause);
        return 0;
      case 'InferredFillMatched':
        return this.matched(e.clientOrderId, e.tradeId, e.qty, this.fill !== null && this.fill.seq === e.cause);
      default:
        return 0;
    }
  }

  private track(order: string): OrderTrack {
    let t = this.orders.get(order);
    if (t === undefined) {
      t = { known: new Set(), segments: [], awaited: new Map(), last: null };
      this.orders.set(order, t);
    }
    return t;
  }

  /**
   * Ties the finding just recorded to the report whose lots it is about: a listing's row is
   * applied right after its finding (an OrderStatusReport from reconciliation, next entry); a
   * lookup's answer was applied before the reconciler compared it, so it is the order's latest.
   */
  private settle(e: LogEntry['event']): void {
    const { order, finding } = this.pending as { order: string; finding: Finding };
    this.pending = null;
    if (e.kind === 'OrderStatusReport' && e.clientOrderId === order && e.source === 'reconciliation') {
      this.listing = finding; // tied when the row is folded, just below
      return;
    }
    const last = this.orders.get(order)?.last ?? null;
    if (last !== null && last.finding === null) this.link(last, finding);
  }

  private link(s: StatusCounted, finding: Finding): void {
    let lots = 0;
    const t = this.track(s.order);
    for (const [id, qty] of s.trades) {
      lots += qty;
      t.awaited.set(id, { finding, lots: qty });
    }
    if (s.inferred !== null) {
      lots += s.inferred.lots;
      s.inferred.finding = finding;
    }
    s.finding = finding;
    finding.remaining = lots; // and the lots of an inferred fill the row's folding makes next
  }

  /** The stream repeated a trade we held: lots a finding counted, delivered now. */
  private duplicate(cause: number): number {
    const f = this.fill;
    if (f === null || f.seq !== cause) return 0;
    const t = this.track(f.order);
    const awaited = t.awaited.get(f.tradeId);
    if (awaited === undefined) return 0;
    t.awaited.delete(f.tradeId);
    return this.delivered(awaited.finding, awaited.lots);
  }

  /**
   * An execution matched `qty` inferred lots, oldest first. The stream's are lots delivered; one
   * a lookup listed names the trade a finding's lots were: the stream's repeat of it is theirs.
   */
  private matched(order: string, id: string, qty: number, byStream: boolean): number {
    const t = this.track(order);
    const segments = t.segments;
    let left = qty;
    let late = 0;
    while (left > 0 && segments.length > 0) {
      const s = segments[0] as Segment;
      const take = Math.min(left, s.lots);
      s.lots -= take;
      left -= take;
      if (s.lots === 0) segments.shift();
      if (s.finding === null) continue;
      if (byStream) late += this.delivered(s.finding, take);
      else t.awaited.set(id, { finding: s.finding, lots: (t.awaited.get(id)?.lots ?? 0) + take });
    }
    return late;
  }

  private delivered(finding: Finding, lots: number): number {
    finding.remaining -= lots;
    if (finding.late || finding.remaining > 0) return 0;
    finding.late = true;
    return 1;
  }

  /** The report `cause` was not applied (refused, or skipped as stale): it counted nothing. */
  private notApplied(cause: number): void {
    const f = this.fill;
    if (f !== null && f.seq === cause && f.added) this.track(f.order).known.delete(f.tradeId);
    const s = this.status;
    if (s === null || s.seq !== cause) return;
    const t = this.track(s.order);
    for (const id of s.trades.keys()) {
      t.known.delete(id);
      t.awaited.delete(id);
    }
    s.trades.clear();
    if (s.finding !== null) s.finding.remaining = Infinity;
  }
}
