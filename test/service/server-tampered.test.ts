// A database edited by hand or damaged (a payload that is not JSON, a column of JSON of another
// shape) read through the server: every route and page that reads the damaged value answers one
// problem, a 500 of type stored-data-unreadable (the server's data is bad, not the request), whose
// detail names the run or sweep and the event (seq and kind) or column in the words the CLI uses,
// logged as one line; never an internal error with a stack trace, never a partial body.
import fs from 'node:fs';
import { blockOf, setStoredPayload, storedOfKind } from '../support/stored-log.ts';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunPool } from '../../src/sweep/run-pool.ts';
import type { AppOptions } from '../../src/server/app.ts';
import { API_BASE, pageApp, scratchDb } from '../support/page-app.ts';
import { storeFixture, type StoreFixture } from '../support/server-fixture.ts';
import { tamperedCopy } from '../support/tampered-db.ts';

const TYPE = `${API_BASE}/docs#problem-stored-data-unreadable`;
const NOT_AS_WRITTEN = 'not what execsim wrote';

let fixture: StoreFixture;
let runId: string;
let otherRunId: string;
let sweepId: string;

beforeAll(() => {
  fixture = storeFixture();
  [runId = '', otherRunId = ''] = fixture.runIds;
  sweepId = fixture.sweepIds[0] ?? '';
}, 120_000);

afterAll(() => fixture.close());

const TOKEN = 'test-token-0123456789abcdef';

/** The app over the store file `file` with `options` on top, and what it logged. */
function loggingApp(file: string, options: Partial<AppOptions> = {}) {
  const lines: string[] = [];
  const internal: unknown[] = [];
  const app = pageApp(file, {
    logLine: (line: string) => lines.push(line),
    logError: (_id: string, err: unknown) => internal.push(err),
    ...options,
  });
  return {
    request: (path: string, init?: RequestInit) => app.request(`http://127.0.0.1${path}`, init),
    lines,
    internal,
  };
}

/** The app over a copy of the fixture's store with `sql` applied, and what it logged. */
function damaged(sql: string, ...params: unknown[]) {
  return loggingApp(tamperedCopy(fixture.dbPath, sql, ...params));
}

/** The app over a copy of the fixture's store with `edit` done to it by hand, and what it logged. */
function edited(edit: (db: Database.Database) => void) {
  const file = scratchDb();
  fs.copyFileSync(fixture.dbPath, file);
  const db = new Database(file);
  edit(db);
  db.close();
  return loggingApp(file);
}

/** The app over a copy with the first run's event `seq` given `payload` (in its block). */
const damagedPayload = (seq: number, payload: string) => edited((db) => setStoredPayload(db, runId, seq, payload));

/** `damaged`, with a real run pool (runs and sweeps) that never ran anything of the store's, and
 *  the token its mutating routes need; the pool is closed when `use` ends. */
async function damagedWithPool(
  use: (app: ReturnType<typeof loggingApp>) => Promise<void>,
  sql: string,
  ...params: unknown[]
): Promise<void> {
  const file = tamperedCopy(fixture.dbPath, sql, ...params);
  const pool = new RunPool({ dbPath: file, size: 1 });
  try {
    await use(loggingApp(file, { jobs: pool, sweepJobs: pool, token: TOKEN }));
  } finally {
    await pool.close();
  }
}

/** The first stored event of `kind` in the first run. */
function firstEvent(kind: string): { seq: number } {
  const db = new Database(fixture.dbPath, { readonly: true });
  try {
    return storedOfKind(db, runId, kind)[0] as { seq: number };
  } finally {
    db.close();
  }
}

/** Asserts `res` is the stored-data problem whose detail contains every one of `names`. */
async function storedDataProblem(res: Response, ...names: string[]): Promise<string> {
  expect(res.status).toBe(500);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as { type: string; status: number; detail: string };
  expect(body.type).toBe(TYPE);
  expect(body.status).toBe(500);
  for (const name of [...names, NOT_AS_WRITTEN]) expect(body.detail).toContain(name);
  return body.detail;
}

/** Asserts `res` is a 500 page that shows `detail`. */
async function storedDataPage(res: Response, detail: string): Promise<void> {
  expect(res.status).toBe(500);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  const html = await res.text();
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  expect(html.replaceAll('&quot;', '"').replaceAll('&#39;', "'")).toContain(detail);
}

/** Asserts each request logged one line, naming what its detail names, and nothing else. */
function loggedOnce(log: { lines: string[]; internal: unknown[] }, requests: number, name: string): void {
  expect(log.internal).toEqual([]);
  expect(log.lines).toHaveLength(requests);
  for (const line of log.lines) {
    expect(line).not.toContain('\n');
    expect(line).toContain(name);
  }
}

