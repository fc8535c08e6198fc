// Human-readable text for run reports and run lists (the --json forms print the objects as is).
import { replayMetricsLines } from '../core/report/replay-metrics.ts';
import { modelWarningLine } from '../core/report/model-warnings.ts';
import { planWarningsLines } from '../core/report/plan-warnings.ts';
import { strategyLine } from '../core/report/strategy-summary.ts';
import { quoteFallbackLine } from '../core/report/quote-fallback-metrics.ts';
import type { RunReport } from '../runtime/backtest-run.ts';
import type { RunSummary } from '../store/read-model-port.ts';
import { storedText } from '../store/stored-values.ts';
import { symbolsCell } from './symbols-cell.ts';
import { textTable } from './text-table.ts';
import { pnlLines } from './format-pnl.ts';
import { tradeLines } from './format-trades.ts';
import { groupedDigits } from '../core/model/count-text.ts';

/** A parent's cost decomposed, in one line: the parts against the decision mid, their total in
 *  bps of the decision value, and the 5 s markout (else the first horizon the report has). */
function costLine(p: RunReport['parents'][number]): string | null {
  const c = p.costs;
  if (c?.quote == null) return null;
  const q = c.quote;
  const m = c.markouts.find((x) => x.horizonMs === 5_000) ?? c.markouts[0];
  const markout =
    m === undefined ? '' : `; markout ${m.horizonMs / 1000} s ${m.bps === null ? 'n/a' : `${m.bps.toFixed(2)} bps`}`;
  return (
    `    cost vs decision ${c.decisionPrice}: delay ${q.delay} + timing ${q.timing} + spread ${q.spread} + ` +
    `opportunity ${q.opportunity} + fees ${q.fees} = ${q.total}` +
    `${c.bps === null ? '' : ` (${c.bps.total.toFixed(2)} bps)`}${markout}`
  );
}

/** The report as text; `stored` false (a run with --no-store) shows no run id: nothing could be
 *  looked up by it. A paper run's time is the wall clock's, not simulated. */
