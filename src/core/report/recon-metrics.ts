// Restart and reconciliation metrics of a run (issue 7, deliver 8), folded from the log: how
// often the process restarted, reconciliation passes by mode, mismatches by kind, updates the
// one update path skipped (stale, reordered or locked reports), orphans, and what zombie-slice
// recovery did with every pending slice.
import type { LogEntry } from '../model/events.ts';

export const RECON_METRIC_NAMES = [
  'restarts', 'lostEntries', 'refusedInputs', 'startupRuns', 'periodicRuns', 'mismatches', 'missedFills', 'statusMismatches',
  'unknownAtVenue', 'positionMismatches', 'conflictsSkipped', 'orphansDetected', 'orphansResolved', 'slicesRecovered',
  'slicesSkipped', 'slicesFailed', 'slicesCanceled', 'gateTimeouts', 'notReadyRefusals',
] as const;
export type ReconMetricName = (typeof RECON_METRIC_NAMES)[number];
export type ReconMetrics = Record<ReconMetricName, number>;

const MISMATCH_METRIC = {
  missed_fill: 'missedFills', status: 'statusMismatches', unknown_at_venue: 'unknownAtVenue', position: 'positionMismatches', orphan: null,
} as const;

export class ReconMetricsFold {
  private readonly m: ReconMetrics = Object.fromEntries(RECON_METRIC_NAMES.map((n) => [n, 0])) as ReconMetrics;

  add({ event: e }: LogEntry): void {
    const m = this.m;
    switch (e.kind) {
      case 'ProcessRestarted':
        m.restarts++;
        m.lostEntries += e.lostEntries;
        m.refusedInputs += e.refusedInputs.length;
        return;
      case 'ReconciliationCompleted':
        if (e.mode === 'startup') m.startupRuns++;
        else m.periodicRuns++;
        return;
      case 'ReconciliationMismatch': {
        m.mismatches++;
        const k = MISMATCH_METRIC[e.mismatch];
        if (k) m[k]++;
        return;
      }
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
