// Starting runs over HTTP, through the app (app.request, no socket) with a real run pool on
// worker threads and a real SQLite store: POST /runs answers 202 at once with an id and a
// Location, the run is executed and stored by a worker, its progress streams as SSE with
// increasing ids, ends with `finished`, and resumes after Last-Event-ID; the token guards every
// change (403 without a server token, 401 with a wrong one); refused requests write nothing; a
// full queue answers 429; a queued run can be cancelled (stored interrupted, as its stream says).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunPool } from '../../src/sweep/run-pool.ts';
import { createApp, type ExecsimApp } from '../../src/server/app.ts';
import { pageRoutes } from '../../src/server/pages/page-routes.tsx';
import { openDatabase, openExistingDatabase } from '../../src/store/open-database.ts';
import { openStoreReader, type OpenStore } from '../../src/store/store-reader.ts';
import { hugeTwapScenario } from '../support/huge-twap.ts';
import { countingJobs } from '../support/server-fixture.ts';

const TOKEN = 'test-token-0123456789abcdef';
const SCENARIOS = path.resolve('scenarios');
const WAIT_MS = 60_000;
const PAPER_YAML = `${fs.readFileSync(path.join(SCENARIOS, 'twap-calm.yaml'), 'utf8')}\nmode: paper\n`;
let dir: string;
let db: string;
let pool: RunPool;
let server: ExecsimApp;
let jobs: ReturnType<typeof countingJobs>;
let store: OpenStore;

/** Waits (bounded) until the pool has nothing queued or running. */
async function idle(): Promise<void> {
  const until = performance.now() + WAIT_MS;
  while (pool.load.queued + pool.load.running > 0) {
    if (performance.now() > until) throw new Error('pool did not become idle');
    // A few ms between looks: a turn of the event loop each time would spin this thread while
    // the pool's worker runs the scenario.
    await new Promise((r) => setTimeout(r, 2));
  }
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-server-runs-'));
  db = path.join(dir, 'runs.db');
  openDatabase(db).close();
  store = openStoreReader(db);
  pool = new RunPool({ dbPath: db, size: 1 });
  server = createApp({
    reader: store.reader,
    deleteRun: store.deleteRun,
    jobs: (jobs = countingJobs(pool)),
    scenariosDir: SCENARIOS,
    version: 'test',
    token: TOKEN,
    maxQueued: 3,
    checkResponses: true,
    pages: (reader, runState) => pageRoutes(reader, { apiBase: '/api/v1', runState }),
  });
});

afterAll(async () => {
  await pool.close();
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${TOKEN}` };
const post = (url: string, body: unknown, headers: Record<string, string> = auth) =>
  server.app.request(`http://127.0.0.1${url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
const get = (url: string, headers: Record<string, string> = {}) =>
  server.app.request(`http://127.0.0.1${url}`, { headers });

interface SseEvent {
  id: number;
  event: string;
  data: Record<string, unknown>;
}

/** Reads an SSE response to its end (bounded), parsing its events. */
async function readSse(res: Response): Promise<SseEvent[]> {
  const body = res.body;
  if (!body) throw new Error('no body');
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = setTimeout(() => void reader.cancel('timeout'), WAIT_MS);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    clearTimeout(deadline);
  }
  return text
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) =>
        block
          .split('\n')
          .find((l) => l.startsWith(`${name}:`))
          ?.slice(name.length + 1)
          .trim() ?? '';
      return {
        id: Number(field('id')),
        event: field('event'),
        data: JSON.parse(field('data')) as Record<string, unknown>,
      };
    });
}

const storedRuns = (): { id: string; status: string; digest: string | null }[] => {
  if (!fs.existsSync(db)) return [];
  const handle = openExistingDatabase(db, 'read');
  try {
    return handle.prepare('SELECT id, status, digest FROM runs').all() as {
      id: string;
      status: string;
      digest: string | null;
    }[];
  } finally {
    handle.close();
  }
};

