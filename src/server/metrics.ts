// Prometheus metrics of one app, in a registry of its own (not prom-client's global one, so two
// apps in one process, as in tests, keep separate counts): requests and their durations by route
// pattern (never the raw path: ids would make a series per run), method and status, and the
// default process metrics, every name prefixed `execsim_`.
import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The route label of requests no route matched. */
export const UNMATCHED_ROUTE = '(unmatched)';

export interface AppMetrics {
  readonly registry: Registry;
  /** Counts and times every request; reads the matched route pattern from the context. */
  readonly middleware: MiddlewareHandler<{ Variables: { routePattern?: string } }>;
  /** Runs and sweeps accepted over HTTP, by kind. */
  readonly jobsSubmitted: Counter<'kind'>;
  /** A job's update (its life as the pool numbers it): counts how jobs end and how long they ran. */
  observeJob(kind: 'run' | 'sweep', update: { readonly type: string }, jobId: string): void;
  /** Where the pool's queue and workers are, read at each scrape. */
  watchLoad(load: () => { queued: number; running: number; workers: number }): void;
}

export function createMetrics(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'execsim_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'execsim_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'execsim_http_request_duration_seconds',
    help: 'Time to answer an HTTP request (until the response starts), by method, route pattern and status',
    labelNames,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const middleware: AppMetrics['middleware'] = async (c, next) => {
    const start = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const labels = {
        method: c.req.method,
        route: c.get('routePattern') ?? UNMATCHED_ROUTE,
        status: String(c.res.status),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    }
  };
  const jobsSubmitted = new Counter({
    name: 'execsim_jobs_submitted_total',
    help: 'Runs and sweeps accepted over HTTP, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const jobsEnded = new Counter({
    name: 'execsim_jobs_ended_total',
    help: 'Runs and sweeps that ended on this server, by kind and outcome (finished, failed, interrupted)',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'execsim_job_duration_seconds',
    help: 'Wall time from a job starting on a worker to its end, by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [registry],
  });
  let load: (() => { queued: number; running: number; workers: number }) | null = null;
  for (const [name, help, pick] of [
    ['execsim_jobs_queued', 'Jobs waiting for a worker', (l: { queued: number }) => l.queued],
    ['execsim_jobs_running', 'Jobs running on a worker', (l: { running: number }) => l.running],
    ['execsim_workers', 'Worker threads of the pool', (l: { workers: number }) => l.workers],
  ] as const) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(load ? pick(load() as never) : 0);
      },
    });
  }
  const startedAt = new Map<string, bigint>();
  const observeJob: AppMetrics['observeJob'] = (kind, update, jobId) => {
    if (update.type === 'started') startedAt.set(jobId, process.hrtime.bigint());
    // A run deleted before its end was heard (its worker's last words are ignored): no duration.
    if (update.type === 'deleted') startedAt.delete(jobId);
    if (update.type !== 'finished' && update.type !== 'failed' && update.type !== 'interrupted') return;
    jobsEnded.inc({ kind, outcome: update.type });
    const start = startedAt.get(jobId);
    startedAt.delete(jobId);
    if (start !== undefined)
      jobDuration.observe({ kind, outcome: update.type }, Number(process.hrtime.bigint() - start) / 1e9);
  };
  return {
    registry,
    middleware,
    jobsSubmitted,
    observeJob,
    watchLoad: (f) => {
      load = f;
    },
  };
}