export function formatReport(r: RunReport, stored = true, mode = 'backtest'): string {
  const lines: string[] = [];
  lines.push(
    `${r.passed ? 'PASS' : 'FAIL'}  ${r.scenario}  (seed ${r.seed}, ${stored ? `run ${r.runId}` : 'not stored'})`,
  );
  lines.push(`  digest  ${r.digest}`);
  lines.push(
    `  events  ${r.events} in ${(r.simulatedMs / 1000).toFixed(0)} s ${mode === 'paper' ? 'of trading on paper' : `simulated, ${r.wallMs.toFixed(1)} ms wall`} ` +
      `(${groupedDigits(r.eventsPerSec)} events/s); fills ${r.fills}, discrepancies ${r.discrepancies}`,
  );
  for (const note of r.discrepancyNotes ?? []) lines.push(`  discrepancy: ${note}`);
  for (const o of r.overfilledParents ?? []) lines.push(`  OVERFILLED parent ${o}`);
  const open = r.openAtVenue;
  if (open && open.open > 0)
    lines.push(
      `  left working at the venue: ${open.open} order${open.open === 1 ? '' : 's'}` +
        (open.hidden > 0 ? `, ${open.hidden} of them held as ended by us` : ''),
    );
  // Did it make money, before how well it was executed.
  lines.push(...pnlLines(r.pnl));
  lines.push(...tradeLines(r.trades));
  const bps = (x: number | null) => (x === null ? 'n/a' : `${x.toFixed(2)} bps`);
  for (const p of r.parents) {
    lines.push(
      `  parent ${p.id}${p.symbol === undefined ? '' : ` (${p.symbol})`}: ${p.side} ${p.filledQty}/${p.qty} ${p.status}, avg ${p.avgPrice ?? 'n/a'}, ` +
        `arrival ${p.arrivalPrice ?? 'n/a'}, shortfall ${bps(p.shortfallBps)}, fees ${p.fees}, ${p.childOrders} child order${p.childOrders === 1 ? '' : 's'}`,
    );
    if (p.route === 'twap' || p.route === 'algo') {
      // An algorithm deciding as it runs has no plan of slices: its children sent, of those placed.
      const sent =
        p.route === 'algo'
          ? `${p.slicesExecuted}/${p.totalSlices} children sent`
          : `${p.slicesExecuted}/${p.totalSlices} slices sent`;
      lines.push(
        `    ${p.algo ?? 'twap'}${p.profile === null ? '' : ` (profile: ${p.profile})`}: ${sent}${p.stoppedEarly ? `, stopped early: ${p.stopReason}` : ''}; ` +
          `vs market VWAP ${p.marketVwap ?? 'n/a'} ${bps(p.vwapSlippageBps)}, TWAP ${p.marketTwap ?? 'n/a'} ${bps(p.twapSlippageBps)}; ` +
          `participation ${p.participationRate === null ? 'n/a' : `${(p.participationRate * 100).toFixed(2)}%`}` +
          `${p.benchmarkNote ? ` (${p.benchmarkNote})` : ''}; ` +
          `${p.durationMs === null ? 'still working' : `${(p.durationMs / 1000).toFixed(1)} s`}`,
      );
    }
    const cost = costLine(p);
    if (cost !== null) lines.push(cost);
    lines.push(...planWarningsLines(r.warnings.filter((w) => w.parent === p.id)));
    if (p.unvaluedFees.length > 0)
      lines.push(
        `    fees leave out commissions no price was known for: ${p.unvaluedFees.map((u) => `${u.amount} ${u.asset}`).join(', ')} ` +
          '(give the asset a price in commissionPrices)',
      );
    if (p.route === 'twap' && p.unsent.length > 0)
      lines.push(`    not sent: ${p.unsent.map((u) => `${u.slices} (${u.reason})`).join(', ')}`);
    lines.push(...childLines(p));
  }
  const f = r.fillDetection;
  if (f) {
    const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
    const ms = (x: number | null) => (x === null ? 'n/a' : `${x} ms`);
    const still = f.ordersStillWatched > 0 ? ` (${f.ordersStillWatched} still watched)` : '';
    const stillFills = f.fillsStillWatched > 0 ? `, ${f.fillsStillWatched} still watched` : '';
    lines.push(
      `  fill detection: ${f.ordersMonitored} monitored${still}, ${f.fillsDetected} with fills (${f.fillsByPush} by push, ${f.fillsByPoll} by our queries, ` +
        `${f.fillsByLookup} by other lookups${stillFills}); ` +
        `detection ${pct(f.detectionRate)}, timeouts ${pct(f.timeoutRate)} (verified unfilled), unresolved ${pct(f.unresolvedRate)}, false positives ${f.falsePositives ?? 'n/a'}, ` +
        `consistency ${pct(f.consistency)} of ${f.positionChecks} checks`,
    );
    lines.push(
      `    latency mean ${ms(f.meanDetectionLatencyMs)}, p99 ${ms(f.p99DetectionLatencyMs)}; ${f.pollsPerOrder} polls and ` +
        `${f.apiCallsPerOrder} API calls per order; error rate ${pct(f.errorRate)} of its own queries, ${f.failedQueries} failed queries by any reader; cancel races ${f.cancelRaces}; ` +
        `slippage warnings ${f.slippageWarnings}; criteria ${f.meetsCriteria === null ? 'n/a' : f.meetsCriteria ? 'met' : 'NOT met'}`,
    );
  }
  for (const w of r.modelWarnings) lines.push(modelWarningLine(w));
  if (r.strategy) lines.push(strategyLine(r.strategy));
  if (r.quoteFallback !== null) lines.push(quoteFallbackLine(r.quoteFallback));
  // A run of several symbols says where each ended (one symbol's is in its parents and audit).
  if (r.positions.length > 1)
    lines.push(
      `  positions at the end: ${r.positions.map((p) => `${p.symbol} ${p.ours}${p.ours === p.venue ? '' : ` (venue ${p.venue})`}`).join(', ')}`,
    );
  for (const x of r.rejectedParents)
    lines.push(`  refused ${x.id} at ${x.stage}${x.code ? ` (${x.code})` : ''}: ${x.reason}`);
  lines.push(...refusedSignalLines(r.signals));
  const c = r.reconciliation;
  if (c.restarts > 0 || c.startupRuns + c.periodicRuns > 0) {
    lines.push(
      `  restarts ${c.restarts} (${c.lostEntries} uncommitted entries lost, ${c.refusedInputs} inputs refused while down, ${c.notReadyRefusals} not ready); ` +
        `reconciliation ${c.startupRuns} startup + ${c.periodicRuns} periodic: ${c.mismatches} mismatches (${c.missedFills} missed fills, ` +
        lateFills(c.lateFills) +
        `${c.statusMismatches} statuses, ${c.unknownAtVenue} unknown at venue, ${c.positionMismatches} positions, ${c.orphanMismatches} orphans), ` +
        `${c.unresolvedFindings} unresolved, ${c.conflictsSkipped} stale updates skipped; ` +
        `orphans ${c.orphansDetected} found, ${c.orphansResolved} resolved; slices ${c.slicesRecovered} recovered, ${c.slicesSkipped} skipped, ` +
        `${c.slicesFailed} failed, ${c.slicesBlocked} blocked, ${c.slicesCanceled} cancelled`,
    );
  }
  const faults = Object.entries(r.faults.applied);
  if (faults.length > 0 || r.faults.rejects > 0 || r.faults.restarts > 0) {
    const x = r.faults;
    lines.push(
      `  faults: ${faults.length ? faults.map(([k, n]) => `${k} ${n}`).join(', ') : 'none scheduled'}; ${x.unknownOutcomes} unknown outcomes, ${x.resends} resends, ` +
        `${refusals(x.rejects, 'final')}, ${refusals(x.retryableRejects, 'retryable')}, ${x.fillsLearnedByQuery} fills learned by query, ${x.staleAnswersIgnored} stale answers ignored`,
    );
  }
  if (r.replay) lines.push(...replayMetricsLines(r.replay));
  for (const e of r.expectations) {
    lines.push(`  ${e.pass ? 'ok  ' : 'FAIL'} ${e.name}: expected ${e.expected}, observed ${e.observed}`);
  }
  return lines.join('\n');
}

