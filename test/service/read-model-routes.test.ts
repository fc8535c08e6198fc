// The run routes over the real read model: bundled scenarios run into an SQLite store, the routes
// mounted with registerRoutes (responses checked against their declared schemas), requests made
// with app.request(). Lists, pages by cursor, NDJSON events, comparison and deletion.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Hono } from 'hono';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { createApp } from '../../src/server/app.ts';
import { EXEC_EVENT_KINDS } from '../../src/core/model/event-kinds.ts';
import { ProblemError, problemResponse } from '../../src/server/problem.ts';
import { registerRoutes } from '../../src/server/register-routes.ts';
import { compareRoutes } from '../../src/server/routes/compare-routes.ts';
import { deleteRunRoutes } from '../../src/server/routes/delete-run-routes.ts';
import { NDJSON, runEventRoutes } from '../../src/server/routes/run-event-routes.ts';
import { runRecordRoutes } from '../../src/server/routes/run-record-routes.ts';
import { runRoutes } from '../../src/server/routes/run-routes.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import type {
  EventRow,
  FillRow,
  OrderRow,
  Page,
  RunDetail,
  RunReader,
  RunSummary,
} from '../../src/store/read-model-port.ts';
import { RUN_SORT_KEYS } from '../../src/store/read-model-port.ts';
import { ReadModel } from '../../src/store/read-model.ts';
import { RunAdmin } from '../../src/store/run-admin.ts';
import { RunStore } from '../../src/store/run-store.ts';

const API = '/api/v1';
const TOKEN = 'test-token';
const scenario = (name: string) => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));

/** The read model as the full port; the parts other modules provide are not asked for here. */
function asReader(m: ReadModel): RunReader {
  const elsewhere = (): never => {
    throw new Error('not provided by the read model in this test');
  };
  return {
    listRuns: (q) => m.listRuns(q),
    summary: (id) => m.summary(id),
    getRun: (id) => m.getRun(id),
    orders: (id, q) => m.orders(id, q),
    fills: (id, q) => m.fills(id, q),
    events: (id, q) => m.events(id, q),
    compare: (ids) => m.compare(ids),
    scenarioOf: (id) => m.scenarioOf(id),
    series: elsewhere,
    listSweeps: elsewhere,
    getSweep: elsewhere,
    sweepProgress: elsewhere,
    sweepPaths: elsewhere,
    sweepHistogram: elsewhere,
  };
}

let dir: string;
let model: ReadModel;
let admin: RunAdmin;
let app: Hono<{ Variables: { routePattern?: string } }>;
const ids: Record<string, string> = {};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-routes-'));
  const file = path.join(dir, 'runs.db');
  const db = openDatabase(file);
  const store = new RunStore(db);
  const run = (name: string, seed?: number) =>
    runScenario(loadScenarioFile(scenario(name)), { store, ...(seed === undefined ? {} : { seed }) }).runId;
  ids['calm1'] = run('twap-calm', 1);
  ids['calm2'] = run('twap-calm', 2);
  ids['impact'] = run('almgren-chriss-impact');
  ids['sweep'] = run('static-book-sweep');
  const loaded = loadScenarioFile(scenario('static-book-sweep'));
  // Being written by this process: DELETE is refused.
  store.createRun({
    id: 'busy',
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: 1,
    codeVersion: 'test',
    startedAt: new Date().toISOString(),
    simStart: 0,
  });
  db.close();
  model = ReadModel.open(file);
  admin = RunAdmin.open(file);
  const reader = asReader(model);
  app = new Hono();
  registerRoutes(
    app,
    [
      ...runRoutes(reader),
      ...runRecordRoutes(reader),
      ...runEventRoutes(reader),
      ...compareRoutes(reader),
      ...deleteRunRoutes(admin.deleteRunFn),
    ],
    { apiBase: API, token: TOKEN, maxBodyBytes: 65_536, checkResponses: true },
  );
  app.onError((err, c) => {
    if (err instanceof ProblemError) return problemResponse(err, c, API);
    throw err;
  });
});

