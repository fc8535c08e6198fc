// POST /runs under an Idempotency-Key, and a deleted run's progress, through the app (app.request,
// no socket) with a real run pool on worker threads and a real SQLite store: the same request
// again under its key starts no second run and is answered as the first was, also while that run
// is going and when two arrive at once; another body under the key is the 409 the session routes
// give; a request without a key starts a run each time. A deleted run's progress is the 404 its
// GET is, the pool forgets it (also when `execsim delete` deleted it), its key may start a new
// run, and a client following its stream when it is deleted hears `deleted` last and sees the
// stream end.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunPool } from '../../src/sweep/run-pool.ts';
import { createApp, type ExecsimApp } from '../../src/server/app.ts';
import { openDatabase, openExistingDatabase } from '../../src/store/open-database.ts';
import { openStoreReader, type OpenStore } from '../../src/store/store-reader.ts';
import { STALE_HEARTBEAT_MS } from '../../src/store/run-state.ts';
import { hugeTwapScenario } from '../support/huge-twap.ts';
import { execsimMain } from '../support/cli-in-process.ts';
import { countingJobs } from '../support/server-fixture.ts';
import { SseReader } from '../support/sse-reader.ts';

const TOKEN = 'test-token-0123456789abcdef';
const SCENARIOS = path.resolve('scenarios');
const WAIT_MS = 60_000;
let dir: string;
let db: string;
let pool: RunPool;
let server: ExecsimApp;
let jobs: ReturnType<typeof countingJobs>;
let store: OpenStore;
/** The store as a server sees it once every writer is gone: a run still running is crashed, so
 *  it may be deleted (a run being written cannot be deleted otherwise). */
let writersGone: OpenStore;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-server-run-keys-'));
  db = path.join(dir, 'runs.db');
  openDatabase(db).close();
  store = openStoreReader(db);
  writersGone = openStoreReader(db, {
    liveness: () => ({ nowMs: Date.now() + 2 * STALE_HEARTBEAT_MS, host: 'elsewhere', isAlive: () => false }),
  });
  pool = new RunPool({ dbPath: db, size: 1 });
  server = createApp({
    reader: store.reader,
    deleteRun: store.deleteRun,
    jobs: (jobs = countingJobs(pool)),
    scenariosDir: SCENARIOS,
    version: 'test',
    token: TOKEN,
    checkResponses: true,
  });
});

afterAll(async () => {
  await pool.close();
  store.close();
  writersGone.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Waits (bounded) until `done` holds, looking every few ms. */
async function until(what: string, done: () => boolean): Promise<void> {
  const deadline = performance.now() + WAIT_MS;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
const idle = () => until('an idle pool', () => pool.load.queued + pool.load.running === 0);

const auth = { authorization: `Bearer ${TOKEN}` };
const request = (app: ExecsimApp, url: string, init: RequestInit = {}) =>
  app.app.request(`http://127.0.0.1/api/v1${url}`, init);
const startRun = (body: unknown, key?: string, app = server) =>
  request(app, '/runs', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth, ...(key === undefined ? {} : { 'idempotency-key': key }) },
    body: JSON.stringify(body),
  });
const get = (url: string, app = server) => request(app, url);
const remove = (id: string, app = server) => request(app, `/runs/${id}`, { method: 'DELETE', headers: auth });

/** The events of an SSE response to its end (bounded). */
const toEnd = (res: Response) => new SseReader(res).until(() => false, WAIT_MS);

const storedIds = (): string[] => {
  const handle = openExistingDatabase(db, 'read');
  try {
    return (handle.prepare('SELECT id FROM runs').all() as { id: string }[]).map((r) => r.id);
  } finally {
    handle.close();
  }
};

interface Accepted {
  id: string;
  status: string;
  scenario: string;
  progress: string;
}

describe('POST /runs under an Idempotency-Key', () => {
  it('sent again while its run is going starts no second run and answers as the first time', async () => {
    await idle();
    const before = jobs.submitted;
    const body = { yaml: hugeTwapScenario(20_000, 'keyed-long-twap') };
    const first = await startRun(body, 'retry-1');
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const answer = (await first.json()) as Accepted;
    await until('the run to start', () => pool.state(answer.id) === 'running');

    const again = await startRun(body, 'retry-1');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await again.json()).toEqual(answer);
    expect(jobs.submitted).toBe(before + 1);

    expect((await startRun(body, 'retry-1')).headers.get('idempotent-replayed')).toBe('true');
    expect(jobs.submitted).toBe(before + 1);
    expect((await request(server, `/runs/${answer.id}/cancel`, { method: 'POST', headers: auth })).status).toBe(202);
    await idle();
  });

  it('sent twice at once starts one run, and both are answered with it', async () => {
    await idle();
    const before = { submitted: jobs.submitted, stored: storedIds().length };
    const body = { scenario: 'twap-calm', seed: 3 };
    const answers = await Promise.all([startRun(body, 'at-once'), startRun(body, 'at-once')]);
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect(answers.map((a) => a.headers.get('idempotent-replayed')).sort()).toEqual(['true', null].sort());
    const [a, b] = (await Promise.all(answers.map((r) => r.json()))) as Accepted[];
    expect(b).toEqual(a);
    expect(jobs.submitted).toBe(before.submitted + 1);
    await idle();
    expect(storedIds()).toHaveLength(before.stored + 1);
    expect(storedIds()).toContain(a?.id);
  });

  it('with another body is the 409 problem of the session routes, and starts nothing', async () => {
    await idle();
    expect((await startRun({ scenario: 'twap-calm', seed: 1 }, 'one-request')).status).toBe(202);
    const before = jobs.submitted;
    for (const other of [
      { scenario: 'twap-calm', seed: 2 },
      { scenario: 'thin-book', seed: 1 },
      { scenario: 'twap-calm', seed: 1, mode: 'backtest' },
    ]) {
      const res = await startRun(other, 'one-request');
      expect(res.status).toBe(409);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({
        type: expect.stringMatching(/#problem-conflict$/) as unknown,
        status: 409,
        detail: 'the key one-request was used for another POST /runs request (other body): a key names one request',
      });
    }
    expect(jobs.submitted).toBe(before);
    await idle();
  });

  it('without a key starts a run for each request, as before', async () => {
    await idle();
    const before = jobs.submitted;
    const body = { scenario: 'twap-calm', seed: 4 };
    const [a, b] = (await Promise.all(
      [startRun(body), startRun(body)].map(async (r) => (await r).json()),
    )) as Accepted[];
    expect(a?.id).not.toBe(b?.id);
    expect(jobs.submitted).toBe(before + 2);
    await idle();
  });

  it('refuses a malformed key (400 naming the header); a refused request decides nothing', async () => {
    const bad = await startRun({ scenario: 'twap-calm' }, 'not a key!');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ errors: [{ path: 'header.Idempotency-Key' }] });
    const before = jobs.submitted;
    const refused = await startRun({ yaml: 'name: broken\n' }, 'first-refused');
    expect(refused.status).toBe(422);
    expect(jobs.submitted).toBe(before);
    // The key decided nothing: another request under it starts its run.
    const started = await startRun({ scenario: 'twap-calm', seed: 5 }, 'first-refused');
    expect(started.status).toBe(202);
    expect(started.headers.get('idempotent-replayed')).toBeNull();
    await idle();
  });
});

