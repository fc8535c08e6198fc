// Stored runs: the filtered, sorted, paged list (from the read model's indexed summary columns),
// one run's detail, and the scenario it ran. Thin: validate, ask the reader, answer.
import { z } from 'zod';
import { RUN_STATES } from '../../store/run-state.ts';
import { RUN_SORT_KEYS, type RunQuery, type RunReader } from '../../store/read-model-port.ts';
import { booleanParam, cursorParam, idParams, instantParam, limitParam, text, wholeNumber } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { found, paged, requireReader, storedRun, type RunJobState } from './reader-access.ts';
import { pageSchema, runDetailSchema, runScenarioSchema, runSummarySchema } from './store-schemas.ts';

export const MAX_RUN_PAGE = 500;

export const runQuerySchema = z.object({
  scenario: text(200).optional().describe('scenario name'),
  status: z
    .enum(RUN_STATES, { error: `must be one of ${RUN_STATES.join(', ')}` })
    .optional()
    .describe('run state'),
  passed: booleanParam.optional().describe("whether the run's expectations held"),
  mode: text(40).optional().describe('run mode (backtest, ...)'),
  venue: text(80).optional().describe("a venue's name, as scenarios give it (venue.name)"),
  symbol: text(40).optional().describe('instrument symbol, e.g. BTCUSDT'),
  from: instantParam.optional().describe('started at or after this UTC instant'),
  to: instantParam.optional().describe('started before this UTC instant'),
  seed: wholeNumber(0, Number.MAX_SAFE_INTEGER).optional().describe('the seed the run used'),
  codeVersion: text(200).optional().describe('the code version the run was made with'),
  sort: z
    .enum(RUN_SORT_KEYS, { error: `must be one of ${RUN_SORT_KEYS.join(', ')}` })
    .optional()
    .describe(
      'sort key (default started): netPnl, sharpe (annualized), winRate, profitFactor, drawdown (max, quote currency) and trades (closed) are the report’s trading figures; runs without the figure come last',
    ),
  order: z.enum(['asc', 'desc'], { error: 'must be asc or desc' }).optional().describe('sort order'),
  cursor: cursorParam.optional(),
  limit: limitParam(MAX_RUN_PAGE).optional(),
});

// The query the route hands the reader is a RunQuery: this fails to compile when they drift.
const _runQueryFits = (q: z.output<typeof runQuerySchema>): RunQuery => q;

/** A run started over HTTP that no worker has stored yet. */
const queuedRunSchema = z.object({
  id: z.string(),
  status: z.literal('queued'),
  progress: z.string().describe('its progress stream (SSE)'),
});

/** `queued`: where the run pool has a run (null: it does not know it), for runs not stored yet. */
export function runRoutes(reader: RunReader | null, queued?: RunJobState): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/runs',
      operationId: 'listRuns',
      tag: 'runs',
      summary: 'Stored runs: filtered, sorted and paged',
      query: runQuerySchema,
      problems: ['store-unavailable'],
      responses: { 200: json('one page of run summaries', pageSchema(runSummarySchema)) },
      handle: ({ query }, c) => c.json(paged(() => requireReader(reader).listRuns(query))),
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/:id',
      operationId: 'getRun',
      tag: 'runs',
      summary:
        'One stored run: its summary, report and totals (or, started over HTTP and waiting for a worker, queued)',
      params: idParams,
      problems: ['not-found', 'store-unavailable', 'stored-data-unreadable'],
      responses: {
        200: json('the run', runDetailSchema),
        202: json('the run is queued: no worker has started it yet', queuedRunSchema),
      },
      handle: ({ params }, c) => {
        const run = requireReader(reader).getRun(params.id);
        if (run !== null) return c.json(run);
        // Started over HTTP and not yet stored: its row is written when a worker starts it.
        const pending = queued?.(params.id) ?? null;
        if (pending !== null && pending !== 'done') {
          return c.json(
            { id: params.id, status: 'queued' as const, progress: `${c.req.path.replace(/\/$/, '')}/progress` },
            202,
          );
        }
        return c.json(found(null, 'run', params.id));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/:id/scenario',
      operationId: 'getRunScenario',
      tag: 'runs',
      summary: 'The scenario a stored run ran, as stored with it',
      params: idParams,
      problems: ['not-found', 'conflict', 'store-unavailable', 'stored-data-unreadable'],
      responses: { 200: json('the scenario', runScenarioSchema) },
      handle: ({ params }, c) => c.json(storedRun(requireReader(reader).scenarioOf(params.id), params.id, queued)),
    }),
  ];
}
