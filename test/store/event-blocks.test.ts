// The event log stored in blocks (src/store/event-blocks.ts, stored-events.ts): whatever commit
// units a writer is given (any sizes, kinds, payload text), and wherever its process is killed
// (the database file and its WAL copied as they are at that moment, then opened as a crashed
// process's next one would), the log reads back as a prefix of what was logged that ends at a unit
// end, and with everything that was committed; reads by seq range, kinds and limit give exactly
// the decoded log filtered; a run whose first entries are rows (stored before blocks, resumed
// since) reads the same. A damaged block is named by its seqs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { brotliCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalLine } from '../../src/core/log/event-log.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import {
  BLOCK_EVENTS,
  COMPRESS_FROM_BYTES,
  decodeEventBlock,
  encodeEventBlock,
  kindsColumn,
} from '../../src/store/event-blocks.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';
import { ReadModel } from '../../src/store/read-model.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { PrefoldedRunWriter } from '../../src/store/prefolded-writer.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { StoredDataError } from '../../src/store/stored-data.ts';
import { storedEventKinds, storedEventLines } from '../../src/store/stored-events.ts';
import { asRows } from '../support/stored-log.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-event-blocks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;

const instrument = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.0001', minNotional: '5' });
/** Kinds no projection reads (the order ledger passes them by), so any log of them folds. */
const KINDS = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon'] as const;

interface Unit {
  readonly entries: readonly { kind: string; note: string; n: number }[];
}

const unitArb: fc.Arbitrary<Unit> = fc.record({
  entries: fc.oneof(
    { weight: 5, arbitrary: fc.array(entryArb(), { minLength: 1, maxLength: 12, size: 'max' }) },
    // A unit larger than a block (a TWAP parent and its children).
    { weight: 1, arbitrary: fc.array(entryArb(), { minLength: BLOCK_EVENTS, maxLength: BLOCK_EVENTS * 2 + 7 }) },
  ),
});

function entryArb() {
  return fc.record({
    kind: fc.constantFrom(...KINDS, 'Alpha', 'Alpha'),
    // Any text: beyond ASCII, quotes, newlines (escaped by the canonical JSON).
    note: fc.string({ unit: 'binary', maxLength: 30, size: 'max' }),
    n: fc.integer(),
  });
}

/** The log of the units: entries with seq 1.. and their canonical lines, and where units end. */
function logOf(units: readonly Unit[]): { entries: LogEntry[]; lines: string[]; ends: number[] } {
  const entries: LogEntry[] = [];
  const ends: number[] = [0];
  for (const u of units) {
    for (const e of u.entries) {
      const seq = entries.length + 1;
      entries.push({
        seq,
        time: 1_723_161_600_000 + seq * 7.5,
        event: { kind: e.kind, note: e.note, n: e.n } as unknown as LogEntry['event'],
      });
    }
    ends.push(entries.length);
  }
  return { entries, lines: entries.map((e) => canonicalLine(e)), ends };
}

function newStore(): RunStore {
  const store = new RunStore(openDatabase(path.join(dir, `log-${++files}.db`)));
  store.createRun({
    id: 'r',
    scenarioName: 'blocks',
    scenarioHash: 'h',
    scenarioJson: '{}',
    seed: 1,
    codeVersion: 'test',
    startedAt: '2024-08-09T00:00:00.000Z',
    simStart: 0,
  });
  return store;
}

/** What a process killed now leaves: the file and its WAL copied as they are, opened afresh. */
function killedCopy(db: Database.Database): Database.Database {
  const copy = path.join(dir, `killed-${++files}.db`);
  fs.copyFileSync(db.name, copy);
  if (fs.existsSync(`${db.name}-wal`)) fs.copyFileSync(`${db.name}-wal`, `${copy}-wal`);
  return openDatabase(copy);
}

const asLine = ([seq, time, kind, payload]: readonly [number, number, string, string]): string =>
  `${seq} ${time} ${kind} ${payload}\n`;

type WriterKind = 'durable' | 'grouped' | 'prefolded';

