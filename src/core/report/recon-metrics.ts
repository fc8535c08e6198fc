// Restart and reconciliation metrics of a run, folded from the log: how often the process
// restarted, reconciliation passes by mode, mismatches by kind (a missed fill the stream delivered
// afterwards counted apart, as a late fill), updates the one update path skipped (stale,
// reordered or locked reports), orphans, and what zombie-slice recovery did with every pending
// slice.
import type { LogEntry } from '../model/events.ts';
import { LateFillFold } from './late-fills.ts';

export const RECON_METRIC_NAMES = [
  'restarts',
  'lostEntries',
  'refusedInputs',
  'startupRuns',
  'periodicRuns',
  'reconnectRuns',
  'mismatches',
  'missedFills',
  'lateFills',
  'statusMismatches',
  'unknownAtVenue',
  'positionMismatches',
  'orphanMismatches',
  'unresolvedFindings',
  'conflictsSkipped',
  'orphansDetected',
  'orphansResolved',
  'slicesRecovered',
  'slicesSkipped',
  'slicesFailed',
  'slicesBlocked',
  'slicesCanceled',
  'gateTimeouts',
  'notReadyRefusals',
] as const;
export type ReconMetricName = (typeof RECON_METRIC_NAMES)[number];
export type ReconMetrics = Record<ReconMetricName, number>;

const MISMATCH_METRIC = {
  missed_fill: 'missedFills',
  status: 'statusMismatches',
  unknown_at_venue: 'unknownAtVenue',
  position: 'positionMismatches',
  orphan: 'orphanMismatches',
} as const;

export class ReconMetricsFold {
  private readonly m: ReconMetrics = Object.fromEntries(RECON_METRIC_NAMES.map((n) => [n, 0])) as ReconMetrics;
  private readonly late = new LateFillFold();

  add(entry: LogEntry): void {
    const m = this.m;
    const e = entry.event;
    // A missed fill whose lots the stream delivered after the finding is a late fill instead.
    const late = this.late.add(entry);
    m.missedFills -= late;
    m.lateFills += late;
    switch (e.kind) {
      case 'ProcessRestarted':
        m.restarts++;
        m.lostEntries += e.lostEntries;
        m.refusedInputs += e.refusedInputs.length;
        return;
      case 'ReconciliationCompleted':
        if (e.mode === 'startup') m.startupRuns++;
        else if (e.mode === 'reconnect') m.reconnectRuns++;
        else m.periodicRuns++;
        return;
      case 'ReconciliationMismatch':
        // mismatches = missedFills + lateFills + statusMismatches + unknownAtVenue + positionMismatches
        // + orphanMismatches: a missed_fill finding is counted as missed, and moves to lateFills
        // once the stream has delivered every lot it counted (late-fills.ts).
        m.mismatches++;
        m[MISMATCH_METRIC[e.mismatch]]++;
        return;
      case 'ReconciliationUnresolved':
        m.unresolvedFindings++;
        return;
      case 'ReportIgnored':
        if (e.reason !== 'duplicate_trade') m.conflictsSkipped++;
        return;
      case 'OrphanDetected':
        m.orphansDetected++;
        return;
      case 'OrphanResolved':
        m.orphansResolved++;
        return;
      case 'SliceRecovered':
        if (e.action === 'run_now' || e.action === 'rescheduled') m.slicesRecovered++;
        else if (e.action === 'skipped') m.slicesSkipped++;
        else if (e.action === 'canceled') m.slicesCanceled++;
        else if (e.action === 'blocked') m.slicesBlocked++;
        else m.slicesFailed++;
        return;
      case 'StartupGateChanged':
        if (e.state === 'timed_out') m.gateTimeouts++;
        return;
      case 'ParentRejected':
        if (e.stage === 'gating') m.notReadyRefusals++;
        return;
      case 'SignalRejected':
        if (e.stage === 'gating') m.notReadyRefusals++;
        return;
      default:
    }
  }

  summary(): ReconMetrics {
    return { ...this.m };
  }
}
