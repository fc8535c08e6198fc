// Stored sweeps (Monte Carlo over derived seeds): the list, one sweep's summary statistics, its
// paths (seed, outcome and per-parent figures each), and the histogram of shortfall across paths
// for charts. A cursor the store did not issue (or issued for another sort or sweep) is a 400
// naming it, as is a histogram's parent that no stored path has.
import path from 'node:path';
import { z } from 'zod';
import type { RunReader } from '../../store/read-model-port.ts';
import { MAX_BINS, UnknownParentError } from '../../store/sweep-histogram.ts';
import { InvalidCursorError, MAX_SWEEP_PAGE } from '../../store/sweep-read.ts';
import { ProblemError } from '../problem.ts';
import { cursorParam, idParams, limitParam, text, wholeNumber } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { found, requireReader } from './reader-access.ts';
import { pageSchema, rowSchema } from './store-schemas.ts';

const pageQuery = z.object({ cursor: cursorParam.optional(), limit: limitParam(MAX_SWEEP_PAGE).optional() });

const pathQuery = pageQuery.extend({
  sort: z
    .enum(['seed', 'shortfall', 'fillRatio'], { error: 'must be seed, shortfall or fillRatio' })
    .optional()
    .describe('sort key of the paths'),
  order: z
    .enum(['asc', 'desc'], { error: 'must be asc or desc' })
    .optional()
    .describe('ascending (default) or descending; paths without a value come last'),
});

const histogramQuery = z.object({
  bins: wholeNumber(1, MAX_BINS).optional().describe(`number of bins, 1 to ${MAX_BINS}`),
  parent: text(64).optional().describe('one parent order (its id in the scenario); default: all'),
});

/** A stored sweep's scenario file as a client of this server sees it: its name within the
 *  scenarios directory (the names requests use, `(request).yaml` for text sent in the request),
 *  else its base name alone. The stored path is the server's filesystem, which is not the
 *  client's business (a sweep the CLI stored names any path on the machine). */
export function shownScenarioFile(file: string, scenariosDir: string): string {
  const inside = path.relative(path.resolve(scenariosDir), path.resolve(file));
  return inside !== '' && !inside.startsWith('..') && !path.isAbsolute(inside)
    ? inside.split(path.sep).join('/')
    : path.basename(file);
}

export function sweepRoutes(reader: RunReader | null, scenariosDir: string): AnyRoute[] {
  const shown = <T extends { scenarioFile: string }>(s: T): T => ({
    ...s,
    scenarioFile: shownScenarioFile(s.scenarioFile, scenariosDir),
  });
  return [
    defineRoute({
      method: 'GET',
      path: '/sweeps',
      operationId: 'listSweeps',
      tag: 'sweeps',
      summary: 'Stored sweeps, newest first, paged',
      query: pageQuery,
      problems: ['store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('one page of sweep summaries', pageSchema(rowSchema)) },
      handle: ({ query }, c) => c.json(withCursor(() => requireReader(reader).listSweeps(query))),
    }),
    defineRoute({
      method: 'GET',
      path: '/sweeps/:id',
      operationId: 'getSweep',
      tag: 'sweeps',
      summary: 'One stored sweep and its statistics across paths',
      params: idParams,
      problems: ['not-found', 'store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('the sweep', rowSchema) },
      handle: ({ params }, c) => c.json(shown(found(requireReader(reader).getSweep(params.id), 'sweep', params.id))),
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
        c.json(
          found(
            withCursor(() => requireReader(reader).sweepPaths(params.id, query)),
            'sweep',
            params.id,
          ),
        ),
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
      handle: ({ params, query }, c) => {
        try {
          return c.json(found(requireReader(reader).sweepHistogram(params.id, query), 'sweep', params.id));
        } catch (err) {
          if (err instanceof UnknownParentError)
            throw new ProblemError('bad-request', err.message, [{ path: 'query.parent', message: err.message }]);
          throw err;
        }
      },
    }),
  ];
}

/** The reader's answer; a cursor it refuses becomes a 400 naming `query.cursor`. */
function withCursor<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof InvalidCursorError)
      throw new ProblemError('bad-request', err.message, [{ path: 'query.cursor', message: err.message }]);
    throw err;
  }
}