describe('a deleted run', () => {
  it('has no progress: the 404 of its GET; the pool forgets it, and its key starts a new run', async () => {
    await idle();
    const body = { scenario: 'twap-calm', seed: 6 };
    const { id, progress } = (await (await startRun(body, 'deleted-later')).json()) as Accepted;
    expect((await toEnd(await get(progress.replace('/api/v1', '')))).at(-1)?.event).toBe('finished');
    expect(pool.state(id)).toBe('done');

    expect((await remove(id)).status).toBe(200);
    const run = await get(`/runs/${id}`);
    const stream = await get(`/runs/${id}/progress`);
    expect([run.status, stream.status]).toEqual([404, 404]);
    expect(stream.headers.get('content-type')).toContain('application/problem+json');
    const { instance: _a, ...runProblem } = (await run.json()) as Record<string, unknown>;
    const { instance: _b, ...streamProblem } = (await stream.json()) as Record<string, unknown>;
    expect(streamProblem).toEqual(runProblem);
    expect(pool.state(id)).toBeNull();
    expect((await get(`/runs/${id}/progress?lastEventId=1`)).status).toBe(404);

    const again = await startRun(body, 'deleted-later');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(((await again.json()) as Accepted).id).not.toBe(id);
    await idle();
  });

  it('deleted by another process (execsim delete) is forgotten too, by its progress and its key', async () => {
    await idle();
    const body = { scenario: 'twap-calm', seed: 9 };
    const { id, progress } = (await (await startRun(body, 'deleted-elsewhere')).json()) as Accepted;
    expect((await toEnd(await get(progress.replace('/api/v1', '')))).at(-1)?.event).toBe('finished');
    const deleted = execsimMain(['delete', id, '--db', db]);
    expect([deleted.code, deleted.err]).toEqual([0, []]);

    const stream = await get(`/runs/${id}/progress`);
    expect(stream.status).toBe(404);
    expect(await stream.json()).toMatchObject({ status: 404, detail: `no run with id ${JSON.stringify(id)}` });
    expect(pool.state(id)).toBeNull();
    // Its key is free again: a new run, not the deleted one.
    const again = await startRun(body, 'deleted-elsewhere');
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(((await again.json()) as Accepted).id).not.toBe(id);
    await idle();
  });

  it('deleted by another process is forgotten when its key comes again, before its progress is asked', async () => {
    await idle();
    const body = { scenario: 'twap-calm', seed: 10 };
    const { id } = (await (await startRun(body, 'key-after-delete')).json()) as Accepted;
    await idle();
    expect(execsimMain(['delete', id, '--db', db]).code).toBe(0);
    const again = await startRun(body, 'key-after-delete');
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(((await again.json()) as Accepted).id).not.toBe(id);
    expect(pool.state(id)).toBeNull();
    await idle();
  });

  it('ends the stream of a client following it: `deleted` is the last event', async () => {
    await idle();
    // A server that sees no writer alive may delete a run its pool is still running: the one
    // moment a client can be following a run that is deleted.
    const lenient = createApp({
      reader: writersGone.reader,
      deleteRun: writersGone.deleteRun,
      jobs: pool,
      scenariosDir: SCENARIOS,
      version: 'test',
      token: TOKEN,
      checkResponses: true,
    });
    const { id } = (await (
      await startRun({ yaml: hugeTwapScenario(20_000, 'deleted-while-followed') }, undefined, lenient)
    ).json()) as Accepted;
    const following = new SseReader(await get(`/runs/${id}/progress`, lenient));
    await following.until((events) => events.some((e) => e.event === 'started'), WAIT_MS);
    await until('the run to be stored', () => storedIds().includes(id));

    expect((await remove(id, lenient)).status).toBe(200);
    const events = await following.until(() => false, WAIT_MS);
    expect(events.at(-1)?.event).toBe('deleted');
    expect(JSON.parse(events.at(-1)?.data ?? 'null')).toMatchObject({ type: 'deleted', runId: id });
    expect(events.filter((e) => e.event === 'deleted')).toHaveLength(1);
    expect(following.ids()).toEqual([...following.ids()].sort((x, y) => x - y));
    expect(pool.state(id)).toBeNull();
    expect((await get(`/runs/${id}/progress`, lenient)).status).toBe(404);
    await idle();
  });
});

