// A grouped run's writes on the writer thread: whatever the run hands over when, the store ends
// exactly as the run's own grouped writer leaves it (events, orders, fills, the finished run row),
// its order rows read from the process's ledger as the harness hands it over; a stop leaves whole
// units only, with the rows of those units and none of what came after; a write that fails fails
// the run instead of being lost.
import { rowsWithout, storedCount, storedRows } from '../support/stored-log.ts';
import fc from 'fast-check';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { canonicalLine, EventLog } from '../../src/core/log/event-log.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import type { LogLine } from '../../src/core/ports/event-sink.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { OrderLedger } from '../../src/core/order/order-ledger.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { prepareRun } from '../../src/host/backtest-world.ts';
import { GROUPED_THREAD_EVENTS, ThreadedRunWriter } from '../../src/store/threaded-writer.ts';
import { PERSIST_RUN } from '../../bench/persist.bench.ts';
import { loadScenarioFile, parseScenario, type LoadedScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore, type RunTotals } from '../../src/store/run-store.ts';
import { storedSampleBlocks, type StoredSample } from '../../src/store/sample-blocks.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';
import { verifyRun } from '../../src/store/verify-run.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-threaded-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshStore = (): RunStore => new RunStore(openDatabase(path.join(dir, `s${files++}.db`)));

type Step = { entry: LogEntry; line: string } | null;

const utf8 = new TextEncoder();
/** A recorded line as the event log lends it to a sink (its UTF-8 bytes, its text). */
function lent(text: string): LogLine {
  const bytes = utf8.encode(text);
  return { text: () => text, byteLength: bytes.length, copyTo: (target, offset) => target.set(bytes, offset) };
}

/** Hands `steps` to `writer` as a run's process does: its ledger followed from the start, each
 *  entry applied right after the sinks have it (harness.ts), a commit at each null; `beats`: the
 *  steps before which the clock's heartbeat comes. */
function feed(writer: ThreadedRunWriter, steps: readonly Step[], beats: readonly number[] = []): OrderLedger {
  const ledger = new OrderLedger();
  writer.follow(ledger);
  steps.forEach((t, i) => {
    if (beats.includes(i)) writer.heartbeat();
    if (t === null) writer.commit();
    else {
      writer.write(t.entry, lent(t.line));
      if (t.entry.event.kind !== 'MarketSampled') ledger.apply(t.entry);
    }
  });
  return ledger;
}

/** A run's log with a null wherever the log committed. */
function record(loaded: LoadedScenario): Step[] {
  const s = loaded.scenario;
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const trace: Step[] = [];
  const run = prepareRun({
    scenario: s,
    file: loaded.file,
    clock,
    rng: new Rng(s.seed),
    log: new EventLog(clock),
    instrument: makeInstrument(s.instrument),
    start,
    sinks: [{ write: (entry, line) => trace.push({ entry, line: line.text() }), commit: () => trace.push(null) }],
  });
  clock.advanceTo(start + parseDurationMs(s.duration));
  run.audit();
  return trace;
}

const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
const trace = record(loaded);
const instrument = makeInstrument(loaded.scenario.instrument);
/** What the log gave its sinks (entries and, between them, market samples). */
const events = trace.filter((t) => t !== null).length;
const isSample = (t: Step): boolean => t !== null && t.entry.event.kind === 'MarketSampled';
/** The log's entries alone. */
const entryCount = trace.filter((t) => t !== null && !isSample(t)).length;

const totals: RunTotals = {
  digest: 'd',
  simEnd: 1,
  eventCount: events,
  finishedAt: '2024-08-09T01:00:00.000Z',
  reportJson: '{"parents":[]}',
  passed: true,
};

function create(store: RunStore, id: string): void {
  store.createRun({
    id,
    scenarioName: loaded.scenario.name,
    scenarioHash: loaded.hash,
    scenarioJson: loaded.canonical,
    seed: loaded.scenario.seed,
    codeVersion: 'test',
    startedAt: '2024-08-09T00:00:00.000Z',
    simStart: 0,
  });
}

/** The rows of a run's tables without what names the writer or when it ran, its order and fill
 *  rows as a reader sees them: a grouped run's are built from its log by the first read. */
function tables(db: Database.Database, id: string): Record<string, unknown[]> {
  projectRun(db, id);
  const rows = (sql: string) => rowsWithout(db, sql, id);
  return {
    runs: rows('SELECT * FROM runs WHERE id = ?'),
    // Decoded: the log's blocks follow the writer's transactions and hand-overs, the entries not.
    events: storedRows(db, id).map(({ run_id: _, ...rest }) => rest),
    // Decoded: the blocks' bounds follow the writer's transactions, the samples must not.
    samples: storedSampleBlocks(db, id),
    orders: rows('SELECT * FROM orders WHERE run_id = ? ORDER BY client_order_id'),
    fills: rows('SELECT * FROM fills WHERE run_id = ? ORDER BY seq, client_order_id, trade_id'),
  };
}

