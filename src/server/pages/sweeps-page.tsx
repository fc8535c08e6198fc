/** @jsxImportSource hono/jsx */
// The sweeps list: stored sweeps newest first, one row each from the sweeps table's summary columns
// (the reader's listSweeps: no sweep's result or path is read for it), each linking to its sweep
// page, paged by the reader's cursor as the runs list is. Works without JavaScript.
import type { Page } from '../../store/read-model-port.ts';
import { fields, queryString, shortIso, str } from './format.ts';
import { Layout } from './layout.tsx';

/** A grid sweep's axes as `key (n values)`, or "–" for a plain sweep. */
function gridText(grid: unknown): string {
  if (!Array.isArray(grid)) return '–';
  return grid
    .map(fields)
    .map((a) => `${str(a['key'])} (${Array.isArray(a['values']) ? a['values'].length : 0})`)
    .join(', ');
}

export function SweepsPage(props: { page: Page<unknown>; values: Readonly<Record<string, string>> }) {
  const { page, values } = props;
  const next = page.nextCursor === null ? null : `/sweeps${queryString({ ...values, cursor: page.nextCursor })}`;
  return (
    <Layout title="Sweeps">
      <table class="sweeps">
        <thead>
          <tr>
            <th>sweep</th>
            <th>scenario</th>
            <th>state</th>
            <th class="n">paths done</th>
            <th class="n">passed</th>
            <th class="n">failed</th>
            <th>grid (values per key)</th>
            <th class="n">sweep seed</th>
            <th>code version</th>
            <th>created (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((item) => {
            const s = fields(item);
            const id = str(s['id']);
            const state = str(s['state']);
            return (
              <tr>
                <td>
                  <a href={`/sweeps/${encodeURIComponent(id)}`}>{id}</a>
                </td>
                <td>{str(s['scenario'])}</td>
                <td class={`state-${state}`} title={str(s['error']) || undefined}>
                  {state}
                </td>
                <td class="n">
                  {str(s['pathsDone'])} of {str(s['pathsRequested'])}
                </td>
                <td class="n">{str(s['pathsPassed'])}</td>
                <td class="n">{str(s['pathsFailed'])}</td>
                <td>{gridText(s['grid'])}</td>
                <td class="n">{str(s['sweepSeed'])}</td>
                <td>
                  <code>{str(s['codeVersion'])}</code>
                </td>
                <td>{shortIso(s['createdAt'])}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {page.items.length === 0 ? (
        <p>No stored sweep{values['cursor'] ? ' on this page' : ''}. Start one with execsim sweep or POST /sweeps.</p>
      ) : null}
      <p class="paging">
        {values['cursor'] ? <a href={`/sweeps${queryString({ ...values, cursor: undefined })}`}>first page</a> : null}{' '}
        {next ? (
          <a href={next} rel="next">
            next page
          </a>
        ) : null}
      </p>
    </Layout>
  );
}
