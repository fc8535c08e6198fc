// Liveness, readiness and metrics, for supervisors and scrapers. healthz answers 200 while the
// process serves at all; readyz answers 200 only when the run store can be read (one indexed
// page of one run) and, on a server hosting a service session, the session is ready (startup
// reconciliation done, the kill switch not halted, market data fresh, the venue's streams
// connected), else 503 with every reason: the one 5xx the server gives on purpose, a status,
// not a failure to answer.
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { ProblemError } from '../problem.ts';
import type { RunReader } from '../../store/read-model-port.ts';
import { defineRoute, json, type AnyRoute } from '../route-spec.ts';
import type { SessionPort } from '../session-port.ts';

export interface HealthDeps {
  readonly reader: RunReader | null;
  readonly version: string;
  readonly registry: Registry;
  readonly session?: SessionPort | null;
}

export function healthRoutes(deps: HealthDeps): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/healthz',
      operationId: 'getHealth',
      tag: 'server',
      summary: 'Liveness: 200 while the server answers',
      responses: {
        200: json('alive', z.object({ status: z.literal('ok'), version: z.string() })),
      },
      handle: (_, c) => c.json({ status: 'ok' as const, version: deps.version }),
    }),
    defineRoute({
      method: 'GET',
      path: '/readyz',
      operationId: 'getReadiness',
      tag: 'server',
      summary: 'Readiness: 200 when the run store can be read and a hosted session is ready, else 503 with the reasons',
      problems: ['not-ready'],
      responses: { 200: json('ready', z.object({ status: z.literal('ready') })) },
      handle: (_, c) => {
        if (deps.reader === null) throw new ProblemError('not-ready', 'this server has no run store');
        try {
          deps.reader.listRuns({ limit: 1 });
        } catch (err) {
          throw new ProblemError('not-ready', `the run store cannot be read (${(err as Error).name})`);
        }
        const session = deps.session?.readiness();
        if (session && !session.ready) throw new ProblemError('not-ready', `degraded: ${session.reasons.join('; ')}`);
        return c.json({ status: 'ready' as const });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/metrics',
      operationId: 'getMetrics',
      tag: 'server',
      summary: 'Prometheus metrics (text exposition format), names prefixed execsim_',
      responses: { 200: { description: 'the metrics', content: { 'text/plain': z.string() } } },
      handle: async (_, c) => c.body(await deps.registry.metrics(), 200, { 'content-type': deps.registry.contentType }),
    }),
  ];
}
