// Every way a run's record was found to disagree with the venue, as a fold over the log: reports
// the order fold refused (DiscrepancyRecorded, by reason), positions reconciliation had to correct
// (PositionCorrected), and, from a simulated run's closing FillAudit, orders whose fills differ
// from the venue's, a position off the venue's and orders open at the venue that we hold as ended.
// Beside them the parents filled past their quantity. Each is counted and named in one line per
// kind, so a run never passes "0 discrepancies" with a disagreement its own log recorded.
import type { LogEntry } from '../model/events.ts';
import { lotsToQty, type Instrument } from '../model/instrument.ts';
import type { OrderLedger } from '../order/order-ledger.ts';

type FillAudit = Extract<LogEntry['event'], { kind: 'FillAudit' }>;

export interface DiscrepancySummary {
  readonly discrepancies: number;
  /** What the discrepancies were, one line per kind (empty when there were none). */
  readonly discrepancyNotes: readonly string[];
  /** Parents filled past their quantity ("p1: 0.23335 of 0.2"): a run with any fails. */
  readonly overfilledParents: readonly string[];
  /** Our orders still open at the venue when the run ended, by the simulated venue's records
   *  (null: not known, a paper run); and those of them our record holds as ended. */
  readonly openAtVenue: { readonly open: number; readonly hidden: number } | null;
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export class DiscrepancyFold {
  private readonly refusedReports = new Map<string, number>();
  private positionCorrections = 0;
  private audit: FillAudit | null = null;

  add(entry: LogEntry): void {
    const e = entry.event;
    if (e.kind === 'DiscrepancyRecorded')
      this.refusedReports.set(e.reason, (this.refusedReports.get(e.reason) ?? 0) + 1);
    else if (e.kind === 'PositionCorrected') this.positionCorrections++;
    else if (e.kind === 'FillAudit') this.audit = e;
  }

  /** The count, its lines, and the overfilled parents of `ledger` (the run's orders). */
  summary(ledger: OrderLedger, inst: Instrument): DiscrepancySummary {
    const lines: string[] = [];
    let count = 0;
    for (const [reason, n] of this.refusedReports) {
      count += n;
      lines.push(`${plural(n, 'report')} refused as ${reason.replaceAll('_', ' ')}`);
    }
    const corrections = this.positionCorrections;
    if (corrections > 0) {
      count += corrections;
      lines.push(`position corrected ${plural(corrections, 'time')}: the venue held what our fills do not explain`);
    }
    const audit = this.audit;
    if (audit) {
      if (audit.ledgerMismatches > 0) {
        count += audit.ledgerMismatches;
        lines.push(`${plural(audit.ledgerMismatches, 'order')} with fills other than the venue's at the end`);
      }
      if (audit.expectedPosition !== audit.venuePosition) {
        count++;
        lines.push(`position at the end: ours ${audit.expectedPosition} lots, the venue's ${audit.venuePosition}`);
      }
      for (const o of audit.others ?? []) {
        if (o.expectedPosition === o.venuePosition) continue;
        count++;
        lines.push(`${o.symbol} position at the end: ours ${o.expectedPosition} lots, the venue's ${o.venuePosition}`);
      }
      const hidden = audit.hiddenOpen ?? 0;
      if (hidden > 0) {
        count += hidden;
        lines.push(`${plural(hidden, 'order')} open at the venue at the end that we hold as ended`);
      }
    }
    const overfilled: string[] = [];
    for (const [id, parent] of ledger.parents)
      if (parent.totals.filled > parent.spec.qty)
        overfilled.push(`${id}: ${lotsToQty(inst, parent.totals.filled)} of ${lotsToQty(inst, parent.spec.qty)}`);
    return {
      discrepancies: count,
      discrepancyNotes: lines,
      overfilledParents: overfilled,
      openAtVenue: audit ? { open: audit.openAtVenue ?? 0, hidden: audit.hiddenOpen ?? 0 } : null,
    };
  }
}
