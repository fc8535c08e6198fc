// Sweeps started and followed over HTTP, run by the server's RunPool on worker threads so the API
// stays responsive: start (202 before any path runs), progress as Server-Sent Events, cancel,
// and re-running one stored path. A refused request writes nothing: every check comes first. A
// POST under an Idempotency-Key starts one sweep however often it is sent, as POST /runs starts
// one run (run-keys.ts).
// The routes:
// docs/0070-store-service-and-cli-notes.md#srcserverroutessweep-job-routests.
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { PathRerun, RunPool, SweepUpdate } from '../../sweep/run-pool.ts';
import { newSweepId } from '../../sweep/sweep-recorder.ts';
import { ScenarioError, type ScenarioSource } from '../../scenario/load-scenario.ts';
import { MAX_SWEEP_PATHS } from '../../sweep/sweep.ts';
import { GridError, gridAxis, MAX_AXIS_VALUES, MAX_GRID_POINTS, type GridAxis } from '../../sweep/sweep-grid.ts';
import { checkSweepGrid, MAX_SWEEP_UNITS } from '../../sweep/sweep-units.ts';
import { resolveGrid } from '../../sweep/grid-keys.ts';
import type { SweepState } from '../../store/sweep-read.ts';
import { keyHeader, REPLAYED_HEADER, requestTag } from '../idempotent-command.ts';
import { outsideValueError } from '../path-field-guard.ts';
import { ProblemError } from '../problem.ts';
import { RunKeys, SWEEP_IDEMPOTENCY_KEY } from '../run-keys.ts';
import { idParam, idParams, wholeNumber } from '../query-params.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import { problemsOf, resolveScenarioRequest, scenarioRequestSchema } from '../scenario-request.ts';
import { resumeAfter, streamUpdates, LAST_EVENT_ID } from '../sse.ts';
import { progressQuery } from './run-job-routes.ts';

const FINAL = new Set(['finished', 'failed', 'interrupted']);

/** The pool operations these routes use (a RunPool has them). */
export type SweepJobPool = Pick<
  RunPool,
  'submitSweep' | 'cancel' | 'followSweep' | 'kindOf' | 'rerunSweepPath' | 'load'
>;

/** A stored sweep's state and path counts, for a sweep this server's pool does not know. */
export interface StoredSweepState {
  readonly state: SweepState;
  readonly pathsDone: number;
  readonly pathsRequested: number;
}

export interface SweepJobDeps {
  readonly pool: SweepJobPool;
  /** The bundled scenario files (*.yaml): `scenario` names one; replay files must be inside it. */
  readonly scenariosDir: string;
  /** The most paths one request may ask for (default 10,000; at most the CLI's limit). */
  readonly maxPaths?: number;
  /** Looks a stored sweep's state up (the read model's sweepProgress, which does not read its JSON
   *  columns), so progress of a sweep this server did not start (or started before a restart)
   *  answers its stored state rather than 404. */
  readonly storedSweep?: (id: string) => StoredSweepState | null;
  /** Wall ms between keep-alive comments on an idle progress stream (default 15,000). */
  readonly keepAliveMs?: number;
  /** Jobs (runs and sweeps share the pool's queue) waiting for a worker beyond which POST /sweeps
   *  answers 429, as POST /runs does (default 100): each accepted sweep is a stored row. */
  readonly maxQueued?: number;
  /** The sweeps Idempotency-Keys started, and their first answers (default: kept by these routes). */
  readonly keys?: RunKeys<AcceptedSweep>;
}

/** The 202 of POST /sweeps. */
export interface AcceptedSweep {
  readonly id: string;
  readonly state: 'queued';
  readonly progress: string;
  readonly points: number;
  readonly total: number;
}

export const DEFAULT_MAX_SWEEP_PATHS = 10_000;

const SSE = 'text/event-stream';
const sseBody = z
  .string()
  .describe(
    'Server-Sent Events: `event` is the update type (queued, started, progress, finished, failed, interrupted), ' +
      '`id` its number (send it back as Last-Event-ID to resume), `data` the update as JSON',
  );

