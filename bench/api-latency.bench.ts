// `npm run bench:api`: how fast the API answers over a real socket, idle and while a long run is
// being written into the same database by the server's worker pool. The database holds the
// bundled scenarios' runs; the long run is the one-hour TWAP of bench/twap.bench.ts stored with
// every event. Measured per route (the runs list, one run, its events page, its series): p50, p99
// and max wall ms over sequential requests, idle first, then while the run writes (the requests
// stop when it finishes), and side by side the same run executed on the server's own thread.
// The point: runs execute on worker threads, so the API stays responsive.
import { serve, type ServerType } from '@hono/node-server';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadScenarioFile, parseScenario } from '../src/scenario/load-scenario.ts';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { RunPool } from '../src/sweep/run-pool.ts';
import { createApp } from '../src/server/app.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';
import { openStoreReader } from '../src/store/store-reader.ts';
import { quantile } from './stats.ts';
import { TWAP_ONE_HOUR } from './twap.bench.ts';

const TOKEN = 'bench-token-0123456789abcdef';
const SCENARIOS = path.resolve('scenarios');

interface Latency {
  route: string;
  n: number;
  p50: number;
  p99: number;
  max: number;
}

async function timeRoutes(base: string, urls: Record<string, string>, keepGoing: () => boolean, minEach: number) {
  const samples = new Map<string, number[]>(Object.keys(urls).map((k) => [k, []]));
  let round = 0;
  while (round < minEach || keepGoing()) {
    for (const [name, url] of Object.entries(urls)) {
      const t0 = performance.now();
      const res = await fetch(base + url);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
      samples.get(name)?.push(performance.now() - t0);
    }
    round++;
    if (!keepGoing() && round >= minEach) break;
  }
  return [...samples].map(([route, xs]): Latency => ({
    route,
    n: xs.length,
    p50: quantile(xs, 0.5),
    p99: quantile(xs, 0.99),
    max: Math.max(...xs),
  }));
}

export async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-api-bench-'));
  const dbPath = path.join(dir, 'api.db');
  const writer = new RunStore(openDatabase(dbPath));
  const ids: string[] = [];
  for (const file of ['twap-calm.yaml', 'twap-outage.yaml', 'thin-book.yaml', 'spread-blowout.yaml']) {
    ids.push(runScenario(loadScenarioFile(path.join(SCENARIOS, file)), { store: writer }).runId);
  }
  const store = openStoreReader(dbPath);
  const pool = new RunPool({ dbPath, size: 1 });
  const { app } = createApp({
    reader: store.reader,
    deleteRun: store.deleteRun,
    jobs: pool,
    scenariosDir: SCENARIOS,
    version: 'bench',
    token: TOKEN,
  });
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const id = ids[0] as string;
  const urls = {
    'GET /runs': '/api/v1/runs?limit=50',
    'GET /runs/{id}': `/api/v1/runs/${id}`,
    'GET /runs/{id}/events': `/api/v1/runs/${id}/events?limit=200`,
    'GET /runs/{id}/series': `/api/v1/runs/${id}/series?maxPoints=2000`,
  };
  await timeRoutes(base, urls, () => false, 30); // warm-up
  const idle = await timeRoutes(base, urls, () => false, 200);

  const started = await fetch(`${base}/api/v1/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ yaml: TWAP_ONE_HOUR }),
  });
  const { id: longRun } = (await started.json()) as { id: string };
  let done = false;
  let runEvents = 0;
  const t0 = performance.now();
  pool.follow(longRun, 0, (u) => {
    if (u.type === 'finished') runEvents = u.events;
    if (u.type === 'finished' || u.type === 'failed' || u.type === 'interrupted') done = true;
  });
  const busy = await timeRoutes(base, urls, () => !done, 20);
  while (!done) await new Promise((r) => setImmediate(r));
  const runWallMs = performance.now() - t0;

  // The same run on the server's own thread (what a synchronous backtest endpoint does): the
  // requests in flight wait for it. Side by side with the worker pool above.
  let inThreadDone = false;
  const loaded = parseScenario(TWAP_ONE_HOUR, path.join(SCENARIOS, '(request).yaml'));
  const inThreadStore = new RunStore(openDatabase(dbPath));
  setTimeout(() => {
    runScenario(loaded, { store: inThreadStore });
    inThreadDone = true;
  }, 5);
  const inThread = await timeRoutes(base, urls, () => !inThreadDone, 5);
  inThreadStore.db.close();

  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.close();
  store.close();
  writer.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return { idle, busy, inThread, runWallMs, runEvents };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await main();
  const cpu = os.cpus()[0]?.model ?? '?';
  console.log(
    `machine: ${cpu}, ${os.cpus().length} cores, node ${process.version}, load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  const show = (label: string, rows: Latency[]) => {
    console.log(label);
    for (const x of rows)
      console.log(
        `  ${x.route.padEnd(24)} n=${String(x.n).padStart(4)}  p50 ${x.p50.toFixed(2).padStart(7)} ms  p99 ${x.p99.toFixed(2).padStart(7)} ms  max ${x.max.toFixed(2).padStart(7)} ms`,
      );
  };
  show('idle:', r.idle);
  show(
    `while a one-hour TWAP run is written (${r.runEvents} events, ${Math.round(r.runWallMs)} ms on a worker):`,
    r.busy,
  );
  show('the same run on the server thread instead (a synchronous endpoint), for comparison:', r.inThread);
  const worst = (rows: Latency[]) => Math.max(...rows.map((x) => x.max));
  console.log(
    `worst request: worker pool ${worst(r.busy).toFixed(1)} ms, server thread ${worst(r.inThread).toFixed(1)} ms ` +
      `(${(worst(r.inThread) / worst(r.busy)).toFixed(0)}x)`,
  );
}