describe('a run whose stored event payload is not JSON', () => {
  it('GET /runs/{id}/events and the run page name the event (seq and kind); the log has one line each', async () => {
    const { seq } = firstEvent('FillReport');
    const log = damagedPayload(seq, 'not json');
    const event = `event seq ${seq} (FillReport): the payload is not JSON`;
    const detail = await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}/events?fromSeq=${seq}`),
      `run ${runId}`,
      event,
    );
    await storedDataPage(await log.request(`/runs/${runId}?fromSeq=${seq}`), detail);
    loggedOnce(log, 2, event);
    // The events before it still read.
    expect((await log.request(`${API_BASE}/runs/${runId}/events?toSeq=${seq - 1}`)).status).toBe(200);
  });

  it('NDJSON: a problem before the first line when the first read has it; a stream cut short (never a clean end) when a later one does', async () => {
    const { seq } = firstEvent('FillReport');
    const log = damagedPayload(seq, 'not json');
    const ndjson = { headers: { accept: 'application/x-ndjson' } };
    await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}/events?fromSeq=${seq}`, ndjson),
      `event seq ${seq} (FillReport)`,
    );
    const streamed = await log.request(`${API_BASE}/runs/${runId}/events?limit=1`, ndjson);
    expect(streamed.status).toBe(200);
    await expect(streamed.text()).rejects.toThrow(`event seq ${seq} (FillReport): the payload is not JSON`);
  });
});

describe('a run whose stored log has a damaged block', () => {
  it('the events, the run page and the series name the run and the seqs the block holds; the log has one line each', async () => {
    const { seq } = firstEvent('SubmitOrder');
    const probe = new Database(fixture.dbPath, { readonly: true });
    const { first_seq: first, last_seq: last } = blockOf(probe, runId, seq);
    probe.close();
    const log = edited((db) =>
      db.prepare("UPDATE event_blocks SET data = x'0badf00d' WHERE run_id = ? AND first_seq = ?").run(runId, first),
    );
    // Four bytes that are not the brotli data the block says it holds.
    const block = `events seq ${first} to ${last}: its brotli data does not decompress`;
    const detail = await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}/events?fromSeq=${seq}`),
      `run ${runId}`,
      block,
    );
    await storedDataPage(await log.request(`/runs/${runId}?fromSeq=${seq}`), detail);
    await storedDataProblem(await log.request(`${API_BASE}/runs/${runId}/series`), `run ${runId}`, block);
    loggedOnce(log, 3, block);
    // The blocks before it still read.
    if (first > 1) expect((await log.request(`${API_BASE}/runs/${runId}/events?toSeq=${first - 1}`)).status).toBe(200);
  });
});

describe('a run whose stored scenario is damaged', () => {
  it('not JSON: the series, the scenario, the comparison and the compare page name the run and scenario_json', async () => {
    const log = damaged("UPDATE runs SET scenario_json = '{' WHERE id = ?", runId);
    const column = 'scenario_json: it is not JSON';
    await storedDataProblem(await log.request(`${API_BASE}/runs/${runId}/series`), `run ${runId}`, column);
    await storedDataProblem(await log.request(`${API_BASE}/runs/${runId}/scenario`), `run ${runId}`, column);
    const detail = await storedDataProblem(
      await log.request(`${API_BASE}/compare?runs=${otherRunId},${runId}`),
      `run ${runId}`,
      column,
    );
    await storedDataPage(await log.request(`/compare?runs=${otherRunId},${runId}`), detail);
    loggedOnce(log, 4, column);
  });

  it('JSON of another shape: the series says what is missing', async () => {
    const log = damaged("UPDATE runs SET scenario_json = '{}' WHERE id = ?", runId);
    await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}/series`),
      `run ${runId}`,
      'scenario_json: it has no instrument',
    );
    loggedOnce(log, 1, 'scenario_json');
  });
});

