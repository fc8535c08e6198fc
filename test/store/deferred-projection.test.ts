// A grouped run stored in a database file writes no order, fill or orphan rows: they are built
// from its stored log when first read (deferred-projection.ts). For adversarial runs (cancels
// racing their orders, lost and delayed reports, outages, 5xx answers, kill switch changes,
// inferred fills, reconciliation) and for every bundled scenario without restarts, the rows built
// are exactly what the run's own writer (RunWriter, which folds the log as it writes it) stores
// for the same run, and what a fold of the stored log expects (verifyRun).
import { rowsWithout, setStoredPayload, storedOfKind, storedRows, WRITER_COLUMNS } from '../support/stored-log.ts';
import { StoredDataError } from '../../src/store/stored-data.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, type LoadedScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { projectionPending, projectRun } from '../../src/store/deferred-projection.ts';
import { openExistingDatabase, StoreError } from '../../src/store/open-database.ts';
import { PrefoldedRunWriter } from '../../src/store/prefolded-writer.ts';
import { ReadModel } from '../../src/store/read-model.ts';
import { storedEventLines } from '../../src/store/stored-events.ts';
import { backtestRunRow, runScenario } from '../../src/runtime/backtest-run.ts';
import { verifyRun } from '../../src/store/verify-run.ts';
import { adversarialCase, caseYaml } from '../support/adversarial-case.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-projection-delta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A run's stored rows, without what names the writer, when it ran or how long it took. */
function stored(db: Database.Database, id: string): Record<string, unknown[]> {
  // Nor the report, with its wall times.
  const omit = [...WRITER_COLUMNS, 'started_at', 'finished_at', 'report_json'];
  const rows = (sql: string) => rowsWithout(db, sql, id, omit);
  return {
    runs: rows('SELECT * FROM runs WHERE id = ?'),
    events: storedRows(db, id).map(({ run_id: _, ...rest }) => rest),
    orders: rows('SELECT * FROM orders WHERE run_id = ? ORDER BY client_order_id'),
    fills: rows('SELECT * FROM fills WHERE run_id = ? ORDER BY seq, client_order_id, trade_id'),
    orphans: rows('SELECT * FROM orphan_orders WHERE run_id = ? ORDER BY client_order_id'),
  };
}

/** The same run stored both ways: in a file (rows built from the stored log when first read) and
 *  in memory (a store no thread can open: the run's own RunWriter folds the log as it writes). */
function bothWays(loaded: LoadedScenario): { file: Record<string, unknown[]>; own: Record<string, unknown[]> } {
  const fileStore = new RunStore(openDatabase(path.join(dir, `r${files++}.db`)));
  const ownStore = new RunStore(openDatabase(':memory:'));
  try {
    const a = runScenario(loaded, { store: fileStore, runId: 'r' });
    const b = runScenario(loaded, { store: ownStore, runId: 'r' });
    expect(a.digest).toBe(b.digest);
    // Nothing built until a read asks: the run verifies without its tables, then with them.
    expect(projectionPending(fileStore.db, 'r')).toBe(true);
    expect(fileStore.db.prepare('SELECT COUNT(*) FROM orders WHERE run_id = ?').pluck().get('r')).toBe(0);
    expect(verifyRun(fileStore, 'r').problems).toEqual([]);
    projectRun(fileStore.db, 'r');
    expect(projectionPending(fileStore.db, 'r')).toBe(false);
    expect(verifyRun(fileStore, 'r').problems).toEqual([]);
    expect(ownStore.db.prepare('SELECT projected_seq FROM runs').pluck().get()).toBeNull();
    // The digest of the log its writer stored, recorded as it went: the run's own at its end.
    expect(fileStore.db.prepare('SELECT log_digest FROM runs').pluck().get()).toBe(a.digest);
    return { file: stored(fileStore.db, 'r'), own: stored(ownStore.db, 'r') };
  } finally {
    fileStore.db.close();
    ownStore.db.close();
  }
}

