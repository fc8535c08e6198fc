// A finished run's report, built from its log and the report fold of it: a backtest's, a paper
// run's and a session's alike. It adds to the fold's summary the run's identity, its timing and
// its expectations (the scenario's, and the invariants every run keeps).
import type { RunId } from '../core/model/ids.ts';
import { brokenInvariants, checkExpectations, type ExpectationResult } from '../core/report/expectations.ts';
import type { FillMetrics } from '../core/report/fill-metrics.ts';
import type { LogSummary, ParentReport } from '../core/report/run-report.ts';
import type { ScenarioFile } from '../scenario/schema.ts';

export interface RunReport {
  readonly runId: RunId;
  readonly scenario: string;
  readonly seed: number;
  readonly digest: string;
  readonly events: number;
  /** Clock actions fired: every simulated event (market steps, trades, latency hops, slices). */
  readonly clockActions: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
  readonly eventsPerSec: number;
  readonly passed: boolean;
  readonly expectations: readonly ExpectationResult[];
  readonly parents: readonly ParentReport[];
  readonly fills: number;
  /** Every disagreement with the venue: refused reports, corrected positions, and (simulated
   *  runs) fills or a position other than the venue's, orders open there that we hold ended. */
  readonly discrepancies: number;
  /** One line per kind of discrepancy (empty when none). */
  readonly discrepancyNotes: readonly string[];
  /** Parents filled past their quantity: a run with any fails whatever it expects. */
  readonly overfilledParents: readonly string[];
  /** Our orders open at the venue at the end, and those we hold as ended (null: unknown). */
  readonly openAtVenue: LogSummary['openAtVenue'];
  /** Client order ids the venue acknowledged as two orders, or slices created twice: must be []. */
  readonly duplicateOrders: readonly string[];
  /** Fill detection metrics (null when fill detection is off). */
  readonly fillDetection: FillMetrics | null;
  /** Each signal's fate: accepted (with the parent id derived from its fingerprint) or rejected. */
  readonly signals: LogSummary['signals'];
  /** Parents refused before creation (pre-trade denials, failed TWAP plans). */
  readonly rejectedParents: LogSummary['rejectedParents'];
  /** Restarts, reconciliation passes, mismatches, skipped updates, orphans, slice recovery. */
  readonly reconciliation: LogSummary['reconciliation'];
  /** What the faults did to our orders: unknown outcomes, resends, refusals, fills found by query. */
  readonly faults: LogSummary['faults'];
  /** Replay statistics: messages, gaps, agreement with the recording's bookTicker (null unless replay). */
  readonly replay: LogSummary['replay'];
  /** The market model's warnings: prices held at the floor, levels exhausted, rate interval. */
  readonly modelWarnings: LogSummary['modelWarnings'];
  /** What the TWAP planner changed of what each parent asked: slice count, interval, slice size. */
  readonly warnings: LogSummary['warnings'];
  /** The strategy module's warm-up, signals and failure (null: the run has none). */
  readonly strategy: LogSummary['strategy'];
  /** Time and reads on the quote fallback while market data was degraded (null: it never was). */
  readonly quoteFallback: LogSummary['quoteFallback'];
  /** Each symbol's position at the end, ours and the venue's (the end-of-run audit). */
  readonly positions: LogSummary['positions'];
  /** Profit and loss of the run's trading: realized, unrealized, fees, net, turnover, exposure
   *  and drawdown, per symbol and in all. */
  readonly pnl: LogSummary['pnl'];
  /** The round trips of the run's trading and their statistics (win rate, profit factor, Sharpe,
   *  Sortino, exposure, drawdown); a report stored by an older execsim has none. */
  readonly trades: LogSummary['trades'];
  /** What the parents cost, decomposed and summed, and the markouts over every fill. */
  readonly costs: LogSummary['costs'];
}

/** A finished run's report from its log and the fold of it. */
export function runReport(r: {
  readonly runId: RunId;
  readonly scenario: ScenarioFile;
  readonly seed: number;
  readonly log: { digest(): string; readonly count: number };
  readonly summary: LogSummary;
  readonly clockActions: number;
  readonly simulatedMs: number;
  readonly wallMs: number;
}): RunReport {
  const { summary, log } = r;
  // What every run must keep, whatever it expects: broken, they join its failed expectations.
  const expectations = [...checkExpectations(r.scenario.expect, summary), ...brokenInvariants(summary)];
  return {
    runId: r.runId,
    scenario: r.scenario.name,
    seed: r.seed,
    digest: log.digest(),
    events: log.count,
    clockActions: r.clockActions,
    simulatedMs: r.simulatedMs,
    wallMs: r.wallMs,
    eventsPerSec: r.wallMs > 0 ? Math.round((log.count / r.wallMs) * 1000) : 0,
    passed: expectations.every((e) => e.pass),
    expectations,
    parents: summary.parents,
    fills: summary.fills,
    discrepancies: summary.discrepancies,
    discrepancyNotes: summary.discrepancyNotes,
    overfilledParents: summary.overfilledParents,
    openAtVenue: summary.openAtVenue,
    duplicateOrders: summary.duplicateOrders,
    fillDetection: summary.fillDetection,
    signals: summary.signals,
    rejectedParents: summary.rejectedParents,
    reconciliation: summary.reconciliation,
    faults: summary.faults,
    replay: summary.replay,
    modelWarnings: summary.modelWarnings,
    warnings: summary.warnings,
    strategy: summary.strategy,
    quoteFallback: summary.quoteFallback,
    positions: summary.positions,
    pnl: summary.pnl,
    trades: summary.trades,
    costs: summary.costs,
  };
}