describe('POST /runs', () => {
  it('runs a bundled scenario on a worker, streams its progress and stores it', async () => {
    const res = await post('/api/v1/runs', { scenario: 'twap-calm', seed: 7 });
    expect(res.status).toBe(202);
    const body = (await res.json()) as { id: string; status: string; progress: string };
    expect(body.status).toBe('queued');
    expect(res.headers.get('location')).toBe(`/api/v1/runs/${body.id}`);

    const events = await readSse(await get(body.progress));
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(events[0]?.event).toBe('queued');
    expect(events.map((e) => e.event)).toContain('started');
    const last = events.at(-1);
    expect(last?.event).toBe('finished');
    expect(last?.data['passed']).toBe(true);

    const stored = storedRuns().find((r) => r.id === body.id);
    expect(stored?.status).toBe('finished');
    expect(stored?.digest).toBe(last?.data['digest']);
    const detail = (await (await get(`/api/v1/runs/${body.id}`)).json()) as { digest: string; status: string };
    expect(detail).toMatchObject({ status: 'finished', digest: last?.data['digest'] });

    // Resuming after the second event gives exactly the rest.
    const resumed = await readSse(await get(body.progress, { 'last-event-id': String(ids[1]) }));
    expect(resumed.map((e) => e.id)).toEqual(ids.slice(2));
    const viaQuery = await readSse(await get(`${body.progress}?lastEventId=${ids.at(-2)}`));
    expect(viaQuery.map((e) => e.event)).toEqual(['finished']);

    // Resuming after the final event: nothing more will come, so 204 (an EventSource stops
    // reconnecting on it) rather than a stream left open with keep-alives forever.
    const ended = await get(body.progress, { 'last-event-id': String(ids.at(-1)) });
    expect(ended.status).toBe(204);
    expect(await ended.text()).toBe('');
    expect((await get(`${body.progress}?lastEventId=${ids.at(-1)}`)).status).toBe(204);
  });

  it("resumed past a running run's last event, waits for the next one past it, or answers 204 when the run ends first", async () => {
    await idle();
    const res = await post('/api/v1/runs', { yaml: hugeTwapScenario(20_000, 'long-twap') });
    expect(res.status).toBe(202);
    const { id, progress } = (await res.json()) as { id: string; progress: string };
    // The last update so far, once the run is going (a progress update has come).
    const last = await new Promise<number>((resolve) => {
      const stop = pool.follow(id, 0, (u) => {
        if (u.type !== 'progress') return;
        queueMicrotask(() => stop?.());
        resolve(u.id);
      });
    });
    // Past every update so far: the answer is the stream from the first update past the id.
    const waited = await get(progress, { 'last-event-id': String(last + 1) });
    expect(waited.status).toBe(200);
    const reader = waited.body?.getReader();
    const first = new TextDecoder().decode((await reader?.read())?.value);
    expect(first).toContain(`id: ${last + 2}\n`);
    await reader?.cancel();
    // Past anything the run will reach: the answer waits for the run, which ends (cancelled): 204.
    const beyond = get(progress, { 'last-event-id': '999999999' });
    expect((await post(`/api/v1/runs/${id}/cancel`, {})).status).toBe(202);
    const ended = await beyond;
    expect(ended.status).toBe(204);
    expect(await ended.text()).toBe('');
    await idle();
  });

  it('streams one stored event for a run its pool does not know, and 204 when resumed after it', async () => {
    await idle();
    const [stored] = storedRuns();
    expect(stored).toBeDefined();
    // A server restarted since the run: its pool knows no run.
    const restarted = createApp({
      reader: store.reader,
      deleteRun: null,
      jobs: {
        submit: () => undefined,
        state: () => null,
        cancel: () => 'unknown',
        follow: () => null,
        forget: () => {},
        load: { queued: 0, running: 0, workers: 1 },
      },
      scenariosDir: SCENARIOS,
      version: 'test',
      token: null,
      checkResponses: true,
    });
    const url = `http://127.0.0.1/api/v1/runs/${stored?.id}/progress`;
    const events = await readSse(await restarted.app.request(url));
    expect(events.map((e) => [e.id, e.event])).toEqual([[1, 'stored']]);
    const resumed = await restarted.app.request(url, { headers: { 'last-event-id': '1' } });
    expect(resumed.status).toBe(204);
    expect(await resumed.text()).toBe('');
  });

  it('runs scenario text with a seed, and the same seed gives the same digest', async () => {
    const yaml = fs.readFileSync(path.join(SCENARIOS, 'twap-calm.yaml'), 'utf8');
    const a = (await (await post('/api/v1/runs', { yaml, seed: 11 })).json()) as { progress: string };
    const b = (await (await post('/api/v1/runs', { scenario: 'twap-calm', seed: 11 })).json()) as { progress: string };
    const endA = (await readSse(await get(a.progress))).at(-1);
    const endB = (await readSse(await get(b.progress))).at(-1);
    expect(endA?.event).toBe('finished');
    expect(endA?.data['digest']).toBe(endB?.data['digest']);
  });

  it('refuses without the token, with a wrong one, and on a server without one, writing nothing', async () => {
    const before = storedRuns().length;
    const submittedBefore = jobs.submitted;
    const missing = await post('/api/v1/runs', { scenario: 'twap-calm' }, {});
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
    const wrong = await post(
      '/api/v1/runs',
      { scenario: 'twap-calm' },
      { authorization: 'Bearer nope-nope-nope-nope' },
    );
    expect(wrong.status).toBe(401);
    const off = createApp({
      reader: null,
      deleteRun: null,
      jobs: pool,
      scenariosDir: SCENARIOS,
      version: 'test',
      token: null,
      checkResponses: true,
    });
    const disabled = await off.app.request('http://127.0.0.1/api/v1/runs', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ scenario: 'twap-calm' }),
    });
    expect(disabled.status).toBe(403);
    expect(((await disabled.json()) as { detail: string }).detail).toContain('EXECSIM_TOKEN');
    expect(jobs.submitted).toBe(submittedBefore);
    expect(storedRuns().length).toBe(before);
  });

  it('answers bad bodies with the field and 4xx, and queues nothing', async () => {
    const submittedBefore = jobs.submitted;
    const cases: [unknown, number, string][] = [
      [{}, 400, 'body'],
      [{ scenario: 'twap-calm', yaml: 'x: 1' }, 400, 'body'],
      [{ scenario: '../etc/passwd' }, 400, 'body.scenario'],
      [{ scenario: 'no-such-scenario' }, 400, 'body.scenario'],
      [{ scenario: 'twap-calm', seed: -1 }, 400, 'body.seed'],
      [{ scenario: 'twap-calm', seed: 1.5 }, 400, 'body.seed'],
      [{ scenario: 'twap-calm', extra: 1 }, 400, 'body'],
      [{ yaml: 'name: x\nmarket: {}\n' }, 422, ''],
      [{ yaml: 'market:\n  model: replay\n  files: [/etc/passwd]\n' }, 422, 'market.files[0]'],
      // A paper run trades on a venue's paper account: started with `execsim run`, not here.
      [{ yaml: PAPER_YAML }, 422, 'mode'],
      [{ scenario: 'twap-calm', mode: 'paper' }, 400, 'body.mode'],
      [{ scenario: 'twap-calm', mode: 'live' }, 400, 'body.mode'],
    ];
    for (const [body, status, field] of cases) {
      const res = await post('/api/v1/runs', body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      const problem = (await res.json()) as { errors?: { path: string }[] };
      if (field !== '')
        expect(
          problem.errors?.map((e) => e.path).some((p) => p.startsWith(field)),
          JSON.stringify(problem),
        ).toBe(true);
    }
    expect(jobs.submitted).toBe(submittedBefore);
    const paper = (await (await post('/api/v1/runs', { yaml: PAPER_YAML })).json()) as {
      errors: { path: string; message: string }[];
    };
    expect(paper.errors).toEqual([
      { path: 'mode', message: expect.stringMatching(/^paper runs are started with `execsim run` against a venue/) },
    ]);
  });

  it("refuses a further instrument's replay file outside the scenarios directory, validated or run", async () => {
    const submittedBefore = jobs.submitted;
    const runsBefore = storedRuns().length;
    // A further instrument replaying a file the server must not read (its first line would be
    // quoted in the run's error): every instrument's files are held to the scenarios directory.
    const yaml = (files: string) => `name: probe
seed: 1
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
otherInstruments:
  - symbol: SOLUSDT
    tickSize: "0.01"
    lotSize: "0.001"
    minNotional: "5"
    market: { model: static_book, bids: [["150.00", "1"]], asks: [["150.01", "1"]] }
  - symbol: ETHUSDT
    tickSize: "0.01"
    lotSize: "0.0001"
    minNotional: "5"
    market: { model: replay, format: tardis, files: ${files} }
start: 2024-08-09T00:00:00Z
duration: PT1M
market: { model: static_book, bids: [["60000.00", "1"]], asks: [["60000.10", "1"]] }
orders: []
`;
    const says = (f: string) =>
      'over HTTP, replay files must be inside the scenarios directory (paths relative to it); ' +
      `${JSON.stringify(f)} is not`;
    const outside = yaml('["data/binance-spot/btcusdt_20240808.gz", /etc/passwd, ../package.json]');
    const want = [
      { path: 'otherInstruments[1].market.files[1]', message: says('/etc/passwd') },
      { path: 'otherInstruments[1].market.files[2]', message: says('../package.json') },
    ];
    const run = await post('/api/v1/runs', { yaml: outside });
    expect(run.status).toBe(422);
    expect(((await run.json()) as { errors: unknown }).errors).toEqual(want);
    const validate = await server.app.request('http://127.0.0.1/api/v1/scenarios/validate', {
      method: 'POST',
      headers: { 'content-type': 'text/yaml' },
      body: outside,
    });
    expect(validate.status).toBe(422);
    expect(((await validate.json()) as { errors: unknown }).errors).toEqual(want);
    // Inside the directory, a file that is not there is named at validation as the market's own are.
    const missing = await post('/api/v1/runs', { yaml: yaml('[data/nope.csv]') });
    expect(missing.status).toBe(422);
    expect(((await missing.json()) as { errors: unknown }).errors).toEqual([
      {
        path: 'otherInstruments[1].market.files[0]',
        message: 'no such file data/nope.csv (paths are relative to the scenario file)',
      },
    ]);
    expect(jobs.submitted).toBe(submittedBefore);
    expect(storedRuns().length).toBe(runsBefore);
  });

  it('runs a paper scenario as a backtest when the body says mode backtest', async () => {
    const res = await post('/api/v1/runs', { yaml: PAPER_YAML, mode: 'backtest' });
    expect(res.status).toBe(202);
    const { id, progress } = (await res.json()) as { id: string; progress: string };
    expect((await readSse(await get(progress))).at(-1)?.event).toBe('finished');
    expect(await (await get(`/api/v1/runs/${id}`)).json()).toMatchObject({ mode: 'backtest', status: 'finished' });
  });

  it('answers 429 when the queue is full, and cancels a queued run', async () => {
    await idle();
    const ids: string[] = [];
    // One running (the pool has one worker) and three queued fill it.
    for (let i = 0; i < 4; i++) {
      const res = await post('/api/v1/runs', { scenario: 'twap-calm', seed: 100 + i });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const full = await post('/api/v1/runs', { scenario: 'twap-calm' });
    expect(full.status).toBe(429);
    const last = ids.at(-1) as string;
    // The last one waits behind two until it is cancelled: its page says it is queued (202), not
    // that no such run exists; an unknown id is a 404.
    const waitingPage = await get(`/runs/${last}`);
    expect(waitingPage.status).toBe(202);
    const waitingHtml = await waitingPage.text();
    expect(waitingHtml).toContain('Run queued');
    expect(waitingHtml).toContain(`/api/v1/runs/${last}/progress`);
    expect((await get('/runs/run-unknown')).status).toBe(404);
    const cancel = await post(`/api/v1/runs/${last}/cancel`, {});
    expect(cancel.status).toBe(202);
    const waiting = await get(`/api/v1/runs/${ids[2]}`);
    expect(waiting.status).toBe(202);
    expect(((await waiting.json()) as { status: string }).status).toBe('queued');
    const events = await readSse(await get(`/api/v1/runs/${last}/progress`));
    expect(events.map((e) => e.event)).toEqual(['queued', 'interrupted']);
    // Stored as its stream says: interrupted, with no events, and listed with the other runs.
    const cancelled = await get(`/api/v1/runs/${last}`);
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id: last, status: 'interrupted', events: 0, digest: null });
    const listed = (await (await get('/api/v1/runs?status=interrupted')).json()) as { items: { id: string }[] };
    expect(listed.items.map((r) => r.id)).toContain(last);
    const again = await post(`/api/v1/runs/${last}/cancel`, {});
    expect(again.status).toBe(409);
    for (const id of ids.slice(0, -1))
      expect((await readSse(await get(`/api/v1/runs/${id}/progress`))).at(-1)?.event).toBe('finished');
    expect(storedRuns().find((r) => r.id === last)).toEqual({ id: last, status: 'interrupted', digest: null });
    expect((await post('/api/v1/runs/run-unknown/cancel', {})).status).toBe(404);
    expect((await get('/api/v1/runs/run-unknown/progress')).status).toBe(404);
    expect((await get(`/api/v1/runs/${ids[0]}/progress`, { 'last-event-id': 'abc' })).status).toBe(400);
  });
});

