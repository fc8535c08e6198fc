/** @jsxImportSource hono/jsx */
// The runs list: a table of stored runs (with each run's mode: backtest, paper, or whatever mode
// the store holds) with the API's filters as a GET form, links to each run, paging by the reader's
// cursor, and a compare form (tick runs, compare). Works without JavaScript.
import type { Page, RunQuery } from '../../store/read-model-port.ts';
import { RUN_STATES } from '../../store/run-state.ts';
import { fields, num, pct, queryString, shortIso, str } from './format.ts';
import { Layout } from './layout.tsx';
import { RUN_MODES } from './run-clock.ts';

/** The filters as the form holds them (strings), to write them back into the form and links. */
export type FilterValues = Readonly<Record<string, string>>;

export const FILTER_FIELDS = [
  'scenario',
  'status',
  'passed',
  'mode',
  'venue',
  'symbol',
  'seed',
  'codeVersion',
  'from',
  'to',
  'sort',
  'order',
  'limit',
];

export function RunsPage(props: { page: Page<unknown>; values: FilterValues; query: RunQuery }) {
  const { page, values } = props;
  const v = (k: string): string => values[k] ?? '';
  const next = page.nextCursor === null ? null : `/${queryString({ ...values, cursor: page.nextCursor })}`;
  return (
    <Layout title="Runs">
      <form method="get" action="/" class="filters">
        <label>
          scenario <input name="scenario" value={v('scenario')} size={18} />
        </label>
        <label>
          state{' '}
          <select name="status">
            <option value="">any</option>
            {RUN_STATES.map((s) => (
              <option value={s} selected={v('status') === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          passed{' '}
          <select name="passed">
            <option value="">any</option>
            <option value="true" selected={v('passed') === 'true'}>
              yes
            </option>
            <option value="false" selected={v('passed') === 'false'}>
              no
            </option>
          </select>
        </label>
        <label>
          mode{' '}
          <select name="mode">
            <option value="">any</option>
            {/* The modes runs are made in, and one the query names that is none of them (a
                later store's), so the form keeps it. */}
            {[...new Set([...RUN_MODES, ...(v('mode') === '' ? [] : [v('mode')])])].map((m) => (
              <option value={m} selected={v('mode') === m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label>
          venue <input name="venue" value={v('venue')} size={12} />
        </label>
        <label>
          symbol <input name="symbol" value={v('symbol')} size={9} />
        </label>
        <label>
          seed <input name="seed" value={v('seed')} size={6} inputmode="numeric" />
        </label>
        <label>
          code version <input name="codeVersion" value={v('codeVersion')} size={12} />
        </label>
        <label>
          started from <input name="from" value={v('from')} size={20} placeholder="2024-08-09T00:00:00Z" />
        </label>
        <label>
          to <input name="to" value={v('to')} size={20} placeholder="UTC, exclusive" />
        </label>
        <label>
          sort{' '}
          <select name="sort">
            {[
              ['started', 'started'],
              ['shortfall', 'shortfall'],
              ['fillRatio', 'fill ratio'],
              ['netPnl', 'net P&L'],
              ['sharpe', 'Sharpe'],
              ['winRate', 'win rate'],
              ['profitFactor', 'profit factor'],
              ['drawdown', 'max drawdown'],
              ['trades', 'trades'],
            ].map(([value, label]) => (
              <option value={value} selected={v('sort') === value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          order{' '}
          <select name="order">
            <option value="">default</option>
            <option value="desc" selected={v('order') === 'desc'}>
              descending
            </option>
            <option value="asc" selected={v('order') === 'asc'}>
              ascending
            </option>
          </select>
        </label>
        <label>
          per page <input name="limit" value={v('limit')} size={4} inputmode="numeric" />
        </label>
        <button type="submit">filter</button> <a href="/">clear</a>
      </form>
      <form method="get" action="/compare">
        <table class="runs">
          <thead>
            <tr>
              <th title="tick two or more to compare"></th>
              <th>run</th>
              <th>scenario</th>
              <th>mode</th>
              <th>state</th>
              <th>passed</th>
              <th>seed</th>
              <th class="n">events</th>
              <th class="n">fills</th>
              <th class="n">shortfall bps</th>
              <th class="n">fill ratio</th>
              <th class="n">net P&amp;L</th>
              <th class="n">trades</th>
              <th class="n">win rate</th>
              <th class="n">Sharpe</th>
              <th class="n">max drawdown</th>
              <th>started (UTC)</th>
              <th>digest</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((item) => {
              const r = fields(item);
              const id = str(r['id']);
              const passed = r['passed'];
              return (
                <tr>
                  <td>
                    <input type="checkbox" name="runs" value={id} aria-label={`compare ${id}`} />
                  </td>
                  <td>
                    <a href={`/runs/${encodeURIComponent(id)}`}>{id}</a>
                  </td>
                  <td>{str(r['scenario'])}</td>
                  <td>{str(r['mode'])}</td>
                  <td class={`state-${str(r['state'] ?? r['status'])}`}>{str(r['state'] ?? r['status'])}</td>
                  <td>{passed === true ? 'yes' : passed === false ? 'no' : '–'}</td>
                  <td>{str(r['seed'])}</td>
                  <td class="n">{num(r['events'], 0)}</td>
                  <td class="n">{num(r['fills'], 0)}</td>
                  <td class="n">{num(r['shortfallBps'])}</td>
                  <td class="n">{pct(r['fillRatio'])}</td>
                  <td class="n">{num(r['netPnl'])}</td>
                  <td class="n">{num(r['trades'], 0)}</td>
                  <td class="n">{pct(r['winRate'])}</td>
                  <td class="n">{num(r['sharpe'])}</td>
                  <td class="n">{num(r['maxDrawdown'])}</td>
                  <td>{shortIso(r['startedAt'])}</td>
                  <td>
                    <code>{str(r['digest']).slice(0, 12)}</code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {page.items.length === 0 ? <p>No stored run matches.</p> : null}
        <p class="paging">
          {values['cursor'] ? <a href={`/${queryString({ ...values, cursor: undefined })}`}>first page</a> : null}{' '}
          {next ? (
            <a href={next} rel="next">
              next page
            </a>
          ) : null}{' '}
          <button type="submit">compare ticked runs</button>
        </p>
      </form>
    </Layout>
  );
}
