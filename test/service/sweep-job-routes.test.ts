// Sweeps over HTTP through registerRoutes + app.request(), on a real RunPool and SQLite store:
// POST /sweeps needs the token and refuses bad bodies with a field path (nothing stored); a
// bundled scenario's sweep answers 202 with its Location at once and its progress stream carries
// numbered updates to the end, resuming after Last-Event-ID; a path re-run for drill-down is a run
// whose digest is the path's; a cancel stops a running sweep (stored interrupted) and the stream
// ends with it; a sweep the pool does not know answers its stored state. A grid sweep (`grid`) is
// refused with a 400 naming the grid key for what `execsim sweep --grid` refuses, nothing stored;
// one that runs counts every grid point's paths, is stored row for row as the CLI stores the same
// definition, and GET /sweeps/{id} and its page show each point. Responses are checked against
// their declarations (checkResponses), and the OpenAPI document builds from them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.ts';
import { RunPool, type RunUpdate } from '../../src/sweep/run-pool.ts';
import { openDatabase, openExistingDatabase } from '../../src/store/open-database.ts';
import { getSweep } from '../../src/store/sweep-read.ts';
import { SweepStore } from '../../src/store/sweep-store.ts';
import { buildOpenApi } from '../../src/server/openapi.ts';
import { ProblemError, problemResponse } from '../../src/server/problem.ts';
import { registerRoutes } from '../../src/server/register-routes.ts';
import { sweepJobRoutes, type StoredSweepState } from '../../src/server/routes/sweep-job-routes.ts';
import { sweepRoutes } from '../../src/server/routes/sweep-routes.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { openStoreReader } from '../../src/store/store-reader.ts';

const API = '/api/v1';
const TOKEN = 'sweep-test-token';
const WAIT_MS = 60_000;
const IMPACT_YAML = fs.readFileSync('scenarios/almgren-chriss-impact.yaml', 'utf8');
const REPLAY_YAML = fs.readFileSync('scenarios/replay-btcusdt.yaml', 'utf8');

let dir: string;
let db: string;
let pool: RunPool;
let app: App;

function storedSweep(id: string): StoredSweepState | null {
  if (!fs.existsSync(db)) return null;
  const handle = openExistingDatabase(db, 'read');
  try {
    return getSweep(handle, id);
  } finally {
    handle.close();
  }
}

type App = Hono<{ Variables: { routePattern?: string } }>;

function makeApp(token: string | null): App {
  const a: App = new Hono();
  a.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(err, c, API);
    throw err;
  });
  registerRoutes(
    a,
    sweepJobRoutes({
      pool,
      scenariosDir: path.resolve('scenarios'),
      maxPaths: 6_000,
      storedSweep,
      keepAliveMs: 60_000,
    }),
    { apiBase: API, token, maxBodyBytes: 1 << 20, checkResponses: true },
  );
  return a;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-sweep-http-'));
  db = path.join(dir, 'http.db');
  // The store and its tables exist before the pool starts, as `execsim serve` creates them: a
  // pool worker creates the file as it starts and the tables a moment later, and a read of the
  // file in between (sweepCount, storedSweep) found no table.
  openDatabase(db).close();
  pool = new RunPool({ dbPath: db, size: 2 });
  app = makeApp(TOKEN);
});

afterAll(async () => {
  await pool.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };

function post(url: string, body?: unknown, headers: Record<string, string> = auth, on: App = app): Promise<Response> {
  return Promise.resolve(
    on.request(API + url, {
      method: 'POST',
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
}

const sweepCount = (): number => {
  if (!fs.existsSync(db)) return 0;
  const handle = openExistingDatabase(db, 'read');
  try {
    return (handle.prepare('SELECT COUNT(*) AS n FROM sweeps').get() as { n: number }).n;
  } finally {
    handle.close();
  }
};

interface SseEvent {
  readonly event: string | undefined;
  readonly id: string | undefined;
  readonly data: string;
}

/** Reads SSE events from `res` until `until` holds for one or the stream ends, within WAIT_MS. */
async function readSse(res: Response, until: (e: SseEvent) => boolean = () => false): Promise<SseEvent[]> {
  const body = res.body;
  if (!body) throw new Error('no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`SSE: no end within ${WAIT_MS} ms: ${JSON.stringify(events)}`)), WAIT_MS);
  });
  try {
    for (;;) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk.done) return events;
      buffer += decoder.decode(chunk.value, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || line === '') continue;
          const at = line.indexOf(':');
          fields.set(line.slice(0, at), line.slice(at + 1).replace(/^ /, ''));
        }
        if (!fields.has('data')) continue;
        const e = { event: fields.get('event'), id: fields.get('id'), data: fields.get('data') as string };
        events.push(e);
        if (until(e)) return events;
      }
    }
  } finally {
    clearTimeout(timer);
    await reader.cancel().catch(() => undefined);
  }
}

