/** @jsxImportSource hono/jsx */
// One sweep: its statistics per parent, the implementation-shortfall histogram over its paths
// (drawn on the server as SVG with a count axis, so it needs no JavaScript) and the paths, paged,
// each linking to its drill-down run when it was re-run as a full run, else with a button that
// re-runs it (POST {api}/sweeps/{id}/paths/{n}/run, sent by static/sweep-rerun.js with the token
// typed into the page's token field: docs/0030-re-run-button-asks-for-the-token.md says why the
// page does not carry the token itself). A grid sweep also gets a table of its grid
// points (settings, paths, pass count, shortfall mean and sd, fill ratio; with the 95% interval,
// net P&L, the paired difference to the best point, the best point per objective and the points
// ranked by mean net P&L and by mean shortfall once it finished), a table of each point's costs
// (the shortfall's parts, mean and sd over the paths, the total's p95, the fills' markouts and the
// parents' participation: which setting, or algorithm, costs what on this market and how widely),
// and each path its point.
import type { Page } from '../../store/read-model-port.ts';
import { fields, num, pct, queryString, str } from './format.ts';
import { RANK_MIN_SHARE } from '../../sweep/sweep-grid-report.ts';
import { Layout } from './layout.tsx';

export interface SweepPageProps {
  readonly sweep: unknown;
  readonly histogram: unknown;
  readonly paths: Page<unknown>;
  readonly values: Readonly<Record<string, string>>;
  readonly apiBase: string;
}

const W = 640;
const H = 220;
/** Room for the count axis (tick labels and its title) on the left, for the shortfall axis below. */
const LEFT = 60;
const RIGHT = 20;
const TOP = 12;
const BOTTOM = 36;

/** Up to about five round counts from 0 to at least `most` (1, 2 or 5 times a power of ten apart). */
export function countTicks(most: number): number[] {
  const top = Math.max(1, most);
  const raw = top / 4;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power);
  const ticks: number[] = [];
  for (let t = 0; t < top + step; t += step) ticks.push(t);
  return ticks;
}

const settingsText = (v: unknown): string =>
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

/** The histogram's bars: one per bin between consecutive edges, height by count, on a count axis
 *  (paths per bin) whose ticks are round numbers, the shortfall axis below. */
export function Histogram(props: { histogram: unknown; id?: string; title?: string }) {
  const h = fields(props.histogram);
  const edges = Array.isArray(h['edges']) ? (h['edges'] as number[]) : [];
  const counts = Array.isArray(h['counts']) ? (h['counts'] as number[]) : [];
  const ticks = countTicks(Math.max(0, ...counts));
  const axisTop = ticks.at(-1) ?? 1;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const base = H - BOTTOM;
  const bw = counts.length > 0 ? plotW / counts.length : 0;
  return (
    <figure class="histogram">
      <svg
        id={props.id ?? 'histogram'}
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label="implementation shortfall histogram: paths per shortfall bin"
        data-bins={String(counts.length)}
      >
        <g class="count-axis" data-ticks={ticks.join(',')}>
          <line x1={LEFT} y1={TOP} x2={LEFT} y2={base} stroke="#333" />
          {ticks.map((t) => {
            const y = base - (plotH * t) / axisTop;
            return (
              <>
                <line x1={LEFT - 4} y1={y} x2={LEFT} y2={y} stroke="#333" />
                {t > 0 ? <line x1={LEFT} y1={y} x2={W - RIGHT} y2={y} stroke="#e4e4e4" /> : null}
                <text x={LEFT - 7} y={y + 4} font-size="11" text-anchor="end">
                  {String(t)}
                </text>
              </>
            );
          })}
          <text
            x={14}
            y={TOP + plotH / 2}
            font-size="11"
            text-anchor="middle"
            transform={`rotate(-90 14 ${TOP + plotH / 2})`}
          >
            paths
          </text>
        </g>
        <line x1={LEFT} y1={base} x2={W - RIGHT} y2={base} stroke="#333" />
        {counts.map((n, i) => {
          const bh = (plotH * n) / axisTop;
          return (
            <rect x={LEFT + i * bw + 1} y={base - bh} width={Math.max(1, bw - 2)} height={bh} fill="#4575b4">
              <title>{`${num(edges[i])} to ${num(edges[i + 1])} bps: ${n} paths`}</title>
            </rect>
          );
        })}
        {edges.length > 0 ? (
          <>
            <text x={LEFT} y={base + 16} font-size="11">
              {num(edges[0])}
            </text>
            <text x={W - RIGHT} y={base + 16} font-size="11" text-anchor="end">
              {num(edges.at(-1))}
            </text>
            <text x={LEFT + plotW / 2} y={H - 6} font-size="11" text-anchor="middle">
              implementation shortfall (bps)
            </text>
          </>
        ) : null}
      </svg>
      <figcaption>
        {props.title === undefined ? '' : `${props.title}: `}
        {str(h['paths'])} paths{h['missing'] ? `, ${str(h['missing'])} without a shortfall` : ''}
        {h['parent'] ? ` (parent ${str(h['parent'])})` : ''}
      </figcaption>
    </figure>
  );
}

