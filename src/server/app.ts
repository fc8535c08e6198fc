// The HTTP app: the JSON API under /api/v1 and the pages at /, over one read model and one run
// pool. Built from its parts, so tests build it over a scratch store without a socket
// (app.request) and `execsim serve` puts it on one. Every answer that is not a success is a
// problem document: refused input (4xx) from the route declarations, unknown paths (404), known
// paths with another method (405 with Allow), stored data that is not what execsim wrote (500
// stored-data-unreadable, naming the run or sweep and the row, logged as one line), and, never on
// purpose, an internal error (500) that says nothing about its cause beyond an id in the server's
// log. A page request's error is the same problem shown as a page.
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import type { Registry } from 'prom-client';
import type { DeleteRun, RunReader } from '../store/read-model-port.ts';
import { StoredDataError } from '../store/stored-data.ts';
import { hostGuard, LOOPBACK_HOSTS } from './host-guard.ts';
import { createMetrics, type AppMetrics } from './metrics.ts';
import { buildOpenApi, type OpenApiDocument } from './openapi.ts';
import { problemPage } from './pages/page-routes.tsx';
import { PROBLEM_TYPES, ProblemError, problemResponse } from './problem.ts';
import { openApiPath, registerRoutes } from './register-routes.ts';
import type { AnyRoute } from './route-spec.ts';
import { compareRoutes } from './routes/compare-routes.ts';
import { deleteRunRoutes } from './routes/delete-run-routes.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { metaRoutes } from './routes/meta-routes.ts';
import { runEventRoutes } from './routes/run-event-routes.ts';
import { runJobRoutes, type AcceptedRun, type RunJobs } from './routes/run-job-routes.ts';
import { RunKeys } from './run-keys.ts';
import { runRecordRoutes } from './routes/run-record-routes.ts';
import type { RunJobState } from './routes/reader-access.ts';
import { runRoutes } from './routes/run-routes.ts';
import { scenarioRoutes } from './routes/scenario-routes.ts';
import { sweepJobRoutes, type SweepJobPool } from './routes/sweep-job-routes.ts';
import { sweepRoutes } from './routes/sweep-routes.ts';
import { sessionControlRoutes } from './routes/session-control-routes.ts';
import { sessionOrderReads } from './routes/session-order-reads.ts';
import { sessionOrderRoutes } from './routes/session-order-routes.ts';
import { sessionSignalRoutes } from './routes/session-signal-routes.ts';
import { sessionStreamRoutes } from './routes/session-stream-routes.ts';
import { sessionStrategyRoutes } from './routes/session-strategy-routes.ts';
import type { SessionPort } from './session-port.ts';
import { sessionMetrics, type SessionMetrics } from './session-metrics.ts';

export const API_BASE = '/api/v1';
/** Request bodies larger than this are refused (413): a scenario file is a few kilobytes. */
export const DEFAULT_MAX_BODY_BYTES = 1_000_000;

export interface AppOptions {
  readonly reader: RunReader | null;
  readonly deleteRun: DeleteRun | null;
  /** Runs started over HTTP; null: POST /runs is not offered. */
  readonly jobs: RunJobs | null;
  /** Sweeps started over HTTP (the same pool runs both); null or absent: POST /sweeps is not offered. */
  readonly sweepJobs?: SweepJobPool | null;
  readonly scenariosDir: string;
  readonly version: string;
  /** The bearer token for mutating routes (EXECSIM_TOKEN); null: they answer 403. */
  readonly token: string | null;
  /** Host names the server answers to; null: any (a server bound to a public interface). */
  readonly allowedHosts?: readonly string[] | null;
  readonly maxBodyBytes?: number;
  /** Runs waiting for a worker before POST /runs answers 429. */
  readonly maxQueued?: number;
  /** Check every answer against its route's declaration and throw on a mismatch (tests). */
  readonly checkResponses?: boolean;
  /** Pages mounted at / (server-rendered HTML) over the app's reader (none without one), told
   *  where the run pool has a run (a queued run's page says so instead of "no such run"). */
  readonly pages?: (reader: RunReader, runState: RunJobState | undefined) => Hono;
  /** Where internal errors are reported (with their id); default stderr. */
  readonly logError?: (id: string, err: unknown) => void;
  /** A service session this server hosts: its order, control and state routes are offered. */
  readonly session?: SessionPort | null;
  /** Where one-line log entries go (stored data that cannot be read); default stderr. */
  readonly logLine?: (line: string) => void;
}

