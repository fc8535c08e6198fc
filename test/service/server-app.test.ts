// What the app does around its routes, through app.request over a real store: unknown paths and
// wrong methods are problems (404, 405 with Allow), oversized and mistyped bodies are refused
// before anything is read or written (413, 415), the DNS-rebinding guard refuses foreign Host
// names on a loopback server, an unexpected exception is a 500 that names only an id (its detail
// goes to the log), health and readiness answer, metrics label requests by route pattern (not by
// id) with the execsim_ prefix, and scenarios are listed and validated with field paths. A
// "__proto__" key anywhere in a JSON body is refused by name (a record schema would drop it).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type AppOptions, type ExecsimApp } from '../../src/server/app.ts';
import type { RunReader } from '../../src/store/read-model-port.ts';
import { storeFixture, type StoreFixture } from '../support/server-fixture.ts';
import { MAX_SCENARIO_TEXT } from '../../src/server/scenario-request.ts';
import { MAX_FLOW_DEPTH } from '../../src/scenario/yaml-guards.ts';

const TOKEN = 'app-token-0123456789abcdef';
const idleLoad = { queued: 0, running: 0, workers: 1 };
let fixture: StoreFixture;
let server: ExecsimApp;

beforeAll(() => {
  fixture = storeFixture();
  server = createApp({
    reader: fixture.reader,
    deleteRun: fixture.deleteRun,
    jobs: null,
    scenariosDir: fixture.scenariosDir,
    version: '9.9.9',
    token: TOKEN,
    maxBodyBytes: 2_000,
    checkResponses: true,
  });
}, 120_000);

afterAll(() => fixture.close());

/** An app over the fixture's store that runs nothing and changes nothing, with `options` on top. */
const readOnlyApp = (options: Partial<AppOptions> = {}): ExecsimApp =>
  createApp({
    reader: fixture.reader,
    deleteRun: null,
    jobs: null,
    scenariosDir: fixture.scenariosDir,
    version: 't',
    token: null,
    ...options,
  });

const req = (path: string, init: RequestInit = {}, host = '127.0.0.1') =>
  server.app.request(`http://${host}${path}`, init);

async function problem(res: Response): Promise<{ type: string; status: number; detail: string; errors?: unknown[] }> {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return (await res.json()) as { type: string; status: number; detail: string; errors?: unknown[] };
}

