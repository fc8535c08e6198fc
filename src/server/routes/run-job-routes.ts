// Starting runs over HTTP and following them. POST /runs checks the scenario as `execsim run`
// would (a refused one writes nothing), gives the run its id and hands it to the run pool, whose
// worker threads run it into the store off the server's event loop; it answers 202 at once with
// the id and a Location. The run's life (queued, started, progress, finished, failed,
// interrupted) streams from /runs/{id}/progress as Server-Sent Events that resume after
// Last-Event-ID. A run the pool no longer follows (finished before this server started, or
// written by the CLI) gets one event with its stored state, and the stream ends. A POST under an
// Idempotency-Key starts one run however often it is sent (run-keys.ts); a deleted run's stream
// ends with a `deleted` event and the run is unknown here from then on, also when another process
// deleted it (noticed as its progress is asked for).
import { randomUUID } from 'node:crypto';
import type { Context } from 'hono';
import { z } from 'zod';
import type { RunReader } from '../../store/read-model-port.ts';
import { keyHeader, REPLAYED_HEADER, requestTag } from '../idempotent-command.ts';
import { ProblemError } from '../problem.ts';
import { RUN_IDEMPOTENCY_KEY, type RunKeys } from '../run-keys.ts';
import { idParams } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { resumeAfter, streamUpdates, LAST_EVENT_ID } from '../sse.ts';
import { simulatedWorldMissing } from '../../scenario/schema.ts';
import { resolveAnyScenarioRequest, scenarioRequestSchema, simulatedOrRefused } from '../scenario-request.ts';

/** One update of a run's life, as the pool numbers them. */
export interface JobUpdate {
  readonly id: number;
  readonly type: string;
  readonly [key: string]: unknown;
}

/** What these routes need of the run pool. */
export interface RunJobs {
  submit(job: { runId: string; name: string; file?: string; yaml?: string; seed?: number }): void;
  state(runId: string): 'queued' | 'running' | 'done' | null;
  cancel(runId: string): 'cancelled' | 'already_done' | 'unknown';
  follow(runId: string, afterId: number, listener: (u: JobUpdate) => void): (() => void) | null;
  /** The run's stored row was deleted: end its listeners (a last `deleted` update) and drop what is
   *  kept of it. */
  forget(runId: string): void;
  readonly load: { readonly queued: number; readonly running: number; readonly workers: number };
}

export interface RunJobDeps {
  readonly jobs: RunJobs;
  readonly reader: RunReader | null;
  readonly scenariosDir: string;
  /** Runs waiting for a worker beyond which POST /runs answers 429. */
  readonly maxQueued: number;
  readonly apiBase: string;
  /** The runs that Idempotency-Keys started, and their first answers. */
  readonly keys: RunKeys<AcceptedRun>;
  /** Called with each run submitted (metrics). */
  readonly onSubmitted?: (runId: string) => void;
}

const FINAL = new Set(['finished', 'failed', 'interrupted', 'deleted']);

const runBody = scenarioRequestSchema.extend({
  seed: z
    .number()
    .int('must be a whole number')
    .min(0, 'must be at least 0')
    .max(Number.MAX_SAFE_INTEGER, 'must be a safe integer')
    .optional()
    .describe("the run's seed; default: the scenario's"),
  mode: z
    .enum(['backtest'], {
      error:
        'must be backtest: paper runs are started with `execsim run` against a venue (the server runs backtests only)',
    })
    .optional()
    .describe(
      'backtest: run a scenario written as a paper run (mode: paper) as a backtest, as `execsim run --mode backtest` ' +
        'does. Without it a paper scenario is refused: paper runs are started with `execsim run` against a venue',
    ),
});

/** Why a paper run is not started here: it trades on a venue's paper account on the wall clock,
 *  with keys from the environment of the process that runs it, which the server neither has nor
 *  should hold. A scenario written for paper runs as a backtest when the request says so. */
const PAPER_HERE = 'paper runs are started with `execsim run` against a venue (the server runs backtests only)';
const AS_BACKTEST = 'send "mode": "backtest" to run this scenario as a backtest';

