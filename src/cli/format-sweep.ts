// The printed report of a sweep: per-parent statistics over the paths, the paths' status at the
// horizon, expectations held, cost parts, and with a grid each point's figures, the best point
// per objective and the points ranked (what `execsim sweep` prints without --json).
import { METRICS, PATH_STATUSES, type Metric, type SweepResult } from '../sweep/sweep.ts';
import type { TradingMetric } from '../sweep/path-trading.ts';
import { COST_METRICS, type CostMetric } from '../sweep/path-costs.ts';
import { settingsLabel } from '../sweep/sweep-grid.ts';
import { RANK_MIN_SHARE, type GridReport, type MetricWithCi } from '../sweep/sweep-grid-report.ts';
import type { MetricStats } from '../sweep/sweep-stats.ts';
import { textTable } from './text-table.ts';

const LABELS: Record<Metric, string> = {
  shortfallQuote: 'shortfall quote',
  shortfallBps: 'shortfall bps',
  fillRatio: 'fill ratio',
  durationMs: 'duration ms',
};
const DECIMALS: Record<Metric, number> = { shortfallQuote: 4, shortfallBps: 2, fillRatio: 4, durationMs: 1 };

function fixed(x: number | null, decimals: number): string {
  if (x === null) return '-';
  const s = x.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** Where a local sweep ran: on how many threads, and why fewer than asked for (a sweep too
 *  short for a worker thread to pay for its start runs in the command's thread alone). */
export const onThreads = (threads: number, asked = threads): string =>
  `on ${threads} thread${threads === 1 ? '' : 's'}` +
  (threads < asked ? ` (too short to start ${asked - threads} more)` : '');

/** Where a queued sweep's paths ran: through the queue, on the workers whose results were stored
 *  (none when every path was stored before, by an earlier coordinator of a resumed sweep). */
export const throughQueue = (workers: number): string =>
  workers === 0 ? 'through the queue' : `through the queue on ${workers} worker${workers === 1 ? '' : 's'}`;

/** The human-readable summary of a sweep; `sweepId` is the stored sweep's id (null: not stored);
 *  `ranOn` says where its paths ran (onThreads, throughQueue). */
export function formatSweep(r: SweepResult, wallMs: number, sweepId: string | null, ranOn = onThreads(1)): string {
  const lines: string[] = [];
  const points = r.grid ? r.grid.points.length : 1;
  lines.push(
    `sweep ${r.scenario}: ${r.paths} path${r.paths === 1 ? '' : 's'}` +
      (r.grid ? ` at each of ${points} grid point${points === 1 ? '' : 's'} (${r.paths * points} in all)` : '') +
      `, seeds derived from ${r.seed}, ` +
      `${(wallMs / 1000).toFixed(1)} s wall ${ranOn}; ` +
      `${sweepId !== null ? `stored as sweep ${sweepId}` : 'paths not stored'}`,
  );
  if (r.grid) {
    lines.push('', ...formatGrid(r.grid), '', 'over all grid points together:');
  }
  const pnl = r.netPnl;
  // A result stored before paths had a net P&L has none.
  if (pnl && pnl.n > 0)
    lines.push(
      `net P&L per path (quote currency): mean ${fixed(pnl.mean, 2)}, sd ${fixed(pnl.std, 2)}, ` +
        `p5 ${fixed(pnl.p5, 2)}, p50 ${fixed(pnl.p50, 2)}, p95 ${fixed(pnl.p95, 2)} (${pnl.n} paths)`,
    );
  // A result stored before paths had costs has none.
  if (r.costs && r.costs.totalCostBps.n > 0) lines.push(costsLine(r.costs));
  const rows: string[][] = [];
  for (const [id, s] of Object.entries(r.summary)) {
    METRICS.forEach((m, k) => {
      const st = s[m];
      const d = DECIMALS[m];
      rows.push([
        k === 0 ? id : '',
        LABELS[m],
        String(st.n),
        String(st.missing),
        fixed(st.mean, d),
        fixed(st.std, d),
        fixed(st.p5, d),
        fixed(st.p50, d),
        fixed(st.p95, d),
      ]);
    });
  }
  lines.push('', ...textTable(['parent', 'metric', 'n', 'missing', 'mean', 'std', 'p5', 'p50', 'p95'], rows, 2));
  lines.push('missing: paths without the value (nothing filled: no shortfall; never completed: no duration)');
  lines.push('', 'parent status at the end of the horizon, paths:');
  for (const [id, s] of Object.entries(r.summary)) {
    const counts = PATH_STATUSES.filter((st) => s.status[st] > 0).map((st) => `${st} ${s.status[st]}`);
    lines.push(`  ${id}: ${counts.join(', ')}`);
  }
  if (r.expectations.length > 0) {
    lines.push('', 'expectations, paths on which each held:');
    for (const e of r.expectations) {
      lines.push(
        `  ${String(e.passed).padStart(String(e.paths).length)}/${e.paths}  ${e.name}: expected ${e.expected}`,
      );
    }
  }
  return lines.join('\n');
}

const COST_LABELS: Readonly<Record<CostMetric, string>> = {
  delayBps: 'delay',
  timingBps: 'timing',
  spreadBps: 'spread',
  opportunityBps: 'opportunity',
  feesBps: 'fees',
  totalCostBps: 'total',
  markout5sBps: 'markout 5 s',
  markout1sBps: 'markout 1 s',
  markout30sBps: 'markout 30 s',
  markout5mBps: 'markout 5 min',
  participationPct: 'participation %',
};

/** The parts of the shortfall, which add up to its total. */
const COST_PARTS: readonly CostMetric[] = ['delayBps', 'timingBps', 'spreadBps', 'opportunityBps', 'feesBps'];

/** The paths' costs in one line: each part's mean over the paths and the total's spread. */
function costsLine(
  c: Readonly<Record<CostMetric, { mean: number | null; p5: number | null; p95: number | null }>>,
): string {
  const parts = COST_PARTS.map((m) => `${COST_LABELS[m]} ${fixed(c[m].mean, 2)}`).join(' + ');
  const t = c.totalCostBps;
  return (
    `cost per path, bps of the decision value (mean): ${parts} = ${fixed(t.mean, 2)} ` +
    `(p5 ${fixed(t.p5, 2)}, p95 ${fixed(t.p95, 2)}); markout 5 s ${fixed(c.markout5sBps.mean, 2)} bps (positive = favourable)`
  );
}

const ci = (m: { ci95: readonly [number, number] | null }, d: number): string =>
  m.ci95 === null ? '-' : `${fixed(m.ci95[0], d)}..${fixed(m.ci95[1], d)}`;

/** The grid's trading figures per point, then the grid ranked by the chosen figure (--rank), each
 *  point beside the top one: the paired difference, "not significant" when its 95% CI covers 0,
 *  and the pass rate. Reports stored before either have none. */
function rankLines(g: GridReport): string[] {
  const lines: string[] = [];
  if (g.points.some((p) => p.trading !== undefined))
    lines.push(
      '',
      'trading by point (mean over paths; sharpe and sortino annualized; drawdown and expectancy in quote currency):',
      ...textTable(
        ['point', 'sharpe', 'sortino', 'win', 'PF', 'expectancy', 'max DD', 'trades', 'exposure'],
        g.points.map((p) => {
          const m = (k: TradingMetric, d: number) => fixed(p.trading?.[k].mean ?? null, d);
          return [
            String(p.point),
            m('sharpe', 2),
            m('sortino', 2),
            m('winRate', 3),
            m('profitFactor', 2),
            m('expectancy', 2),
            m('maxDrawdown', 2),
            m('trades', 1),
            m('exposure', 3),
          ];
        }),
        2,
      ),
    );
  const r = g.rank;
  if (r === undefined) return lines;
  const d = r.by === 'winRate' ? 4 : 2;
  lines.push(
    '',
    `ranked by mean ${r.by} (${r.higherIsBetter ? 'highest' : 'lowest'} first); vs top: paired difference over the same seeds, 95% CI:`,
    ...textTable(
      ['rank', 'point', 'settings', `mean ${r.by}`, 'vs top', 'CI', '', 'pass'],
      r.points.map((x, i) => {
        const p = g.points[x.point];
        return [
          String(i + 1),
          String(x.point),
          p === undefined ? '-' : settingsLabel(p.settings),
          fixed(x.mean, d),
          x.vsTop === null ? (i === 0 ? 'top' : '-') : fixed(x.vsTop.mean, d),
          x.vsTop === null ? '-' : ci(x.vsTop, d),
          x.significant === false ? 'not significant' : '',
          `${(x.passRate * 100).toFixed(1)}%`,
        ];
      }),
      2,
    ),
  );
  return lines;
}

/** A grid sweep's table: one row per point, then the best point per objective. */
export function formatGrid(g: GridReport): string[] {
  const rows = g.points.map((p) => {
    const s: MetricWithCi = p.shortfallBps;
    const vs = p.vsBest;
    return [
      String(p.point),
      settingsLabel(p.settings),
      // Old stored reports have no `ranked`: they ranked every point.
      p.ranked === false ? `${s.n}*` : String(s.n),
      fixed(s.mean, 2),
      ci(s, 2),
      fixed(s.std, 2),
      fixed(s.p5, 2),
      fixed(s.p50, 2),
      fixed(s.p95, 2),
      fixed(p.fillRatio.mean, 4),
      // Old stored reports have no net P&L.
      fixed(p.netPnl?.mean ?? null, 2),
      `${(p.passRate * 100).toFixed(1)}%`,
      p.point === g.best.meanShortfall ? 'best' : vs === null ? '-' : `${fixed(vs.mean, 2)} (${ci(vs, 2)})`,
    ];
  });
  const lines = [
    'shortfall in bps of arrival notional, all parents of a path together; CI: 95% confidence interval of the mean;',
    'vs best: paired difference of shortfall to the lowest-mean point over the same seeds, with its 95% CI;',
    `n*: a shortfall on fewer than ${RANK_MIN_SHARE * 100}% of the point's paths (the others filled nothing): not ranked for shortfall;`,
    'net P&L: mean over the paths of realized + unrealized - fees, quote currency;',
    ...textTable(
      ['point', 'settings', 'n', 'mean', 'CI', 'sd', 'p5', 'p50', 'p95', 'fill', 'net P&L', 'pass', 'vs best'],
      rows,
      2,
    ),
  ];
  // Reports stored before paths had costs have none.
  if (g.points.some((p) => p.costs !== undefined))
    lines.push(
      '',
      'cost by point, bps of the decision value (mean over paths; markouts: positive = favourable; participation: % of the market volume):',
      ...textTable(
        ['point', ...COST_METRICS.map((m) => COST_LABELS[m])],
        // A point stored before a figure existed has none of it.
        g.points.map((p) => [
          String(p.point),
          ...COST_METRICS.map((m) => fixed((p.costs?.[m] as MetricStats | undefined)?.mean ?? null, 2)),
        ]),
        2,
      ),
    );
  lines.push(...rankLines(g));
  lines.push('', 'best setting per objective:');
  const name = (p: number | null): string => {
    const point = p === null ? undefined : g.points[p];
    return point === undefined
      ? '- (no point has the figure)'
      : `point ${point.point}: ${settingsLabel(point.settings)}`;
  };
  lines.push(`  lowest mean shortfall:       ${name(g.best.meanShortfall)}`);
  lines.push(`  lowest p95 shortfall (risk): ${name(g.best.p95Shortfall)}`);
  lines.push(`  highest fill ratio:          ${name(g.best.fillRatio)}`);
  // Reports stored before grid points had a net P&L have no ranking.
  if (g.ranking) {
    lines.push(`  highest mean net P&L:        ${name(g.best.netPnl)}`);
    const ranked = (order: readonly number[], value: (p: GridReport['points'][number]) => string): string =>
      order.map((i) => (g.points[i] ? `${i} (${value(g.points[i])})` : String(i))).join(', ');
    lines.push(
      '',
      'grid points ranked, best first (point and its mean):',
      `  by mean net P&L (quote currency, highest first): ${ranked(g.ranking.netPnl, (p) => fixed(p.netPnl.mean, 2))}`,
      `  by mean shortfall (bps, lowest first): ${ranked(g.ranking.shortfall, (p) => `${fixed(p.shortfallBps.mean, 2)}${p.ranked === false ? '*' : ''}`)}`,
    );
  }
  return lines;
}