describe('POST /sweeps under an Idempotency-Key', () => {
  // A server that runs sweeps too (the same pool runs both), as `execsim serve` builds it.
  let sweeping: ExecsimApp;
  beforeAll(() => {
    sweeping = createApp({
      reader: store.reader,
      deleteRun: store.deleteRun,
      jobs: pool,
      sweepJobs: pool,
      scenariosDir: SCENARIOS,
      version: 'test',
      token: TOKEN,
      checkResponses: true,
    });
  });
  const startSweep = (body: unknown, key?: string) =>
    request(sweeping, '/sweeps', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...auth,
        ...(key === undefined ? {} : { 'idempotency-key': key }),
      },
      body: JSON.stringify(body),
    });
  const sweepCount = (): number => {
    const handle = openExistingDatabase(db, 'read');
    try {
      return (handle.prepare('SELECT COUNT(*) AS n FROM sweeps').get() as { n: number }).n;
    } finally {
      handle.close();
    }
  };

  it('sent again starts no second sweep and answers as the first time; another body under the key is a 409', async () => {
    await idle();
    const before = sweepCount();
    const body = { scenario: 'twap-calm', paths: 2, seed: 11 };
    const first = await startSweep(body, 'sweep-1');
    expect(first.status).toBe(202);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const answer = (await first.json()) as { id: string };
    const again = await startSweep(body, 'sweep-1');
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await again.json()).toEqual(answer);
    expect(sweepCount()).toBe(before + 1);

    for (const other of [
      { ...body, paths: 3 },
      { ...body, seed: 12 },
      { scenario: 'thin-book', paths: 2, seed: 11 },
    ]) {
      const res = await startSweep(other, 'sweep-1');
      expect(res.status).toBe(409);
      expect(await res.json()).toMatchObject({
        status: 409,
        detail: 'the key sweep-1 was used for another POST /sweeps request (other body): a key names one request',
      });
    }
    expect(sweepCount()).toBe(before + 1);
    await idle();
  });

  it('sent twice at once starts one sweep; a grid in another key order is another request, 5 and "5" one', async () => {
    await idle();
    const before = sweepCount();
    const body = { scenario: 'twap-calm', paths: 1, grid: { 'twap.slices': [5, 10], 'market.volatility': [0.2] } };
    const answers = await Promise.all([startSweep(body, 'sweep-at-once'), startSweep(body, 'sweep-at-once')]);
    expect(answers.map((a) => a.status)).toEqual([202, 202]);
    expect(answers.map((a) => a.headers.get('idempotent-replayed')).sort()).toEqual(['true', null].sort());
    const [a, b] = (await Promise.all(answers.map((r) => r.json()))) as { id: string }[];
    expect(b).toEqual(a);
    expect(sweepCount()).toBe(before + 1);

    const sameValues = { ...body, grid: { 'twap.slices': ['5', '10'], 'market.volatility': [0.2] } };
    expect((await startSweep(sameValues, 'sweep-at-once')).headers.get('idempotent-replayed')).toBe('true');
    const reordered = { ...body, grid: { 'market.volatility': [0.2], 'twap.slices': [5, 10] } };
    expect((await startSweep(reordered, 'sweep-at-once')).status).toBe(409);
    expect(sweepCount()).toBe(before + 1);
    await idle();
  });

  it('without a key starts a sweep for each request, as before', async () => {
    await idle();
    const before = sweepCount();
    const body = { scenario: 'twap-calm', paths: 1 };
    const [a, b] = (await Promise.all([startSweep(body), startSweep(body)].map(async (r) => (await r).json()))) as {
      id: string;
    }[];
    expect(a?.id).not.toBe(b?.id);
    expect(sweepCount()).toBe(before + 2);
    await idle();
  });
});
