// Prometheus metrics of one app, in a registry of its own (not prom-client's global one, so two
// apps in one process, as in tests, keep separate counts): requests and their durations by route
// pattern (never the raw path: ids would make a series per run), method and status, and the
// default process metrics, every name prefixed `execsim_`.
import type { MiddlewareHandler } from 'hono';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The route label of requests no route matched. */
export const UNMATCHED_ROUTE = '(unmatched)';

export interface AppMetrics {
  readonly registry: Registry;
  /** Counts and times every request; reads the matched route pattern from the context. */
  readonly middleware: MiddlewareHandler<{ Variables: { routePattern?: string } }>;
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
  return { registry, middleware };
}
