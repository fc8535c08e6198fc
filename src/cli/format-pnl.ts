// The P&L block of a printed run report: net and what it is made of, then turnover, exposure,
// drawdown and where the position ended, in quote currency; one line more per symbol when the
// run trades several. A report stored before reports had P&L prints none.
import type { PnlReport, SymbolPnlReport } from '../core/report/pnl-fold.ts';

/** `pnl` of a report, which a report stored by an older execsim does not have. */
export function pnlLines(pnl: PnlReport | undefined): string[] {
  if (pnl === undefined) return [];
  const t = pnl.total;
  const unvalued =
    t.unvaluedFees.length > 0
      ? `; fees leave out ${t.unvaluedFees.map((u) => `${u.amount} ${u.asset}`).join(', ')} (no price known)`
      : '';
  const lines = [
    `  pnl  net ${t.net} = realized ${t.realized} + unrealized ${t.unrealized} - fees ${t.fees} (quote currency, average cost)${unvalued}`,
    `       turnover ${t.turnover}, max gross exposure ${t.maxGrossExposure}, max drawdown ${t.maxDrawdown}` +
      (pnl.symbols.length === 1 ? `; ${where(pnl.symbols[0] as SymbolPnlReport)}` : ''),
  ];
  if (pnl.symbols.length > 1)
    for (const s of pnl.symbols)
      lines.push(
        `       ${s.symbol}: net ${s.net} (realized ${s.realized}, unrealized ${s.unrealized}, fees ${s.fees}); ${where(s)}`,
      );
  return lines;
}

/** Where a symbol's position ended: its size, average cost and mark. */
function where(s: SymbolPnlReport): string {
  const baseline = s.baseline === '0' ? '' : ` (${s.baseline} held before the run)`;
  if (s.avgCost === null) return `flat${baseline}`;
  return `position ${s.position}${baseline} at avg cost ${s.avgCost}, marked at ${s.mark ?? 'n/a'}${s.markSource === null ? '' : ` (${s.markSource})`}`;
}