describe('a run whose stored events of the series are damaged', () => {
  /** The run's first block of market samples (the fixture's run is new: its samples are in blocks). */
  const firstBlock = (): { n: number; first: number; last: number; samples: number; data: Buffer } => {
    const db = new Database(fixture.dbPath, { readonly: true });
    const block = db
      .prepare(
        `SELECT rowid AS n, first_time AS first, last_time AS last, samples, data FROM market_sample_blocks
         WHERE run_id = ? ORDER BY last_time, first_time, rowid LIMIT 1`,
      )
      .get(runId) as { n: number; first: number; last: number; samples: number; data: Buffer };
    db.close();
    return block;
  };
  /** The first block's first sample with its trigger (its third number) set to 7. */
  const badTrigger = (data: Buffer): Buffer => {
    const copy = Buffer.from(data);
    copy.writeDoubleLE(7, 16);
    return copy;
  };

  it.each([
    [
      'cut short',
      'substr(data, 1, 87)',
      (b: { samples: number }) => `the block holds 87 bytes, not ${b.samples} samples of 88 bytes`,
      'samples',
    ],
    ['text', "'x'", () => 'the block is not a blob', 'samples'],
    [
      'one sample more',
      'data',
      (b: { samples: number }) => `the block holds ${b.samples * 88} bytes, not ${b.samples + 1} samples`,
      'samples + 1',
    ],
  ])(
    'a block of market samples %s: GET /runs/{id}/series names it by the times it spans',
    async (_, data, why, samples) => {
      const block = firstBlock();
      const log = damaged(
        `UPDATE market_sample_blocks SET data = ${data}, samples = ${samples} WHERE rowid = ?`,
        block.n,
      );
      const named = `market samples from ${new Date(block.first).toISOString()} to ${new Date(block.last).toISOString()}`;
      await storedDataProblem(
        await log.request(`${API_BASE}/runs/${runId}/series`),
        `run ${runId}`,
        `${named}: ${why(block)}`,
      );
      loggedOnce(log, 1, named);
    },
  );

  it('a sample with a trigger execsim does not write: the series names the sample, its time and the entry before it', async () => {
    const block = firstBlock();
    const log = damaged('UPDATE market_sample_blocks SET data = ? WHERE rowid = ?', badTrigger(block.data), block.n);
    const view = new DataView(block.data.buffer, block.data.byteOffset);
    const seq = view.getFloat64(0, true);
    const time = view.getFloat64(8, true);
    await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}/series`),
      `run ${runId}`,
      `sample 1 (at ${new Date(time).toISOString()}, after event seq ${seq}) has trigger 7, not 0 (interval) or 1 (fill)`,
    );
    loggedOnce(log, 1, 'has trigger 7');
  });

  it.each([
    ['OrderCreated', 'not json', 'the payload is not JSON'],
    ['SubmitOrder', '[]', 'the payload is not an order command'],
    ['ParentOrderCreated', '{"parentId": 7}', 'the payload is not a parent order'],
  ])('%s set to %s: GET /runs/{id}/series names the event', async (kind, payload, why) => {
    const { seq } = firstEvent(kind);
    const log = damagedPayload(seq, payload);
    await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}/series`),
      `run ${runId}`,
      `event seq ${seq} (${kind}): ${why}`,
    );
    loggedOnce(log, 1, `event seq ${seq} (${kind})`);
  });
});