/** Writes `units` from unit `start` on (those before are stored) with a writer of `kind`: whole
 *  units committed (a prefolded writer is handed `batch` of them at a time, as by a writer thread),
 *  and of the last unit its first `tail` entries, never committed. */
function writeUnits(store: RunStore, kind: WriterKind, units: readonly Unit[], batch: number, tail: number, start = 0) {
  const { entries, lines, ends } = logOf(units);
  const whole = units.length - 1;
  if (kind === 'prefolded') {
    const writer = new PrefoldedRunWriter(store.db, 'r');
    for (let u = start; u < whole; u += batch) {
      const from = ends[u] as number;
      const to = ends[Math.min(whole, u + batch)] as number;
      writer.add({
        lines: Buffer.from(lines.slice(from, to).join(''), 'utf8'),
        lineCount: to - from,
        samples: new Float64Array(0),
        sampleCount: 0,
        counts: { lastSeq: to, orders: 0, fills: 0, logDigest: null },
      });
      writer.write();
    }
    return;
  }
  const writer = store.writer('r', instrument, { commits: kind, batchEvents: batch });
  const upTo = (ends[whole] as number) + Math.min(tail, units[whole]?.entries.length ?? 0);
  let u = start;
  for (let i = ends[start] as number; i < upTo; i++) {
    writer.write(entries[i] as LogEntry, lines[i] as string);
    if (u < whole && i + 1 === ends[u + 1]) {
      writer.commit();
      u++;
    }
  }
}