/** A grid sweep's histogram per grid point, on the sweep's bins (so they compare bin for bin),
 *  each captioned with its point's settings; nothing for a plain sweep. */
function PointHistograms(props: { histogram: unknown; points: unknown }) {
  const h = fields(props.histogram);
  if (!Array.isArray(h['points']) || h['points'].length === 0) return null;
  const settings = Array.isArray(props.points) ? (props.points as unknown[]).map(fields) : [];
  return (
    <>
      <h3>Per grid point, on the same bins</h3>
      <div class="point-histograms">
        {(h['points'] as unknown[]).map(fields).map((pt) => {
          const at = settings.find((x) => x['point'] === pt['point']);
          return (
            <Histogram
              id={`histogram-point-${str(pt['point'])}`}
              title={`point ${str(pt['point'])}${at ? ` (${settingsText(at['settings'])})` : ''}`}
              histogram={{ ...pt, edges: h['edges'], parent: h['parent'] }}
            />
          );
        })}
      </div>
    </>
  );
}

/** A path's drill-down: its run when it was re-run, else a form whose button re-runs it. The
 *  button starts disabled: only the page's script can send the token, so without it the button
 *  does nothing (the page says what to send instead). */
function DrillDown(props: { runId: unknown; url: string; path: string }) {
  const { runId } = props;
  if (typeof runId === 'string' && runId !== '') return <a href={`/runs/${encodeURIComponent(runId)}`}>run {runId}</a>;
  return (
    <form class="rerun" method="post" action={props.url}>
      <button type="submit" disabled>
        re-run path {props.path}
      </button>{' '}
      <span class="rerun-status" role="status"></span>
    </form>
  );
}