/** The SSE resume point for clients that cannot send Last-Event-ID (the header wins). */
export const progressQuery = z.object({
  lastEventId: z
    .string()
    .regex(/^\d{1,15}$/, 'must be the id of an event this stream sent (a whole number)')
    .optional()
    .describe('resume after this event id, as the Last-Event-ID header does'),
});

/** The 202 of POST /runs. */
export interface AcceptedRun {
  readonly id: string;
  readonly status: 'queued';
  readonly scenario: string;
  readonly progress: string;
}

const accepted = z.object({
  id: z.string(),
  status: z.literal('queued'),
  scenario: z.string(),
  progress: z.string().describe('the SSE stream of its progress'),
});

const sseSchema = z
  .string()
  .describe(
    'text/event-stream: events queued, started, progress, finished, failed, interrupted; deleted (the run was ' +
      'deleted while the stream was open: its last event)',
  );

export function runJobRoutes(deps: RunJobDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'POST',
      path: '/runs',
      operationId: 'startRun',
      tag: 'runs',
      summary: 'Start a run of a bundled scenario (by name) or of scenario text; answers 202 at once',
      description:
        'JSON body: {"scenario": "<bundled name>"} or {"yaml": "<scenario text>"}, with an optional "seed" and "mode". ' +
        'The run executes on a worker thread; follow it at the Location and its progress stream. With an ' +
        'Idempotency-Key, the same request again starts no second run: it is answered with the first answer ' +
        '(the same id, status queued as first answered), for as long as this server process runs (the newest ' +
        '10,000 keys) and the run is not deleted; another body under the key is a 409.',
      headers: [RUN_IDEMPOTENCY_KEY],
      body: { 'application/json': runBody },
      problems: ['invalid-scenario', 'too-many-jobs', 'conflict'],
      responses: {
        202: {
          ...json('the run is queued (or, for a request sent again under its key, was)', accepted),
          headers: { location: 'the run: GET it for its state and, once finished, its report' },
        },
      },
      handle: ({ body }, c) => {
        const { seed, mode } = body.value;
        // A key is checked before anything else: a request sent again is answered as it was the
        // first time, even when the queue is full now. Only a started run is remembered: a refused
        // request decided nothing and may come again under its key.
        const key = keyHeader(c);
        const hash = key === undefined ? undefined : requestTag('POST /runs', key, body.value).hash;
        let prior = key === undefined || hash === undefined ? null : deps.keys.prior(key, hash);
        // A key whose run another process deleted is forgotten with it, as this server's DELETE
        // forgets it: the request starts a new run.
        if (prior !== null && forgetIfGone(deps, prior.runId)) prior = null;
        if (prior !== null) {
          c.header(REPLAYED_HEADER, 'true');
          return answerAccepted(c, deps.apiBase, prior.answer);
        }
        if (deps.jobs.load.queued >= deps.maxQueued) {
          throw new ProblemError(
            'too-many-jobs',
            `${deps.jobs.load.queued} runs are already waiting for a worker (at most ${deps.maxQueued}); try again when some have finished`,
          );
        }
        const request = resolveAnyScenarioRequest(body.value, deps.scenariosDir);
        const written = request.loaded.scenario;
        if (written.mode === 'paper' && mode !== 'backtest') {
          // A paper-only file (no start, no market) cannot run as a backtest either: say what it
          // lacks instead of offering "mode": "backtest".
          const missing = simulatedWorldMissing(written);
          throw new ProblemError('invalid-scenario', 'the scenario is a paper run (mode: paper)', [
            { path: 'mode', message: missing.length === 0 ? `${PAPER_HERE}; ${AS_BACKTEST}` : PAPER_HERE },
            ...missing.map(([path, message]) => ({ path, message })),
          ]);
        }
        const loaded = simulatedOrRefused(request.loaded);
        const runId = `run-${randomUUID()}`;
        deps.jobs.submit({
          runId,
          name: request.name,
          ...(request.file !== undefined ? { file: request.file } : {}),
          ...(request.yaml !== undefined ? { yaml: request.yaml } : {}),
          ...(seed !== undefined ? { seed } : {}),
        });
        deps.onSubmitted?.(runId);
        const location = `${deps.apiBase}/runs/${runId}`;
        const answer: AcceptedRun = {
          id: runId,
          status: 'queued',
          scenario: loaded.scenario.name,
          progress: `${location}/progress`,
        };
        // Nothing awaited between the key's lookup and here: of two requests under one key that
        // arrive together, the second finds the first's run.
        if (key !== undefined && hash !== undefined) deps.keys.remember(key, { hash, runId, answer });
        return answerAccepted(c, deps.apiBase, answer);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/runs/:id/progress',
      operationId: 'followRun',
      headers: [LAST_EVENT_ID],
      tag: 'runs',
      summary: "A run's progress as Server-Sent Events, resuming after Last-Event-ID",
      params: idParams,
      query: progressQuery,
      problems: ['not-found'],
      responses: {
        200: { description: 'the event stream', content: { 'text/event-stream': sseSchema } },
        204: {
          description:
            'the run ended with or before the event of Last-Event-ID: nothing more will come (an id past the last ' +
            'event of a run still going waits for the next event past it)',
          content: {},
        },
      },
      handle: ({ params }, c) => {
        const afterId = resumeAfter(c);
        forgetIfGone(deps, params.id);
        if (deps.jobs.state(params.id) !== null) {
          return streamUpdates<JobUpdate>(
            c,
            afterId,
            // From the first kept update: streamUpdates skips those up to afterId and needs to
            // see whether the final one is among them.
            (l) => deps.jobs.follow(params.id, 0, l),
            (u) => FINAL.has(u.type),
          );
        }
        // The status only: the run's row, not its report (which may not even read).
        const stored = deps.reader?.summary(params.id) ?? null;
        if (stored === null) throw new ProblemError('not-found', `no run with id ${JSON.stringify(params.id)}`);
        const state = stored.status;
        const once: JobUpdate = { id: 1, type: 'stored', runId: params.id, status: state };
        return streamUpdates<JobUpdate>(
          c,
          afterId,
          (l) => {
            l(once);
            return () => {};
          },
          () => true,
        );
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/runs/:id/cancel',
      operationId: 'cancelRun',
      tag: 'runs',
      summary: 'Cancel a queued or running run (a running one stops and is stored as interrupted)',
      params: idParams,
      problems: ['not-found', 'conflict'],
      responses: {
        202: json('cancelling', z.object({ id: z.string(), status: z.literal('cancelling') })),
      },
      handle: ({ params }, c) => {
        const outcome = deps.jobs.cancel(params.id);
        if (outcome === 'unknown') {
          const stored = deps.reader?.summary(params.id) ?? null;
          if (stored === null) throw new ProblemError('not-found', `no run with id ${JSON.stringify(params.id)}`);
          throw new ProblemError(
            'conflict',
            `run ${params.id} is not running on this server (stored as ${stored.status})`,
          );
        }
        if (outcome === 'already_done') throw new ProblemError('conflict', `run ${params.id} has already ended`);
        return c.json({ id: params.id, status: 'cancelling' as const }, 202);
      },
    }),
  ];
}

/** Updates after which the run's row is stored (an ended run that failed may have none). */
const STORED_ENDS = new Set(['finished', 'interrupted']);

/** A run the pool followed to a stored end whose row is gone was deleted by another process
 *  (`execsim delete`, `execsim prune`): it is forgotten here as a DELETE of this server forgets it.
 *  Returns whether it was. */
function forgetIfGone(deps: RunJobDeps, runId: string): boolean {
  if (deps.reader === null || deps.jobs.state(runId) !== 'done') return false;
  let last: JobUpdate | undefined;
  deps.jobs.follow(runId, 0, (u) => (last = u))?.();
  if (last === undefined || !STORED_ENDS.has(last.type) || deps.reader.summary(runId) !== null) return false;
  deps.jobs.forget(runId);
  deps.keys.forgetRun(runId);
  return true;
}

/** The 202 with its Location: the run. */
function answerAccepted(c: Context, apiBase: string, answer: AcceptedRun): Response {
  c.header('location', `${apiBase}/runs/${answer.id}`);
  return c.json({ ...answer }, 202);
}