const sweepBody = (maxPaths: number) =>
  scenarioRequestSchema.extend({
    seed: z
      .int('must be a whole number from 0 to 9007199254740991')
      .min(0, 'must be a whole number from 0 to 9007199254740991')
      .max(Number.MAX_SAFE_INTEGER, 'must be a whole number from 0 to 9007199254740991')
      .optional()
      .describe("the sweep seed the path seeds derive from; default the scenario's seed"),
    paths: z
      .int(`must be a whole number from 1 to ${maxPaths}`)
      .min(1, `must be a whole number from 1 to ${maxPaths}`)
      .max(maxPaths, `must be a whole number from 1 to ${maxPaths}`)
      .describe(`number of paths (per grid point with grid), 1 to ${maxPaths}`),
    grid: z
      .record(
        z.string(),
        z
          .array(
            z.union([z.string(), z.number(), z.boolean()], {
              error: 'must be a finite number, a string or true/false',
            }),
            {
              error: 'must be an array of values (numbers, strings or true/false)',
            },
          )
          .min(1, 'must have at least one value'),
      )
      // An empty grid is not a sweep without one: it names no key, so it is refused rather than
      // run as a plain sweep (leave `grid` out for that).
      .refine((g) => Object.keys(g).length > 0, 'must name at least one grid key; leave grid out for a plain sweep')
      .optional()
      .describe(
        'a parameter grid (at least one key; leave it out for a plain sweep): each key a grid key as in ' +
          '`execsim sweep --grid` (twap.slices, market.volatility, ...) ' +
          `with its values (at most ${MAX_AXIS_VALUES}); every combination (at most ${MAX_GRID_POINTS}) runs the same ` +
          'path seeds. The first key varies slowest.',
      ),
  });

const accepted = z.object({
  id: z.string(),
  state: z.literal('queued'),
  progress: z.string().describe('the progress stream (SSE)'),
  points: z.number().int().describe('grid points (1 for a sweep without grid)'),
  total: z.number().int().describe("paths to run in all: paths x grid points, the progress stream's total"),
});

/** What a sweep request says, for its key's hash: the body, with the grid as its axes in order (the
 *  first varies slowest, so {a, b} and {b, a} are two sweeps) and each value as its text (5 and
 *  "5" are one value, as gridOf reads them). */
const sweepRequestSays = (b: z.infer<ReturnType<typeof sweepBody>>): unknown => {
  const { grid, ...rest } = b;
  return grid === undefined ? rest : { ...rest, grid: Object.entries(grid).map(([k, vs]) => [k, vs.map(String)]) };
};

/** The 202 of a sweep, with its Location (under the request's path, /api/v1/sweeps). */
const answerSweep = (c: Context, answer: AcceptedSweep): Response => {
  c.header('Location', `${c.req.path}/${answer.id}`);
  return c.json({ ...answer }, 202);
};

/** The request's grid as the CLI's axes: each value as the text a --grid flag would give it (5 and
 *  "5" are one value), in the object's key order. */
const gridOf = (grid: Readonly<Record<string, ReadonlyArray<string | number | boolean>>> | undefined): GridAxis[] =>
  Object.entries(grid ?? {}).map(([key, values]) => gridAxis(key, values.map(String), `grid.${key}`));

/** A grid that cannot run, as the 400 naming its field (`body.grid.twap.slices`, or `body.grid`
 *  for its size or a combination of values). */
const badGrid = (err: GridError): ProblemError =>
  new ProblemError('bad-request', `the grid cannot be run: ${err.detail}`, [
    { path: err.key === null ? 'body.grid' : `body.grid.${err.key}`, message: err.detail },
  ]);

/** Refuses a grid value written into a field that names a file (a replay file, market.files.0)
 *  when it lies outside the scenarios directory, as the scenario text's own paths are refused
 *  (path-field-guard.ts): checked before any point is parsed, since the parse opens the file. */
function refuseOutsidePaths(loaded: ScenarioSource['loaded'], grid: readonly GridAxis[], dir: string): void {
  for (const a of resolveGrid(loaded, grid))
    for (const t of a.targets)
      for (const v of a.typed) {
        const e = outsideValueError(t.path, v, dir);
        if (e !== null)
          throw new ProblemError('bad-request', `the grid cannot be run: ${a.axis.key}: ${e.message}`, [
            { path: `body.grid.${a.axis.key}`, message: e.message },
          ]);
      }
}

const pathParams = z.object({
  id: idParam,
  // A path row's number: the path index in a plain sweep, path index x grid points + grid point in
  // a grid sweep, so up to the unit limit rather than the path limit.
  index: wholeNumber(0, MAX_SWEEP_UNITS - 1).describe(
    "the path's number (0-based), as GET /sweeps/{id}/paths gives it (in a grid sweep: path x grid points + point)",
  ),
});

const notHere = (id: string) =>
  new ProblemError('not-found', `no sweep with id ${JSON.stringify(id)} queued or running on this server`);