describe('a run whose stored report is not JSON', () => {
  it('GET /runs/{id} and the run page name the run and report_json, not a report of null', async () => {
    const log = damaged("UPDATE runs SET report_json = 'x' WHERE id = ?", runId);
    const detail = await storedDataProblem(
      await log.request(`${API_BASE}/runs/${runId}`),
      `run ${runId}`,
      'report_json: it is not JSON',
    );
    await storedDataPage(await log.request(`/runs/${runId}`), detail);
    loggedOnce(log, 2, 'report_json');
  });

  it('its status still reads: a progress stream of the stored run and a refused cancel name how it was stored', async () => {
    // The job routes fall back to the stored row, which they read without the report.
    await damagedWithPool(
      async (log) => {
        const progress = await log.request(`${API_BASE}/runs/${runId}/progress`);
        expect(progress.status).toBe(200);
        const text = await progress.text();
        expect(text).toContain('event: stored');
        expect(text).toContain('"status":"finished"');
        const cancel = await log.request(`${API_BASE}/runs/${runId}/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(cancel.status).toBe(409);
        expect(((await cancel.json()) as { detail: string }).detail).toContain('stored as finished');
        expect(log.lines).toEqual([]);
        expect(log.internal).toEqual([]);
      },
      "UPDATE runs SET report_json = 'x' WHERE id = ?",
      runId,
    );
  });
});

describe('a sweep whose stored columns are damaged', () => {
  it('summary_json not JSON: GET /sweeps/{id} and the sweep page name the sweep and the column', async () => {
    const log = damaged("UPDATE sweeps SET summary_json = 'x' WHERE id = ?", sweepId);
    const detail = await storedDataProblem(
      await log.request(`${API_BASE}/sweeps/${sweepId}`),
      `sweep ${sweepId}`,
      'summary_json: it is not JSON',
    );
    await storedDataPage(await log.request(`/sweeps/${sweepId}`), detail);
    loggedOnce(log, 2, 'summary_json');
  });

  it("grid_json and summary_json damaged: the sweep's progress still answers its stored state", async () => {
    // Progress falls back to the stored row, read without its JSON columns.
    await damagedWithPool(
      async (log) => {
        const progress = await log.request(`${API_BASE}/sweeps/${sweepId}/progress`);
        expect(progress.status).toBe(200);
        const text = await progress.text();
        expect(text).toContain('event: stored');
        expect(text).toContain('"state":"finished"');
        expect(text).toContain('"pathsDone":6');
        expect(log.lines).toEqual([]);
        expect(log.internal).toEqual([]);
      },
      "UPDATE sweeps SET summary_json = 'x', grid_json = 'x' WHERE id = ?",
      sweepId,
    );
  });

  it('summary_json of another shape: named as such', async () => {
    const log = damaged("UPDATE sweeps SET summary_json = 'null' WHERE id = ?", sweepId);
    await storedDataProblem(await log.request(`${API_BASE}/sweeps/${sweepId}`), `sweep ${sweepId}`, 'summary_json');
    loggedOnce(log, 1, 'summary_json');
  });

  it.each([
    ['x', 'grid_json: it is not JSON'],
    ['{"key": "seed"}', 'grid_json: it is not a list of axes'],
  ])('grid_json %s: the sweep list and the sweep name the sweep and the column', async (grid, why) => {
    const log = damaged('UPDATE sweeps SET grid_json = ? WHERE id = ?', grid, sweepId);
    await storedDataProblem(await log.request(`${API_BASE}/sweeps`), `sweep ${sweepId}`, why);
    await storedDataProblem(await log.request(`${API_BASE}/sweeps/${sweepId}`), `sweep ${sweepId}`, why);
    loggedOnce(log, 2, 'grid_json');
  });
});

describe('a column holding what execsim never writes there (a blob, text for a number, a fraction for a count)', () => {
  const run = () => `run ${runId}`;
  const sweep = () => `sweep ${sweepId}`;
  it.each([
    [
      "UPDATE runs SET scenario_name = x'00ff' WHERE id = ?",
      'run',
      "runs.scenario_name: a blob (x'00ff') where execsim writes text",
      ['/runs', '/runs/ID'],
    ],
    [
      "UPDATE runs SET event_count = 'many' WHERE id = ?",
      'run',
      'runs.event_count: the text "many" where execsim writes a whole number',
      ['/runs', '/runs/ID'],
    ],
    [
      'UPDATE runs SET fill_count = 2.5 WHERE id = ?',
      'run',
      'runs.fill_count: the number 2.5 where execsim writes a whole number',
      ['/runs', '/runs/ID'],
    ],
    [
      "UPDATE orders SET symbol = x'00ff' WHERE run_id = ?",
      'run',
      "orders.symbol: a blob (x'00ff') where execsim writes text",
      ['/runs/ID/orders'],
    ],
    [
      "UPDATE fills SET price = x'01' WHERE run_id = ?",
      'run',
      "fills.price: a blob (x'01') where execsim writes text",
      ['/runs/ID/fills'],
    ],
    [
      "UPDATE parent_metrics SET duration_ms = 'long' WHERE run_id = ?",
      'run',
      'parent_metrics.duration_ms: the text "long" where execsim writes a number',
      ['/runs/ID'],
    ],
    [
      "UPDATE sweeps SET scenario_name = x'00ff' WHERE id = ?",
      'sweep',
      "sweeps.scenario_name: a blob (x'00ff') where execsim writes text",
      ['/sweeps', '/sweeps/ID'],
    ],
    [
      "UPDATE sweep_paths SET digest = x'00ff' WHERE sweep_id = ?",
      'sweep',
      "sweep_paths.digest: a blob (x'00ff') where execsim writes text",
      ['/sweeps/ID/paths'],
    ],
  ] as const)(
    '%s: one stored-data problem naming its owner, the column and the value',
    async (sql, owner, why, paths) => {
      const id = owner === 'run' ? runId : sweepId;
      const log = damaged(sql, id);
      for (const p of paths) {
        const res = await log.request(`${API_BASE}${p.replace('ID', id)}`);
        if (p.endsWith('/progress')) {
          // An event stream: its first event is the problem.
          expect(res.status).toBe(500);
          continue;
        }
        await storedDataProblem(res, owner === 'run' ? run() : sweep(), why);
      }
      loggedOnce(log, paths.length, why);
    },
  );

  it('the pages answer the same problem as a page', async () => {
    const log = damaged("UPDATE runs SET scenario_name = x'00ff' WHERE id = ?", runId);
    const why = "runs.scenario_name: a blob (x'00ff') where execsim writes text";
    await storedDataPage(await log.request('/'), why);
    await storedDataPage(await log.request(`/runs/${runId}`), why);
    loggedOnce(log, 2, why);
  });

  it('another run, untouched, still reads', async () => {
    const log = damaged("UPDATE orders SET symbol = x'00ff' WHERE run_id = ?", runId);
    const res = await log.request(`${API_BASE}/runs/${otherRunId}/orders`);
    expect(res.status).toBe(200);
    expect(log.internal).toEqual([]);
  });
});
