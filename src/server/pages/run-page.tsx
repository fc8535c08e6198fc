/** @jsxImportSource hono/jsx */
// One run: its summary; the execution chart (bid/ask, public trades, our fills sized by quantity,
// the slice schedule coloured by outcome, each parent's arrival price in the parent's colour, one
// legend entry per parent, folding past eight; the fault and observed spans shaded), below it
// filled vs planned quantity, and the run's net P&L and position over time (with the report's P&L
// figures beside it), all drawn by static/run-chart.js from GET /runs/{id}/series (each says
// "loading…" until its data is there, and why when it cannot be drawn); the per-parent table, the
// costs with the markout curve (cost-section.tsx) and the events with their reasons, paged. The
// tables need no JavaScript. Times are labelled with the run's clock (run-clock.ts): simulated for
// a backtest, wall clock for a paper run.
import type { Page } from '../../store/read-model-port.ts';
import { fields, instant, num, pct, queryString, shortIso, str } from './format.ts';
import { TradesSection } from './trades-section.tsx';
import { Layout } from './layout.tsx';
import { clockOf, timeTitle } from './run-clock.ts';
import { CostSection } from './cost-section.tsx';

export const OUTCOME_COLOURS: Readonly<Record<string, string>> = {
  filled: '#1a9850',
  partial: '#91cf60',
  unfilled: '#fdae61',
  cancelled: '#999999',
  failed: '#d73027',
  rejected: '#762a83',
  unsent: '#dddddd',
};

/** Parents' colours in order (the arrival lines, the quantity chart, the legend); past the last
 *  they repeat, told apart by the parent ids beside them. */
export const PARENT_COLOURS: readonly string[] = [
  '#4575b4',
  '#d73027',
  '#1a9850',
  '#984ea3',
  '#ff7f00',
  '#a65628',
  '#f781bf',
  '#17becf',
];

/** Each parent's colour by its id, in the order the report lists them. */
export function parentColours(parentIds: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  parentIds.forEach((id, i) => (out[id] = PARENT_COLOURS[i % PARENT_COLOURS.length] as string));
  return out;
}

export interface RunPageProps {
  readonly run: unknown;
  readonly events: Page<unknown>;
  /** The events shown: from this seq, of these kinds (empty: all). */
  readonly fromSeq: number;
  readonly kinds: string;
  readonly seriesUrl: string;
  readonly maxPoints: number;
}

/** What an event says about why: its reason, else its detail. */
function reasonOf(payload: unknown): string {
  const p = fields(payload);
  return str(p['reason'] ?? p['detail'] ?? '');
}