/** The API root of a request to `routePath` (e.g. `/api/v1` of `/api/v1/sweeps/x/cancel`). */
function apiBaseOf(c: Context, suffix: RegExp): string {
  return c.req.path.replace(suffix, '');
}

export function sweepJobRoutes(deps: SweepJobDeps): AnyRoute[] {
  const maxPaths = Math.min(deps.maxPaths ?? DEFAULT_MAX_SWEEP_PATHS, MAX_SWEEP_PATHS);
  const keepAliveMs = deps.keepAliveMs ?? 15_000;
  const keys = deps.keys ?? new RunKeys<AcceptedSweep>('POST /sweeps');
  return [
    defineRoute({
      method: 'POST',
      path: '/sweeps',
      operationId: 'startSweep',
      tag: 'sweeps',
      summary: 'Start a Monte Carlo sweep of a scenario on the server (answers before any path runs)',
      description:
        'The body names a bundled scenario ({"scenario": "walkthrough"}) or carries scenario text ({"yaml": "..."}), ' +
        'with the number of paths and optionally the sweep seed and a parameter grid ' +
        '({"grid": {"twap.slices": [5, 10]}}: the paths run at every combination of the values). The sweep is ' +
        'stored as queued; follow it at the progress stream, read it at Location. With an Idempotency-Key, the ' +
        'same request again starts no second sweep: it is answered with the first answer (the same id, state ' +
        'queued as first answered), for as long as this server process runs (the newest 10,000 keys); another ' +
        'body under the key is a 409.',
      headers: [SWEEP_IDEMPOTENCY_KEY],
      body: { 'application/json': sweepBody(maxPaths) },
      problems: ['invalid-scenario', 'too-many-jobs', 'conflict'],
      responses: {
        202: {
          description: 'the sweep is queued (or, for a request sent again under its key, was)',
          content: { 'application/json': accepted },
          headers: { Location: 'the stored sweep (GET)' },
        },
      },
      handle: async ({ body }, c) => {
        const b = body.value;
        // A key is checked before anything else, as POST /runs checks it: a request sent again is
        // answered as it was the first time, even when the queue is full now. Only a started sweep
        // is remembered: a refused request decided nothing and may come again under its key.
        const key = keyHeader(c);
        const hash = key === undefined ? undefined : requestTag('POST /sweeps', key, sweepRequestSays(b)).hash;
        const replayed = (): Response | null => {
          const prior = key === undefined || hash === undefined ? null : keys.prior(key, hash);
          if (prior === null) return null;
          c.header(REPLAYED_HEADER, 'true');
          return answerSweep(c, prior.answer);
        };
        const before = replayed();
        if (before !== null) return before;
        const maxQueued = deps.maxQueued ?? 100;
        const { queued } = deps.pool.load;
        if (queued >= maxQueued) {
          throw new ProblemError(
            'too-many-jobs',
            `${queued} runs and sweeps are already waiting for a worker (at most ${maxQueued}); try again when some have finished`,
          );
        }
        const request = resolveScenarioRequest(b, deps.scenariosDir);
        const source: ScenarioSource = { loaded: request.loaded, text: request.text };
        const { loaded } = request;
        let units: number;
        let grid: GridAxis[];
        try {
          grid = gridOf(b.grid);
          refuseOutsidePaths(loaded, grid, deps.scenariosDir);
          const def = {
            file: loaded.file,
            yaml: request.text,
            seed: b.seed ?? loaded.scenario.seed,
            paths: b.paths,
            grid,
          };
          // Each point is a scenario parse: checked in slices, so other requests are answered
          // while a large grid is checked.
          units = await checkSweepGrid(def, loaded);
        } catch (err) {
          if (err instanceof GridError) throw badGrid(err);
          throw err;
        }
        // The grid was checked in slices: the same request under the key may have started its sweep
        // meanwhile. From this look to remembering the key nothing is awaited, so of two requests
        // under one key the second finds the first's sweep.
        const meanwhile = replayed();
        if (meanwhile !== null) return meanwhile;
        const id = newSweepId();
        deps.pool.submitSweep({
          sweepId: id,
          source,
          paths: b.paths,
          grid,
          ...(b.seed !== undefined ? { seed: b.seed } : {}),
        });
        const answer: AcceptedSweep = {
          id,
          state: 'queued',
          progress: `${c.req.path}/${id}/progress`,
          points: units / b.paths,
          total: units,
        };
        if (key !== undefined && hash !== undefined) keys.remember(key, { hash, runId: id, answer });
        return answerSweep(c, answer);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/sweeps/:id/cancel',
      operationId: 'cancelSweep',
      tag: 'sweeps',
      summary: 'Stop a queued or running sweep: it keeps the whole paths it stored and ends interrupted',
      params: idParams,
      problems: ['not-found', 'conflict'],
      responses: {
        202: json('the sweep is stopping; its progress stream ends with interrupted', z.object({ id: z.string() })),
      },
      handle: ({ params }, c) => {
        if (deps.pool.kindOf(params.id) !== 'sweep') throw notHere(params.id);
        const outcome = deps.pool.cancel(params.id);
        if (outcome === 'already_done')
          throw new ProblemError('conflict', `sweep ${JSON.stringify(params.id)} has already ended`);
        if (outcome === 'unknown') throw notHere(params.id);
        return c.json({ id: params.id }, 202);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/sweeps/:id/paths/:index/run',
      operationId: 'runSweepPath',
      tag: 'sweeps',
      summary: "Re-run one stored path of a sweep as a full, stored run (the path's scenario and seed)",
      description:
        "While the path's last re-run is queued or running on this server, the same request answers that run " +
        '(202 again, Idempotent-Replayed: true) rather than starting another; once it has ended, another request ' +
        'starts another run, which the path then records.',
      params: pathParams,
      problems: ['not-found', 'invalid-scenario', 'stored-data-unreadable'],
      responses: {
        202: {
          description: 'the run is queued; its digest will equal the path digest',
          content: {
            'application/json': z.object({
              runId: z.string(),
              sweepId: z.string(),
              path: z.number().int(),
              seed: z.number().int(),
              digest: z.string().nullable().describe('the path digest the run reproduces'),
            }),
          },
          headers: { Location: 'the run (GET)' },
        },
      },
      handle: ({ params }, c) => {
        const r: PathRerun = deps.pool.rerunSweepPath(params.id, params.index);
        if (r.kind === 'no-sweep') throw new ProblemError('not-found', `no sweep with id ${JSON.stringify(params.id)}`);
        if (r.kind === 'no-path')
          throw new ProblemError('not-found', `sweep ${JSON.stringify(params.id)} has no stored path ${params.index}`);
        if (r.kind === 'unloadable')
          throw new ProblemError(
            'invalid-scenario',
            `sweep ${JSON.stringify(params.id)}: its stored scenario no longer loads here, so its path cannot be re-run`,
            r.error instanceof ScenarioError ? problemsOf(r.error) : [{ path: '', message: r.error.message }],
          );
        if (r.again) c.header(REPLAYED_HEADER, 'true');
        c.header('Location', `${apiBaseOf(c, /\/sweeps\/[^/]+\/paths\/[^/]+\/run$/)}/runs/${r.runId}`);
        return c.json({ runId: r.runId, sweepId: params.id, path: params.index, seed: r.seed, digest: r.digest }, 202);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/sweeps/:id/progress',
      operationId: 'followSweep',
      headers: [LAST_EVENT_ID],
      tag: 'sweeps',
      summary: "A sweep's progress as Server-Sent Events, resuming after Last-Event-ID",
      description:
        'Every update of a sweep this server runs, numbered; the stream ends after finished, failed or ' +
        'interrupted. A sweep this server does not run (started elsewhere, or before a restart) gets one ' +
        '`stored` event with its stored state, without an id.',
      params: idParams,
      query: progressQuery,
      problems: ['not-found'],
      responses: {
        200: { description: 'the update stream', content: { [SSE]: sseBody } },
        204: {
          description:
            'the sweep ended with or before the event of Last-Event-ID: nothing more will come (an id past the ' +
            'last event of a sweep still going waits for the next event past it)',
          content: {},
        },
      },
      handle: ({ params }, c) => {
        const afterId = resumeAfter(c);
        const id = params.id;
        if (deps.pool.kindOf(id) !== 'sweep') {
          const stored = deps.storedSweep?.(id) ?? null;
          if (stored === null) throw new ProblemError('not-found', `no sweep with id ${JSON.stringify(id)}`);
          return streamSSE(c, async (stream) => {
            await stream.writeSSE({ event: 'stored', data: JSON.stringify({ sweepId: id, ...stored }) });
          });
        }
        return streamUpdates<SweepUpdate>(
          c,
          afterId,
          // From the first kept update: streamUpdates skips those up to afterId and needs to see
          // whether the final one is among them.
          (l) => deps.pool.followSweep(id, 0, l),
          (u) => FINAL.has(u.type),
          keepAliveMs,
        );
      },
    }),
  ];
}
