// Runs side by side: the reader's comparison of two or more stored runs (headline shortfall and
// fill ratio, per-parent deltas against the first run, scenario diff, digest equality). Every id
// must name a stored run; the answer names the missing (404), or, when each is a run started over
// HTTP and still queued, those (409: they exist, with nothing to compare yet).
import { z } from 'zod';
import { ProblemError } from '../problem.ts';
import type { RunReader } from '../../store/read-model-port.ts';
import { csvList, idParam } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { requireReader, waitsForWorker, type RunJobState } from './reader-access.ts';
import { comparisonSchema } from './store-schemas.ts';

export const MAX_COMPARED = 20;

const compareQuery = z.object({
  runs: csvList(idParam, 2, MAX_COMPARED, 'runs').describe(`2 to ${MAX_COMPARED} run ids, comma-separated`),
});

export function compareRoutes(reader: RunReader | null, jobState?: RunJobState): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/compare',
      operationId: 'compareRuns',
      tag: 'runs',
      summary: 'Stored runs side by side',
      query: compareQuery,
      problems: ['not-found', 'conflict', 'store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('the comparison', comparisonSchema) },
      handle: ({ query }, c) => {
        const comparison = requireReader(reader).compare(query.runs);
        const queued = comparison.unknown.filter((id) => waitsForWorker(jobState, id));
        const missing = comparison.unknown.filter((id) => !queued.includes(id));
        if (missing.length > 0) {
          throw new ProblemError(
            'not-found',
            `no run with id ${missing.map((id) => JSON.stringify(id)).join(', ')}`,
            missing.map((id) => ({ path: 'query.runs', message: `no run with id ${JSON.stringify(id)}` })),
          );
        }
        if (queued.length > 0) {
          const what = 'is queued and has not started: nothing of it is stored to compare yet';
          throw new ProblemError(
            'conflict',
            `run ${queued.map((id) => JSON.stringify(id)).join(', ')} ${what}`,
            queued.map((id) => ({ path: 'query.runs', message: `run ${JSON.stringify(id)} ${what}` })),
          );
        }
        return c.json(comparison);
      },
    }),
  ];
}
