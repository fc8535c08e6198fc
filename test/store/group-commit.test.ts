// Group commit: a writer writes whole commit units only, however it batches them. A grouped
// writer (runs without restarts) may hold several units; a durable one (runs continued from the
// store) has everything the log committed on disk when commit() returns (write-ahead), and groups
// only the ends of work. Whatever the batching, the store holds a gap-free prefix of the log that
// ends where a unit ends, and its projections are the fold of that prefix; a finished run reads
// back the same as one written a transaction per commit.
import fc from 'fast-check';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { expectIs } from '../support/hot-expect.ts';
import { canonicalLine, digestLines } from '../../src/core/log/event-log.ts';
import type { LogEntry, MarketSampled } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, type LoadedScenario } from '../../src/scenario/load-scenario.ts';
import { migrate, MIGRATIONS } from '../../src/store/migrations.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { ReadModel } from '../../src/store/read-model.ts';
import { HEARTBEAT_EVERY_MS, RunStore, type NewRun, type WriterOptions } from '../../src/store/run-store.ts';
import { storedSampleBlocks } from '../../src/store/sample-blocks.ts';
import { verifyRun } from '../../src/store/verify-run.ts';
import { asRows, storedRows } from '../support/stored-log.ts';

const TWAP = 'scenarios/twap-calm.yaml';

afterEach(() => {
  vi.useRealTimers();
});

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

let cached: { loaded: LoadedScenario; entries: { entry: LogEntry; line: string }[] } | null = null;
/** What the log of an unstored run of a TWAP scenario (parents, children, fills) gave its sinks,
 *  with the lines: its entries and, between them, its market samples. */
function twapEntries(): { loaded: LoadedScenario; entries: { entry: LogEntry; line: string }[] } {
  if (cached) return cached;
  const loaded = loadScenarioFile(TWAP);
  const entries: { entry: LogEntry; line: string }[] = [];
  runScenario(loaded, { onEntry: (entry) => entries.push({ entry, line: canonicalLine(entry) }) });
  cached = { loaded, entries };
  return cached;
}

/** Whether the log may end a unit after its first `k` entries: never between a parent's
 *  ParentOrderCreated and its last OrderCreated (the engine commits a TWAP with all its children). */
function mayEndAt(entries: readonly { entry: LogEntry }[], k: number): boolean {
  let pending = 0;
  for (let i = 0; i < k; i++) {
    const e = (entries[i] as { entry: LogEntry }).entry.event;
    if (e.kind === 'ParentOrderCreated') pending += e.totalSlices;
    if (e.kind === 'OrderCreated' && pending > 0) pending--;
  }
  return pending === 0;
}

const storedSeqs = (db: Database.Database, id: string): number[] => storedRows(db, id).map((r) => r.seq);

const isSample = (e: { entry: LogEntry }): boolean => e.entry.event.kind === 'MarketSampled';
/** A sample's fields as a plain object (the sampler's are instances of a class). */
const sampleFields = ({ kind: _, ...fields }: MarketSampled): Omit<MarketSampled, 'kind'> => ({ ...fields });
/** The log's own lines (what the digest is over): the samples' left out. */
const logLines = (entries: readonly { entry: LogEntry; line: string }[]): string[] =>
  entries.filter((e) => !isSample(e)).map((e) => e.line);

/** For each length L of the stream, how many of its first L items are entries (not samples). */
const entriesBefore = new WeakMap<object, number[]>();
function entriesIn(entries: readonly { entry: LogEntry; line: string }[], length: number): number {
  let counts = entriesBefore.get(entries);
  if (!counts) {
    counts = [0];
    for (const e of entries) counts.push((counts.at(-1) as number) + (isSample(e) ? 0 : 1));
    entriesBefore.set(entries, counts);
  }
  return counts[length] ?? -1;
}

/** The two counts storedPrefix reads, prepared once per handle. */
const prefixStatements = new WeakMap<Database.Database, { count: Database.Statement; samplesOf: Database.Statement }>();

function prefixReads(db: Database.Database): { count: Database.Statement; samplesOf: Database.Statement } {
  let reads = prefixStatements.get(db);
  if (reads === undefined) {
    reads = {
      count: db.prepare(
        `SELECT COALESCE(SUM(last_seq - first_seq + 1), 0) AS n, COALESCE(MAX(last_seq), 0) AS top
         FROM event_blocks WHERE run_id = ?`,
      ),
      samplesOf: db.prepare('SELECT COALESCE(SUM(samples), 0) FROM market_sample_blocks WHERE run_id = ?').pluck(),
    };
    prefixStatements.set(db, reads);
  }
  return reads;
}

