/** @jsxImportSource hono/jsx */
// One sweep: its statistics per parent, the implementation-shortfall histogram over its paths
// (drawn on the server as SVG, so it needs no JavaScript) and the paths, paged, each linking to
// its drill-down run when it was re-run as a full run. A grid sweep also gets a table of its grid
// points (settings, paths, pass count, shortfall mean and sd, fill ratio; with the 95% interval,
// the paired difference to the best point and the best point per objective once it finished), and
// each path its point.
import type { Page } from '../../store/read-model-port.ts';
import { fields, num, pct, queryString, str } from './format.ts';
import { RANK_MIN_SHARE } from '../../runtime/sweep-grid-report.ts';
import { Layout } from './layout.tsx';

export interface SweepPageProps {
  readonly sweep: unknown;
  readonly histogram: unknown;
  readonly paths: Page<unknown>;
  readonly values: Readonly<Record<string, string>>;
  readonly apiBase: string;
}

const W = 640;
const H = 200;
const PAD = 30;

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
        </dl>
      )}
    </>
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

/** The histogram's bars: one per bin between consecutive edges, height by count. */
export function Histogram(props: { histogram: unknown }) {
  const h = fields(props.histogram);
  const edges = Array.isArray(h['edges']) ? (h['edges'] as number[]) : [];
  const counts = Array.isArray(h['counts']) ? (h['counts'] as number[]) : [];
  const most = Math.max(1, ...counts);
  const bw = counts.length > 0 ? (W - 2 * PAD) / counts.length : 0;
  return (
    <figure class="histogram">
      <svg
        id="histogram"
        viewBox={`0 0 ${W} ${H}`}
        width={W}
        height={H}
        role="img"
        aria-label="implementation shortfall histogram"
        data-bins={String(counts.length)}
      >
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} stroke="#333" />
        {counts.map((n, i) => {
          const bh = ((H - 2 * PAD) * n) / most;
          return (
            <rect x={PAD + i * bw + 1} y={H - PAD - bh} width={Math.max(1, bw - 2)} height={bh} fill="#4575b4">
              <title>{`${num(edges[i])} to ${num(edges[i + 1])} bps: ${n} paths`}</title>
            </rect>
          );
        })}
        {edges.length > 0 ? (
          <>
            <text x={PAD} y={H - 8} font-size="11">
              {num(edges[0])}
            </text>
            <text x={W - PAD} y={H - 8} font-size="11" text-anchor="end">
              {num(edges.at(-1))}
            </text>
            <text x={W / 2} y={H - 8} font-size="11" text-anchor="middle">
              shortfall bps
            </text>
          </>
        ) : null}
      </svg>
      <figcaption>
        {str(h['paths'])} paths{h['missing'] ? `, ${str(h['missing'])} without a shortfall` : ''}
        {h['parent'] ? ` (parent ${str(h['parent'])})` : ''}
      </figcaption>
    </figure>
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
    <Layout title={`Sweep ${id}`}>
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
                  {typeof runId === 'string' && runId !== '' ? (
                    <a href={`/runs/${encodeURIComponent(runId)}`}>run {runId}</a>
                  ) : (
                    <span class="note">
                      re-run as a full run: POST {props.apiBase}/sweeps/{id}/paths/{str(p['path'])}/run
                    </span>
                  )}
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