/** What the run's own grouped writer stores for the log's first `cut` steps, finished there. */
function expected(cut: number, log: readonly Step[] = trace): Record<string, unknown[]> {
  const store = freshStore();
  create(store, 'r');
  const writer = store.writer('r', instrument, { commits: 'grouped' });
  for (const t of log.slice(0, cut))
    if (t === null) writer.commit();
    else writer.write(t.entry, t.line);
  store.finishRun(writer, totals);
  const rows = tables(store.db, 'r');
  store.db.close();
  return rows;
}

describe('the writer thread', () => {
  it('stores what the run writes itself, byte for byte, wherever the thread starts, however it batches and wherever the run ends', () => {
    expect(events).toBeGreaterThan(1_000);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: events + 10 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.integer({ min: 1, max: 5_000 }),
        fc.array(fc.integer({ min: 0, max: trace.length }), { maxLength: 5 }),
        fc.integer({ min: 0, max: trace.length }),
        fc.boolean(),
        (threadEvents, postEvents, batchEvents, beats, cut, thread) => {
          const store = freshStore();
          create(store, 'r');
          const writer = new ThreadedRunWriter(store, 'r', {
            threadEvents,
            postEvents,
            batchEvents,
            thread,
          });
          feed(writer, trace.slice(0, cut), beats);
          writer.finish(totals);
          expect(tables(store.db, 'r')).toEqual(expected(cut));
          store.db.close();
        },
      ),
      {
        numRuns: 12,
        examples: [
          [1, 100, 100, [], trace.length, true],
          [1, 100, 100, [], trace.length, false],
        ],
      },
    );
  });

  it('stores lines of any text and length as they were logged: beyond ASCII, and longer than what is handed over at once', () => {
    const samples = trace.flatMap((t, i) => (t?.entry.event.kind === 'MarketSampled' ? [i] : []));
    expect(samples.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            sample: fc.nat({ max: samples.length - 1 }),
            text: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
            repeat: fc.integer({ min: 1, max: 40_000 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        fc.integer({ min: 1, max: 2_000 }),
        fc.boolean(),
        (notes, threadEvents, thread) => {
          // A sample's line with a note in its payload (a kind the writer stores without reading).
          const log = [...trace];
          for (const { sample, text, repeat } of notes) {
            const at = samples[sample] as number;
            const { entry } = log[at] as { entry: LogEntry };
            const note = JSON.stringify({ note: text.repeat(repeat) });
            log[at] = { entry, line: `${entry.seq} ${entry.time} ${entry.event.kind} ${note}\n` };
          }
          const store = freshStore();
          create(store, 'r');
          const writer = new ThreadedRunWriter(store, 'r', { threadEvents, thread });
          feed(writer, log);
          writer.finish(totals);
          expect(tables(store.db, 'r')).toEqual(expected(log.length, log));
          store.db.close();
        },
      ),
      { numRuns: 6, examples: [[[{ sample: 3, text: 'é€😀', repeat: 40_000 }], 1, true]] },
    );
  });

  it.each([true, false])(
    'a stop stores whole units only: the prefix up to the last commit, marked interrupted (thread: %s)',
    (thread) => {
      const store = freshStore();
      create(store, 'r');
      const writer = new ThreadedRunWriter(store, 'r', { threadEvents: 1, thread });
      const cut = Math.floor(trace.length / 2);
      feed(writer, trace.slice(0, cut));
      writer.interrupt('SIGINT', '2024-08-09T00:30:00.000Z');
      const seqs = storedRows(store.db, 'r').map((r) => r.seq);
      const committed = trace.slice(0, cut).lastIndexOf(null);
      const units = trace
        .slice(0, committed)
        .filter((t) => t !== null && !isSample(t))
        .map((t) => (t as { entry: LogEntry }).entry.seq);
      expect(units.length).toBeGreaterThan(0);
      expect(units.length).toBeLessThan(trace.slice(0, cut).filter((t) => t !== null && !isSample(t)).length);
      expect(seqs).toEqual(units);
      // The orders and fills of those units as a fold of them has them, nothing of what came after.
      const stored = tables(store.db, 'r');
      const prefix = expected(committed);
      expect(stored.orders).toEqual(prefix.orders);
      expect(stored.fills).toEqual(prefix.fills);
      expect(stored.fills?.length).toBeLessThan(expected(cut).fills?.length ?? 0);
      // The samples of those units, and none after.
      const samples = storedSampleBlocks(store.db, 'r').length;
      expect(samples).toBe(trace.slice(0, committed).filter(isSample).length);
      expect(samples).toBeGreaterThan(0);
      expect(store.getRun('r')?.status).toBe('interrupted');
      // No final digest; the digest its writer recorded of the prefix it stored is the log's.
      expect(verifyRun(store, 'r')).toMatchObject({ digestVerified: true, consistent: true, problems: [] });
      store.db.close();
    },
  );

  it('a run that fails in applying an entry is stored as failed with everything it logged, that entry too', () => {
    for (const [threadEvents, thread] of [
      [1, true],
      [1, false],
      [1_000_000, true],
    ] as const) {
      const store = freshStore();
      create(store, 'r');
      const writer = new ThreadedRunWriter(store, 'r', { threadEvents, thread });
      const at = trace.findIndex((t, i) => i > trace.length / 2 && t?.entry.event.kind === 'FillReport');
      feed(writer, trace.slice(0, at));
      const last = trace[at] as { entry: LogEntry; line: string };
      // Written to the sinks, never applied by the process's ledger: the run fails on it.
      writer.write(last.entry, lent(last.line));
      writer.fail('broken invariant', '2024-08-09T00:30:00.000Z');
      const run = store.getRun('r');
      expect(run?.status).toBe('failed');
      expect(run?.error).toBe('broken invariant');
      const seqs = storedRows(store.db, 'r').map((r) => r.seq);
      expect(seqs.at(-1)).toBe(last.entry.seq);
      // The fills of the stored log as a fold of it has them, that entry's too: its process never
      // applied it here, but it is stored (a run that really failed on it fails the fold there too).
      expect(tables(store.db, 'r').fills).toEqual(expected(at + 1).fills);
      store.db.close();
    }
  });

  it.each([true, false])(
    'a failed write fails the run: a run whose row another process deleted cannot finish (thread: %s)',
    (thread) => {
      const store = freshStore();
      create(store, 'r');
      const writer = new ThreadedRunWriter(store, 'r', { threadEvents: 1, thread });
      const half = Math.floor(trace.length / 2);
      const ledger = feed(writer, trace.slice(0, half));
      store.deleteRun('r');
      for (const t of trace.slice(half)) {
        if (t === null) writer.commit();
        else {
          writer.write(t.entry, lent(t.line));
          if (t.entry.event.kind !== 'MarketSampled') ledger.apply(t.entry);
        }
      }
      expect(() => writer.finish(totals)).toThrow();
      expect(store.getRun('r')).toBeUndefined();
      store.db.close();
    },
  );

  it('a writer thread that stops answering fails the run at its end instead of hanging it', () => {
    const store = freshStore();
    create(store, 'r');
    const bootFile = new URL('../support/store-writer-silent.js', import.meta.url);
    const writer = new ThreadedRunWriter(store, 'r', {
      threadEvents: 1,
      bootFile,
      stallMs: 500,
      thread: true,
    });
    feed(writer, trace);
    expect(() => writer.finish(totals)).toThrow(/wrote nothing for 0.5 s/);
    expect(store.getRun('r')?.status).toBe('running');
    store.db.close();
  });

  it("copies the run's WAL into the database file once the run's end is answered, off the run's path", async () => {
    const store = freshStore();
    // This connection never checkpoints by itself: whatever reaches the file is the writer's doing.
    store.db.pragma('wal_autocheckpoint = 0');
    create(store, 'r');
    const file = store.db.name;
    const before = statSync(file).size;
    const writer = new ThreadedRunWriter(store, 'r', { threadEvents: 1, thread: true });
    feed(writer, trace);
    // Far fewer pages than SQLite's automatic checkpoint: without the writer's own, the events
    // would stay in the WAL until the last connection closes.
    expect(statSync(`${file}-wal`).size).toBeLessThan(
      1_000 * (store.db.pragma('page_size', { simple: true }) as number),
    );
    writer.finish(totals);
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 100_000), {
      timeout: 10_000,
      interval: 20,
    });
    expect(storedCount(store.db, 'r')).toBe(entryCount);
    expect(storedSampleBlocks(store.db, 'r').length).toBe(events - entryCount);
    store.db.close();
  });

  it('a run long enough to hand its writes over stores its log as it ran, and the digest of the same run unstored', () => {
    const long = parseScenario(PERSIST_RUN, 'persist-run.yaml');
    const lines: string[] = [];
    const samples: StoredSample[] = [];
    const unstored = runScenario(long, {
      onEntry: (entry) => {
        if (entry.event.kind !== 'MarketSampled') lines.push(canonicalLine(entry));
        else {
          const { kind: _, ...fields } = entry.event;
          samples.push({ seq: entry.seq, time: entry.time, ...fields });
        }
      },
    });
    // More than the writer keeps before it starts its thread, entries alone.
    expect(lines.length).toBeGreaterThan(GROUPED_THREAD_EVENTS);
    const store = freshStore();
    const report = runScenario(long, { store });
    const row = store.getRun(report.runId);
    expect(row?.status).toBe('finished');
    expect(row?.digest).toBe(unstored.digest);
    const stored = storedRows(store.db, report.runId);
    expect(stored.map((e) => `${e.seq} ${e.time} ${e.kind} ${e.payload}\n`)).toEqual(lines);
    expect(samples.length).toBeGreaterThan(30_000);
    expect(storedSampleBlocks(store.db, report.runId)).toEqual(samples);
    store.db.close();
  });
});