describe("a grouped run's projection rows built from its log when first read", () => {
  it('are the rows its own writer folds from the log, for adversarial runs', () => {
    fc.assert(
      fc.property(adversarialCase, (c) => {
        const loaded = parseScenario(caseYaml({ ...c, restarts: [] }), 'adversarial.yaml');
        const { file, own } = bothWays(loaded);
        expect(file).toEqual(own);
      }),
      { numRuns: 20 },
    );
  }, 120_000);

  it('are the rows its own writer folds from the log, for every bundled scenario without restarts', () => {
    const names = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
    let compared = 0;
    for (const name of names) {
      const loaded = loadScenarioFile(path.join('scenarios', name));
      if (loaded.scenario.restarts.length > 0 || loaded.scenario.mode !== 'backtest') continue;
      const { file, own } = bothWays(loaded);
      expect(file, name).toEqual(own);
      compared++;
    }
    expect(compared).toBeGreaterThan(15);
  }, 120_000);

  it('are the rows its own writer folds from the log for an orphan found, quarantining and resolved', () => {
    // The bundled orphan scenario without its restart: periodic reconciliation finds the order
    // someone else placed, and the operator's resolution cancels it.
    const text = readFileSync('scenarios/restart-orphan-at-startup.yaml', 'utf8')
      .replace(/^restarts:\n.*\n/m, '')
      .replace('{ at: PT1M10S, clientOrderId', '{ at: PT40S, clientOrderId');
    const { file, own } = bothWays(parseScenario(`${text}reconciliation: { periodMs: 5000 }\n`, 'orphan.yaml'));
    expect(file).toEqual(own);
    expect(file.orphans).toEqual([
      expect.objectContaining({ client_order_id: 'manual-desk-bid-1', status: 'resolved' }),
    ]);
  });
});

