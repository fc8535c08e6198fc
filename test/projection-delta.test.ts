// A grouped run stored in a database file takes its order, fill and orphan rows from its
// process's ledger (ProjectionDelta), not from a fold of the log: for adversarial runs (cancels
// racing their orders, lost and delayed reports, outages, 5xx answers, kill switch changes,
// inferred fills, reconciliation) and for every bundled scenario without restarts, the store
// holds exactly what the run's own writer (RunWriter, which folds the log as it writes it)
// stores for the same run, and what a fold of the stored log expects (verifyRun).
import { storedRows } from './support/stored-log.ts';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario, type LoadedScenario } from '../src/scenario/load-scenario.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { RunStore } from '../src/store/run-store.ts';
import { verifyRun } from '../src/store/verify-run.ts';
import { adversarialCase, caseYaml } from './support/adversarial-case.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'execsim-projection-delta-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;

/** A run's stored rows, without what names the writer, when it ran or how long it took. */
function stored(db: Database.Database, id: string): Record<string, unknown[]> {
  const rows = (sql: string) =>
    (db.prepare(sql).all(id) as Record<string, unknown>[]).map(
      ({
        run_id: _r,
        id: _i,
        writer_pid: _p,
        writer_host: _h,
        heartbeat_at: _b,
        started_at: _s,
        finished_at: _f,
        report_json: _j,
        ...rest
      }) => rest,
    );
  return {
    runs: rows('SELECT * FROM runs WHERE id = ?'),
    events: storedRows(db, id).map(({ run_id: _, ...rest }) => rest),
    orders: rows('SELECT * FROM orders WHERE run_id = ? ORDER BY client_order_id'),
    fills: rows('SELECT * FROM fills WHERE run_id = ? ORDER BY seq, client_order_id, trade_id'),
    orphans: rows('SELECT * FROM orphan_orders WHERE run_id = ? ORDER BY client_order_id'),
  };
}

/** The same run stored both ways: in a file (rows from the process's ledger) and in memory (a
 *  store no thread can open: the run's own RunWriter folds the log). */
function bothWays(loaded: LoadedScenario): { file: Record<string, unknown[]>; own: Record<string, unknown[]> } {
  const fileStore = new RunStore(openDatabase(path.join(dir, `r${files++}.db`)));
  const ownStore = new RunStore(openDatabase(':memory:'));
  try {
    const a = runScenario(loaded, { store: fileStore, runId: 'r' });
    const b = runScenario(loaded, { store: ownStore, runId: 'r' });
    expect(a.digest).toBe(b.digest);
    expect(verifyRun(fileStore, 'r').problems).toEqual([]);
    return { file: stored(fileStore.db, 'r'), own: stored(ownStore.db, 'r') };
  } finally {
    fileStore.db.close();
    ownStore.db.close();
  }
}

describe("a grouped run's projection rows read from its process's ledger", () => {
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
