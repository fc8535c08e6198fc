// The SQLite store: pragmas, migrations (fresh, forward from an older file, refusing a newer
// one, the runs table rebuilt by migration 4 with its references intact), a full run written and
// read back (log, digest, projections), crash safety (a run that throws is 'failed', a run that
// dies stays 'running' with whole commit units only), and the run's writer: its pid, host and
// heartbeat, an interrupted run, and deleting a run with all its rows in one transaction.
import { storedCount, storedRows } from '../support/stored-log.ts';
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalLine, digestLines } from '../../src/core/log/event-log.ts';
import type { LogEntry, MarketSampled } from '../../src/core/model/events.ts';
import { clientOrderId, parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load-scenario.ts';
import { migrate, MIGRATIONS } from '../../src/store/migrations.ts';
import { BUSY_TIMEOUT_MS, openDatabase, PAGE_BYTES } from '../../src/store/open-database.ts';
import { RunGoneError, RunStore, type NewRun } from '../../src/store/run-store.ts';
import { storedSampleBlocks, type StoredSample } from '../../src/store/sample-blocks.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';

const ALL_VERSIONS = MIGRATIONS.map((m) => m.version);
const SWEEP = fileURLToPath(new URL('../../scenarios/static-book-sweep.yaml', import.meta.url));

let dir: string;
const open: Database.Database[] = [];

/** openDatabase in the test's temp dir; closed after the test. */
function openDb(name = 'execsim.db', migrations?: typeof MIGRATIONS): Database.Database {
  const db = openDatabase(path.join(dir, name), migrations);
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-store-'));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const versions = (db: Database.Database): number[] =>
  (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
    (r) => r.version,
  );

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (r) => r.name,
  );

const columns = (db: Database.Database, table: string): string[] =>
  (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((r) => r.name);

const seqs = (db: Database.Database, runId: string): number[] => storedRows(db, runId).map((r) => r.seq);

const range = (from: number, to: number): number[] =>
  Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

function newRun(loaded: LoadedScenario, id: string): NewRun {
  return {
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: loaded.scenario.seed,
    codeVersion: 'test',
    startedAt: '2024-08-09T00:00:00.000Z',
    simStart: 0,
  };
}

/** The log entries of an unstored run of the sweep scenario, with their canonical lines (its
 *  market samples, which are no entries, left out). */
function sweepEntries(): { loaded: LoadedScenario; entries: { entry: LogEntry; line: string }[] } {
  const loaded = loadScenarioFile(SWEEP);
  const entries: { entry: LogEntry; line: string }[] = [];
  runScenario(loaded, {
    onEntry: (entry) => {
      if (entry.event.kind !== 'MarketSampled') entries.push({ entry, line: canonicalLine(entry) });
    },
  });
  return { loaded, entries };
}

/** What the sinks were given as a sample, as the store reads it back. */
const sampleRow = (e: LogEntry): StoredSample => {
  const { kind: _, ...fields } = e.event as MarketSampled;
  return { seq: e.seq, time: e.time, ...fields };
};

describe('openDatabase', () => {
  it('sets the pragmas and applies every migration to a new file', () => {
    const file = path.join(dir, 'nested', 'dir', 'new.db');
    expect(fs.existsSync(file)).toBe(false);
    const db = openDatabase(file);
    open.push(db);
    expect(fs.existsSync(file)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(1);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(BUSY_TIMEOUT_MS);
    expect(db.pragma('page_size', { simple: true })).toBe(PAGE_BYTES);
    expect(versions(db)).toEqual(ALL_VERSIONS);
    const names = db.prepare('SELECT name FROM schema_migrations ORDER BY version').all() as { name: string }[];
    expect(names.map((r) => r.name)).toEqual(MIGRATIONS.map((m) => m.name));
    expect(tables(db)).toEqual(expect.arrayContaining(['runs', 'events', 'orders', 'fills', 'schema_migrations']));
  });

  it('keeps the page size of a file an earlier execsim made (4 KB pages, WAL) and stores in it', () => {
    const file = path.join(dir, 'small-pages.db');
    const old = new Database(file);
    old.pragma('journal_mode = WAL');
    migrate(old);
    old.close();
    const db = openDatabase(file);
    open.push(db);
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    expect(PAGE_BYTES).not.toBe(4096);
    const store = new RunStore(db);
    const report = runScenario(loadScenarioFile(SWEEP), { store });
    expect(store.getRun(report.runId)).toMatchObject({ status: 'finished', digest: report.digest });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('enforces foreign keys: no events for a run that does not exist', () => {
    const db = openDb();
    expect(() =>
      db
        .prepare(
          "INSERT INTO events (run_id, seq, time, kind, payload) VALUES ('no-such-run', 1, 0, 'RunStarted', '{}')",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('brings a database written with migration 1 only forward, keeping its rows', () => {
    const v1 = openDb('old.db', MIGRATIONS.slice(0, 1));
    expect(versions(v1)).toEqual([1]);
    expect(tables(v1)).not.toContain('orders');
    expect(columns(v1, 'runs')).not.toContain('order_count');
    v1.prepare(
      `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, digest,
         started_at, finished_at, sim_start, sim_end, event_count, error)
       VALUES ('old-run', 'old', 'h', '{}', 5, '0.0.1', 'finished', 'd1', '2024-01-01T00:00:00Z', '2024-01-01T00:00:01Z',
         1000, 2000, 17, NULL)`,
    ).run();
    v1.prepare(
      "INSERT INTO events (run_id, seq, time, kind, payload) VALUES ('old-run', 1, 1000, 'RunStarted', '{}')",
    ).run();
    v1.close();

    const db = openDb('old.db');
    expect(versions(db)).toEqual(ALL_VERSIONS);
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations WHERE version = 2').get()).toEqual({ n: 1 });
    expect(tables(db)).toEqual(expect.arrayContaining(['orders', 'fills']));
    const row = new RunStore(db).getRun('old-run');
    expect(row).toMatchObject({
      id: 'old-run',
      scenario_name: 'old',
      seed: 5,
      status: 'finished',
      digest: 'd1',
      sim_start: 1000,
      sim_end: 2000,
      event_count: 17,
      order_count: 0,
      fill_count: 0,
      report_json: null,
    });
    expect(seqs(db, 'old-run')).toEqual([1]);
    expect(migrate(db)).toEqual([]);
    db.close();

    const again = openDb('old.db');
    expect(migrate(again)).toEqual([]);
    expect(versions(again)).toEqual(ALL_VERSIONS);
    expect(new RunStore(again).listRuns().map((r) => r.id)).toEqual(['old-run']);
  });

  it('applies pending migrations in version order and reports them', () => {
    const db = new Database(':memory:');
    open.push(db);
    expect(migrate(db, [...MIGRATIONS].reverse())).toEqual(ALL_VERSIONS);
    expect(migrate(db)).toEqual([]);
  });

  it('rolls a failing migration back whole and does not record it', () => {
    const db = openDb();
    const broken = {
      version: Math.max(...ALL_VERSIONS) + 1,
      name: 'broken',
      sql: 'CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);',
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow(/no_such_table/);
    expect(tables(db)).not.toContain('half_done');
    expect(versions(db)).toEqual(ALL_VERSIONS);
  });

  it('refuses a database from a newer execsim with a clear error', () => {
    const db = openDb('future.db');
    db.prepare(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', '2030-01-01')",
    ).run();
    db.close();
    const newest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(() => openDatabase(path.join(dir, 'future.db'))).toThrow(
      `schema version 99 is newer than this execsim knows (${newest})`,
    );
  });

  it('refuses a version-2 database when it only knows migration 1', () => {
    openDb('v2.db').close();
    expect(() => openDatabase(path.join(dir, 'v2.db'), MIGRATIONS.slice(0, 1))).toThrow(/newer.*upgrade/);
  });
});

describe('RunStore round trip of a full run', () => {
  it('stores the run, its log, the digest and the projections', () => {
    const store = new RunStore(openDb());
    const loaded = loadScenarioFile(SWEEP);
    const entries: LogEntry[] = [];
    const report = runScenario(loaded, { store, onEntry: (e) => entries.push(e) });
    const db = store.db;

    const row = store.getRun(report.runId);
    expect(row).toBeDefined();
    if (!row) return;
    expect(row.status).toBe('finished');
    expect(row.digest).toBe(report.digest);
    expect(row.event_count).toBe(report.events);
    expect(row.fill_count).toBe(report.fills);
    expect(row.error).toBeNull();
    expect(row.finished_at).not.toBeNull();
    expect(row.scenario_name).toBe('static-book-sweep');
    expect(row.scenario_hash).toBe(loaded.hash);
    expect(row.seed).toBe(report.seed);
    expect((row.sim_end ?? 0) - row.sim_start).toBe(report.simulatedMs);
    expect(JSON.parse(row.report_json ?? 'null')).toEqual(JSON.parse(JSON.stringify(report)));
    const stored = db.prepare('SELECT scenario_json FROM runs WHERE id = ?').get(report.runId) as {
      scenario_json: string;
    };
    expect(stored.scenario_json).toBe(loaded.canonical);

    // The log: exactly seq 1..N, each line as hashed, and the digest recomputes.
    expect(report.events).toBeGreaterThan(10);
    expect(seqs(db, report.runId)).toEqual(range(1, report.events));
    const lines = [...store.events(report.runId)].map((e) => `${e.seq} ${e.time} ${e.kind} ${e.payload}\n`);
    const isSample = (e: LogEntry): boolean => e.event.kind === 'MarketSampled';
    expect(lines).toEqual(entries.filter((e) => !isSample(e)).map(canonicalLine));
    expect(digestLines(lines)).toBe(row.digest);
    // The market samples, beside the log: each with the seq of the entry it followed.
    const samples = entries.filter(isSample);
    expect(samples.length).toBeGreaterThan(0);
    expect(storedSampleBlocks(db, report.runId)).toEqual(samples.map(sampleRow));

    // The projections: a row per child and per parent (parents without parent_order_id), built
    // from the log by the first read (none before it).
    expect(db.prepare('SELECT COUNT(*) FROM orders WHERE run_id = ?').pluck().get(report.runId)).toBe(0);
    projectRun(db, report.runId);
    type OrderRow = {
      client_order_id: string;
      parent_order_id: string | null;
      slice_num: number | null;
      qty: string;
      filled_qty: string;
      status: string;
    };
    const orders = db
      .prepare(
        'SELECT client_order_id, parent_order_id, slice_num, qty, filled_qty, status FROM orders WHERE run_id = ? ORDER BY slice_num',
      )
      .all(report.runId) as OrderRow[];
    const parents = orders.filter((o) => o.parent_order_id === null);
    const children = orders.filter((o) => o.parent_order_id !== null);
    const childCount = report.parents.reduce((n, p) => n + p.childOrders, 0);
    expect(parents.map((p) => p.client_order_id).sort()).toEqual(report.parents.map((p) => p.id).sort());
    expect(children).toHaveLength(childCount);
    expect(row.order_count).toBe(childCount);
    for (const p of report.parents) {
      const parentRow = parents.find((o) => o.client_order_id === p.id);
      expect(parentRow).toMatchObject({ qty: p.qty, filled_qty: p.filledQty, status: p.status });
      const mine = children.filter((c) => c.parent_order_id === p.id);
      expect(mine.map((c) => [c.slice_num, c.filled_qty, c.status])).toEqual(
        p.children.map((c) => [c.sliceNum, c.filledQty, c.status]),
      );
    }
    const fills = db.prepare('SELECT COUNT(*) AS n FROM fills WHERE run_id = ?').get(report.runId) as { n: number };
    expect(report.fills).toBeGreaterThan(0);
    expect(fills.n).toBe(report.fills);
  });

  it('keeps two runs of the same scenario apart, with the same digest', () => {
    const store = new RunStore(openDb());
    const loaded = loadScenarioFile(SWEEP);
    const a = runScenario(loaded, { store });
    const b = runScenario(loaded, { store });
    expect(b.runId).not.toBe(a.runId);
    expect(b.digest).toBe(a.digest);
    expect(
      store
        .listRuns()
        .map((r) => r.id)
        .sort(),
    ).toEqual([a.runId, b.runId].sort());
    expect(seqs(store.db, a.runId)).toEqual(range(1, a.events));
    expect(seqs(store.db, b.runId)).toEqual(range(1, b.events));
  });
});

describe('crash safety', () => {
  it('marks a run that throws as failed, with its error and no digest', () => {
    const store = new RunStore(openDb());
    const loaded = loadScenarioFile(SWEEP);
    expect(() =>
      runScenario(loaded, {
        store,
        onEntry: (entry) => {
          if (entry.seq === 10) throw new Error('boom at seq 10');
        },
      }),
    ).toThrow('boom at seq 10');
    const runs = store.listRuns();
    expect(runs).toHaveLength(1);
    const row = runs[0];
    expect(row?.status).toBe('failed');
    expect(row?.digest).toBeNull();
    expect(row?.error).toContain('boom at seq 10');
    expect(row?.finished_at).not.toBeNull();
    expect(row?.report_json).toBeNull();
    // What was logged before the failure is kept, in order, for diagnosis.
    const stored = seqs(store.db, row?.id ?? '');
    expect(stored.length).toBeGreaterThanOrEqual(9);
    expect(stored).toEqual(range(1, stored.length));
  });

  it('leaves a run that dies without finishing as running, with only whole commits written', () => {
    const { loaded, entries } = sweepEntries();
    const file = path.join(dir, 'crash.db');
    const store = new RunStore(openDb('crash.db'));
    store.createRun(newRun(loaded, 'crashed'));
    const writer = store.writer('crashed', makeInstrument(loaded.scenario.instrument));
    entries.slice(0, 10).forEach(({ entry, line }, i) => {
      writer.write(entry, line);
      if (i === 2 || i === 7) writer.commit();
    });
    // The process dies here: no finishRun, no failRun, the two entries after the last commit are lost.
    store.db.close();

    const reopened = new RunStore(openDatabase(file));
    open.push(reopened.db);
    const row = reopened.getRun('crashed');
    expect(row?.status).toBe('running');
    expect(row?.digest).toBeNull();
    expect(row?.finished_at).toBeNull();
    expect(seqs(reopened.db, 'crashed')).toEqual(range(1, 8));
  });

  it('a write that fails part-way is written again whole: entries, samples, orders and fills as if it had not failed', () => {
    const loaded = loadScenarioFile(SWEEP);
    const stream: LogEntry[] = [];
    runScenario(loaded, { onEntry: (entry) => stream.push(entry) });
    const written = stream.slice(0, 120);
    /** A durable writer given the first 120 items, committing after every third entry; with
     *  `refuse`, the commit that writes entry `refuse` fails once (its transaction rolls back). */
    const write = (refuse: number | null): RunStore => {
      const store = new RunStore(openDb(`refuse-${refuse ?? 'none'}.db`));
      store.createRun(newRun(loaded, 'r1'));
      const writer = store.writer('r1', makeInstrument(loaded.scenario.instrument));
      if (refuse !== null)
        store.db.exec(
          `CREATE TEMP TRIGGER refuse BEFORE INSERT ON event_blocks WHEN NEW.first_seq <= ${refuse} AND NEW.last_seq >= ${refuse}
           BEGIN SELECT RAISE(ABORT, 'disk trouble'); END`,
        );
      let failed = 0;
      for (const entry of written) {
        writer.write(entry, canonicalLine(entry));
        if (entry.event.kind === 'MarketSampled' || entry.seq % 3 !== 0) continue;
        try {
          writer.commit();
        } catch (err) {
          failed++;
          expect(String(err)).toMatch(/disk trouble/);
          store.db.exec('DROP TRIGGER refuse');
        }
      }
      expect(failed).toBe(refuse === null ? 0 : 1);
      store.failRun(writer, 'r1', 'stopped', '2024-08-09T00:00:01.000Z');
      return store;
    };
    const rows = (store: RunStore, sql: string): unknown[] => store.db.prepare(sql).all('r1');
    const reference = write(null);
    const samples = written.filter((e) => e.event.kind === 'MarketSampled');
    const fills = rows(reference, 'SELECT * FROM fills WHERE run_id = ? ORDER BY seq, trade_id');
    expect(samples.length).toBeGreaterThan(0);
    expect(fills.length).toBeGreaterThan(0);
    // The failing commit is one with a fill in it, and samples before it in its unit.
    const firstFill = (fills[0] as { seq: number }).seq;
    for (const refuse of [firstFill, firstFill + 1, 5]) {
      const store = write(refuse);
      expect(seqs(store.db, 'r1')).toEqual(written.filter((e) => e.event.kind !== 'MarketSampled').map((e) => e.seq));
      expect(storedSampleBlocks(store.db, 'r1')).toEqual(samples.map(sampleRow));
      for (const sql of [
        'SELECT * FROM fills WHERE run_id = ? ORDER BY seq, trade_id',
        'SELECT * FROM orders WHERE run_id = ? ORDER BY client_order_id',
      ])
        expect(rows(store, sql)).toEqual(rows(reference, sql));
      expect(store.getRun('r1')).toMatchObject({ status: 'failed', fill_count: reference.getRun('r1')?.fill_count });
    }
  });

  it('never turns a failed run into a finished one', () => {
    const { loaded, entries } = sweepEntries();
    const store = new RunStore(openDb());
    store.createRun(newRun(loaded, 'r1'));
    const writer = store.writer('r1', makeInstrument(loaded.scenario.instrument));
    for (const { entry, line } of entries.slice(0, 5)) writer.write(entry, line);
    store.failRun(writer, 'r1', 'venue exploded', '2024-08-09T00:00:01.000Z');
    store.finishRun(writer, {
      digest: 'x',
      simEnd: 1,
      eventCount: 5,
      finishedAt: '2024-08-09T00:00:02.000Z',
      reportJson: '{}',
      passed: true,
    });
    expect(store.getRun('r1')).toMatchObject({
      status: 'failed',
      digest: null,
      error: 'venue exploded',
      report_json: null,
    });
    expect(seqs(store.db, 'r1')).toEqual(range(1, 5));
  });
});

describe('RunWriter commits', () => {
  it('writes at commits only: another connection sees whole commit units, never part of one', () => {
    const { loaded, entries } = sweepEntries();
    expect(entries.length).toBeGreaterThanOrEqual(7);
    const file = path.join(dir, 'commits.db');
    const store = new RunStore(openDb('commits.db'));
    store.createRun(newRun(loaded, 'committed'));
    const writer = store.writer('committed', makeInstrument(loaded.scenario.instrument));
    const reader = new Database(file, { readonly: true });
    open.push(reader);
    const visible = (): number[] => seqs(reader, 'committed');
    const parentRows = (): string[] =>
      (
        reader
          .prepare(
            "SELECT client_order_id FROM orders WHERE run_id = 'committed' AND parent_order_id IS NULL ORDER BY client_order_id",
          )
          .all() as {
          client_order_id: string;
        }[]
      ).map((r) => r.client_order_id);
    const parentsCreated = (n: number): string[] =>
      entries
        .slice(0, n)
        .flatMap(({ entry }) => (entry.event.kind === 'ParentOrderCreated' ? [entry.event.parentId as string] : []))
        .sort();

    const write = (i: number) => {
      const e = entries[i];
      if (e) writer.write(e.entry, e.line);
    };
    expect(parentsCreated(3)).not.toEqual([]);
    write(0);
    write(1);
    write(2);
    expect(visible()).toEqual([]);
    writer.commit();
    expect(visible()).toEqual([1, 2, 3]);
    expect(parentRows()).toEqual(parentsCreated(3));
    writer.commit(); // nothing new: nothing written
    expect(visible()).toEqual([1, 2, 3]);
    write(3);
    write(4);
    write(5);
    expect(visible()).toEqual([1, 2, 3]);
    writer.commit();
    expect(visible()).toEqual(range(1, 6));
    expect(parentRows()).toEqual(parentsCreated(6));
    write(6);
    expect(visible()).toEqual(range(1, 6));
    expect(reader.prepare("SELECT status FROM runs WHERE id = 'committed'").get()).toEqual({ status: 'running' });

    // The end of the run writes the uncommitted rest with the finished row.
    store.finishRun(writer, {
      digest: digestLines(entries.slice(0, 7).map((e) => e.line)),
      simEnd: 1,
      eventCount: 7,
      finishedAt: '2024-08-09T00:01:00.000Z',
      reportJson: '{}',
      passed: true,
    });
    expect(visible()).toEqual(range(1, 7));
    expect(reader.prepare("SELECT status, event_count FROM runs WHERE id = 'committed'").get()).toEqual({
      status: 'finished',
      event_count: 7,
    });
    const lines = [...new RunStore(reader).events('committed')].map(
      (e) => `${e.seq} ${e.time} ${e.kind} ${e.payload}\n`,
    );
    expect(digestLines(lines)).toBe(store.getRun('committed')?.digest);
  });

  it('writes a commit unit of 12,000 entries (a TWAP parent and its children) in one transaction', () => {
    // More than the 5,000-entry batches the writer once cut units into: a reader must see the
    // whole TWAP or none of it.
    const loaded = loadScenarioFile(SWEEP);
    const instrument = makeInstrument(loaded.scenario.instrument);
    const file = path.join(dir, 'unit.db');
    const store = new RunStore(openDb('unit.db'));
    store.createRun(newRun(loaded, 'unit'));
    const writer = store.writer('unit', instrument);
    const reader = new Database(file, { readonly: true });
    open.push(reader);
    const slices = 12_000;
    const unit: LogEntry[] = [
      { seq: 1, time: 0, event: { kind: 'RunStarted', scenario: 'unit', symbol: instrument.symbol, startTime: 0 } },
      {
        seq: 2,
        time: 0,
        event: {
          kind: 'ParentOrderCreated',
          parentId: parentOrderId('big'),
          symbol: instrument.symbol,
          side: 'buy',
          qty: slices,
          type: 'market',
          tif: 'GTC',
          limitPrice: null,
          totalSlices: slices,
          route: 'twap',
          arrivalBid: null,
          arrivalAsk: null,
          source: 'test',
        },
      },
    ];
    for (let n = 1; n <= slices; n++) {
      unit.push({
        seq: 2 + n,
        time: 0,
        event: {
          kind: 'OrderCreated',
          clientOrderId: clientOrderId(`big-${n}`),
          parentId: parentOrderId('big'),
          sliceNum: n,
          totalSlices: slices,
          scheduledTime: n * 1000,
          symbol: instrument.symbol,
          side: 'buy',
          type: 'market',
          tif: 'IOC',
          qty: 1,
          limitPrice: null,
          stopPrice: null,
        },
      });
    }
    for (const entry of unit) writer.write(entry, canonicalLine(entry));
    expect(seqs(reader, 'unit')).toEqual([]);
    writer.commit();
    expect(seqs(reader, 'unit')).toEqual(range(1, slices + 2));
    const children = reader
      .prepare("SELECT COUNT(*) AS n FROM orders WHERE run_id = 'unit' AND parent_order_id = 'big'")
      .get() as { n: number };
    expect(children.n).toBe(slices);
    expect(
      reader.prepare("SELECT total_slices, status FROM orders WHERE run_id = 'unit' AND client_order_id = 'big'").get(),
    ).toEqual({
      total_slices: slices,
      status: 'working',
    });
  });

  it('stores the log up to the last commit before the process died, for any commit points and moment of death', () => {
    const { loaded, entries } = sweepEntries();
    const instrument = makeInstrument(loaded.scenario.instrument);
    let n = 0;
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: entries.length - 1 }), { maxLength: entries.length }),
        fc.integer({ min: 0, max: entries.length }),
        (commitAfter, diesAfter) => {
          const name = `p${n++}.db`;
          const store = new RunStore(openDb(name));
          store.createRun(newRun(loaded, 'p'));
          const writer = store.writer('p', instrument);
          let committed = 0;
          entries.slice(0, diesAfter).forEach(({ entry, line }, i) => {
            writer.write(entry, line);
            if (commitAfter.includes(i)) {
              writer.commit();
              committed = i + 1;
            }
          });
          store.db.close();
          const reopened = openDb(name);
          expect(seqs(reopened, 'p')).toEqual(range(1, committed));
          // The projections are those of the stored prefix: a parent row only with its children.
          const stored = entries.slice(0, committed);
          const parents = stored.filter((e) => e.entry.event.kind === 'ParentOrderCreated').length;
          const children = stored.filter((e) => e.entry.event.kind === 'OrderCreated').length;
          const rows = reopened
            .prepare(
              "SELECT SUM(parent_order_id IS NULL) AS parents, SUM(parent_order_id IS NOT NULL) AS children FROM orders WHERE run_id = 'p'",
            )
            .get() as { parents: number | null; children: number | null };
          expect([rows.parents ?? 0, rows.children ?? 0]).toEqual([parents, children]);
          reopened.close();
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('migration 4: run writer, heartbeat, interrupted, passed', () => {
  it('brings a version-3 database forward: rows and references kept, passed filled in from the report, foreign keys on', () => {
    const v3 = openDb(
      'v3.db',
      MIGRATIONS.filter((m) => m.version <= 3),
    );
    const insert = v3.prepare(
      `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start, report_json)
       VALUES (?, 's', 'h', '{}', 1, 'v', ?, '2024-01-01T00:00:00Z', 0, ?)`,
    );
    insert.run('ok', 'finished', '{"passed":true}');
    insert.run('bad', 'finished', '{"passed":false}');
    insert.run('alive', 'running', null);
    v3.prepare("INSERT INTO events (run_id, seq, time, kind, payload) VALUES ('ok', 1, 0, 'RunStarted', '{}')").run();
    v3.close();

    const db = openDb('v3.db');
    expect(versions(db)).toEqual(ALL_VERSIONS);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const got = db.prepare('SELECT id, status, passed, writer_pid, heartbeat_at FROM runs ORDER BY id').all();
    expect(got).toEqual([
      { id: 'alive', status: 'running', passed: null, writer_pid: null, heartbeat_at: null },
      { id: 'bad', status: 'finished', passed: 0, writer_pid: null, heartbeat_at: null },
      { id: 'ok', status: 'finished', passed: 1, writer_pid: null, heartbeat_at: null },
    ]);
    expect(seqs(db, 'ok')).toEqual([1]);
    // The rebuilt table is still the one events reference, and takes the new status.
    expect(() =>
      db
        .prepare("INSERT INTO events (run_id, seq, time, kind, payload) VALUES ('nobody', 1, 0, 'RunStarted', '{}')")
        .run(),
    ).toThrow(/FOREIGN KEY/);
    db.prepare("UPDATE runs SET status = 'interrupted' WHERE id = 'alive'").run();
    expect(() => db.prepare("UPDATE runs SET status = 'bogus' WHERE id = 'alive'").run()).toThrow(/CHECK/);
  });
});

describe('RunStore: writer, interrupt, delete', () => {
  it('records the writer (pid, host) and a heartbeat; interruptRun marks a running run only', () => {
    const { loaded } = sweepEntries();
    const store = new RunStore(openDb());
    store.createRun(newRun(loaded, 'r'));
    const row = store.getRun('r');
    expect(row).toMatchObject({
      status: 'running',
      writer_pid: process.pid,
      writer_host: os.hostname(),
      passed: null,
      stored_events: 0,
    });
    expect(Date.parse(row?.heartbeat_at ?? '')).toBeGreaterThan(0);
    store.interruptRun('r', 'SIGTERM', '2024-08-09T00:00:05.000Z');
    expect(store.getRun('r')).toMatchObject({
      status: 'interrupted',
      error: 'SIGTERM',
      finished_at: '2024-08-09T00:00:05.000Z',
    });
    // Never a finished run turned interrupted.
    const done = runScenario(loaded, { store });
    store.interruptRun(done.runId, 'SIGINT', '2030-01-01T00:00:00.000Z');
    expect(store.getRun(done.runId)).toMatchObject({
      status: 'finished',
      passed: 1,
      error: null,
      stored_events: done.events,
    });
  });

  it('deleteRun removes a run with all its rows in one transaction, and nothing of other runs', () => {
    const store = new RunStore(openDb());
    const loaded = loadScenarioFile(
      fileURLToPath(new URL('../../scenarios/restart-orphan-at-startup.yaml', import.meta.url)),
    );
    const a = runScenario(loaded, { store });
    const b = runScenario(loaded, { store });
    const counts = (id: string) => [
      storedCount(store.db, id),
      ...['orders', 'fills', 'orphan_orders'].map(
        (t) => store.db.prepare(`SELECT COUNT(*) FROM ${t} WHERE run_id = ?`).pluck().get(id) as number,
      ),
    ];
    const before = counts(b.runId);
    expect(counts(a.runId).every((n) => n > 0)).toBe(true);

    // A failure at the last statement (the run row) undoes every delete before it.
    store.db.exec("CREATE TEMP TRIGGER refuse BEFORE DELETE ON runs BEGIN SELECT RAISE(ABORT, 'refused'); END");
    expect(() => store.deleteRun(a.runId)).toThrow('refused');
    expect(counts(a.runId).every((n) => n > 0)).toBe(true);
    store.db.exec('DROP TRIGGER refuse');

    expect(store.deleteRun(a.runId)).toMatchObject({ events: a.events });
    expect(counts(a.runId)).toEqual([0, 0, 0, 0]);
    expect(store.getRun(a.runId)).toBeUndefined();
    expect(counts(b.runId)).toEqual(before);
  });

  it('the writer refreshes the heartbeat at most once a second, and stops when its run is gone', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2024-08-09T00:00:00.000Z'));
      const { loaded, entries } = sweepEntries();
      const store = new RunStore(openDb());
      store.createRun(newRun(loaded, 'h'));
      const writer = store.writer('h', makeInstrument(loaded.scenario.instrument));
      const beat = () => store.getRun('h')?.heartbeat_at;
      expect(beat()).toBe('2024-08-09T00:00:00.000Z');
      vi.setSystemTime(new Date('2024-08-09T00:00:00.900Z'));
      writer.heartbeat();
      expect(beat()).toBe('2024-08-09T00:00:00.000Z');
      vi.setSystemTime(new Date('2024-08-09T00:00:01.500Z'));
      writer.heartbeat();
      expect(beat()).toBe('2024-08-09T00:00:01.500Z');
      // A commit a second later beats too, in its transaction.
      vi.setSystemTime(new Date('2024-08-09T00:00:03.000Z'));
      const first = entries[0];
      if (!first) throw new Error('no entries');
      writer.write(first.entry, first.line);
      writer.commit();
      expect(beat()).toBe('2024-08-09T00:00:03.000Z');

      // Another process deletes the run: the next heartbeat or commit says so.
      store.deleteRun('h');
      vi.setSystemTime(new Date('2024-08-09T00:00:05.000Z'));
      expect(() => writer.heartbeat()).toThrow(RunGoneError);
      const second = entries[1];
      if (!second) throw new Error('no entries');
      writer.write(second.entry, second.line);
      expect(() => writer.commit()).toThrow(RunGoneError);
    } finally {
      vi.useRealTimers();
    }
  });
});