export interface ExecsimApp {
  readonly app: Hono<{ Variables: { routePattern?: string } }>;
  readonly routes: readonly AnyRoute[];
  readonly document: () => OpenApiDocument;
  readonly metrics: AppMetrics;
  readonly registry: Registry;
  /** The hosted session's metrics (stop them when the server closes); null without a session. */
  readonly sessionMetrics: SessionMetrics | null;
}

export function createApp(options: AppOptions): ExecsimApp {
  const app = new Hono<{ Variables: { routePattern?: string } }>();
  const metrics = createMetrics();
  const sessionMetricsOf = options.session ? sessionMetrics(options.session, metrics.registry) : null;
  const allowed = options.allowedHosts === undefined ? LOOPBACK_HOSTS : options.allowedHosts;
  const logError =
    options.logError ??
    ((id: string, err: unknown) =>
      console.error(`execsim serve: internal error ${id}:`, err instanceof Error ? err.stack : err));
  const logLine = options.logLine ?? ((line: string) => console.error(line));

  app.use('*', metrics.middleware);
  if (allowed !== null) app.use('*', hostGuard(allowed));

  let document: OpenApiDocument | null = null;
  const runJobs = options.jobs !== null && options.sweepJobs ? onlyRuns(options.jobs, options.sweepJobs) : options.jobs;
  // The runs Idempotency-Keys started; a deleted run is forgotten by the pool and by its key.
  const runKeys = new RunKeys<AcceptedRun>('POST /runs');
  const forgetRun = (id: string): void => {
    runJobs?.forget(id);
    runKeys.forgetRun(id);
  };
  // Where the pool has a run: one it has yet to start is answered as queued, not as unknown.
  const jobState = runJobs ? (id: string) => runJobs.state(id) : undefined;
  const routes: AnyRoute[] = [];
  routes.push(
    ...runRoutes(options.reader, jobState),
    ...runRecordRoutes(options.reader, jobState),
    ...runEventRoutes(options.reader, jobState),
    ...compareRoutes(options.reader, jobState),
    ...deleteRunRoutes(options.deleteRun, forgetRun, jobState),
    ...sweepRoutes(options.reader, options.scenariosDir),
    ...scenarioRoutes({ scenariosDir: options.scenariosDir }),
    ...healthRoutes({
      reader: options.reader,
      version: options.version,
      registry: metrics.registry,
      session: options.session ?? null,
    }),
    ...sessionOrderRoutes(options.session ?? null),
    ...sessionSignalRoutes(options.session ?? null),
    ...sessionOrderReads(options.session ?? null),
    ...sessionControlRoutes(options.session ?? null),
    ...sessionStreamRoutes(options.session ?? null),
    ...sessionStrategyRoutes(options.session ?? null),
    ...metaRoutes({
      apiBase: API_BASE,
      document: () => (document ??= buildOpenApi(routes, { apiBase: API_BASE, version: options.version })),
    }),
  );
  if (runJobs !== null) {
    metrics.watchLoad(() => runJobs.load);
    routes.push(
      ...runJobRoutes({
        jobs: runJobs,
        reader: options.reader,
        scenariosDir: options.scenariosDir,
        maxQueued: options.maxQueued ?? 100,
        apiBase: API_BASE,
        keys: runKeys,
        onSubmitted: () => metrics.jobsSubmitted.inc({ kind: 'run' }),
      }),
    );
  }
  if (options.sweepJobs) {
    const pool = options.sweepJobs;
    const reader = options.reader;
    routes.push(
      ...sweepJobRoutes({
        pool: {
          submitSweep: (job) => {
            pool.submitSweep(job);
            metrics.jobsSubmitted.inc({ kind: 'sweep' });
          },
          cancel: (id) => pool.cancel(id),
          followSweep: (id, after, l) => pool.followSweep(id, after, l),
          kindOf: (id) => pool.kindOf(id),
          rerunSweepPath: (id, index) => {
            const r = pool.rerunSweepPath(id, index);
            if (r.kind === 'submitted' && !r.again) metrics.jobsSubmitted.inc({ kind: 'run' });
            return r;
          },
          get load() {
            return pool.load;
          },
        },
        scenariosDir: options.scenariosDir,
        maxQueued: options.maxQueued ?? 100,
        storedSweep: (id) => reader?.sweepProgress(id) ?? null,
      }),
    );
  }
  registerRoutes(app, routes, {
    apiBase: API_BASE,
    token: options.token,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    checkResponses: options.checkResponses ?? false,
  });
  const pages = options.pages && options.reader ? options.pages(options.reader, jobState) : null;
  if (pages) app.route('/', pages);

  // A path some route (of the API or the pages) has, asked with another method: 405 with the
  // methods it takes.
  const methodsByPath = new Map<RegExp, string[]>();
  const pageRoutes = (pages?.routes ?? []).filter((r) => r.method !== 'ALL');
  for (const r of [...routes.map((a) => ({ method: a.method, path: API_BASE + a.path })), ...pageRoutes]) {
    const pattern = new RegExp(`^${r.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}$`);
    const key = [...methodsByPath.keys()].find((k) => k.source === pattern.source) ?? pattern;
    methodsByPath.set(key, [...(methodsByPath.get(key) ?? []), r.method]);
  }
  app.notFound((c) => {
    const path = c.req.path;
    for (const [pattern, methods] of methodsByPath) {
      if (pattern.test(path)) {
        const allow = [...new Set(methods.includes('GET') ? [...methods, 'HEAD'] : methods)].join(', ');
        return problemResponse(
          new ProblemError('method-not-allowed', `${c.req.method} is not allowed here; allowed: ${allow}`, undefined, {
            allow,
          }),
          c,
          API_BASE,
        );
      }
    }
    return problemResponse(new ProblemError('not-found', `nothing at ${path}`), c, API_BASE);
  });
  app.onError((err, c) => {
    const problem = problemOf(err, c);
    const onPage = pages !== null && c.req.path !== API_BASE && !c.req.path.startsWith(`${API_BASE}/`);
    return onPage
      ? problemPage(c, PROBLEM_TYPES[problem.type].title, problem.detail, problem.status)
      : problemResponse(problem, c, API_BASE);
  });

  /** What an error thrown below a route or page answers: a ProblemError as it is; stored data that
   *  is not what execsim wrote as the row it names, logged as one line (the database's path is in
   *  the log, not the answer); anything else as an id whose error is in the log. */
  function problemOf(err: Error, c: Context): ProblemError {
    if (err instanceof ProblemError) return err;
    if (err instanceof StoredDataError) {
      logLine(`execsim serve: ${c.req.method} ${c.req.path}: ${err.message}`);
      return new ProblemError(
        'stored-data-unreadable',
        `${err.subject}: ${err.problem}; the stored value is not what execsim wrote (the database was edited by hand or damaged)`,
      );
    }
    const id = randomUUID();
    logError(id, err);
    return new ProblemError('internal-error', `internal error ${id} (see the server's log)`);
  }

  return {
    app,
    routes,
    document: () => (document ??= buildOpenApi(routes, { apiBase: API_BASE, version: options.version })),
    metrics,
    registry: metrics.registry,
    sessionMetrics: sessionMetricsOf,
  };
}

/** The run pool as the run routes see it: the pool runs sweeps beside runs and knows both by id,
 *  and a sweep's id on /runs/{id} is no run (404), not a queued run, an empty progress stream or
 *  a cancel of the sweep. */
function onlyRuns(jobs: RunJobs, sweeps: SweepJobPool): RunJobs {
  const isSweep = (id: string): boolean => sweeps.kindOf(id) === 'sweep';
  return {
    submit: (job) => jobs.submit(job),
    state: (id) => (isSweep(id) ? null : jobs.state(id)),
    cancel: (id) => (isSweep(id) ? 'unknown' : jobs.cancel(id)),
    follow: (id, after, listener) => (isSweep(id) ? null : jobs.follow(id, after, listener)),
    forget: (id) => {
      if (!isSweep(id)) jobs.forget(id);
    },
    get load() {
      return jobs.load;
    },
  };
}

/** The paths of the document, for checks that the routes and the document agree. */
export const documentedOperations = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));

/** The operations the app registered, in the document's spelling. */
export const registeredOperations = (routes: readonly AnyRoute[]): string[] =>
  routes.map((r) => `${r.method} ${openApiPath(API_BASE + r.path)}`);