/** Refused signals shown one per line, each with why; a strategy may have thousands, so past
 *  MAX_REFUSED_SIGNAL_LINES the rest are counted by stage and code. */
const MAX_REFUSED_SIGNAL_LINES = 10;

function refusedSignalLines(signals: RunReport['signals']): string[] {
  const refused = signals.filter((s) => s.outcome === 'rejected');
  const where = (s: (typeof refused)[number]): string => `${s.stage ?? 'unknown'}${s.code ? ` (${s.code})` : ''}`;
  const lines = refused
    .slice(0, MAX_REFUSED_SIGNAL_LINES)
    .map((s) => `  refused signal ${s.id} at ${where(s)}${s.reason ? `: ${s.reason}` : ''}`);
  const rest = refused.slice(MAX_REFUSED_SIGNAL_LINES);
  if (rest.length > 0) {
    const counts = new Map<string, number>();
    for (const s of rest) counts.set(where(s), (counts.get(where(s)) ?? 0) + 1);
    lines.push(`  refused ${rest.length} more signals: ${[...counts].map(([w, n]) => `${n} at ${w}`).join(', ')}`);
  }
  return lines;
}

/** A count of the venue's refusals of one kind: final and retryable ones are counted apart (a
 *  retryable refusal is not one of the final ones), so each is said as a count of its own. */
const refusals = (n: number, kind: 'final' | 'retryable'): string => `${n} ${kind} refusal${n === 1 ? '' : 's'}`;

