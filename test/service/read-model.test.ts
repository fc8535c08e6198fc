// The read model over a real store: bundled scenarios run into it, plus copies of their rows
// with varied columns. Filters, keyset paging (a property over random runs with tied sort
// values), run state, comparison, deletion, and migration 5 upgrading a version-4 file in place.
import { runShortfallBps } from '../../src/cli/run-table.ts';
import { asRows, storedCount } from '../support/stored-log.ts';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalLine } from '../../src/core/log/event-log.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { BadCursorError, type RunQuery, type RunSummary } from '../../src/store/read-model-port.ts';
import { ReadModel } from '../../src/store/read-model.ts';
import { RunAdmin } from '../../src/store/run-admin.ts';
import type { Liveness } from '../../src/store/run-state.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { cloneRuns } from '../support/clone-runs.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const scenario = (name: string) => fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url));

const HOST = 'test-host';
const ALIVE_PID = 111;
const DEAD_PID = 222;
const BASE = '2025-01-01T00:00:00.000Z';
/** Ten seconds after the copies' heartbeats: a copy written by ALIVE_PID is running, by
 *  DEAD_PID crashed. */
const live: Liveness = { nowMs: Date.parse(BASE) + 10_000, host: HOST, isAlive: (pid) => pid === ALIVE_PID };

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-read-model-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Runs a bundled scenario into `store`; returns the run id. */
function runInto(store: RunStore, name: string, seed?: number): string {
  return runScenario(loadScenarioFile(scenario(name)), { store, ...(seed === undefined ? {} : { seed }) }).runId;
}

