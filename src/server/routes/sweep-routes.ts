// Stored sweeps (Monte Carlo over derived seeds): the list, one sweep's summary statistics, its
// paths (one run each), and the histogram of a metric across paths for charts.
import { z } from 'zod';
import type { RunReader } from '../../store/read-model-port.ts';
import { cursorParam, idParams, limitParam, text, wholeNumber } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { found, requireReader } from './reader-access.ts';
import { pageSchema, rowSchema } from './store-schemas.ts';

export const MAX_SWEEP_PAGE = 500;
export const MAX_BINS = 200;

const pageQuery = z.object({ cursor: cursorParam.optional(), limit: limitParam(MAX_SWEEP_PAGE).optional() });

const pathQuery = pageQuery.extend({
  sort: z
    .enum(['seed', 'shortfall', 'fillRatio'], { error: 'must be seed, shortfall or fillRatio' })
    .optional()
    .describe('sort key of the paths'),
});

const histogramQuery = z.object({
  bins: wholeNumber(1, MAX_BINS).optional().describe(`number of bins, 1 to ${MAX_BINS}`),
  parent: text(64).optional().describe('one parent order (its id in the scenario); default: all'),
});

export function sweepRoutes(reader: RunReader | null): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/sweeps',
      operationId: 'listSweeps',
      tag: 'sweeps',
      summary: 'Stored sweeps, newest first, paged',
      query: pageQuery,
      problems: ['store-unavailable'],
      responses: { 200: json('one page of sweep summaries', pageSchema(rowSchema)) },
      handle: ({ query }, c) => c.json(requireReader(reader).listSweeps(query)),
    }),
    defineRoute({
      method: 'GET',
      path: '/sweeps/:id',
      operationId: 'getSweep',
      tag: 'sweeps',
      summary: 'One stored sweep and its statistics across paths',
      params: idParams,
      problems: ['not-found', 'store-unavailable'],
      responses: { 200: json('the sweep', rowSchema) },
      handle: ({ params }, c) => c.json(found(requireReader(reader).getSweep(params.id), 'sweep', params.id)),
    }),
    defineRoute({
      method: 'GET',
      path: '/sweeps/:id/paths',
      operationId: 'listSweepPaths',
      tag: 'sweeps',
      summary: "A stored sweep's paths (seed and outcome each), paged",
      params: idParams,
      query: pathQuery,
      problems: ['not-found', 'store-unavailable'],
      responses: { 200: json('one page of paths', pageSchema(rowSchema)) },
      handle: ({ params, query }, c) =>
        c.json(found(requireReader(reader).sweepPaths(params.id, query), 'sweep', params.id)),
    }),
    defineRoute({
      method: 'GET',
      path: '/sweeps/:id/histogram',
      operationId: 'getSweepHistogram',
      tag: 'sweeps',
      summary: "The distribution of a stored sweep's shortfall across its paths",
      params: idParams,
      query: histogramQuery,
      problems: ['not-found', 'store-unavailable'],
      responses: { 200: json('the histogram', rowSchema) },
      handle: ({ params, query }, c) =>
        c.json(found(requireReader(reader).sweepHistogram(params.id, query), 'sweep', params.id)),
    }),
  ];
}