/** Up to ten children one per line; more as counts by outcome, with their reasons. */
/** Missed-fill findings the stream delivered afterwards: it was late, nothing was missed. Shown
 *  only when there are any. */
function lateFills(n: number): string {
  if (n === 0) return '';
  const what = n === 1 ? '1 late fill' : `${n} late fills`;
  return `${what} found by reconciliation before the stream delivered ${n === 1 ? 'it' : 'them'}, `;
}

/** A parent's children one per line (up to ten), their due and send times counted from the
 *  parent's start; a report stored before it had `startedAt` counts from its first child. */
function childLines(p: RunReport['parents'][number]): string[] {
  const start = (p.startedAt as number | undefined) ?? p.children[0]?.scheduledAt ?? 0;
  const at = (t: number | null) => (t === null ? '-' : `+${((t - start) / 1000).toFixed(1)} s`);
  const why = (c: (typeof p.children)[number]) =>
    c.reason === null ? '' : `: ${c.code ? `${c.code} ` : ''}${c.reason}`;
  if (p.children.length <= 1 && p.route === 'single') {
    const c = p.children[0];
    return c && c.outcome !== 'filled' && c.reason !== null
      ? [`    order ${c.outcome.replace('_', ' ')}${why(c)}`]
      : [];
  }
  if (p.children.length <= 10) {
    return p.children.map(
      (c) =>
        `    slice ${c.sliceNum}: ${c.outcome.replace('_', ' ')} ${c.filledQty}/${c.qty}${c.avgPrice ? ` @ ${c.avgPrice}` : ''}, due ${at(c.scheduledAt)}, sent ${at(c.sentAt)}${c.attempts > 1 ? ` (${c.attempts} sends)` : ''}${why(c)}`,
    );
  }
  const by = new Map<string, number>();
  for (const c of p.children) {
    const key = `${c.outcome.replace('_', ' ')}${c.outcome === 'filled' || c.reason === null ? '' : ` (${c.code ? `${c.code} ` : ''}${c.reason})`}`;
    by.set(key, (by.get(key) ?? 0) + 1);
  }
  return [`    children: ${[...by].map(([k, n]) => `${n} ${k}`).join(', ')}`];
}

/** Stored runs, each in the state it is shown in (a running run whose writer is gone: crashed). */
/** A paper run whose process died or was stopped: `execsim resume` continues it. */
export function isResumable(r: Pick<RunSummary, 'mode' | 'state'>): boolean {
  return r.mode === 'paper' && (r.state === 'crashed' || r.state === 'interrupted');
}

export function formatRunList(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'no runs stored yet: try `execsim run scenarios`';
  const header = [
    'run',
    'scenario',
    'symbols',
    'seed',
    'state',
    'passed',
    'events',
    'netPnl',
    'trades',
    'win',
    'PF',
    'sharpe',
    'maxDD',
    'started',
    'digest',
  ];
  const figure = (x: number | null, digits: number) => (x === null ? '-' : String(Number(x.toFixed(digits))));
  const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
  const passed = (p: RunSummary['passed']) => (p === null ? '-' : p ? 'yes' : 'NO');
  // storedText: a cell holds what the row holds, a blob too (a database edited by hand).
  const body = runs.map((r) => [
    storedText(r.id),
    storedText(r.scenario),
    symbolsCell(r.symbols),
    storedText(r.seed),
    isResumable(r) ? `${r.state}, resumable` : storedText(r.state),
    passed(r.passed),
    storedText(r.events),
    figure(r.netPnl, 4),
    r.trades === null ? '-' : storedText(r.trades),
    pct(r.winRate),
    figure(r.profitFactor, 2),
    figure(r.sharpe, 2),
    figure(r.maxDrawdown, 4),
    storedText(r.startedAt),
    r.digest === null ? '-' : storedText(r.digest).slice(0, 16),
  ]);
  return textTable(header, body).join('\n');
}