export function SweepPage(props: SweepPageProps) {
  const s = fields(props.sweep);
  const id = str(s['id']);
  const self = `/sweeps/${encodeURIComponent(id)}`;
  const parents = Array.isArray(s['parents']) ? (s['parents'] as unknown[]).map(fields) : [];
  const next =
    props.paths.nextCursor === null
      ? null
      : `${self}${queryString({ ...props.values, cursor: props.paths.nextCursor })}`;
  return (
    <Layout title={`Sweep ${id}`} scripts={['sweep-rerun.js']}>
      <dl class="summary">
        <dt>scenario</dt>
        <dd>{str(s['scenario'])}</dd>
        <dt>state</dt>
        <dd>{str(s['state'])}</dd>
        <dt>paths</dt>
        <dd>
          {str(s['pathsDone'])} of {str(s['pathsRequested'])} done, {str(s['pathsPassed'])} passed,{' '}
          {str(s['pathsFailed'])} failed
        </dd>
        <dt>sweep seed</dt>
        <dd>{str(s['sweepSeed'])}</dd>
      </dl>
      {Array.isArray(s['gridPoints']) ? (
        <>
          <h2>Grid points</h2>
          <p class="note">
            Shortfall in bps of the arrival notional, all parents of a path together; every point runs the same path
            seeds, so the paired difference to the best point is not noise of different draws.
          </p>
          <GridTable points={s['gridPoints']} report={s['gridReport']} />
        </>
      ) : null}
      <h2>Implementation shortfall</h2>
      <Histogram histogram={props.histogram} />
      <PointHistograms histogram={props.histogram} points={s['gridPoints']} />
      <h2>Per parent</h2>
      <table>
        <thead>
          <tr>
            <th>parent</th>
            <th class="n">not filled</th>
            <th class="n">shortfall mean</th>
            <th class="n">p5</th>
            <th class="n">p50</th>
            <th class="n">p95</th>
            <th class="n">fill ratio mean</th>
          </tr>
        </thead>
        <tbody>
          {parents.map((p) => {
            const sf = fields(p['shortfallBps']);
            const fr = fields(p['fillRatio']);
            return (
              <tr>
                <td>
                  <a href={`${self}${queryString({ parent: str(p['parent']) })}`}>{str(p['parent'])}</a>
                </td>
                <td class="n">{num(p['notFilled'], 0)}</td>
                <td class="n">{num(sf['mean'])}</td>
                <td class="n">{num(sf['p5'])}</td>
                <td class="n">{num(sf['p50'])}</td>
                <td class="n">{num(sf['p95'])}</td>
                <td class="n">{pct(fr['mean'])}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2 id="paths">Paths</h2>
      <p class="rerun-token needs-script">
        <label>
          server token{' '}
          <input type="password" id="rerun-token" size={36} autocomplete="off" placeholder="EXECSIM_TOKEN" />
        </label>{' '}
        <span class="note">
          A path re-run as a full run (same scenario and seed, so the same digest) is stored, so the button needs the
          token the server was started with. It is sent with each re-run and kept nowhere.
        </span>
      </p>
      <noscript>
        <p class="note">
          Re-running a path needs JavaScript here; without it: curl -X POST -H "Authorization: Bearer $EXECSIM_TOKEN"
          {` ${props.apiBase}/sweeps/${id}/paths/<path>/run`} on this server.
        </p>
      </noscript>
      <table class="paths">
        <thead>
          <tr>
            <th class="n">path</th>
            {Array.isArray(s['gridPoints']) ? <th class="n">grid point</th> : null}
            <th>seed</th>
            <th>passed</th>
            <th class="n">shortfall bps</th>
            <th class="n">fill ratio</th>
            <th>digest</th>
            <th>drill down</th>
          </tr>
        </thead>
        <tbody>
          {props.paths.items.map((row) => {
            const p = fields(row);
            const runId = p['runId'];
            return (
              <tr>
                <td class="n">{str(p['path'])}</td>
                {Array.isArray(s['gridPoints']) ? <td class="n">{str(p['point'])}</td> : null}
                <td>{str(p['seed'])}</td>
                <td>{p['passed'] === true ? 'yes' : p['passed'] === false ? 'no' : '–'}</td>
                <td class="n">{num(p['shortfallBps'])}</td>
                <td class="n">{pct(p['fillRatio'])}</td>
                <td>
                  <code>{str(p['digest']).slice(0, 12)}</code>
                </td>
                <td>
                  <DrillDown
                    runId={runId}
                    path={str(p['path'])}
                    url={`${props.apiBase}/sweeps/${encodeURIComponent(id)}/paths/${str(p['path'])}/run`}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="paging">
        {props.values['cursor'] ? (
          <a href={`${self}${queryString({ ...props.values, cursor: undefined })}#paths`}>first paths</a>
        ) : null}{' '}
        {next ? (
          <a href={`${next}#paths`} rel="next">
            next paths
          </a>
        ) : null}
      </p>
    </Layout>
  );
}