function runEnd(runId: string): Promise<RunUpdate> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run ${runId} did not end`)), WAIT_MS);
    const stop = pool.follow(runId, 0, (u) => {
      if (u.type === 'finished' || u.type === 'failed' || u.type === 'interrupted') {
        clearTimeout(timer);
        queueMicrotask(() => stop?.());
        resolve(u);
      }
    });
    if (!stop) reject(new Error(`pool does not know ${runId}`));
  });
}

describe('POST /sweeps refuses without writing anything', () => {
  it('needs the token: 403 on a server without one, 401 without or with a wrong one', async () => {
    const body = { scenario: 'almgren-chriss-impact', paths: 2 };
    expect((await post('/sweeps', body, {}, makeApp(null))).status).toBe(403);
    expect((await post('/sweeps', body, {})).status).toBe(401);
    expect((await post('/sweeps', body, { authorization: 'Bearer nope' })).status).toBe(401);
    expect(sweepCount()).toBe(0);
  });

  const cases: Array<[string, unknown, number, string]> = [
    ['neither scenario nor yaml', { paths: 2 }, 400, 'body'],
    ['both scenario and yaml', { scenario: 'walkthrough', yaml: IMPACT_YAML, paths: 2 }, 400, 'body'],
    ['an unknown bundled scenario', { scenario: 'no-such-scenario', paths: 2 }, 400, 'body.scenario'],
    ['a path as the scenario name', { scenario: '../package.json', paths: 2 }, 400, 'body.scenario'],
    ['paths 0', { scenario: 'walkthrough', paths: 0 }, 400, 'body.paths'],
    ['paths above the limit', { scenario: 'walkthrough', paths: 6_001 }, 400, 'body.paths'],
    ['fractional paths', { scenario: 'walkthrough', paths: 2.5 }, 400, 'body.paths'],
    ['paths as text', { scenario: 'walkthrough', paths: '2' }, 400, 'body.paths'],
    ['a negative seed', { scenario: 'walkthrough', paths: 2, seed: -1 }, 400, 'body.seed'],
    ['an unknown field', { scenario: 'walkthrough', paths: 2, speed: 1 }, 400, 'body'],
    ['an invalid scenario', { yaml: IMPACT_YAML.replace('sigma: 300', 'sigma: lots'), paths: 2 }, 422, 'market.sigma'],
    [
      'a replay file outside the scenarios directory',
      { yaml: REPLAY_YAML.replace('data/binance-spot/btcusdt_20240808.gz', '/etc/hostname'), paths: 2 },
      422,
      'market.files[0]',
    ],
  ];
  it.each(cases)('%s', async (_what, body, status, field) => {
    const res = await post('/sweeps', body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { errors?: Array<{ path: string }> };
    expect(problem.errors?.map((e) => e.path)).toContain(field);
    if (field === 'market.files[0]')
      expect(problem.errors?.[0]).toMatchObject({ message: expect.stringMatching(/inside the scenarios directory/) });
    expect(sweepCount()).toBe(0);
  });
});

describe('a refused sweep request', () => {
  it('names a field that fails two checks with one message once (a seed that is neither whole nor in range)', async () => {
    for (const body of [
      { scenario: 'walkthrough', paths: 2, seed: 1e300 },
      { scenario: 'walkthrough', paths: 2 ** 53 },
    ]) {
      const res = await post('/sweeps', body);
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
      expect(problem.errors).toHaveLength(1);
      expect(problem.errors[0]?.message).toMatch(/^must be a whole number from/);
    }
    expect(sweepCount()).toBe(0);
  });
});

describe('POST /sweeps with a grid refuses what the CLI refuses, naming the grid key, without writing anything', () => {
  const slices = (n: number) => Array.from({ length: n }, (_, i) => i + 2);
  const cases: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['an unknown TWAP field', { 'twap.speed': [1, 2] }, 'body.grid.twap.speed', /speed is not a TWAP field/],
    ['a key that is no grid key', { seed: [1, 2] }, 'body.grid.seed', /seed is not a grid key/],
    ['a malformed key', { 'twap..slices': [5] }, 'body.grid.twap..slices', /is not a dotted key/],
    ['no values', { 'twap.slices': [] }, 'body.grid.twap.slices', /at least one value/],
    ['values that are not an array', { 'twap.slices': 5 }, 'body.grid.twap.slices', /must be an array of values/],
    ['an object as a value', { 'twap.slices': [{ n: 5 }] }, 'body.grid.twap.slices[0]', /./],
    ['a value that is not a number', { 'twap.slices': [5, 'many'] }, 'body.grid.twap.slices', /many is not a number/],
    ['an empty value', { 'twap.slices': [5, ' '] }, 'body.grid.twap.slices', /an empty value/],
    ['a value with a comma', { 'twap.slices': ['5,10'] }, 'body.grid.twap.slices', /has a comma/],
    ['one value as a number and as text', { 'twap.slices': [5, '5'] }, 'body.grid.twap.slices', /5 is given twice/],
    [
      'a value the schema refuses on its own',
      { 'twap.slices': [5, 0] },
      'body.grid.twap.slices',
      /^the value 0: orders\[0\]\.twap\.slices: /,
    ],
    [
      'a combination the schema refuses (each value alone is valid)',
      { 'twap.interval': ['PT1M', 'PT5M'], 'twap.duration': ['PT10M', 'PT2M'] },
      'body.grid',
      /^the combination twap\.interval=PT5M, twap\.duration=PT2M: orders\[0\]\.twap\.interval: /,
    ],
    ['too many values on one axis', { 'twap.slices': slices(101) }, 'body.grid.twap.slices', /101 values, at most 100/],
    [
      'too many points',
      { 'twap.slices': slices(100), 'venue.fees.takerBps': slices(11) },
      'body.grid',
      /1100 combinations, at most 1000/,
    ],
  ];
  it.each(cases)('%s', async (_what, grid, field, message) => {
    const res = await post('/sweeps', { scenario: 'twap-calm', paths: 1, grid });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors[0]?.path).toBe(field);
    expect(problem.errors[0]?.message).toMatch(message);
    expect(sweepCount()).toBe(0);
  });

  it('refuses a grid value naming a replay file outside the scenarios directory, before parsing a point', async () => {
    // The grid writes its values into the scenario text: a replay file it names is held to the
    // scenarios directory as the text's own are.
    for (const value of ['/etc/hostname', '../package.json']) {
      const grid = { 'market.files.0': ['data/binance-spot/btcusdt_20240808.gz', value] };
      const res = await post('/sweeps', { scenario: 'replay-btcusdt', paths: 1, grid });
      expect(res.status).toBe(400);
      const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
      expect(problem.errors).toEqual([
        {
          path: 'body.grid.market.files.0',
          message:
            'over HTTP, replay files must be inside the scenarios directory (paths relative to it); ' +
            `${JSON.stringify(value)} is not`,
        },
      ]);
    }
    expect(sweepCount()).toBe(0);
  });

  // JSON.parse keeps "__proto__" as a key, which a record schema drops without a word: the grid
  // was then empty and the sweep ran without one. Sent as text, since an object literal cannot
  // carry the key to JSON.stringify.
  it.each([
    ['a __proto__ key', '{"__proto__": [1]}', 'body.grid.__proto__', /"__proto__" is not a field/],
    ['__proto__ beside a real key', '{"twap.slices": [5], "__proto__": [1]}', 'body.grid.__proto__', /__proto__/],
    ['an empty grid', '{}', 'body.grid', /at least one grid key/],
  ])('refuses %s, naming the field', async (_what, grid, field, message) => {
    const res = await app.request(`${API}/sweeps`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: `{"scenario": "twap-calm", "paths": 1, "grid": ${grid}}`,
    });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors).toHaveLength(1);
    expect(problem.errors[0]?.path).toBe(field);
    expect(problem.errors[0]?.message).toMatch(message);
    expect(sweepCount()).toBe(0);
  });

  it('too many points x paths: 200 points x 6,000 paths is above the unit limit', async () => {
    const grid = { 'twap.slices': slices(100), 'twap.duration': ['PT5M', 'PT10M'] };
    const res = await post('/sweeps', { scenario: 'twap-calm', paths: 6_000, grid });
    expect(res.status).toBe(400);
    const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
    expect(problem.errors).toEqual([
      {
        path: 'body.grid',
        message: '200 grid points x 6000 paths is 1200000 paths in all, above the limit of 1,000,000',
      },
    ]);
    expect(sweepCount()).toBe(0);
  });
});

describe('a grid sweep over HTTP', () => {
  // Numbers and text, as JSON gives them; the CLI's flags below are the same grid as text.
  const GRID = { 'twap.slices': [5, 10], 'twap.duration': ['PT5M', 'PT10M'] };
  const CLI_GRID = ['--grid', 'twap.slices=5,10', '--grid', 'twap.duration=PT5M,PT10M'];
  let sweepId: string;

  it('counts every point x path in its 202 answer and its progress stream', async () => {
    const res = await post('/sweeps', { scenario: 'twap-calm', paths: 3, seed: 5, grid: GRID });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; progress: string; points: number; total: number };
    sweepId = body.id;
    expect(body).toMatchObject({ points: 4, total: 12 });
    const events = await readSse(await app.request(body.progress));
    const updates = events.map((e) => JSON.parse(e.data) as { type: string; total?: number; done?: number });
    expect(updates.find((u) => u.type === 'started')).toMatchObject({ total: 12 });
    for (const u of updates.filter((x) => x.type === 'progress')) expect(u.total).toBe(12);
    expect(updates.at(-1)).toMatchObject({ type: 'finished', done: 12, total: 12 });
    expect(storedSweep(sweepId)).toMatchObject({ state: 'finished', pathsDone: 12, pathsRequested: 12 });
  }, 120_000);

  it('is stored row for row as `execsim sweep --grid --store` stores the same definition', async () => {
    const cliDb = path.join(dir, 'cli-grid.db');
    const out: string[] = [];
    const code = await runCli(
      ['sweep', 'scenarios/twap-calm.yaml', '--paths', '3', '--seed', '5', ...CLI_GRID, '--workers', '1'].concat([
        '--json',
        '--store',
        '--db',
        cliDb,
      ]),
      { out: (t) => void out.push(t), err: () => undefined, env: {} },
    );
    expect(code).toBe(0);
    const cliId = (JSON.parse(out.join('')) as { sweepId: string }).sweepId;
    const rows = (file: string, id: string) => {
      const handle = openExistingDatabase(file, 'read');
      try {
        const sweep = handle
          .prepare(
            `SELECT scenario_hash, sweep_seed, paths_requested, paths_done, paths_passed, status, grid_json,
                    summary_json FROM sweeps WHERE id = ?`,
          )
          .get(id);
        const paths = handle
          .prepare('SELECT * FROM sweep_paths WHERE sweep_id = ? ORDER BY path')
          .all(id)
          .map((r): Record<string, unknown> => ({
            ...(r as Record<string, unknown>),
            sweep_id: undefined,
            run_id: undefined,
          }));
        const parents = handle
          .prepare('SELECT * FROM sweep_path_parents WHERE sweep_id = ? ORDER BY path, parent_id')
          .all(id)
          .map((r): Record<string, unknown> => ({ ...(r as Record<string, unknown>), sweep_id: undefined }));
        return { sweep, paths, parents };
      } finally {
        handle.close();
      }
    };
    const cli = rows(cliDb, cliId);
    const http = rows(db, sweepId);
    expect(cli.paths).toHaveLength(12);
    expect(cli.parents.length).toBeGreaterThanOrEqual(12);
    // Four points, each its own digests: the grid's settings reached the runs.
    const digests = cli.paths.map((p) => p['digest']);
    expect(new Set(digests).size).toBe(12);
    expect(http).toEqual(cli);
  }, 120_000);

  it('GET /sweeps/{id} and the sweep page show each point and the best per objective', async () => {
    const store = openStoreReader(db);
    try {
      const a: App = new Hono();
      registerRoutes(a, sweepRoutes(store.reader, path.resolve('scenarios')), {
        apiBase: API,
        token: TOKEN,
        maxBodyBytes: 1 << 20,
        checkResponses: true,
      });
      a.route('/', pageRoutes(store.reader, { apiBase: API }));
      const res = await a.request(`${API}/sweeps/${sweepId}`);
      expect(res.status).toBe(200);
      const sweep = (await res.json()) as {
        scenarioFile: string;
        grid: unknown;
        gridPoints: Array<{ point: number; paths: number; settings: Array<{ key: string; value: string }> }>;
        gridReport: { best: Record<'meanShortfall' | 'p95Shortfall' | 'fillRatio', number> };
      };
      // The file by its name in the scenarios directory, as the request named it: the store's
      // absolute path is the server's filesystem.
      expect(store.reader.getSweep(sweepId)?.scenarioFile).toBe(path.resolve('scenarios', 'twap-calm.yaml'));
      expect(sweep.scenarioFile).toBe('twap-calm.yaml');
      expect(sweep.grid).toEqual([
        { key: 'twap.slices', values: ['5', '10'] },
        { key: 'twap.duration', values: ['PT5M', 'PT10M'] },
      ]);
      const label = (p: { settings: Array<{ key: string; value: string }> }) =>
        p.settings.map((s) => `${s.key}=${s.value}`).join(', ');
      expect(sweep.gridPoints.map((p) => [p.point, label(p), p.paths])).toEqual([
        [0, 'twap.slices=5, twap.duration=PT5M', 3],
        [1, 'twap.slices=5, twap.duration=PT10M', 3],
        [2, 'twap.slices=10, twap.duration=PT5M', 3],
        [3, 'twap.slices=10, twap.duration=PT10M', 3],
      ]);
      const page = await a.request(`/sweeps/${sweepId}`);
      expect(page.status).toBe(200);
      const html = await page.text();
      const best = sweep.gridReport.best.meanShortfall;
      expect(html).toContain(
        `<dt>lowest mean shortfall</dt><dd>point ${best}: ${label(sweep.gridPoints[best] as (typeof sweep.gridPoints)[0])}</dd>`,
      );
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('a sweep over HTTP', () => {
  let sweepId: string;

  it('answers 202 with its Location, then streams numbered updates to the end, resuming after Last-Event-ID', async () => {
    const res = await post('/sweeps', { scenario: 'almgren-chriss-impact', paths: 4, seed: 9 });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; state: string; progress: string };
    sweepId = body.id;
    expect(res.headers.get('location')).toBe(`${API}/sweeps/${sweepId}`);
    expect(body).toEqual({
      id: sweepId,
      state: 'queued',
      progress: `${API}/sweeps/${sweepId}/progress`,
      points: 1,
      total: 4,
    });

    const stream = await app.request(body.progress);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await readSse(stream);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    const updates = events.map((e) => JSON.parse(e.data) as { type: string; sweepId: string });
    expect(events.map((e) => e.event)).toEqual(updates.map((u) => u.type));
    expect(updates[0]?.type).toBe('queued');
    expect(updates.at(-1)).toMatchObject({ type: 'finished', done: 4, total: 4, sweepId });
    expect(storedSweep(sweepId)).toMatchObject({ state: 'finished', pathsDone: 4 });

    const resumed = await readSse(await app.request(body.progress, { headers: { 'last-event-id': '2' } }));
    expect(resumed).toEqual(events.slice(2));
    // Resumed after the final event: 204, which tells an EventSource to stop reconnecting; the
    // stream used to stay open with keep-alives forever.
    const ended = await app.request(body.progress, { headers: { 'last-event-id': events.at(-1)?.id ?? '' } });
    expect(ended.status).toBe(204);
    expect(await ended.text()).toBe('');
    const bad = await app.request(body.progress, { headers: { 'last-event-id': 'x' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: Array<{ path: string }> }).errors[0]?.path).toBe('header.Last-Event-ID');
  }, 120_000);

  it('re-runs a stored path as a run whose digest is the path digest, at the Location it answers', async () => {
    const res = await post(`/sweeps/${sweepId}/paths/2/run`);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { runId: string; seed: number; digest: string; path: number };
    expect(res.headers.get('location')).toBe(`${API}/runs/${body.runId}`);
    expect(res.headers.get('idempotent-replayed')).toBeNull();
    // Three more at once while it is queued or running (a double click): the same run each time.
    const again = await Promise.all([1, 2, 3].map(() => post(`/sweeps/${sweepId}/paths/2/run`)));
    for (const a of again) {
      expect(a.status).toBe(202);
      expect(a.headers.get('idempotent-replayed')).toBe('true');
      expect(((await a.json()) as { runId: string }).runId).toBe(body.runId);
    }
    const handle = openExistingDatabase(db, 'read');
    const row = handle
      .prepare('SELECT seed, digest, run_id FROM sweep_paths WHERE sweep_id = ? AND path = 2')
      .get(sweepId) as { seed: number; digest: string; run_id: string };
    handle.close();
    expect(body).toMatchObject({ path: 2, seed: row.seed, digest: row.digest });
    expect(row.run_id).toBe(body.runId);
    expect(await runEnd(body.runId)).toMatchObject({ type: 'finished', digest: row.digest });

    expect((await post(`/sweeps/${sweepId}/paths/4/run`)).status).toBe(404);
    expect((await post('/sweeps/sweep-nope/paths/0/run')).status).toBe(404);
    expect((await post(`/sweeps/${sweepId}/paths/-1/run`)).status).toBe(400);
    expect((await post(`/sweeps/${sweepId}/paths/2/run`, undefined, {})).status).toBe(401);
  }, 120_000);

  it('a cancel stops a running sweep: the stream ends interrupted and the store says so', async () => {
    const res = await post('/sweeps', { yaml: IMPACT_YAML, paths: 5_000 });
    expect(res.status).toBe(202);
    const { id, progress } = (await res.json()) as { id: string; progress: string };
    const stream = await app.request(progress);
    const first = await readSse(stream, (e) => e.event === 'progress');
    expect(first.at(-1)?.event).toBe('progress');
    // Without the token nothing is cancelled.
    expect((await post(`/sweeps/${id}/cancel`, undefined, {})).status).toBe(401);
    expect(pool.state(id)).toBe('running');

    const follow = app.request(progress, { headers: { 'last-event-id': first.at(-1)?.id ?? '0' } });
    expect((await post(`/sweeps/${id}/cancel`)).status).toBe(202);
    const rest = await readSse(await follow);
    expect(rest.at(-1)?.event).toBe('interrupted');
    const done = (JSON.parse(rest.at(-1)?.data ?? '{}') as { done: number }).done;
    expect(storedSweep(id)).toMatchObject({ state: 'interrupted', pathsDone: done });

    expect((await post(`/sweeps/${id}/cancel`)).status).toBe(409);
    expect((await post('/sweeps/sweep-nope/cancel')).status).toBe(404);
  }, 120_000);

  it('answers a sweep the pool does not run with one event of its stored state, and 404 for no sweep', async () => {
    const handle = openDatabase(db);
    const store = new SweepStore(handle);
    store.create({
      id: 'sweep-elsewhere',
      scenarioName: 'x',
      scenarioHash: 'h',
      scenarioJson: '{}',
      scenarioFile: 'x.yaml',
      scenarioSource: 'name: x',
      sweepSeed: 1,
      paths: 3,
      codeVersion: 'test',
      createdAt: new Date().toISOString(),
    });
    store.finish('sweep-elsewhere', [], '{}', new Date().toISOString());
    handle.close();
    const events = await readSse(await app.request(`${API}/sweeps/sweep-elsewhere/progress`));
    expect(events).toHaveLength(1);
    expect(events[0]?.event).toBe('stored');
    expect(events[0]?.id).toBeUndefined();
    expect(JSON.parse(events[0]?.data ?? '{}')).toMatchObject({ sweepId: 'sweep-elsewhere', state: 'finished' });
    expect((await app.request(`${API}/sweeps/sweep-nope/progress`)).status).toBe(404);
  });

  /** A finished sweep stored as another process stores it (not this pool's), with one path row
   *  numbered `path`; `file` is where its scenario was loaded from. */
  function storeSweepWithPath(id: string, yaml: string, file: string, path: number, grid: unknown[] | null): void {
    const handle = openDatabase(db);
    try {
      const store = new SweepStore(handle);
      store.create({
        id,
        scenarioName: 'x',
        scenarioHash: 'h',
        scenarioJson: '{}',
        scenarioFile: file,
        scenarioSource: yaml,
        sweepSeed: 1,
        paths: path + 1,
        codeVersion: 'test',
        createdAt: new Date().toISOString(),
        gridJson: grid === null ? null : JSON.stringify(grid),
      });
      const row = {
        path,
        point: 0,
        seed: 7,
        digest: 'd',
        passed: true,
        error: null,
        shortfallBps: null,
        fillRatio: null,
        parents: [],
      };
      store.finish(id, [row], '{}', new Date().toISOString());
    } finally {
      handle.close();
    }
  }

  const runIdOf = (sweep: string, path: number): string | null => {
    const handle = openExistingDatabase(db, 'read');
    try {
      const row = handle.prepare('SELECT run_id FROM sweep_paths WHERE sweep_id = ? AND path = ?').get(sweep, path);
      return (row as { run_id: string | null }).run_id;
    } finally {
      handle.close();
    }
  };

  it('re-runs a grid sweep path numbered above the path limit: rows are numbered by unit, up to the unit limit', async () => {
    const grid = [{ key: 'market.sigma', values: ['300', '301'] }];
    storeSweepWithPath(
      'sweep-wide-grid',
      IMPACT_YAML,
      path.resolve('scenarios/almgren-chriss-impact.yaml'),
      150_001,
      grid,
    );
    const res = await post('/sweeps/sweep-wide-grid/paths/150001/run');
    expect(res.status).toBe(202);
    const { runId } = (await res.json()) as { runId: string };
    expect(runIdOf('sweep-wide-grid', 150_001)).toBe(runId);
    expect(await runEnd(runId)).toMatchObject({ type: 'finished' });
    expect((await post('/sweeps/sweep-wide-grid/paths/1000000/run')).status).toBe(400);
  }, 120_000);

  it('a stored path whose scenario no longer loads (its replay file is gone) is a 422 naming the field, and no run is recorded', async () => {
    const moved = fs.mkdtempSync(path.join(dir, 'moved-'));
    const file = path.join(moved, 'replay.yaml');
    for (const [id, grid] of [
      ['sweep-replay-gone', null],
      ['sweep-replay-gone-grid', [{ key: 'venue.fees.takerBps', values: ['1', '2'] }]],
    ] as const) {
      storeSweepWithPath(id, REPLAY_YAML, file, 0, grid === null ? null : [...grid]);
      const res = await post(`/sweeps/${id}/paths/0/run`);
      expect(res.status, id).toBe(422);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      const problem = (await res.json()) as { detail: string; errors: Array<{ path: string; message: string }> };
      expect(problem.detail).toContain(id);
      expect(problem.errors[0]).toMatchObject({
        path: 'market.files[0]',
        message: expect.stringMatching(/no such file/),
      });
      expect(runIdOf(id, 0)).toBeNull();
    }
  });

  it('is described by the OpenAPI document', () => {
    const doc = buildOpenApi(sweepJobRoutes({ pool, scenariosDir: 'scenarios' }), { apiBase: API, version: 'test' });
    expect(Object.keys(doc.paths).sort()).toEqual([
      `${API}/sweeps`,
      `${API}/sweeps/{id}/cancel`,
      `${API}/sweeps/{id}/paths/{index}/run`,
      `${API}/sweeps/{id}/progress`,
    ]);
  });
});