describe('a run waiting for a worker', () => {
  it('is answered 409 queued, not 404, by the routes of what it stores, by compare and by DELETE', async () => {
    await idle();
    // A long run takes the pool's one worker; the next two wait.
    const start = async (body: unknown) => ((await (await post('/api/v1/runs', body)).json()) as { id: string }).id;
    const busy = await start({ yaml: hugeTwapScenario(20_000, 'holds-the-worker') });
    const queued = await start({ scenario: 'twap-calm', seed: 200 });
    const queued2 = await start({ scenario: 'twap-calm', seed: 201 });
    expect([pool.state(queued), pool.state(queued2)]).toEqual(['queued', 'queued']);
    expect((await get(`/api/v1/runs/${queued}`)).status).toBe(202);

    const conflict = async (res: Response, detail: RegExp) => {
      const body = (await res.json()) as { status: number; detail: string; type: string };
      expect([res.status, body.detail], res.url).toEqual([409, expect.stringMatching(detail)]);
      expect(body.type).toMatch(/#problem-conflict$/);
      return body;
    };
    const notStarted = new RegExp(`^run "${queued}" is queued and has not started: nothing of it is stored yet`);
    for (const sub of ['/orders', '/fills', '/series', '/events', '/scenario'])
      await conflict(await get(`/api/v1/runs/${queued}${sub}`), notStarted);
    await conflict(
      await server.app.request(`http://127.0.0.1/api/v1/runs/${queued}`, { method: 'DELETE', headers: auth }),
      new RegExp(`is queued and has not started: cancel it first \\(POST /runs/${queued}/cancel\\)`),
    );
    await conflict(
      await get(`/api/v1/compare?runs=${queued},${queued2}`),
      /is queued and has not started: nothing of it is stored to compare yet$/,
    );
    // An id that names no run at all is still the 404, named alone.
    const unknown = await get(`/api/v1/compare?runs=${queued},run-nope`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { detail: string }).detail).toBe('no run with id "run-nope"');
    expect((await get('/api/v1/runs/run-nope/orders')).status).toBe(404);

    // Cancelled, it is stored interrupted, and then deleted as any stored run.
    for (const id of [queued2, queued, busy]) expect((await post(`/api/v1/runs/${id}/cancel`, {})).status).toBe(202);
    await idle();
    expect((await get(`/api/v1/runs/${queued}/events`)).status).toBe(200);
    const deleted = await server.app.request(`http://127.0.0.1/api/v1/runs/${queued}`, {
      method: 'DELETE',
      headers: auth,
    });
    expect(deleted.status).toBe(200);
  });
});

