/** @jsxImportSource hono/jsx */
// A grid sweep's tables on its page: the grid points (settings, paths, pass count, shortfall mean
// and sd, fill ratio; with the 95% interval, net P&L, the paired difference to the best point, the
// best point per objective and the points ranked by mean net P&L and by mean shortfall once it
// finished) and each point's costs (the shortfall's parts, mean and sd over the paths, the total's
// p95, the fills' markouts and the parents' participation: which setting, or algorithm, costs what
// on this market and how widely).
import { fields, num, pct, str } from './format.ts';
import { RANK_MIN_SHARE } from '../../sweep/sweep-grid-report.ts';

export const settingsText = (v: unknown): string =>
  Array.isArray(v)
    ? v
        .map(fields)
        .map((x) => `${str(x['key'])}=${str(x['value'])}`)
        .join(', ')
    : '';

const interval = (v: unknown): string => (Array.isArray(v) && v.length === 2 ? `${num(v[0])} to ${num(v[1])}` : '–');

/** A grid sweep's points: what is stored so far, and the finished report's intervals. */
export function GridTable(props: { points: unknown; report: unknown }) {
  const points = Array.isArray(props.points) ? (props.points as unknown[]).map(fields) : [];
  const report = fields(props.report);
  const full = Array.isArray(report['points']) ? (report['points'] as unknown[]).map(fields) : [];
  const best = fields(report['best']);
  // The best point per objective, as the CLI names them below its grid table.
  const bestOf = (key: string): string => {
    const at = best[key];
    const point = typeof at === 'number' ? points.find((p) => p['point'] === at) : undefined;
    return point === undefined ? '– (no point has the figure)' : `point ${at}: ${settingsText(point['settings'])}`;
  };
  return (
    <>
      <GridPointsTable points={points} full={full} best={best} />
      {full.some((r) => r['ranked'] === false) ? <p class="note">* {UNRANKED}</p> : null}
      {props.report === null || props.report === undefined ? null : (
        <dl class="best">
          <dt>lowest mean shortfall</dt>
          <dd>{bestOf('meanShortfall')}</dd>
          <dt>lowest p95 shortfall (risk)</dt>
          <dd>{bestOf('p95Shortfall')}</dd>
          <dt>highest fill ratio</dt>
          <dd>{bestOf('fillRatio')}</dd>
          {best['netPnl'] === undefined ? null : (
            <>
              <dt>highest mean net P&amp;L</dt>
              <dd>{bestOf('netPnl')}</dd>
            </>
          )}
        </dl>
      )}
      <GridRankings ranking={report['ranking']} full={full} />
      <GridCostsTable points={points} full={full} />
    </>
  );
}

const COST_PARTS = [
  ['delayBps', 'delay'],
  ['timingBps', 'timing'],
  ['spreadBps', 'spread'],
  ['opportunityBps', 'opportunity'],
  ['feesBps', 'fees'],
  ['totalCostBps', 'total'],
] as const;
const MARKOUTS = [
  ['markout1sBps', '1 s'],
  ['markout5sBps', '5 s'],
  ['markout30sBps', '30 s'],
  ['markout5mBps', '5 min'],
] as const;

/** Each point's costs from the finished report (a report stored before paths had costs, or a
 *  sweep still running, has none: nothing is shown). */
