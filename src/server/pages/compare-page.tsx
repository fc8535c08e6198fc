/** @jsxImportSource hono/jsx */
// Stored runs side by side (RunReader.compare): each run's figures and its deltas against the
// first, whether their event logs are the same (digests), where their scenarios differ, their
// equity curves overlaid (static/compare-chart.js, from each run's series), and per parent the
// figures of every run, a parent with another id standing beside the first run's by position.
import { fields, num, pct, str } from './format.ts';
import { Layout } from './layout.tsx';
import { PARENT_COLOURS } from './run-page.tsx';

export function CompareForm(props: { ids: readonly string[] }) {
  return (
    <form method="get" action="/compare" class="filters">
      <label>
        runs <input name="runs" value={props.ids.join(',')} size={80} placeholder="run ids, comma-separated" />
      </label>
      <button type="submit">compare</button>
    </form>
  );
}

const signed = (v: unknown, digits = 2): string =>
  typeof v === 'number' ? `${v > 0 ? '+' : ''}${num(v, digits)}` : '–';

export function ComparePage(props: { ids: readonly string[]; comparison: unknown | null }) {
  const c = fields(props.comparison);
  const runs = Array.isArray(c['runs']) ? (c['runs'] as unknown[]).map(fields) : [];
  const parents = Array.isArray(c['parents']) ? (c['parents'] as unknown[]).map(fields) : [];
  const unknown = Array.isArray(c['unknown']) ? (c['unknown'] as unknown[]).map(str) : [];
  const diff = Array.isArray(c['scenarioDiff']) ? (c['scenarioDiff'] as unknown[]).map(str) : [];
  return (
    <Layout title="Compare runs" scripts={runs.length > 0 ? ['uPlot.iife.min.js', 'compare-chart.js'] : []}>
      <CompareForm ids={props.ids} />
      {props.comparison === null ? (
        <p>Name two or more runs (or tick them in the runs list).</p>
      ) : (
        <>
          {unknown.length > 0 ? <p class="problem">No stored run: {unknown.join(', ')}</p> : null}
          {/* Logs and scenarios are compared between stored runs: with fewer than two there is
              nothing to say (one run's log is trivially "identical"). */}
          {runs.length >= 2 ? (
            <p>
              Event logs: <strong>{c['digestsEqual'] === true ? 'identical (same digest)' : 'different'}</strong>.
              Scenario: {diff.length === 0 ? 'the same' : `differs at ${diff.join(', ')}`}.
            </p>
          ) : null}
          <table>
            <thead>
              <tr>
                <th>run</th>
                <th>scenario</th>
                <th>seed</th>
                <th>state</th>
                <th>passed</th>
                <th class="n">shortfall bps</th>
                <th class="n">Δ shortfall</th>
                <th class="n">fill ratio</th>
                <th class="n">Δ fill ratio</th>
                <th class="n">net P&amp;L</th>
                <th class="n">Δ net P&amp;L</th>
                <th class="n">trades</th>
                <th class="n">win rate</th>
                <th class="n">profit factor</th>
                <th class="n">Sharpe</th>
                <th class="n">Δ Sharpe</th>
                <th class="n">max drawdown</th>
                <th>digest</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const d = fields(r['delta']);
                const id = str(r['id']);
                return (
                  <tr>
                    <td>
                      <a href={`/runs/${encodeURIComponent(id)}`}>{id}</a>
                      {c['baseline'] === id ? ' (baseline)' : ''}
                    </td>
                    <td>{str(r['scenario'])}</td>
                    <td>{str(r['seed'])}</td>
                    <td>{str(r['state'])}</td>
                    <td>{r['passed'] === true ? 'yes' : r['passed'] === false ? 'no' : '–'}</td>
                    <td class="n">{num(r['shortfallBps'])}</td>
                    <td class="n">{signed(d['shortfallBps'])}</td>
                    <td class="n">{pct(r['fillRatio'])}</td>
                    <td class="n">{signed(typeof d['fillRatio'] === 'number' ? d['fillRatio'] * 100 : null, 1)}</td>
                    <td class="n">{num(r['netPnl'])}</td>
                    <td class="n">{signed(d['netPnl'])}</td>
                    <td class="n">{num(r['trades'], 0)}</td>
                    <td class="n">{pct(r['winRate'])}</td>
                    <td class="n">{num(r['profitFactor'])}</td>
                    <td class="n">{num(r['sharpe'])}</td>
                    <td class="n">{signed(d['sharpe'])}</td>
                    <td class="n">{num(r['maxDrawdown'])}</td>
                    <td>
                      <code>{str(r['digest']).slice(0, 12)}</code>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <h2>Net P&amp;L over time</h2>
          <p class="legend">
            {runs.map((r, i) => (
              <span class="key arrival" style={`--c: ${PARENT_COLOURS[i % PARENT_COLOURS.length]}`}>
                {str(r['id'])}
              </span>
            ))}
          </p>
          <div
            id="equity-compare"
            class="chart"
            data-runs={JSON.stringify(runs.map((r) => str(r['id'])))}
            data-colours={JSON.stringify(PARENT_COLOURS)}
          >
            <p class="chart-status">loading…</p>
          </div>
          <h2>Per parent</h2>
          <table>
            <thead>
              <tr>
                <th>parent</th>
                <th>run</th>
                <th>status</th>
                <th class="n">filled</th>
                <th class="n">shortfall bps</th>
                <th class="n">Δ shortfall</th>
                <th class="n">VWAP slip bps</th>
                <th class="n">duration s</th>
              </tr>
            </thead>
            <tbody>
              {parents.flatMap((p) => {
                const per = Array.isArray(p['runs']) ? (p['runs'] as unknown[]).map(fields) : [];
                return per.map((x) => {
                  const m = fields(x['metrics']);
                  const d = fields(x['delta']);
                  return (
                    <tr>
                      <td>
                        {str(p['parentOrderId'])}
                        {x['matchedBy'] === 'position' ? ` (${str(m['parentOrderId'])} here, by position)` : ''}
                      </td>
                      <td>{str(x['runId'])}</td>
                      <td>{x['metrics'] ? str(m['status']) : 'no such parent'}</td>
                      <td class="n">{str(m['filledQty'])}</td>
                      <td class="n">{num(m['shortfallBps'])}</td>
                      <td class="n">{signed(d['shortfallBps'])}</td>
                      <td class="n">{num(m['vwapSlippageBps'])}</td>
                      <td class="n">{typeof m['durationMs'] === 'number' ? num(m['durationMs'] / 1000, 1) : '–'}</td>
                    </tr>
                  );
                });
              })}
            </tbody>
          </table>
        </>
      )}
    </Layout>
  );
}