/** Every page of `q`, followed through nextCursor. */
function allPages(model: ReadModel, q: RunQuery): RunSummary[] {
  const out: RunSummary[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = model.listRuns({ ...q, cursor });
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

describe('ReadModel over bundled runs and their copies', () => {
  let file: string;
  let model: ReadModel;
  const real: Record<string, string> = {};

  beforeAll(() => {
    file = path.join(dir, 'browse.db');
    const db = openDatabase(file);
    const store = new RunStore(db);
    real['calm1'] = runInto(store, 'twap-calm', 1);
    real['calm2'] = runInto(store, 'twap-calm', 2);
    real['impact'] = runInto(store, 'almgren-chriss-impact');
    real['sweep'] = runInto(store, 'static-book-sweep');
    cloneRuns(db, Object.values(real), {
      count: 600,
      seed: 7,
      writerPids: [ALIVE_PID, DEAD_PID],
      host: HOST,
      startedFrom: BASE,
    });
    db.close();
    model = ReadModel.open(file, { liveness: () => live });
  });
  afterAll(() => model.close());

  it('opens read-only and never creates a file', () => {
    const missing = path.join(dir, 'missing.db');
    expect(() => ReadModel.open(missing)).toThrow(/no database at/);
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('each filter narrows the list to exactly the runs that match it', () => {
    const all = [...model.allRuns()];
    expect(all).toHaveLength(604);
    const some = (s: RunSummary) => s.startedAt;
    const mid = [...all.map(some)].sort()[200] as string;
    const late = [...all.map(some)].sort()[400] as string;
    const cases: Array<[RunQuery, (s: RunSummary) => boolean]> = [
      [{ scenario: 'twap-calm' }, (s) => s.scenario === 'twap-calm'],
      [{ status: 'finished' }, (s) => s.state === 'finished'],
      [{ status: 'failed' }, (s) => s.state === 'failed'],
      [{ status: 'interrupted' }, (s) => s.state === 'interrupted'],
      [{ status: 'running' }, (s) => s.state === 'running'],
      [{ status: 'crashed' }, (s) => s.state === 'crashed'],
      [{ passed: true }, (s) => s.passed === true],
      [{ passed: false }, (s) => s.passed === false],
      [{ mode: 'paper' }, (s) => s.mode === 'paper'],
      [{ venue: 'alpaca-equities' }, (s) => s.venue === 'alpaca-equities'],
      [{ symbol: 'ETHUSDT' }, (s) => s.symbol === 'ETHUSDT'],
      [{ seed: 3 }, (s) => s.seed === 3],
      [{ codeVersion: 'v2' }, (s) => s.codeVersion === 'v2'],
      // from and to as a client writes them (no milliseconds) still compare as instants.
      [{ from: mid.replace('.000Z', 'Z') }, (s) => s.startedAt >= mid],
      [{ to: late.replace('.000Z', 'Z') }, (s) => s.startedAt < late],
      [
        { scenario: 'twap-calm', status: 'finished', passed: true, venue: 'binance-spot' },
        (s) => s.scenario === 'twap-calm' && s.state === 'finished' && s.passed === true && s.venue === 'binance-spot',
      ],
    ];
    for (const [q, match] of cases) {
      const want = all.filter(match).map((s) => s.id);
      for (const sort of ['started', 'shortfall', 'fillRatio'] as const) {
        const got = allPages(model, { ...q, sort, limit: 37 }).map((s) => s.id);
        expect(new Set(got), `${JSON.stringify(q)} sorted by ${sort}`).toEqual(new Set(want));
        expect(got).toHaveLength(want.length);
      }
      expect(want.length, JSON.stringify(q)).toBeGreaterThan(0);
      expect(want.length, JSON.stringify(q)).toBeLessThan(all.length);
    }
  });

  it('shows a running run whose writer is gone as crashed, and one whose writer lives as running', () => {
    const running = [...model.allRuns()].filter((s) => s.status === 'running');
    expect(running.length).toBeGreaterThan(0);
    for (const s of running) expect(s.state).toBe(s.writer?.pid === ALIVE_PID ? 'running' : 'crashed');
    // A run not finished has no count of its orders and fills yet (null, not 0); a finished one has.
    for (const s of model.allRuns()) {
      expect(s.orders === null, `${s.id} ${s.status}`).toBe(s.status !== 'finished');
      expect(s.fills === null, `${s.id} ${s.status}`).toBe(s.status !== 'finished');
    }
    // The same rows once their heartbeat is stale: crashed whatever the pid says.
    const later = ReadModel.open(file, { liveness: () => ({ ...live, nowMs: live.nowMs + 120_000 }) });
    try {
      expect(later.listRuns({ status: 'running', limit: 500 }).items).toEqual([]);
      expect(later.listRuns({ status: 'crashed', limit: 500 }).items).toHaveLength(running.length);
    } finally {
      later.close();
    }
  });

  it('defaults to 50 newest first, caps pages at 500, and refuses cursors it did not give out', () => {
    const first = model.listRuns({});
    expect(first.items).toHaveLength(50);
    const starts = first.items.map((s) => s.startedAt);
    expect(starts).toEqual([...starts].sort().reverse());
    expect(model.listRuns({ limit: 10_000 }).items).toHaveLength(500);
    const cursor = model.listRuns({ sort: 'shortfall', limit: 3 }).nextCursor as string;
    expect(() => model.listRuns({ sort: 'shortfall', order: 'asc', cursor })).toThrow(BadCursorError);
    expect(() => model.listRuns({ cursor: 'not a cursor' })).toThrow(BadCursorError);
    expect(() => model.listRuns({ cursor: Buffer.from('[1]').toString('base64url') })).toThrow(BadCursorError);
    expect(() =>
      model.listRuns({
        cursor: Buffer.from(JSON.stringify({ k: 'runs:started:desc', v: 5, id: 'x' })).toString('base64url'),
      }),
    ).toThrow(BadCursorError);
    expect(() => model.orders(real['calm1'] as string, { cursor })).toThrow(BadCursorError);
  });

  it('gives a run whole: summary, per-parent figures in report order, the report', () => {
    const run = model.getRun(real['impact'] as string);
    expect(run).not.toBeNull();
    const report = run?.report as { parents: Array<{ id: string; shortfallBps: number; fillRatio: number }> };
    expect(run?.parents.map((p) => p.parentOrderId)).toEqual(report.parents.map((p) => p.id));
    expect(run?.parents.map((p) => p.shortfallBps)).toEqual(report.parents.map((p) => p.shortfallBps));
    expect(run).toMatchObject({ venue: 'binance-spot', symbol: 'BTCUSDT', mode: 'backtest', sweepId: null });
    // Five equal 1 BTC buys: each weighted by what it filled at its arrival price, as the CLI's
    // table weighs them; near their plain mean, since the arrival prices are close.
    const weighted = runShortfallBps(report.parents as unknown as Parameters<typeof runShortfallBps>[0]);
    expect(run?.shortfallBps).toBeCloseTo(weighted as number, 9);
    const mean = report.parents.reduce((s, p) => s + p.shortfallBps, 0) / report.parents.length;
    expect(run?.shortfallBps).toBeCloseTo(mean, 3);
    expect(run?.fillRatio).toBe(1);
    expect(model.getRun('no-such-run')).toBeNull();
    expect(model.scenarioOf(real['impact'] as string)).toMatchObject({ name: 'almgren-chriss-impact', seed: 9 });
  });

  it('pages orders, fills and events to the same rows as a read in one go', () => {
    const id = real['sweep'] as string;
    const s = model.summary(id) as RunSummary;
    const orders: unknown[] = [];
    for (let cursor: string | undefined, n = 0; n < 1000; n++) {
      const page = model.orders(id, { cursor, limit: 2 });
      orders.push(...(page?.items ?? []));
      if (!page?.nextCursor) break;
      cursor = page.nextCursor;
    }
    // The orders table has the parents too; the run's order count is its child orders.
    expect(orders.length).toBeGreaterThan(s.orders as number);
    expect(model.orders(id, { limit: 500 })?.items).toEqual(orders);
    expect(new Set(orders.map((o) => (o as { clientOrderId: string }).clientOrderId)).size).toBe(orders.length);
    const fills = model.fills(id, { limit: 500 })?.items ?? [];
    expect(fills).toHaveLength(s.fills as number);
    expect(fills.map((f) => f.seq)).toEqual([...fills.map((f) => f.seq)].sort((a, b) => a - b));
    const seqs: number[] = [];
    for (let from = 0, n = 0; n < 10_000; n++) {
      const page = model.events(id, { fromSeq: from, limit: 7 });
      seqs.push(...(page?.items ?? []).map((e) => e.seq));
      if (!page?.nextCursor) break;
      from = Number(page.nextCursor);
    }
    expect(seqs).toEqual(Array.from({ length: s.events }, (_, i) => i + 1));
    const created = model.events(id, { kinds: ['OrderCreated'], fromSeq: 1, toSeq: s.events, limit: 500 });
    expect(created?.items.every((e) => e.kind === 'OrderCreated' && typeof e.payload === 'object')).toBe(true);
    expect(model.orders('no-such-run', {})).toBeNull();
    expect(model.fills('no-such-run', {})).toBeNull();
    expect(model.events('no-such-run', {})).toBeNull();
  });

  it('compares two seeds of a scenario: deltas against the first, no scenario diff, different digests', () => {
    const a = model.getRun(real['calm1'] as string) as NonNullable<ReturnType<ReadModel['getRun']>>;
    const b = model.getRun(real['calm2'] as string) as NonNullable<ReturnType<ReadModel['getRun']>>;
    const c = model.compare([a.id, b.id, 'no-such-run']);
    expect(c.baseline).toBe(a.id);
    expect(c.unknown).toEqual(['no-such-run']);
    expect(c.runs.map((r) => [r.id, r.seed])).toEqual([
      [a.id, 1],
      [b.id, 2],
    ]);
    expect(c.runs[0]?.delta).toEqual({ shortfallBps: 0, fillRatio: 0, netPnl: 0, sharpe: 0 });
    expect(c.runs[1]?.delta.shortfallBps).toBeCloseTo((b.shortfallBps ?? NaN) - (a.shortfallBps ?? NaN), 5);
    expect(c.runs[1]?.delta.netPnl).toBeCloseTo((b.netPnl ?? NaN) - (a.netPnl ?? NaN), 5);
    expect(c.scenarioDiff).toEqual([]);
    expect(c.digestsEqual).toBe(false);
    expect(c.parents.map((p) => p.parentOrderId)).toEqual(a.parents.map((p) => p.parentOrderId));
    const parent = c.parents[0]?.runs[1];
    expect(parent?.delta?.shortfallBps).toBeCloseTo(
      (b.parents[0]?.shortfallBps ?? NaN) - (a.parents[0]?.shortfallBps ?? NaN),
      5,
    );
    // A run against itself: the same digest. Against another scenario: the fields that differ.
    expect(model.compare([a.id, a.id]).digestsEqual).toBe(true);
    const other = model.compare([a.id, real['impact'] as string]).scenarioDiff;
    expect(other).toEqual(expect.arrayContaining(['name', 'market.model']));
  });
});

describe('keyset paging', () => {
  it('pages concatenate to the full sorted list, without duplicates or gaps, for every sort and order', () => {
    const file = path.join(dir, 'paging.db');
    const db = openDatabase(file);
    const model = ReadModel.open(file, { liveness: () => live });
    const insert = db.prepare(
      `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at,
         sim_start, shortfall_bps, fill_ratio, passed)
       VALUES (?, ?, 'h', '{}', 1, 'v', 'finished', ?, 0, ?, ?, 1)`,
    );
    const run = fc.record({
      id: fc.stringMatching(/^[a-z0-9-]{1,6}$/),
      scenario: fc.constantFrom('a', 'b'),
      started: fc.integer({ min: 0, max: 4 }),
      shortfall: fc.option(
        fc.integer({ min: -2, max: 2 }).map((x) => x / 2),
        { nil: null },
      ),
      fillRatio: fc.option(fc.constantFrom(0, 0.5, 1), { nil: null }),
    });
    try {
      fc.assert(
        fc.property(
          fc.uniqueArray(run, { selector: (r) => r.id, maxLength: 40, size: 'max' }),
          fc.integer({ min: 1, max: 7 }),
          fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
          (runs, limit, scenarioFilter) => {
            db.transaction(() => {
              db.exec('DELETE FROM runs');
              for (const r of runs)
                insert.run(
                  r.id,
                  r.scenario,
                  new Date(Date.UTC(2025, 0, 1, 0, 0, r.started)).toISOString(),
                  r.shortfall,
                  r.fillRatio,
                );
            })();
            const kept = runs.filter((r) => scenarioFilter === undefined || r.scenario === scenarioFilter);
            const keys = {
              started: (r: (typeof runs)[number]) => r.started,
              shortfall: (r: (typeof runs)[number]) => r.shortfall,
              fillRatio: (r: (typeof runs)[number]) => r.fillRatio,
            };
            for (const sort of ['started', 'shortfall', 'fillRatio'] as const) {
              for (const order of ['asc', 'desc'] as const) {
                const sign = order === 'asc' ? 1 : -1;
                const key = keys[sort];
                // Rows with a value by (value, id) in the order asked, then rows without one by id.
                const want = [...kept]
                  .sort((x, y) => {
                    const vx = key(x);
                    const vy = key(y);
                    if (vx === null || vy === null) {
                      if (vx !== vy) return vx === null ? 1 : -1;
                    } else if (vx !== vy) return sign * (vx - vy);
                    return sign * (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
                  })
                  .map((r) => r.id);
                const got = allPages(model, { sort, order, limit, scenario: scenarioFilter }).map((s) => s.id);
                expect(got, `${sort} ${order} limit ${limit}`).toEqual(want);
              }
            }
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      model.close();
      db.close();
    }
  });
});

describe('deleting a run', () => {
  it('removes the run and every row of it in one transaction, and refuses a run still being written', () => {
    const file = path.join(dir, 'delete.db');
    const db = openDatabase(file);
    const store = new RunStore(db);
    const id = runInto(store, 'static-book-sweep');
    const keep = runInto(store, 'static-book-sweep');
    const loaded = loadScenarioFile(scenario('static-book-sweep'));
    // Written by this process, alive: busy.
    store.createRun({
      id: 'busy',
      scenarioName: 'made',
      scenarioHash: loaded.hash,
      scenarioJson: loaded.canonical,
      seed: 1,
      codeVersion: 'test',
      startedAt: new Date().toISOString(),
      simStart: 0,
    });
    const count = (table: string, run: string) =>
      table === 'events'
        ? storedCount(db, run)
        : (db
            .prepare(`SELECT COUNT(*) FROM ${table} WHERE ${table === 'runs' ? 'id' : 'run_id'} = ?`)
            .pluck()
            .get(run) as number);
    const tables = ['runs', 'events', 'orders', 'fills', 'parent_metrics'];
    // Its order and fill rows, built by a read (a backtest's are built on first read).
    projectRun(db, id);
    const before = Object.fromEntries(tables.map((t) => [t, count(t, id)]));
    expect(Object.values(before).every((n) => n > 0)).toBe(true);

    const admin = RunAdmin.open(file);
    try {
      // A failure at the last statement (the run row) leaves every row in place.
      db.exec(`CREATE TRIGGER x BEFORE DELETE ON runs BEGIN SELECT RAISE(ABORT, 'refused'); END`);
      expect(() => admin.deleteRunFn(id)).toThrow(/refused/);
      expect(Object.fromEntries(tables.map((t) => [t, count(t, id)]))).toEqual(before);
      db.exec('DROP TRIGGER x');

      expect(admin.deleteRun('busy')).toMatchObject({ kind: 'busy' });
      expect(count('runs', 'busy')).toBe(1);
      // Its heartbeat stale (shown as crashed), but its writer's pid alive on this host: still busy.
      db.prepare("UPDATE runs SET heartbeat_at = '2020-01-01T00:00:00.000Z' WHERE id = 'busy'").run();
      expect(admin.summary('busy')?.state).toBe('crashed');
      expect(admin.deleteRun('busy')).toMatchObject({ kind: 'busy' });
      expect(admin.deleteRunFn(id)).toEqual({ kind: 'deleted', events: before['events'] });
      for (const t of tables) expect(count(t, id), t).toBe(0);
      expect(count('runs', keep)).toBe(1);
      expect(admin.deleteRunFn(id)).toEqual({ kind: 'not_found' });
      expect(admin.deleteRun('busy', { force: true })).toEqual({ kind: 'deleted', events: 0 });
    } finally {
      admin.close();
      db.close();
    }
  });
});

describe('migration 5', () => {
  it('upgrades a version-4 file in place, filling the summary columns and parent rows from the stored JSON', () => {
    // The reference: runs written by this version (a finished one of each of two scenarios, and
    // one that died part-way, its event count kept current while it wrote).
    const v5file = path.join(dir, 'v5.db');
    const v5 = openDatabase(v5file);
    const store = new RunStore(v5);
    const ids = [runInto(store, 'twap-calm', 3), runInto(store, 'almgren-chriss-impact')];
    const loaded = loadScenarioFile(scenario('static-book-sweep'));
    store.createRun({
      id: 'died',
      scenarioName: loaded.scenario.name,
      scenarioHash: loaded.hash,
      scenarioJson: loaded.canonical,
      seed: 1,
      codeVersion: 'test',
      startedAt: BASE,
      simStart: 0,
    });
    const entries: Parameters<ReturnType<RunStore['writer']>['write']>[] = [];
    runScenario(loaded, {
      onEntry: (entry) => {
        if (entry.event.kind !== 'MarketSampled') entries.push([entry, canonicalLine(entry)]);
      },
    });
    const writer = store.writer('died', makeInstrument(loaded.scenario.instrument));
    entries.slice(0, 6).forEach(([entry, line]) => writer.write(entry, line));
    writer.commit();
    expect(v5.prepare("SELECT event_count FROM runs WHERE id = 'died'").pluck().get()).toBe(6);

    // The same rows in a version-4 file, as version 4 stored them (no event count until finished;
    // the log a row per entry).
    for (const id of [...ids, 'died']) asRows(v5, id);
    const v4file = path.join(dir, 'v4.db');
    const v4 = openDatabase(
      v4file,
      MIGRATIONS.filter((m) => m.version <= 4),
    );
    v4.exec(`ATTACH DATABASE '${v5file}' AS v5`);
    const v4cols = (v4.prepare("SELECT name FROM pragma_table_info('runs')").pluck().all() as string[]).join(', ');
    v4.exec(`INSERT INTO runs (${v4cols}) SELECT ${v4cols} FROM v5.runs;
      UPDATE runs SET event_count = 0 WHERE status <> 'finished';
      INSERT INTO events SELECT * FROM v5.events;
      INSERT INTO orders SELECT * FROM v5.orders;
      INSERT INTO fills SELECT * FROM v5.fills;`);
    v4.exec('DETACH DATABASE v5');
    expect(v4.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(4);
    v4.close();

    // A reader opening it brings it forward in place.
    const model = ReadModel.open(v4file);
    const reference = ReadModel.open(v5file);
    try {
      // The trading figures (migration 15) are set as a run finishes: a run stored before them
      // keeps none, its report unread.
      const trading = ['netPnl', 'trades', 'winRate', 'profitFactor', 'sharpe', 'maxDrawdown'] as const;
      for (const id of [...ids, 'died']) {
        const { heartbeatAt: _h, state: _s, ...upgraded } = model.getRun(id) ?? {};
        const { heartbeatAt: _h2, state: _s2, ...written } = reference.getRun(id) ?? {};
        const without = (r: Record<string, unknown>) =>
          Object.fromEntries(Object.entries(r).filter(([k]) => !(trading as readonly string[]).includes(k)));
        expect(without(upgraded), id).toEqual(without(written));
        expect(
          trading.map((k) => (upgraded as Record<string, unknown>)[k]),
          id,
        ).toEqual(trading.map(() => null));
      }
      expect(reference.getRun(ids[0] as string)?.netPnl).not.toBeNull();
      expect((model.getRun(ids[0] as string)?.parents ?? []).length).toBeGreaterThan(0);
      expect(model.summary('died')?.events).toBe(6);
    } finally {
      model.close();
      reference.close();
      v5.close();
    }
    const upgraded = openDatabase(v4file);
    expect(upgraded.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(
      Math.max(...MIGRATIONS.map((m) => m.version)),
    );
    upgraded.close();
  });
});
