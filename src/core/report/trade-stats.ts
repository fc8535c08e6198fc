// The arithmetic of a run's statistics (docs/0084-round-trips-and-run-statistics.md), on plain
// numbers in one unit: the closed trades' net P&L (win rate, average win and loss, profit factor,
// expectancy) and the equity curve's samples on a fixed grid of run clock (Sharpe and Sortino of
// the change per interval, and the same annualized by the square root of the intervals in a
// 365-day year: venues we model trade every day). Figures that need what the run did not give
// (no trade, no loss, fewer than two intervals, no variation) are null, never 0 or infinity.

export interface TradeFigures {
  readonly trades: number;
  readonly wins: number;
  readonly losses: number;
  /** Wins (net > 0) over closed trades, 0..1. */
  readonly winRate: number | null;
  readonly avgWin: number | null;
  /** The mean of the losing trades' net P&L (negative). */
  readonly avgLoss: number | null;
  /** Sum of wins over the magnitude of the sum of losses; null without a loss. */
  readonly profitFactor: number | null;
  /** Mean net P&L per closed trade. */
  readonly expectancy: number | null;
  readonly total: number;
}

export function tradeFigures(nets: readonly number[]): TradeFigures {
  let won = 0;
  let lost = 0;
  let wins = 0;
  let losses = 0;
  let total = 0;
  for (const x of nets) {
    total += x;
    if (x > 0) {
      wins++;
      won += x;
    } else if (x < 0) {
      losses++;
      lost += x;
    }
  }
  const n = nets.length;
  return {
    trades: n,
    wins,
    losses,
    winRate: n === 0 ? null : ratio(wins / n),
    avgWin: wins === 0 ? null : won / wins,
    avgLoss: losses === 0 ? null : lost / losses,
    profitFactor: losses === 0 ? null : ratio(won / -lost),
    expectancy: n === 0 ? null : total / n,
    total,
  };
}

export const YEAR_MS = 365 * 86_400_000;

export interface CurveFigures {
  /** The changes the ratios are of: one fewer than the samples. */
  readonly intervals: number;
  readonly sharpe: number | null;
  readonly sortino: number | null;
  readonly sharpeAnnualized: number | null;
  readonly sortinoAnnualized: number | null;
  /** The factor the annualized ratios are the per-interval ones times: sqrt(year / interval). */
  readonly annualizationFactor: number;
}

/**
 * Sharpe: the mean change per interval over its sample standard deviation; Sortino: the mean over
 * the downside deviation (root mean square of the changes below 0, over every change). No risk-free
 * rate: the curve is P&L, not a return on capital.
 */
export function curveFigures(samples: readonly number[], intervalMs: number): CurveFigures {
  const changes: number[] = [];
  for (let i = 1; i < samples.length; i++) changes.push((samples[i] as number) - (samples[i - 1] as number));
  const n = changes.length;
  const factor = Math.sqrt(YEAR_MS / intervalMs);
  const none = { intervals: n, sharpe: null, sortino: null, sharpeAnnualized: null, sortinoAnnualized: null };
  if (n < 2) return { ...none, annualizationFactor: ratio(factor) };
  const mean = changes.reduce((s, x) => s + x, 0) / n;
  const variance = changes.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  const downside = Math.sqrt(changes.reduce((s, x) => s + (x < 0 ? x * x : 0), 0) / n);
  const sd = Math.sqrt(variance);
  // A spread far below the changes' own size is rounding, not variation.
  const scale = Math.max(...changes.map(Math.abs));
  const sharpe = sd > scale * 1e-12 ? mean / sd : null;
  const sortino = downside > 0 ? mean / downside : null;
  return {
    intervals: n,
    sharpe: sharpe === null ? null : ratio(sharpe),
    sortino: sortino === null ? null : ratio(sortino),
    sharpeAnnualized: sharpe === null ? null : ratio(sharpe * factor),
    sortinoAnnualized: sortino === null ? null : ratio(sortino * factor),
    annualizationFactor: ratio(factor),
  };
}

/** Six significant decimals: a ratio printed and stored the same whatever order summed it. */
export function ratio(x: number): number {
  return Math.round(x * 1e6) / 1e6 + 0;
}