/**
 * How much of the stream the store holds, which must be a prefix of it: the first L items, their
 * entries in events (seq 1, 2, ... without a gap) and their samples in market_sample_blocks.
 * Counted (cheap enough for every step of a property run); `full` also compares every stored
 * sample's seq, time and fields, in order, with the stream's. Fails the test when the store
 * holds anything else.
 */
function storedPrefix(
  db: Database.Database,
  id: string,
  entries: readonly { entry: LogEntry; line: string }[],
  full = false,
): number {
  // Counted from the blocks' seqs (their lines are read with `full`), through statements prepared
  // once per handle, and checked without calling expect unless they fail: this runs after every
  // step of every case.
  const { count, samplesOf } = prefixReads(db);
  const { n, top } = count.get(id) as { n: number; top: number };
  expectIs(top, n, 'the stored entries have a gap');
  const samples = samplesOf.get(id) as number;
  const length = n + samples;
  expectIs(entriesIn(entries, length), n, `${n} entries and ${samples} samples are not a prefix of the stream`);
  if (full) {
    expect(storedRows(db, id).map((r) => r.payload)).toEqual(
      logLines(entries.slice(0, length)).map((l) => l.split(' ').slice(3).join(' ').slice(0, -1)),
    );
    const expected = entries
      .slice(0, length)
      .filter(isSample)
      .map(({ entry }) => ({ seq: entry.seq, time: entry.time, ...sampleFields(entry.event as MarketSampled) }));
    expect(storedSampleBlocks(db, id)).toEqual(expected);
  }
  return length;
}

/** The rows of a run's tables, without the run id: what a reader gets back. */
function tables(db: Database.Database, id: string): Record<string, unknown[]> {
  const rows = (sql: string) =>
    (db.prepare(sql).all(id) as Record<string, unknown>[]).map(({ run_id: _, ...rest }) => rest);
  return {
    events: storedRows(db, id).map(({ run_id: _, ...rest }) => rest),
    samples: storedSampleBlocks(db, id),
    orders: rows('SELECT * FROM orders WHERE run_id = ? ORDER BY client_order_id'),
    fills: rows('SELECT * FROM fills WHERE run_id = ? ORDER BY seq, client_order_id, trade_id'),
    orphans: rows('SELECT * FROM orphan_orders WHERE run_id = ? ORDER BY client_order_id'),
  };
}

/** The read model's event kinds of a run, on an open handle. */
function kindsOf(db: Database.Database): { eventKinds(id: string): string[] } {
  class OnHandle extends ReadModel {
    constructor(handle: Database.Database) {
      super(handle);
    }
  }
  return new OnHandle(db);
}

type Mark = 'none' | 'commit' | 'unit' | 'beat';