describe('the app around its routes', () => {
  it('answers unknown paths with 404 and known paths with another method with 405 and Allow', async () => {
    const missing = await req('/api/v1/nothing-here');
    expect(missing.status).toBe(404);
    expect((await problem(missing)).type).toBe('/api/v1/docs#problem-not-found');
    const wrong = await req(`/api/v1/runs/${fixture.runIds[0]}/orders`, { method: 'PUT' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, HEAD');
    await problem(wrong);
    const runs = await req('/api/v1/runs', { method: 'PATCH' });
    expect(runs.status).toBe(405);
    expect(runs.headers.get('allow')).toContain('GET');
  });

  it('refuses an oversized body (413) and a body of the wrong type (415), writing nothing', async () => {
    const before = fixture.counts();
    const big = await req('/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: 'x'.repeat(5_000),
    });
    expect(big.status).toBe(413);
    await problem(big);
    const typed = await req('/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=b',
    });
    expect(typed.status).toBe(415);
    expect(typed.headers.get('accept-post')).toContain('text/yaml');
    expect(fixture.counts()).toBe(before);
    const deleted = await req(`/api/v1/runs/${fixture.runIds[0]}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    // The counts do see a change that is made.
    expect(deleted.status).toBe(200);
    expect(fixture.counts()).not.toBe(before);
  });

  it('refuses a "__proto__" key anywhere in every JSON body with a 400 naming it, before anything runs', async () => {
    // Every route with a JSON body, on an app whose pool fails the test if asked to run anything.
    const refuse = () => {
      throw new Error('a refused body reached the pool');
    };
    const full = createApp({
      reader: fixture.reader,
      deleteRun: null,
      jobs: {
        submit: refuse,
        state: () => null,
        cancel: () => 'unknown',
        follow: () => null,
        forget: () => {},
        load: idleLoad,
      },
      sweepJobs: {
        submitSweep: refuse,
        cancel: () => 'unknown',
        followSweep: () => null,
        kindOf: () => null,
        rerunSweepPath: refuse,
        load: idleLoad,
      },
      scenariosDir: fixture.scenariosDir,
      version: 't',
      token: TOKEN,
      checkResponses: true,
    });
    const jsonRoutes = full.routes.filter((r) => r.body !== undefined && 'application/json' in r.body);
    expect(jsonRoutes.map((r) => `${r.method} ${r.path}`).sort()).toEqual([
      'DELETE /orders/:parentId/slices',
      'POST /breaker',
      'POST /kill-switch',
      'POST /orders',
      'POST /orders/:clientOrderId/cancel',
      'POST /orders/slice',
      'POST /orphans/:clientOrderId/resolve',
      'POST /reconciliation/force-complete',
      'POST /reconciliation/run',
      'POST /runs',
      'POST /scenarios/validate',
      'POST /session/strategy/swap',
      'POST /signals',
      'POST /sweeps',
    ]);
    const bodies: Array<[string, string]> = [
      ['{"__proto__": {"scenario": "twap-calm"}, "paths": 1}', 'body.__proto__'],
      ['{"scenario": "twap-calm", "paths": 1, "__proto__": 1}', 'body.__proto__'],
      ['{"yaml": "x", "grid": [{"a": {"__proto__": null}}]}', 'body.grid[0].a.__proto__'],
    ];
    for (const route of jsonRoutes)
      for (const [body, path] of bodies) {
        // Path parameters get valid values: the body's problem is the only one.
        const url = route.path.replace(/:[A-Za-z]+/g, 'x1');
        const res = await full.app.request(`http://127.0.0.1/api/v1${url}`, {
          method: route.method,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body,
        });
        expect(res.status, `${route.path} ${body}`).toBe(400);
        expect((await problem(res)).errors).toEqual([
          { path, message: 'the key "__proto__" is not a field of any request; leave it out' },
        ]);
      }
  });

  it('answers a body cut short (the client went away mid-body) with a 400 naming the body, not an internal error', async () => {
    const logged: string[] = [];
    const app = readOnlyApp({ logError: (id) => logged.push(id) });
    // What the node server's request stream does when the socket closes before Content-Length
    // bytes arrived: it errors after the bytes it had.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('name: cut'));
        controller.error(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
      },
    });
    const res = await app.app.request('http://127.0.0.1/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([{ path: 'body', message: expect.stringMatching(/incomplete/) }]);
    expect(logged).toEqual([]);
  });

  it('refuses foreign Host names on a loopback server, and answers any on a public one', async () => {
    const rebound = await req('/api/v1/runs', {}, 'evil.example');
    expect(rebound.status).toBe(403);
    expect((await problem(rebound)).type).toContain('host-not-allowed');
    expect((await req('/api/v1/runs', {}, 'localhost:7878')).status).toBe(200);
    const open = readOnlyApp({ allowedHosts: null });
    expect((await open.app.request('http://runs.example.com/api/v1/runs')).status).toBe(200);
  });

  it('turns an unexpected exception into a 500 that names an id, with the detail in the log only', async () => {
    const logged: { id: string; err: unknown }[] = [];
    const broken = {
      ...Object.fromEntries(
        ['listRuns', 'getRun', 'orders', 'fills', 'events', 'series', 'compare', 'scenarioOf'].map((m) => [
          m,
          () => {
            throw new Error('secret detail: /var/lib/db.sqlite is corrupt');
          },
        ]),
      ),
    } as unknown as RunReader;
    const app = readOnlyApp({ reader: broken, logError: (id, err) => logged.push({ id, err }) });
    const res = await app.app.request('http://127.0.0.1/api/v1/runs');
    expect(res.status).toBe(500);
    const body = await problem(res);
    expect(body.detail).not.toContain('secret');
    expect(logged).toHaveLength(1);
    expect(body.detail).toContain(logged[0]?.id);
    // Readiness says the store cannot be read, as a status (503), without the detail.
    const ready = await app.app.request('http://127.0.0.1/api/v1/readyz');
    expect(ready.status).toBe(503);
    expect((await problem(ready)).detail).not.toContain('secret');
  });

  it('answers health, readiness and metrics labelled by route pattern', async () => {
    const health = (await (await req('/api/v1/healthz')).json()) as { status: string; version: string };
    expect(health).toEqual({ status: 'ok', version: '9.9.9' });
    expect((await req('/api/v1/readyz')).status).toBe(200);
    await req(`/api/v1/runs/${fixture.runIds[1]}`);
    await req('/api/v1/runs/run-missing');
    const metrics = await (await req('/api/v1/metrics')).text();
    expect(metrics).toMatch(
      /execsim_http_requests_total\{method="GET",route="\/api\/v1\/runs\/:id",status="200"\} \d+/,
    );
    expect(metrics).toMatch(/execsim_http_requests_total\{method="GET",route="\/api\/v1\/runs\/:id",status="404"\} 1/);
    expect(metrics).not.toContain(String(fixture.runIds[1]));
    expect(metrics).toContain('execsim_process_cpu_user_seconds_total');
    expect(metrics).toContain('execsim_http_request_duration_seconds_bucket');
  });

  it('lists the bundled scenarios and validates scenario text with field paths', async () => {
    const list = (await (await req('/api/v1/scenarios')).json()) as { items: { file: string; valid: boolean }[] };
    expect(list.items.map((s) => s.file)).toContain('twap-calm.yaml');
    expect(list.items.every((s) => s.valid)).toBe(true);
    const invalid = await req('/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ yaml: 'name: x' }),
    });
    expect(invalid.status).toBe(422);
    const bad = await problem(invalid);
    expect((bad.errors as { path: string }[]).length).toBeGreaterThan(0);
    const text = await req('/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: 'name: x\n',
    });
    expect(text.status).toBe(422);
  });

  it('names a replay file that is missing or no file as the text names it, not where the server keeps it', async () => {
    const replay = readFileSync(path.join(fixture.scenariosDir, 'replay-btcusdt.yaml'), 'utf8');
    const cases: Array<[string, string]> = [
      ['data/nope.gz', 'no such file data/nope.gz (paths are relative to the scenario file)'],
      ['data', 'data is not a file'],
    ];
    for (const [file, says] of cases) {
      const res = await readOnlyApp().app.request('http://127.0.0.1/api/v1/scenarios/validate', {
        method: 'POST',
        headers: { 'content-type': 'text/yaml' },
        body: replay.replace('data/binance-spot/btcusdt_20240808.gz', file),
      });
      expect(res.status).toBe(422);
      const body = JSON.stringify(await problem(res));
      expect(body).toContain(JSON.stringify({ path: 'market.files[0]', message: says }));
      expect(body).not.toContain(fixture.scenariosDir);
    }
  });

  it('refuses scenario text past its limit with a 400 naming the field, and deep brackets with a 422, unparsed', async () => {
    // The default body limit (a megabyte), so the scenario text's own limit is what answers.
    const app = readOnlyApp({ checkResponses: true });
    const post = (type: string, body: string) =>
      app.app.request('http://127.0.0.1/api/v1/scenarios/validate', {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const over = `name: x\nv: [${'1,'.repeat(MAX_SCENARIO_TEXT / 2)}1]\n`;
    const limit = `must be at most ${MAX_SCENARIO_TEXT} characters (a scenario file is a few KB; market data goes in replay files)`;
    const raw = await post('text/yaml', over);
    expect(raw.status).toBe(400);
    expect((await problem(raw)).errors).toEqual([{ path: 'body', message: limit }]);
    const field = await post('application/json', JSON.stringify({ yaml: over }));
    expect(field.status).toBe(400);
    expect((await problem(field)).errors).toEqual([{ path: 'body.yaml', message: limit }]);
    // Brackets nested past the parser's limit: one problem at the first one too deep. A run of
    // them this long held the server's thread for 0.7 s in the YAML parser.
    const deep = await post('text/yaml', `name: x\nv: ${'['.repeat(MAX_SCENARIO_TEXT - 100)}\n`);
    expect(deep.status).toBe(422);
    expect((await problem(deep)).errors).toEqual([
      {
        path: `line 2, column ${4 + MAX_FLOW_DEPTH}`,
        message: `invalid YAML: flow collections ([ ] and { }) nested too deeply (more than ${MAX_FLOW_DEPTH} levels); write the value with fewer`,
      },
    ]);
  });
});