/** An app whose pool runs sweeps beside runs, as `execsim serve` builds it. */
function sweepingApp(options: { maxQueued?: number } = {}) {
  return createApp({
    reader: store.reader,
    deleteRun: store.deleteRun,
    jobs: pool,
    sweepJobs: pool,
    scenariosDir: SCENARIOS,
    version: 'test',
    token: TOKEN,
    checkResponses: true,
    ...options,
  });
}

describe('a sweep id on the run routes', () => {
  it('names no run: GET, progress and cancel answer 404 and the sweep runs on', async () => {
    await idle();
    const both = sweepingApp();
    const req = (url: string, init: RequestInit = {}) => both.app.request(`http://127.0.0.1/api/v1${url}`, init);
    const started = await req('/sweeps', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ scenario: 'twap-calm', paths: 5_000 }),
    });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };

    const run = await req(`/runs/${id}`);
    expect(run.status, JSON.stringify(await run.clone().json())).toBe(404);
    expect((await req(`/runs/${id}/progress`)).status).toBe(404);
    const cancel = await req(`/runs/${id}/cancel`, { method: 'POST', headers: auth });
    expect(cancel.status).toBe(404);
    expect(pool.state(id)).not.toBe('done');

    expect((await req(`/sweeps/${id}/cancel`, { method: 'POST', headers: auth })).status).toBe(202);
    await idle();
  });
});

describe('a full queue and POST /sweeps', () => {
  it('answers 429 for a sweep too, storing no sweep row for it', async () => {
    await idle();
    const both = sweepingApp({ maxQueued: 1 });
    const start = () =>
      both.app.request('http://127.0.0.1/api/v1/sweeps', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ scenario: 'twap-calm', paths: 5_000 }),
      });
    const ids: string[] = [];
    // One sweep on the pool's one worker, one waiting: the queue is full.
    for (let i = 0; i < 2; i++) {
      const res = await start();
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const stored = store.reader.listSweeps({ limit: 500 }).items.length;
    const full = await start();
    expect(full.status).toBe(429);
    expect(((await full.json()) as { detail: string }).detail).toContain('already waiting for a worker (at most 1)');
    expect(store.reader.listSweeps({ limit: 500 }).items.length).toBe(stored);
    for (const id of ids.reverse())
      expect(
        (await both.app.request(`http://127.0.0.1/api/v1/sweeps/${id}/cancel`, { method: 'POST', headers: auth }))
          .status,
      ).toBe(202);
    await idle();
  });
});