describe('group commit', () => {
  it('never splits a unit: after every step the store holds a prefix ending at a unit end, and a durable writer has every commit', () => {
    const { loaded, entries } = twapEntries();
    const instrument = makeInstrument(loaded.scenario.instrument);
    const n = entries.length;
    expect(n).toBeGreaterThan(50);
    vi.useFakeTimers({ toFake: ['Date'] });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom<Mark>('none', 'none', 'none', 'commit', 'unit', 'beat'), {
          minLength: n,
          maxLength: n,
        }),
        fc.constantFrom<NonNullable<WriterOptions['commits']>>('grouped', 'durable'),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: n }),
        (marks, commits, batchEvents, stopAt) => {
          const store = new RunStore(openDatabase(':memory:'));
          try {
            store.createRun(newRun(loaded, 'r'));
            const writer = store.writer('r', instrument, { commits, batchEvents });
            // Where units end: after entry i when the log committed or a piece of work ended.
            const ends = new Set<number>([0]);
            for (let i = 0; i < stopAt; i++) {
              const { entry, line } = entries[i] as { entry: LogEntry; line: string };
              writer.write(entry, line);
              const given = marks[i] as Mark;
              const mark = (given === 'commit' || given === 'unit') && !mayEndAt(entries, i + 1) ? 'none' : given;
              if (mark === 'commit') writer.commit();
              if (mark === 'unit') writer.unitEnd();
              if (mark === 'commit' || mark === 'unit') ends.add(i + 1);
              if (mark === 'beat') {
                vi.setSystemTime(Date.now() + HEARTBEAT_EVERY_MS);
                writer.heartbeat();
              }
              // A prefix of what the log gave its sinks (entries without a gap, the samples
              // between them) that ends where a unit ends.
              const stored = storedPrefix(store.db, 'r', entries);
              expectIs(ends.has(stored), true);
              // Write-ahead: a durable writer's commit is on disk when commit() returns.
              if (commits === 'durable' && mark === 'commit') expectIs(stored, i + 1);
              // A heartbeat brings the store up to the last unit end.
              if (mark === 'beat') expectIs(stored, Math.max(...[...ends].filter((e) => e <= i + 1)));
            }
            if (stopAt < n) {
              // The process dies here: what is stored verifies as a run that died mid-way.
              const check = verifyRun(store, 'r');
              expect(check.problems).toEqual([]);
              expect(check.consistent).toBe(true);
              return;
            }
            expect(storedPrefix(store.db, 'r', entries, true)).toBe(n);
            store.finishRun(writer, {
              digest: digestLines(logLines(entries)),
              simEnd: 1,
              eventCount: logLines(entries).length,
              finishedAt: '2024-08-09T00:01:00.000Z',
              reportJson: '{}',
              passed: true,
            });
            const check = verifyRun(store, 'r');
            expect(check.problems).toEqual([]);
            expect(check.digestVerified).toBe(true);
            expect(check.events).toBe(logLines(entries).length);
          } finally {
            store.db.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a rollback writes the whole units buffered, drops the uncommitted tail, and writing goes on after it', () => {
    const { loaded, entries } = twapEntries();
    const instrument = makeInstrument(loaded.scenario.instrument);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).filter((k) => mayEndAt(entries, k)),
        fc.integer({ min: 0, max: 20 }),
        fc.constantFrom<NonNullable<WriterOptions['commits']>>('grouped', 'durable'),
        (unitAt, tail, commits) => {
          const store = new RunStore(openDatabase(':memory:'));
          try {
            store.createRun(newRun(loaded, 'r'));
            const writer = store.writer('r', instrument, { commits });
            // The durable log: the entries up to the unit end (samples are none of it).
            const durable = entries
              .slice(0, unitAt)
              .filter((e) => !isSample(e))
              .map((e) => e.entry);
            for (const { entry, line } of entries.slice(0, unitAt)) writer.write(entry, line);
            writer.unitEnd();
            for (const { entry, line } of entries.slice(unitAt, unitAt + tail)) writer.write(entry, line);
            // The crash: the durable log is the entries up to the unit end.
            writer.rollback(durable);
            expect(storedPrefix(store.db, 'r', entries, true)).toBe(unitAt);
            expect(storedSeqs(store.db, 'r')).toEqual(durable.map((e) => e.seq));
            expect(verifyRun(store, 'r').consistent).toBe(true);
            // The restarted process logs on from the durable log.
            for (const { entry, line } of entries.slice(unitAt)) writer.write(entry, line);
            writer.commit();
            writer.heartbeat();
            store.finishRun(writer, {
              digest: digestLines(logLines(entries)),
              simEnd: 1,
              eventCount: logLines(entries).length,
              finishedAt: '2024-08-09T00:01:00.000Z',
              reportJson: '{}',
              passed: true,
            });
            const check = verifyRun(store, 'r');
            expect(check.problems).toEqual([]);
            expect(check.digestVerified).toBe(true);
            expect(check.events).toBe(logLines(entries).length);
            expect(storedPrefix(store.db, 'r', entries, true)).toBe(entries.length);
          } finally {
            store.db.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a group-committed run reads back the same as one written a transaction per commit', () => {
    const { loaded, entries } = twapEntries();
    const store = new RunStore(openDatabase(':memory:'));
    try {
      // The run as `execsim run --db` stores it: no restarts, so its commits are grouped.
      expect(loaded.scenario.restarts).toEqual([]);
      const report = runScenario(loaded, { store, runId: 'grouped' });
      expect(report.events).toBe(logLines(entries).length);
      const row = store.getRun('grouped');
      expect(row).toMatchObject({ status: 'finished', digest: report.digest, event_count: report.events });
      const check = verifyRun(store, 'grouped');
      expect(check.problems).toEqual([]);
      expect(check.digestVerified).toBe(true);
      expect([...store.events('grouped')].map((e) => `${e.seq} ${e.time} ${e.kind} ${e.payload}\n`)).toEqual(
        logLines(entries),
      );
      expect(storedPrefix(store.db, 'grouped', entries, true)).toBe(entries.length);

      // The same log through a writer that commits after every entry (the most transactions).
      store.createRun(newRun(loaded, 'each'));
      const writer = store.writer('each', makeInstrument(loaded.scenario.instrument));
      for (const { entry, line } of entries) {
        writer.write(entry, line);
        writer.commit();
      }
      store.finishRun(writer, {
        digest: report.digest,
        simEnd: 1,
        eventCount: logLines(entries).length,
        finishedAt: '2024-08-09T00:01:00.000Z',
        reportJson: '{}',
        passed: true,
      });
      expect(tables(store.db, 'grouped')).toEqual(tables(store.db, 'each'));
      expect(store.getRun('grouped')).toMatchObject({
        order_count: store.getRun('each')?.order_count,
        fill_count: store.getRun('each')?.fill_count,
      });
    } finally {
      store.db.close();
    }
  });
});

