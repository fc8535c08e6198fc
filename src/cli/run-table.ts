// The table `execsim run` ends with when it ran several scenarios (`npm start` runs every bundled
// one): per run its scenario, whether its expectations held, its fills, its shortfall and its net
// P&L, so a reader sees at the end what scrolled past in the reports above.
import type { RunReport } from '../runtime/backtest-run.ts';
import { textTable } from './text-table.ts';

type TableRun = Pick<RunReport, 'scenario' | 'passed' | 'fills' | 'parents' | 'pnl'>;

/**
 * The shortfall of a run's parents together, in bps: each parent's weighted by what it filled at
 * its arrival price (the notional its bps are of); null when no parent has one.
 */
export function runShortfallBps(parents: TableRun['parents']): number | null {
  let weight = 0;
  let sum = 0;
  for (const p of parents) {
    if (p.shortfallBps === null || p.arrivalPrice === null) continue;
    const w = Number(p.filledQty) * Number(p.arrivalPrice);
    if (!(w > 0)) continue;
    weight += w;
    sum += w * p.shortfallBps;
  }
  return weight > 0 ? sum / weight : null;
}

/** The table's lines: a header, then one row per run in the order they ran. */
export function runTable(reports: readonly TableRun[]): string[] {
  const rows = reports.map((r) => {
    const bps = runShortfallBps(r.parents);
    return [
      r.scenario,
      r.passed ? 'pass' : 'FAIL',
      String(r.fills),
      bps === null ? '-' : bps.toFixed(2),
      r.pnl.total.net,
    ];
  });
  return textTable(['scenario', 'result', 'fills', 'shortfall bps', 'net pnl'], rows, 2);
}
