/** @jsxImportSource hono/jsx */
// One sweep: its statistics per parent, the implementation-shortfall histogram over its paths
// (sweep-histogram.tsx) and the paths, paged, each linking to its drill-down run when it was re-run
// as a full run, else with a button that re-runs it (POST {api}/sweeps/{id}/paths/{n}/run, sent by
// static/sweep-rerun.js with the token typed into the page's token field:
// docs/0030-re-run-button-asks-for-the-token.md says why the page does not carry the token itself).
// A grid sweep also gets its grid points' tables (sweep-grid-tables.tsx), a histogram per point,
// and each path its point.
import type { Page } from '../../store/read-model-port.ts';
import { fields, num, pct, queryString, str } from './format.ts';
import { Layout } from './layout.tsx';
import { GridTable } from './sweep-grid-tables.tsx';
import { Histogram, PointHistograms } from './sweep-histogram.tsx';

export interface SweepPageProps {
  readonly sweep: unknown;
  readonly histogram: unknown;
  readonly paths: Page<unknown>;
  readonly values: Readonly<Record<string, string>>;
  readonly apiBase: string;
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