function GridCostsTable(props: {
  points: ReadonlyArray<Record<string, unknown>>;
  full: ReadonlyArray<Record<string, unknown>>;
}) {
  const costsOf = (point: unknown): Record<string, unknown> | null => {
    const c = props.full[Number(point)]?.['costs'];
    return c === undefined || c === null ? null : fields(c);
  };
  if (!props.points.some((p) => costsOf(p['point']) !== null)) return null;
  const stat = (c: Record<string, unknown> | null, key: string) => fields(c?.[key]);
  return (
    <>
      <h3>Costs per grid point</h3>
      <p class="note">
        The shortfall against the decision mid in its parts, bps of the decision value, all parents of a path together:
        mean ± sd over the paths (the parts add up to the total path by path); the total's p95 is its risk. Markouts:
        the mid a horizon after each fill against its price, bps, positive = favourable. Participation: our fills as a
        percent of the market's volume over each parent's horizon.
      </p>
      <table class="grid costs">
        <thead>
          <tr>
            <th class="n">point</th>
            <th>settings</th>
            {COST_PARTS.map(([, label]) => (
              <th class="n">{label}</th>
            ))}
            <th class="n">total p95</th>
            {MARKOUTS.map(([, label]) => (
              <th class="n">markout {label}</th>
            ))}
            <th class="n">participation %</th>
          </tr>
        </thead>
        <tbody>
          {props.points.map((p) => {
            const c = costsOf(p['point']);
            const meanSd = (key: string): string => {
              const m = stat(c, key);
              return m['mean'] === null || m['mean'] === undefined ? '–' : `${num(m['mean'])} ± ${num(m['std'])}`;
            };
            return (
              <tr data-point={str(p['point'])}>
                <td class="n">{str(p['point'])}</td>
                <td>{settingsText(p['settings'])}</td>
                {COST_PARTS.map(([key]) => (
                  <td class="n" data-cost={key}>
                    {meanSd(key)}
                  </td>
                ))}
                <td class="n" data-cost="totalCostBpsP95">
                  {num(stat(c, 'totalCostBps')['p95'])}
                </td>
                {MARKOUTS.map(([key]) => (
                  <td class="n" data-cost={key}>
                    {num(stat(c, key)['mean'])}
                  </td>
                ))}
                <td class="n" data-cost="participationPct">
                  {num(stat(c, 'participationPct')['mean'])}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/** The points in order of each objective, best first, with their means (a report stored before
 *  grid points had a net P&L has no ranking: nothing is shown). */
function GridRankings(props: { ranking: unknown; full: ReadonlyArray<Record<string, unknown>> }) {
  const ranking = fields(props.ranking);
  const order = (key: string): number[] =>
    Array.isArray(ranking[key]) ? (ranking[key] as unknown[]).filter((x): x is number => typeof x === 'number') : [];
  const meanOf = (point: number, key: string): string => num(fields(props.full[point]?.[key])['mean']);
  if (order('netPnl').length === 0) return null;
  return (
    <dl class="ranking">
      <dt>ranked by mean net P&amp;L (quote currency, highest first)</dt>
      <dd>
        {order('netPnl')
          .map((p) => `${p} (${meanOf(p, 'netPnl')})`)
          .join(', ')}
      </dd>
      <dt>ranked by mean shortfall (bps, lowest first)</dt>
      <dd>
        {order('shortfall')
          .map((p) => `${p} (${meanOf(p, 'shortfallBps')})`)
          .join(', ')}
      </dd>
    </dl>
  );
}

const UNRANKED = `a shortfall on fewer than ${RANK_MIN_SHARE * 100}% of the point's paths (the others filled nothing): not ranked for shortfall`;

function GridPointsTable(props: {
  points: ReadonlyArray<Record<string, unknown>>;
  full: ReadonlyArray<Record<string, unknown>>;
  best: Record<string, unknown>;
}) {
  const { points, full, best } = props;
  return (
    <table class="grid">
      <thead>
        <tr>
          <th class="n">point</th>
          <th>settings</th>
          <th class="n">paths</th>
          <th class="n">passed</th>
          <th class="n">shortfall mean</th>
          <th class="n">sd</th>
          <th class="n">95% CI of the mean</th>
          <th class="n">p95</th>
          <th class="n">fill ratio mean</th>
          <th class="n">net P&amp;L mean</th>
          <th class="n">vs best (paired)</th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => {
          const sf = fields(p['shortfallBps']);
          const r = full[Number(p['point'])] ?? {};
          const rs = fields(r['shortfallBps']);
          const vs = fields(r['vsBest']);
          const isBest = best['meanShortfall'] === p['point'];
          // A point whose shortfall is on too few of its paths is not ranked (reports stored
          // before the rule have no `ranked` and ranked every point).
          const unranked = r['ranked'] === false;
          return (
            <tr>
              <td class="n">{str(p['point'])}</td>
              <td>{settingsText(p['settings'])}</td>
              <td class="n">{str(p['paths'])}</td>
              <td class="n">{str(p['passed'])}</td>
              <td class="n" title={unranked ? UNRANKED : undefined}>
                {num(sf['mean'])}
                {unranked ? '*' : ''}
              </td>
              <td class="n">{num(sf['stdev'])}</td>
              <td class="n">{interval(rs['ci95'])}</td>
              <td class="n">{num(rs['p95'])}</td>
              <td class="n">{pct(p['fillRatioMean'])}</td>
              <td class="n">{num(fields(r['netPnl'])['mean'])}</td>
              <td class="n">
                {isBest ? 'best' : vs['mean'] === undefined ? '–' : `${num(vs['mean'])} (${interval(vs['ci95'])})`}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
