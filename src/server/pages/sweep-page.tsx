/** @jsxImportSource hono/jsx */
// One sweep: its statistics per parent, the implementation-shortfall histogram over its paths
// (drawn on the server as SVG, so it needs no JavaScript) and the paths, paged, each linking to
// its drill-down run when it was re-run as a full run.
import type { Page } from '../../store/read-model-port.ts';
import { fields, num, pct, queryString, str } from './format.ts';
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