function payloadText(payload: unknown): string {
  const text = JSON.stringify(payload) ?? '';
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/** The report's P&L in one line, net first (a run still running, or stored before reports had
 *  P&L, has none: nothing is shown). */
function PnlSummary(props: { report: unknown }) {
  const pnl = fields(fields(props.report)['pnl']);
  const t = fields(pnl['total']);
  if (t['net'] === undefined) return null;
  return (
    <p class="pnl">
      net P&amp;L <strong>{str(t['net'])}</strong> = realized {str(t['realized'])} + unrealized {str(t['unrealized'])} −
      fees {str(t['fees'])} (quote currency, average cost); turnover {str(t['turnover'])}, max gross exposure{' '}
      {str(t['maxGrossExposure'])}, max drawdown {str(t['maxDrawdown'])}
    </p>
  );
}

/** How often a running run's page reloads itself (a paper run or a service session as it trades). */
export const RUNNING_REFRESH_S = 5;

/** Parents listed in the legend's line; more fold into a line of their own that opens. */
const LEGEND_PARENTS = 8;

export function RunPage(props: RunPageProps) {
  const r = fields(props.run);
  const id = str(r['id']);
  const parents = Array.isArray(r['parents']) ? (r['parents'] as unknown[]) : [];
  // Every symbol the run traded (a run stored without one has none).
  const symbols = Array.isArray(r['symbols']) ? (r['symbols'] as unknown[]).map(str) : [];
  const events = props.events.items.map(fields);
  const last = events.at(-1);
  const nextFrom = props.events.nextCursor !== null && last ? Number(last['seq']) + 1 : null;
  const self = `/runs/${encodeURIComponent(id)}`;
  const colours = parentColours(parents.map((p) => str(fields(p)['parentOrderId'])));
  const noArrival = new Set(
    parents
      .map(fields)
      .filter((p) => p['arrivalPrice'] === null)
      .map((p) => str(p['parentOrderId'])),
  );
  // One legend entry per parent; past LEGEND_PARENTS the rest fold into one line that opens.
  const arrivalKeys = Object.entries(colours).map(([parent, colour]) => (
    <span class="key arrival" data-parent={parent} style={`--c: ${colour}`}>
      arrival price {parent}
      {noArrival.has(parent) ? ' (none)' : ''}
    </span>
  ));
  return (
    <Layout
      title={`Run ${id}`}
      scripts={['uPlot.iife.min.js', 'run-chart.js', 'markout-chart.js']}
      {...((r['state'] ?? r['status']) === 'running' ? { refreshSeconds: RUNNING_REFRESH_S } : {})}
    >
      <dl class="summary">
        <dt>scenario</dt>
        <dd>
          <a href={`/${queryString({ scenario: str(r['scenario']) })}`}>{str(r['scenario'])}</a>
        </dd>
        <dt>state</dt>
        <dd>{str(r['state'] ?? r['status'])}</dd>
        <dt>passed</dt>
        <dd>{r['passed'] === true ? 'yes' : r['passed'] === false ? 'no' : '–'}</dd>
        <dt>mode</dt>
        <dd>{str(r['mode'])}</dd>
        <dt>seed</dt>
        <dd>{str(r['seed'])}</dd>
        <dt>{symbols.length > 1 ? 'venue / symbols' : 'venue / symbol'}</dt>
        <dd>
          {str(r['venue'])} {symbols.join(', ')}
        </dd>
        <dt>{clockOf(r['mode'])?.spanTitle ?? 'run time'}</dt>
        <dd>
          {instant(r['simStart'])} – {typeof r['simEnd'] === 'number' ? instant(r['simEnd']) : '(no end yet)'} UTC
        </dd>
        <dt>events</dt>
        <dd>{num(r['events'], 0)}</dd>
        <dt>started (wall clock)</dt>
        <dd>{shortIso(r['startedAt'])} UTC</dd>
        <dt>digest</dt>
        <dd>
          <code>{str(r['digest'])}</code>
        </dd>
      </dl>

      <h2>Execution</h2>
      <div class="legend">
        <span class="key bid">bid</span> <span class="key ask">ask</span>{' '}
        <span class="key trade">public trades (VWAP)</span> <span class="key fill">our fills (area ∝ qty)</span>{' '}
        {arrivalKeys.slice(0, LEGEND_PARENTS)}
        {arrivalKeys.length > LEGEND_PARENTS ? (
          <details class="more-parents">
            <summary>
              arrival prices of {arrivalKeys.length - LEGEND_PARENTS} more{' '}
              {arrivalKeys.length - LEGEND_PARENTS === 1 ? 'parent' : 'parents'}
            </summary>
            {arrivalKeys.slice(LEGEND_PARENTS)}
          </details>
        ) : (
          ''
        )}
        <span id="arrival-more"></span> slices:{' '}
        {Object.entries(OUTCOME_COLOURS).map(([outcome, colour]) => (
          <span class="key slice" style={`--c: ${colour}`}>
            {outcome}
          </span>
        ))}{' '}
        shaded: <span class="key span-declared">declared fault</span>{' '}
        <span class="key span-observed">stream down, data gap, breaker open, kill switch off active</span>
      </div>
      <div
        id="chart"
        class="chart"
        data-series={props.seriesUrl}
        data-max-points={String(props.maxPoints)}
        data-outcome-colours={JSON.stringify(OUTCOME_COLOURS)}
        data-parent-colours={JSON.stringify(colours)}
        data-palette={JSON.stringify(PARENT_COLOURS)}
        data-time-title={timeTitle(r['mode'])}
        data-price-title={`price of ${str(r['symbol']) || 'the instrument'} (quote currency)`}
        data-position-title={`position in ${str(r['symbol']) || 'the instrument'} (base units)`}
      >
        <p class="chart-status needs-script">loading…</p>
        <noscript>The charts need JavaScript; the tables below do not.</noscript>
      </div>
      <h3>Filled vs planned quantity</h3>
      <div id="progress" class="chart small">
        <p class="chart-status needs-script">loading…</p>
      </div>
      <h3>Equity and position</h3>
      <PnlSummary report={r['report']} />
      <div id="equity" class="chart small">
        <p class="chart-status needs-script">loading…</p>
      </div>
      <p class="note" id="chart-note"></p>

      <TradesSection report={r['report']} symbol={str(r['symbol'])} />

      <h2>Parents</h2>
      <table>
        <thead>
          <tr>
            <th>parent</th>
            <th>side</th>
            <th class="n">qty</th>
            <th class="n">filled</th>
            <th class="n">fill ratio</th>
            <th class="n">arrival</th>
            <th class="n">avg price</th>
            <th class="n">shortfall bps</th>
            <th class="n">VWAP slip bps</th>
            <th class="n">TWAP slip bps</th>
            <th class="n">duration s</th>
            <th>status</th>
            <th>stop reason</th>
          </tr>
        </thead>
        <tbody>
          {parents.map((row) => {
            const p = fields(row);
            const duration = typeof p['durationMs'] === 'number' ? (p['durationMs'] as number) / 1000 : null;
            return (
              <tr>
                <td>{str(p['parentOrderId'])}</td>
                <td>{str(p['side'])}</td>
                <td class="n">{str(p['targetQty'])}</td>
                <td class="n">{str(p['filledQty'])}</td>
                <td class="n">{pct(p['fillRatio'])}</td>
                <td class="n">{str(p['arrivalPrice'])}</td>
                <td class="n">{str(p['avgFillPrice'])}</td>
                <td class="n">{num(p['shortfallBps'])}</td>
                <td class="n">{num(p['vwapSlippageBps'])}</td>
                <td class="n">{num(p['twapSlippageBps'])}</td>
                <td class="n">{num(duration, 1)}</td>
                <td>{str(p['status'])}</td>
                <td>{str(p['stopReason'])}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {parents.length === 0 ? <p>No parent orders.</p> : null}
      <CostSection report={r['report']} colours={colours} />

      <h2 id="events">Events</h2>
      <form method="get" action={`${self}#events`} class="filters">
        <label>
          kinds <input name="kinds" value={props.kinds} size={40} placeholder="e.g. FillReport,SliceSkipped" />
        </label>
        <label>
          from seq <input name="fromSeq" value={String(props.fromSeq)} size={7} inputmode="numeric" />
        </label>
        <button type="submit">show</button>
      </form>
      <table class="events">
        <thead>
          <tr>
            <th class="n">seq</th>
            <th>{timeTitle(r['mode'])}</th>
            <th>kind</th>
            <th>reason</th>
            <th>payload</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td class="n">{str(e['seq'])}</td>
              <td>{instant(e['time'])}</td>
              <td>{str(e['kind'])}</td>
              <td>{reasonOf(e['payload'])}</td>
              <td>
                <code>{payloadText(e['payload'])}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="paging">
        {props.fromSeq > 1 ? (
          <a href={`${self}${queryString({ kinds: props.kinds, maxPoints: props.maxPoints })}#events`}>first events</a>
        ) : null}{' '}
        {nextFrom !== null ? (
          <a
            href={`${self}${queryString({ kinds: props.kinds, fromSeq: nextFrom, maxPoints: props.maxPoints })}#events`}
            rel="next"
          >
            next events
          </a>
        ) : null}
      </p>
    </Layout>
  );
}