describe('the event log in blocks', () => {
  it('any commit units, killed anywhere, read back as a prefix of the log ending at a unit end; every durable commit is there', () => {
    fc.assert(
      fc.property(
        fc.array(unitArb, { minLength: 1, maxLength: 12, size: 'max' }),
        fc.constantFrom<WriterKind>('durable', 'grouped', 'prefolded'),
        fc.integer({ min: 1, max: 600 }),
        fc.nat({ max: 20 }),
        fc.boolean(),
        (units, kind, batch, tail, resumedFromRows) => {
          const store = newStore();
          const { lines, ends } = logOf(units);
          if (resumedFromRows && units.length > 1) {
            // The first unit stored by an execsim before blocks (rows), the rest after it.
            const first = units.slice(0, 1);
            writeUnits(store, 'durable', [...first, { entries: [] }], 1, 0);
            asRows(store.db, 'r');
            writeUnits(store, kind, units, batch, tail, 1);
          } else writeUnits(store, kind, units, batch, tail);
          const killed = killedCopy(store.db);
          const read = [...storedEventLines(killed, 'r')].map(asLine);
          expect(read).toEqual(lines.slice(0, read.length));
          expect(ends, 'the stored log ends at a unit end').toContain(read.length);
          // A durable writer has every committed unit; the last unit was never committed.
          if (kind === 'durable') expect(read.length).toBe(ends[units.length - 1]);
          killed.close();
          store.db.close();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('reads by seq range, kinds (and given seqs of any kind) and limit give the decoded log filtered; the kinds are the log’s', () => {
    fc.assert(
      fc.property(
        fc.array(unitArb, { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.array(
          fc.record({
            from: fc.option(fc.nat({ max: 700 }), { nil: undefined }),
            to: fc.option(fc.nat({ max: 700 }), { nil: undefined }),
            kinds: fc.option(fc.subarray([...KINDS, 'Omega']), { nil: undefined }),
            limit: fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
            alsoSeqs: fc.option(
              fc.array(fc.nat({ max: 700 }), { maxLength: 20, size: 'max' }).map((xs) => new Set(xs)),
              { nil: undefined },
            ),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        (units, someRows, filters) => {
          const store = newStore();
          const all = [...units, { entries: [] }];
          const { entries, lines } = logOf(all);
          // A transaction per unit: many blocks of many sizes.
          writeUnits(store, 'durable', all, 1, 0);
          if (someRows) asRows(store.db, 'r');
          const log = [...storedEventLines(store.db, 'r')];
          expect(log.map(asLine)).toEqual(lines);
          for (const f of filters) {
            const want = log
              .filter(
                ([seq, , kind]) =>
                  seq >= (f.from ?? 0) &&
                  seq <= (f.to ?? Number.MAX_SAFE_INTEGER) &&
                  (f.kinds === undefined ||
                    f.kinds.length === 0 ||
                    f.kinds.includes(kind) ||
                    f.alsoSeqs?.has(seq) === true),
              )
              .slice(0, f.limit ?? Infinity);
            expect([...storedEventLines(store.db, 'r', f)]).toEqual(want);
          }
          expect(storedEventKinds(store.db, 'r').sort()).toEqual([...new Set(entries.map((e) => e.event.kind))].sort());
          expect(store.getRun('r')?.stored_events).toBe(entries.length);
          expect(store.deleteRun('r').events).toBe(entries.length);
          expect([...storedEventLines(store.db, 'r')]).toEqual([]);
          store.db.close();
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a block is its lines, decoded back exactly', () => {
    fc.assert(
      fc.property(
        fc.array(entryArb(), { minLength: 1, maxLength: 300, size: 'max' }),
        fc.integer({ min: 1, max: 1e9 }),
        (es, first) => {
          const lines = es.map((e, i) =>
            canonicalLine({
              seq: first + i,
              time: i * 0.25,
              event: { kind: e.kind, note: e.note, n: e.n } as unknown as LogEntry['event'],
            }),
          );
          const bytes = Buffer.from(lines.join(''), 'utf8');
          const { encoding, data } = encodeEventBlock(bytes);
          // Compressed from COMPRESS_FROM_BYTES on; a smaller block as it is.
          expect(encoding).toBe(bytes.byteLength >= COMPRESS_FROM_BYTES ? 'brotli' : 'text');
          if (encoding === 'text') expect(data).toBe(bytes);
          else expect(data.byteLength).toBeLessThan(bytes.byteLength + 16);
          const decoded = decodeEventBlock(first, first + es.length - 1, encoding, data);
          expect(typeof decoded === 'string' ? decoded : decoded.map(asLine)).toEqual(lines);
          // Blocks written as text (before blocks were compressed) read the same.
          const plain = decodeEventBlock(first, first + es.length - 1, 'text', bytes);
          expect(typeof plain === 'string' ? plain : plain.map(asLine)).toEqual(lines);
        },
      ),
      { numRuns: 50 },
    );
    expect(kindsColumn(['B', 'A', 'B'])).toBe(' A B ');
  });

  it('a database written by schema version 11 (the log as rows) is brought forward and reads, verifies and pages the same', () => {
    // The reference: a run stored now (blocks); the same rows in a version-11 file, the log as
    // rows, as version 11 stored it.
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const now = newStore();
    const runId = runScenario(loaded, { store: now }).runId;
    const v11file = path.join(dir, `v11-${++files}.db`);
    const v11 = openDatabase(
      v11file,
      MIGRATIONS.filter((m) => m.version <= 11),
    );
    const copy = path.join(dir, `v12-${++files}.db`);
    // Version 11 wrote a run's order and fill rows with its log, and had no projected_seq or
    // log_digest (version 12), algorithm_codes (version 14), trading figures (version 15) nor a
    // paper run's venue_url and market_hours (version 19).
    projectRun(now.db, runId);
    now.db.exec(`VACUUM INTO '${copy}'`);
    const rows = new Database(copy);
    asRows(rows, runId);
    rows.exec(
      'ALTER TABLE runs DROP COLUMN projected_seq; ALTER TABLE runs DROP COLUMN log_digest; ALTER TABLE runs DROP COLUMN algorithm_codes;' +
        ' ALTER TABLE runs DROP COLUMN venue_url; ALTER TABLE runs DROP COLUMN market_hours;',
    );
    for (const [column, index] of [
      ['net_pnl', 'runs_net_pnl'],
      ['trade_count', 'runs_trade_count'],
      ['win_rate', 'runs_win_rate'],
      ['profit_factor', 'runs_profit_factor'],
      ['sharpe', 'runs_sharpe'],
      ['max_drawdown', 'runs_max_drawdown'],
    ])
      rows.exec(`DROP INDEX ${index}; ALTER TABLE runs DROP COLUMN ${column};`);
    rows.close();
    v11.exec(`ATTACH DATABASE '${copy}' AS v12`);
    for (const t of ['runs', 'events', 'orders', 'fills', 'parent_metrics', 'market_sample_blocks'])
      v11.exec(`INSERT INTO ${t} SELECT * FROM v12.${t}`);
    v11.exec('DETACH DATABASE v12');
    expect(v11.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(11);
    v11.close();

    const upgraded = ReadModel.open(v11file);
    const reference = ReadModel.open(now.db.name);
    try {
      expect(upgraded.verify(runId)).toEqual(reference.verify(runId));
      expect(upgraded.verify(runId)).toMatchObject({ gapFree: true, digestVerified: true, consistent: true });
      expect([...upgraded.eventLines(runId, {})]).toEqual([...reference.eventLines(runId, {})]);
      for (const q of [{ limit: 7 }, { fromSeq: 30, limit: 50 }, { kinds: ['FillReport', 'SubmitOrder'], limit: 20 }])
        expect(upgraded.events(runId, q)).toEqual(reference.events(runId, q));
      expect(upgraded.eventKinds(runId).sort()).toEqual(reference.eventKinds(runId).sort());
      expect(upgraded.summary(runId)?.events).toBe(reference.summary(runId)?.events);
    } finally {
      upgraded.close();
      reference.close();
      now.db.close();
    }
    const reopened = new Database(v11file, { readonly: true });
    expect(reopened.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(
      Math.max(...MIGRATIONS.map((m) => m.version)),
    );
    expect(reopened.prepare('SELECT COUNT(*) FROM event_blocks').pluck().get()).toBe(0);
    reopened.close();
  });

  it('a damaged block is named by its seqs and what is wrong with it', () => {
    const line = (seq: number, rest = '0 Alpha {}') => `${seq} ${rest}\n`;
    const text = (s: string) => Buffer.from(s, 'utf8');
    expect(decodeEventBlock(5, 6, 'text', 'not a blob')).toBe('the block is not a blob');
    expect(decodeEventBlock(5, 6, 'zstd', text(line(5) + line(6)))).toBe(
      'its encoding is "zstd", neither brotli nor text',
    );
    const packed = brotliCompressSync(text(line(5) + line(6)));
    expect(decodeEventBlock(5, 6, 'brotli', packed.subarray(0, packed.byteLength - 2))).toBe(
      'its brotli data does not decompress',
    );
    expect(decodeEventBlock(5, 6, 'brotli', Buffer.from([0xff, 0xff, 0xff, 0xff]))).toBe(
      'its brotli data does not decompress',
    );
    expect(decodeEventBlock(5, 6, 'text', text(line(5)))).toBe('the block holds 1 events, not the 2 from seq 5 to 6');
    expect(decodeEventBlock(5, 6, 'text', text(line(5) + line(7)))).toBe('line 2 has seq 7 where 6 should be');
    expect(decodeEventBlock(5, 5, 'text', text('5 soon Alpha {}\n'))).toBe('event seq 5 has no valid time');
    expect(decodeEventBlock(5, 5, 'text', text('5 0 Alpha'))).toBe(
      'line 1 is not "seq time kind payload" (where seq 5 should be)',
    );
    const store = newStore();
    writeUnits(store, 'durable', [{ entries: [{ kind: 'Alpha', note: 'x', n: 1 }] }, { entries: [] }], 1, 0);
    store.db.prepare("UPDATE event_blocks SET encoding = 'text', data = x'00' WHERE run_id = 'r'").run();
    expect(() => [...store.events('r')]).toThrow(StoredDataError);
    expect(() => [...store.events('r')]).toThrow(
      `database ${store.db.name}: run r: events seq 1 to 1: line 1 is not "seq time kind payload" (where seq 1 should be)`,
    );
    store.db.close();
  });
});
