// What a stored run recorded: its child orders and fills (paged), and the price and execution
// series for charts (down-sampled by the reader to at most maxPoints). The event log has its own
// module (run-event-routes.ts).
import { z } from 'zod';
import type { RunReader } from '../../store/read-model-port.ts';
import { cursorParam, idParams, limitParam, wholeNumber } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { paged, requireReader, storedRun, type RunJobState } from './reader-access.ts';
import { runSeriesSchema } from './series-schema.ts';
import { ProblemError } from '../problem.ts';
import { fillRowSchema, orderRowSchema, pageSchema } from './store-schemas.ts';

export const MAX_ROW_PAGE = 500;
export const MAX_SERIES_POINTS = 10_000;
const MAX_SERIES_MS = 1e15;

const pageQuery = z.object({ cursor: cursorParam.optional(), limit: limitParam(MAX_ROW_PAGE).optional() });

const seriesQuery = z.object({
  maxPoints: wholeNumber(2, MAX_SERIES_POINTS).optional().describe('at most this many points per series'),
  // At most 10^15 ms (31,000 years): added to the run's start, still an exact instant.
  from: wholeNumber(0, MAX_SERIES_MS).optional().describe('simulated ms from the run start'),
  to: wholeNumber(0, MAX_SERIES_MS).optional().describe('simulated ms from the run start'),
});

/** `jobState`: where the run pool has a run: one still queued is a 409, not a 404. */
export function runRecordRoutes(reader: RunReader | null, jobState?: RunJobState): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/runs/:id/orders',
      operationId: 'listRunOrders',
      tag: 'runs',
      summary:
        "A stored run's orders (parents and children), paged (a backtest's built from its log at the first read)",
      params: idParams,
      query: pageQuery,
      problems: ['not-found', 'conflict', 'store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('one page of orders', pageSchema(orderRowSchema)) },
      handle: ({ params, query }, c) =>
        c.json(
          storedRun(
            paged(() => requireReader(reader).orders(params.id, query)),
            params.id,
            jobState,
          ),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/:id/fills',
      operationId: 'listRunFills',
      tag: 'runs',
      summary: "A stored run's fills, paged (a backtest's built from its log at the first read)",
      params: idParams,
      query: pageQuery,
      problems: ['not-found', 'conflict', 'store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('one page of fills', pageSchema(fillRowSchema)) },
      handle: ({ params, query }, c) =>
        c.json(
          storedRun(
            paged(() => requireReader(reader).fills(params.id, query)),
            params.id,
            jobState,
          ),
        ),
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/:id/series',
      operationId: 'getRunSeries',
      tag: 'runs',
      summary:
        "A stored run's time series for charts (top of book, trades, our fills, slice schedule, filled vs planned per parent), columnar, down-sampled",
      params: idParams,
      query: seriesQuery,
      problems: ['not-found', 'conflict', 'store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('the series', runSeriesSchema) },
      handle: ({ params, query }, c) => {
        if (query.from !== undefined && query.to !== undefined && query.from > query.to)
          throw new ProblemError('bad-request', 'invalid query', [
            { path: 'query.from', message: `${query.from} is after query.to (${query.to}): the window would be empty` },
          ]);
        const series = storedRun(requireReader(reader).series(params.id, query), params.id, jobState);
        // A finished run's window that starts after its end holds nothing: said so, with the
        // run's length, instead of an answer whose `from` is after its `to`.
        if (series.end !== null && series.from > series.end)
          throw new ProblemError('bad-request', 'invalid query', [
            {
              path: 'query.from',
              message: `${query.from} is after the run's end (it lasted ${series.end - series.start} ms of simulated time): the window would be empty`,
            },
          ]);
        return c.json(series);
      },
    }),
  ];
}
