// A Hono app with the web pages and the JSON API routes they use, over a reader, and a store
// holding runs of bundled scenarios: what the page and browser tests serve. (The server's own
// createApp mounts the same pieces; this stands in for it in these tests.)
import { Hono } from 'hono';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { ProblemError, problemResponse } from '../../src/server/problem.ts';
import { registerRoutes } from '../../src/server/register-routes.ts';
import { compareRoutes } from '../../src/server/routes/compare-routes.ts';
import { runEventRoutes } from '../../src/server/routes/run-event-routes.ts';
import { runRecordRoutes } from '../../src/server/routes/run-record-routes.ts';
import { runRoutes } from '../../src/server/routes/run-routes.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import type { RunReader } from '../../src/store/read-model-port.ts';
import { RunStore } from '../../src/store/run-store.ts';

export const API_BASE = '/api/v1';

export function pageApp(reader: RunReader): Hono {
  const app = new Hono<{ Variables: { routePattern?: string } }>();
  registerRoutes(
    app,
    [...runRoutes(reader), ...runRecordRoutes(reader), ...runEventRoutes(reader), ...compareRoutes(reader)],
    { apiBase: API_BASE, token: null, maxBodyBytes: 65_536, checkResponses: true },
  );
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(err, c, API_BASE);
    throw err;
  });
  app.route('/', pageRoutes(reader, { apiBase: API_BASE }));
  return app as unknown as Hono;
}

/** A store (in memory unless `file`) with one run of each named bundled scenario (and seed). */
export function storeWithRuns(
  runs: ReadonlyArray<{ name: string; seed?: number }>,
  file = ':memory:',
): { store: RunStore; reports: RunReport[] } {
  const store = new RunStore(openDatabase(file));
  const reports = runs.map((r) =>
    runScenario(loadScenarioFile(`scenarios/${r.name}.yaml`), {
      store,
      ...(r.seed === undefined ? {} : { seed: r.seed }),
    }),
  );
  return { store, reports };
}
