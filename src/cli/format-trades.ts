// The trades block of a printed run report (docs/0084-round-trips-and-run-statistics.md): the
// figures in two lines (count, win rate, average win and loss, profit factor, expectancy; Sharpe
// and Sortino with their sampling and annualization, exposure, drawdown), then the first few
// trades, one a line, and a note of how many more `--json` lists. A report stored before reports
// had trades prints none.
import type { TradeRow, TradesReport } from '../core/report/trade-fold.ts';

/** Trades printed one a line; the rest are counted. */
export const PRINTED_TRADES = 5;

export function tradeLines(trades: TradesReport | undefined, shown: number = PRINTED_TRADES): string[] {
  if (trades === undefined) return [];
  const s = trades.stats;
  const na = (x: number | string | null, unit = ''): string => (x === null ? 'n/a' : `${x}${unit}`);
  const pct = (x: number | null): string => (x === null ? 'n/a' : `${(x * 100).toFixed(2)}%`);
  const e = s.equity;
  const dd = s.drawdown;
  const lines = [
    `  trades  ${s.trades} closed (${s.wins} won, ${s.losses} lost: win rate ${pct(s.winRate)}), ${s.open} open; ` +
      `avg win ${na(s.avgWin)}, avg loss ${na(s.avgLoss)}, profit factor ${na(s.profitFactor)}, expectancy ${na(s.expectancy)}; ` +
      `net ${s.closedNet} closed + ${s.openNet} open`,
    `          sharpe ${na(e.sharpe)}, sortino ${na(e.sortino)} per ${spanText(e.intervalMs)} of the equity curve ` +
      `(${e.intervals} interval${e.intervals === 1 ? '' : 's'}; annualized x${e.annualizationFactor} over a 365-day year: ${na(e.sharpeAnnualized)}, ${na(e.sortinoAnnualized)}); ` +
      `exposure ${pct(s.exposure)} of ${spanText(s.runMs)}; max drawdown ${dd.amount}` +
      (dd.shareOfPeak === null ? '' : ` (${pct(dd.shareOfPeak)} of peak)`) +
      (dd.durationMs > 0 ? ` over ${spanText(dd.durationMs)}${dd.recovered ? ', recovered' : ', not recovered'}` : ''),
  ];
  const all = [...trades.closed, ...trades.open];
  for (const t of all.slice(0, shown)) lines.push(`    ${tradeText(t)}`);
  if (all.length > shown)
    lines.push(
      `    ... ${all.length - shown} more trade${all.length - shown === 1 ? '' : 's'} (--json lists every one)`,
    );
  return lines;
}

function tradeText(t: TradeRow): string {
  const exit = t.exitPrice === null ? `open, marked ${t.mark ?? 'n/a'}` : t.exitPrice;
  return (
    `${t.symbol} ${t.side} ${t.qty} @ ${t.entryPrice} -> ${exit}: gross ${t.gross}, fees ${t.fees}, net ${t.net}; ` +
    `${t.fills} fill${t.fills === 1 ? '' : 's'}${t.inventory ? ' and inventory' : ''}, held ${spanText(t.holdingMs)}`
  );
}

/** ms as the largest unit that reads well. */
function spanText(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1_000)} s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${trim(ms / 3_600_000)} h`;
  return `${trim(ms / 86_400_000)} d`;
}

const trim = (x: number): string => String(Math.round(x * 10) / 10);
