// A sweep path's trading figures: the run report's statistics of its round trips and equity curve
// (trade-fold.ts) as numbers, so that a grid point reports them over its paths and the grid can be
// ranked by one (`--rank FIELD`), each point compared with the top one path by path.
import type { TradesReport } from '../core/report/trade-fold.ts';

export const TRADING_METRICS = [
  'sharpe',
  'sortino',
  'winRate',
  'profitFactor',
  'expectancy',
  'maxDrawdown',
  'trades',
  'exposure',
] as const;
export type TradingMetric = (typeof TRADING_METRICS)[number];
/** Sharpe and Sortino annualized (docs/0084-round-trips-and-run-statistics.md); expectancy and
 *  max drawdown in quote currency; trades: closed round trips; win rate and exposure 0..1. */
export type PathTrading = Readonly<Record<TradingMetric, number | null>>;

/** What a grid may be ranked by, and which way is better. */
export const RANK_FIELDS = ['netPnl', 'sharpe', 'winRate', 'profitFactor', 'drawdown', 'trades'] as const;
export type RankField = (typeof RANK_FIELDS)[number];
export const HIGHER_IS_BETTER: Readonly<Record<RankField, boolean>> = {
  netPnl: true,
  sharpe: true,
  winRate: true,
  profitFactor: true,
  drawdown: false,
  trades: true,
};

/** The path figures of a run's trades; null for a report without them. */
export function pathTrading(trades: TradesReport | undefined): PathTrading | null {
  if (trades === undefined) return null;
  const s = trades.stats;
  const num = (x: string | null): number | null => (x === null ? null : Number(x));
  return {
    sharpe: s.equity.sharpeAnnualized,
    sortino: s.equity.sortinoAnnualized,
    winRate: s.winRate,
    profitFactor: s.profitFactor,
    expectancy: num(s.expectancy),
    maxDrawdown: num(s.drawdown.amount),
    trades: s.trades,
    exposure: s.exposure,
  };
}

/** A unit's value of the rank field: its net P&L, or one of its trading figures. */
export function rankValue(
  field: RankField,
  u: { readonly netPnl: number | null; readonly trading?: PathTrading | null | undefined },
): number | null {
  if (field === 'netPnl') return u.netPnl;
  const t = u.trading;
  if (t === null || t === undefined) return null;
  return field === 'drawdown' ? t.maxDrawdown : t[field];
}