describe('building the rows on first read', () => {
  const loaded = (): LoadedScenario => loadScenarioFile('scenarios/twap-calm.yaml');

  /** A finished grouped run 'r' in a new file, its rows not built. */
  function storedRun(): string {
    const file = path.join(dir, `r${files++}.db`);
    const store = new RunStore(openDatabase(file));
    runScenario(loaded(), { store, runId: 'r' });
    store.db.close();
    return file;
  }

  const count = (db: Database.Database, table: string, id = 'r'): number =>
    db.prepare(`SELECT COUNT(*) FROM ${table} WHERE run_id = ?`).pluck().get(id) as number;

  it('builds a run still being written from what is stored, and again once its log has grown', () => {
    const source = openDatabase(storedRun());
    const lines = [...storedEventLines(source, 'r')].map(([seq, time, kind, payload]) => ({
      seq,
      text: `${seq} ${time} ${kind} ${payload}\n`,
    }));
    projectRun(source, 'r');
    const store = new RunStore(openDatabase(':memory:'));
    store.createRun(backtestRunRow(loaded(), 'p', 1, new Date().toISOString()));
    const writer = new PrefoldedRunWriter(store.db, 'p');
    const add = (from: number, to: number): void => {
      const part = lines.slice(from, to);
      writer.add({
        lines: Buffer.from(part.map((l) => l.text).join(''), 'utf8'),
        lineCount: part.length,
        samples: new Float64Array(0),
        sampleCount: 0,
        counts: { lastSeq: part.at(-1)?.seq ?? 0, orders: 0, fills: 0, logDigest: null },
      });
      writer.write();
    };
    const half = Math.floor(lines.length / 2);
    add(0, half);
    expect(projectionPending(store.db, 'p')).toBe(true);
    projectRun(store.db, 'p');
    expect(projectionPending(store.db, 'p')).toBe(false);
    // A running run: its tables are the fold of the half stored, whatever the other half holds.
    expect(verifyRun(store, 'p').problems).toEqual([]);
    const halfOrders = count(store.db, 'orders', 'p');
    expect(halfOrders).toBeGreaterThan(0);
    expect(count(store.db, 'fills', 'p')).toBeLessThan(count(source, 'fills'));

    add(half, lines.length);
    expect(projectionPending(store.db, 'p')).toBe(true);
    projectRun(store.db, 'p');
    expect(verifyRun(store, 'p').problems).toEqual([]);
    expect(count(store.db, 'orders', 'p')).toBe(count(source, 'orders'));
    expect(count(store.db, 'fills', 'p')).toBe(count(source, 'fills'));
    // Built once: a read with nothing new stored changes nothing.
    const before = store.db.prepare('SELECT * FROM orders ORDER BY client_order_id').all();
    projectRun(store.db, 'p');
    expect(store.db.prepare('SELECT * FROM orders ORDER BY client_order_id').all()).toEqual(before);
    source.close();
    store.db.close();
  });

  it("a reader's pages build them, and its connection stays query-only", () => {
    const file = storedRun();
    const reader = ReadModel.open(file);
    const orders = reader.orders('r', { limit: 500 });
    const fills = reader.fills('r', { limit: 500 });
    reader.close();
    expect(orders?.items.length).toBeGreaterThan(10);
    expect(fills?.items.length).toBeGreaterThan(10);
    const db = openExistingDatabase(file, 'read');
    expect(projectionPending(db, 'r')).toBe(false);
    expect(count(db, 'orders')).toBe(orders?.items.length);
    // The build let the query-only connection write for its own transaction only.
    projectRun(db, 'r');
    expect(() => db.prepare('DELETE FROM orders').run()).toThrow(/readonly|read-only/i);
    db.close();
    // Nothing is left beside the file.
    expect(readdirSync(dir).filter((f) => f.startsWith(path.basename(file)) && f !== path.basename(file))).toEqual([]);
  });

  it('a database this process may not write is told why, and nothing else happens', () => {
    const file = storedRun();
    const db = new Database(file, { readonly: true });
    expect(() => projectRun(db, 'r')).toThrow(StoreError);
    expect(() => projectRun(db, 'r')).toThrow(
      /run r's orders and fills are built from its log when first read, and this database cannot be written here/,
    );
    expect(count(db, 'orders')).toBe(0);
    db.close();
  });

  it('a log edited by hand before its rows were built gives the rows before the damage, or names the run', () => {
    const file = storedRun();
    const db = openDatabase(file);
    // An order's creation that is not JSON: the fold stops there, with the orders before it.
    const created = storedOfKind(db, 'r', 'OrderCreated');
    expect(created.length).toBeGreaterThan(2);
    const second = created[1] as { seq: number };
    setStoredPayload(db, 'r', second.seq, 'not json');
    projectRun(db, 'r');
    expect(db.prepare('SELECT COUNT(*) FROM orders WHERE parent_order_id IS NOT NULL').pluck().get()).toBe(1);
    expect(verifyRun(new RunStore(db), 'r').consistent).toBe(false);
    db.close();

    // A parent whose fields are gone cannot be a row: one stored-data problem naming the event.
    const other = openDatabase(storedRun());
    const parent = storedOfKind(other, 'r', 'ParentOrderCreated')[0] as { seq: number };
    setStoredPayload(other, 'r', parent.seq, '{"parentId": 7}');
    expect(() => projectRun(other, 'r')).toThrow(StoredDataError);
    expect(() => projectRun(other, 'r')).toThrow(
      `run r: event seq ${parent.seq} (ParentOrderCreated): the payload is not a parent order`,
    );
    expect(count(other, 'orders')).toBe(0);
    other.close();
  });

  it('a run that failed keeps the digest of the log it stored, so a log edited by hand is still caught', () => {
    const file = path.join(dir, `r${files++}.db`);
    const store = new RunStore(openDatabase(file));
    const fail = (e: LogEntry): void => {
      if (e.seq === 180) throw new Error('boom');
    };
    expect(() => runScenario(loaded(), { store, runId: 'r', onEntry: fail })).toThrow('boom');
    expect(store.getRun('r')).toMatchObject({ status: 'failed', digest: null });
    // Unedited: its stored log reproduces what its writer recorded.
    expect(verifyRun(store, 'r')).toMatchObject({ digestVerified: true, consistent: true, problems: [] });
    const fill = storedOfKind(store.db, 'r', 'FillReport')[0] as { seq: number; payload: string };
    const p = JSON.parse(fill.payload) as { qty: number; price: number };
    setStoredPayload(store.db, 'r', fill.seq, JSON.stringify({ ...p, qty: p.qty * 2, price: p.price + 100 }));
    const v = verifyRun(store, 'r');
    expect(v.digestVerified).toBe(false);
    expect(v.problems).toEqual([
      expect.stringMatching(
        /^the stored log does not reproduce the digest its writer recorded for it \(recorded [0-9a-f]{64}, recomputed [0-9a-f]{64}\)$/,
      ),
    ]);
    store.db.close();
  });

  it('an unknown run, or one whose writer kept its rows in step, costs a lookup and nothing else', () => {
    const store = new RunStore(openDatabase(':memory:'));
    runScenario(loaded(), { store, runId: 'r' });
    expect(projectionPending(store.db, 'r')).toBe(false);
    expect(projectionPending(store.db, 'nope')).toBe(false);
    const rows = count(store.db, 'orders');
    projectRun(store.db, 'r');
    projectRun(store.db, 'nope');
    expect(count(store.db, 'orders')).toBe(rows);
    store.db.close();
  });
});