describe('the kind index leaves market samples out', () => {
  const plan = (db: Database.Database, sql: string, ...args: unknown[]): string =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');

  it('the sparse kinds are read through it, samples (beside the log) through their time index', () => {
    const store = new RunStore(openDatabase(':memory:'));
    try {
      const report = runScenario(loadScenarioFile(TWAP), { store, runId: 'r' });
      expect(report.events).toBeGreaterThan(0);
      const db = store.db;
      // The planner's statistics, as a store that has grown gathers them (PRAGMA optimize at open).
      db.exec('ANALYZE');
      expect(
        plan(
          db,
          `SELECT samples, data FROM market_sample_blocks WHERE run_id = ? AND last_time >= ? AND first_time <= ?
           ORDER BY last_time, first_time, rowid`,
          'r',
          0,
          1,
        ),
      ).toMatch(/USING INDEX market_sample_blocks_time \(run_id=\? AND last_time>\?\)$/);
      expect(
        db.prepare("SELECT SUM(samples) FROM market_sample_blocks WHERE run_id = 'r'").pluck().get(),
      ).toBeGreaterThan(100);
      // The log is stored in blocks, whose kinds the block index carries.
      expect(
        plan(
          db,
          `SELECT first_seq, last_seq FROM event_blocks WHERE run_id = ? AND last_seq >= ? AND first_seq <= ?
           AND instr(kinds, ' OrderCreated ') > 0 ORDER BY last_seq`,
          'r',
          0,
          10,
        ),
      ).toMatch(/USING COVERING INDEX event_blocks_seq \(run_id=\? AND last_seq>\?\)$/);
      // The log's kinds: samples are no entries of it.
      const expected = [...new Set(storedRows(db, 'r').map((r) => r.kind))].sort();
      expect(expected).not.toContain('MarketSampled');
      expect(expected.length).toBeGreaterThan(10);
      expect([...kindsOf(db).eventKinds('r')].sort()).toEqual(expected);
      // The same log as rows (a run stored before blocks): read through the kind index.
      asRows(db, 'r');
      db.exec('ANALYZE');
      const indexed = db.prepare(
        "SELECT COUNT(*) FROM events INDEXED BY events_kind WHERE run_id = 'r' AND kind <> 'MarketSampled'",
      );
      expect(indexed.pluck().get()).toBeGreaterThan(0);
      expect(
        plan(
          db,
          "SELECT payload FROM events WHERE run_id = ? AND kind = 'OrderCreated' AND kind <> 'MarketSampled' ORDER BY seq",
          'r',
        ),
      ).toMatch(/USING (COVERING )?INDEX events_kind/);
      expect([...kindsOf(db).eventKinds('r')].sort()).toEqual(expected);
    } finally {
      store.db.close();
    }
  });

  it('a database from before the change is brought forward with its events kept', () => {
    const db = openDatabase(
      ':memory:',
      MIGRATIONS.filter((m) => m.version < 7),
    );
    try {
      db.prepare(
        `INSERT INTO runs (id, scenario_name, scenario_hash, scenario_json, seed, code_version, status, started_at, sim_start)
         VALUES ('old', 'old', 'h', '{}', 1, 'v', 'finished', '2024-01-01T00:00:00Z', 0)`,
      ).run();
      const insert = db.prepare("INSERT INTO events (run_id, seq, time, kind, payload) VALUES ('old', ?, ?, ?, '{}')");
      ['RunStarted', 'MarketSampled', 'OrderCreated', 'MarketSampled'].forEach((k, i) => insert.run(i + 1, i, k));
      expect(migrate(db)).toEqual(MIGRATIONS.filter((m) => m.version >= 7).map((m) => m.version));
      const sql =
        (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'events_kind'").pluck().get() as string) ?? '';
      expect(sql).toMatch(/WHERE kind <> 'MarketSampled'/);
      expect(
        db
          .prepare(
            "SELECT COUNT(*) FROM events INDEXED BY events_kind WHERE run_id = 'old' AND kind <> 'MarketSampled'",
          )
          .pluck()
          .get(),
      ).toBe(2);
      expect([...kindsOf(db).eventKinds('old')].sort()).toEqual(['MarketSampled', 'OrderCreated', 'RunStarted']);
    } finally {
      db.close();
    }
  });
});