afterAll(() => {
  model.close();
  admin.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function get<T>(url: string, status = 200): Promise<T> {
  const res = await app.request(API + url);
  expect(res.status, `${url}: ${await res.clone().text()}`).toBe(status);
  return (await res.json()) as T;
}

describe('GET /runs', () => {
  it('pages every sort and order through nextCursor to the list the reader gives in one go', async () => {
    for (const sort of RUN_SORT_KEYS) {
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let url = `/runs?sort=${sort}&order=${order}&limit=2`;
        for (let n = 0; n < 20; n++) {
          const page = await get<Page<RunSummary>>(url);
          seen.push(...page.items.map((r) => r.id));
          if (page.nextCursor === null) break;
          url = `/runs?sort=${sort}&order=${order}&limit=2&cursor=${page.nextCursor}`;
        }
        expect(seen).toEqual(model.listRuns({ sort, order, limit: 500 }).items.map((r) => r.id));
        expect(new Set(seen).size).toBe(5);
      }
    }
  });

  it('sorts by the trading figures the finished runs stored, runs without one last', async () => {
    const figure: Record<string, (r: RunSummary) => number | null> = {
      netPnl: (r) => r.netPnl,
      sharpe: (r) => r.sharpe,
      winRate: (r) => r.winRate,
      profitFactor: (r) => r.profitFactor,
      drawdown: (r) => r.maxDrawdown,
      trades: (r) => r.trades,
    };
    const finished = model.listRuns({ status: 'finished', limit: 500 }).items;
    // Every finished run has its net P&L, trades and drawdown; the running one has none.
    for (const r of finished) expect([r.netPnl, r.trades, r.maxDrawdown].includes(null)).toBe(false);
    const busy = (await get<Page<RunSummary>>('/runs?status=running')).items[0];
    expect([busy?.netPnl, busy?.trades, busy?.sharpe]).toEqual([null, null, null]);
    for (const [sort, of] of Object.entries(figure))
      for (const order of ['asc', 'desc'] as const) {
        const items = (await get<Page<RunSummary>>(`/runs?sort=${sort}&order=${order}`)).items;
        const values = items.map(of);
        const known = values.filter((v): v is number => v !== null);
        expect(values.slice(0, known.length)).toEqual(known); // nulls last
        expect(known).toEqual([...known].sort((a, b) => (order === 'asc' ? a - b : b - a)));
      }
  });

  it('answers 400 naming query.sort for a field it does not sort by, listing those it does', async () => {
    const problem = await get<{ errors: Array<{ path: string; message: string }> }>('/runs?sort=pnl', 400);
    expect(problem.errors.map((e) => e.path)).toEqual(['query.sort']);
    expect(problem.errors[0]?.message).toContain(RUN_SORT_KEYS.join(', '));
    const order = await get<{ errors: Array<{ path: string }> }>('/runs?sort=sharpe&order=up', 400);
    expect(order.errors.map((e) => e.path)).toEqual(['query.order']);
  });

  it('filters', async () => {
    const calm = await get<Page<RunSummary>>('/runs?scenario=twap-calm&status=finished&passed=true');
    expect(new Set(calm.items.map((r) => r.id))).toEqual(new Set([ids['calm1'], ids['calm2']]));
    const seeded = await get<Page<RunSummary>>('/runs?seed=2&venue=binance-spot&symbol=BTCUSDT&mode=backtest');
    expect(seeded.items.map((r) => r.id)).toEqual([ids['calm2']]);
    const running = await get<Page<RunSummary>>('/runs?status=running');
    expect(running.items.map((r) => r.id)).toEqual(['busy']);
    expect((await get<Page<RunSummary>>('/runs?from=2100-01-01T00:00:00Z')).items).toEqual([]);
  });

  it('answers 400 naming query.cursor for a cursor it did not give out, or one of another order', async () => {
    const other = (await get<Page<RunSummary>>('/runs?sort=shortfall&limit=1')).nextCursor as string;
    for (const cursor of ['garbage!', 'e30', other]) {
      const problem = await get<{ status: number; errors: Array<{ path: string }> }>(`/runs?cursor=${cursor}`, 400);
      expect(problem.errors.map((e) => e.path)).toEqual(['query.cursor']);
    }
  });
});

describe('GET /runs/:id and its records', () => {
  it('refuses a series window that ends before it starts, or reaches past an exact instant, naming the parameter', async () => {
    const after = await get<{ errors: Array<{ path: string; message: string }> }>(
      `/runs/${ids['impact']}/series?from=600000&to=1000`,
      400,
    );
    expect(after.errors).toEqual([
      { path: 'query.from', message: '600000 is after query.to (1000): the window would be empty' },
    ]);
    const far = await get<{ errors: Array<{ path: string }> }>(
      `/runs/${ids['impact']}/series?from=9007199254740991`,
      400,
    );
    expect(far.errors.map((e) => e.path)).toEqual(['query.from']);
  });

  it('gives the run with its parents and report; 404 for an unknown id', async () => {
    const run = await get<RunDetail>(`/runs/${ids['impact']}`);
    expect(run.parents.map((p) => p.parentOrderId)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5']);
    expect(run.report).toMatchObject({ runId: ids['impact'], digest: run.digest });
    await get(`/runs/no-such-run`, 404);
    const stored = await get<{ name: string; scenario: { venue: { name: string } } }>(
      `/runs/${ids['impact']}/scenario`,
    );
    expect(stored).toMatchObject({ name: 'almgren-chriss-impact', scenario: { venue: { name: 'binance-spot' } } });
  });

  it('pages orders and fills by cursor', async () => {
    const id = ids['sweep'] as string;
    for (const what of ['orders', 'fills'] as const) {
      const seen: Array<OrderRow | FillRow> = [];
      let url = `/runs/${id}/${what}?limit=1`;
      for (let n = 0; n < 100; n++) {
        const page = await get<Page<OrderRow | FillRow>>(url);
        seen.push(...page.items);
        if (page.nextCursor === null) break;
        url = `/runs/${id}/${what}?limit=1&cursor=${page.nextCursor}`;
      }
      expect(seen).toEqual((what === 'orders' ? model.orders(id, {}) : model.fills(id, {}))?.items);
      expect(seen.length).toBeGreaterThan(0);
    }
    await get(`/runs/no-such-run/orders`, 404);
    await get(`/runs/${id}/fills?cursor=e30`, 400);
  });

  it('gives events as JSON pages and the whole range as NDJSON', async () => {
    const id = ids['sweep'] as string;
    const total = model.summary(id)?.events as number;
    const page = await get<Page<EventRow>>(`/runs/${id}/events?limit=3`);
    expect(page.items.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(page.nextCursor).not.toBeNull();
    const res = await app.request(`${API}/runs/${id}/events?limit=2`, { headers: { accept: NDJSON } });
    expect(res.headers.get('content-type')).toBe(NDJSON);
    const lines = (await res.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as EventRow);
    expect(lines.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const kinds = await app.request(`${API}/runs/${id}/events?kinds=OrderCreated&fromSeq=2`, {
      headers: { accept: NDJSON },
    });
    const created = (await kinds.text())
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as EventRow);
    expect(created.length).toBeGreaterThan(0);
    expect(created.every((e) => e.kind === 'OrderCreated' && e.seq >= 2)).toBe(true);
  });

  it('refuses a kind that names no event kind with a 400 naming it and the kind it most likely meant', async () => {
    const served = createApp({
      reader: asReader(model),
      deleteRun: null,
      jobs: null,
      scenariosDir: path.resolve('scenarios'),
      version: 'test',
      token: TOKEN,
      checkResponses: true,
    });
    const id = ids['calm1'] as string;
    const errors = async (kinds: string) => {
      const res = await served.app.request(`http://127.0.0.1${API}/runs/${id}/events?kinds=${kinds}`);
      expect(res.status, kinds).toBe(400);
      return ((await res.json()) as { errors: { path: string; message: string }[] }).errors;
    };
    expect(await errors('Bogus')).toEqual([
      {
        path: 'query.kinds[0]',
        message: '"Bogus" is no event kind (kinds are names such as FillReport, OrderStatusChanged, SliceSkipped)',
      },
    ]);
    expect(await errors('FillReport,SliceSkiped')).toEqual([
      { path: 'query.kinds[1]', message: '"SliceSkiped" is no event kind; did you mean SliceSkipped?' },
    ]);
    // The kind the hint used to name is none of execsim's (its fills are FillReport).
    expect((await errors('OrderFilled'))[0]?.message).toMatch(
      /^"OrderFilled" is no event kind \(kinds are .*FillReport/,
    );
    expect(await errors('fillreport')).toEqual([
      { path: 'query.kinds[0]', message: '"fillreport" is no event kind; did you mean FillReport?' },
    ]);
    expect((await errors('a-b'))[0]?.message).toMatch(/^must be an event kind such as FillReport/);
    // A kind the run has none of is a kind: an empty page, as before.
    const none = await served.app.request(`http://127.0.0.1${API}/runs/${id}/events?kinds=OrphanDetected`);
    expect(none.status).toBe(200);
    expect(((await none.json()) as Page<EventRow>).items).toEqual([]);
    // Every kind the run logged is one.
    const kinds = new Set(model.events(id, { limit: 500 })!.items.map((e) => e.kind));
    for (const k of kinds) expect(EXEC_EVENT_KINDS).toContain(k);
  });

  it("pages events by a page's nextCursor, as the other lists page; cursor and fromSeq together are a 400", async () => {
    const id = ids['sweep'] as string;
    const total = model.summary(id)?.events as number;
    const seqs: number[] = [];
    let cursor: string | null = null;
    for (let n = 0; n < 1000; n++) {
      const page: Page<EventRow> = await get<Page<EventRow>>(
        `/runs/${id}/events?limit=7${cursor === null ? '' : `&cursor=${cursor}`}`,
      );
      seqs.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor;
      if (cursor === null) break;
    }
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const both = await app.request(`${API}/runs/${id}/events?cursor=3&fromSeq=3`);
    expect(both.status).toBe(400);
    expect(JSON.stringify(await both.json())).toContain('query.cursor');
  });

  it('ends the NDJSON stream abruptly, never as a complete log, when the run is deleted while it is read', async () => {
    const file = path.join(dir, 'runs.db');
    const db = openDatabase(file);
    const doomed = runScenario(loadScenarioFile(scenario('twap-calm')), { store: new RunStore(db), seed: 9 }).runId;
    db.close();
    // The run is deleted (as another client's DELETE would) just before the stream's second read.
    let reads = 0;
    const reader: RunReader = {
      ...asReader(model),
      events: (id, q) => {
        if (++reads === 2) admin.deleteRunFn(id);
        return model.events(id, q);
      },
    };
    const own = new Hono<{ Variables: { routePattern?: string } }>();
    registerRoutes(own, runEventRoutes(reader), {
      apiBase: API,
      token: TOKEN,
      maxBodyBytes: 65_536,
      checkResponses: true,
    });
    const res = await own.request(`${API}/runs/${doomed}/events?limit=5`, { headers: { accept: NDJSON } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow(`run ${doomed} was deleted while its events were read`);
    expect(model.summary(doomed)).toBeNull();
  });
});

describe('GET /compare', () => {
  it('compares two seeds; 404 naming an unknown id', async () => {
    const c = await get<{ baseline: string; scenarioDiff: string[]; digestsEqual: boolean; runs: unknown[] }>(
      `/compare?runs=${ids['calm1']},${ids['calm2']}`,
    );
    expect(c).toMatchObject({ baseline: ids['calm1'], scenarioDiff: [], digestsEqual: false });
    expect(c.runs).toHaveLength(2);
    // Each run's trading figures as its summary has them, and the P&L and Sharpe deltas.
    const runs = c.runs as Array<{
      id: string;
      netPnl: number | null;
      sharpe: number | null;
      trades: number | null;
      delta: { netPnl: number | null; sharpe: number | null };
    }>;
    const [a, b] = [model.summary(ids['calm1'] as string), model.summary(ids['calm2'] as string)];
    expect(runs.map((r) => [r.netPnl, r.sharpe, r.trades])).toEqual([
      [a?.netPnl, a?.sharpe, a?.trades],
      [b?.netPnl, b?.sharpe, b?.trades],
    ]);
    expect(typeof runs[1]?.netPnl).toBe('number');
    expect(runs[0]?.delta.netPnl).toBe(0);
    expect(runs[1]?.delta.netPnl).toBeCloseTo((b?.netPnl ?? NaN) - (a?.netPnl ?? NaN), 6);
    const problem = await get<{ errors: Array<{ path: string; message: string }> }>(
      `/compare?runs=${ids['calm1']},nope`,
      404,
    );
    expect(problem.errors).toEqual([{ path: 'query.runs', message: 'no run with id "nope"' }]);
  });
});

describe('DELETE /runs/:id', () => {
  it('needs the token, refuses a run being written, deletes a finished run whole, then 404', async () => {
    const del = (id: string, auth = true) =>
      app.request(`${API}/runs/${id}`, {
        method: 'DELETE',
        headers: auth ? { authorization: `Bearer ${TOKEN}` } : {},
      });
    const id = ids['calm2'] as string;
    const events = model.summary(id)?.events;
    expect((await del(id, false)).status).toBe(401);
    expect(model.summary(id)).not.toBeNull();
    expect((await del('busy')).status).toBe(409);
    expect(model.summary('busy')).not.toBeNull();
    const res = await del(id);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ deleted: id, events });
    expect(model.getRun(id)).toBeNull();
    expect(model.events(id, {})).toBeNull();
    expect((await del(id)).status).toBe(404);
  });
});
