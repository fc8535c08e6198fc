// A database stored before each further symbol's rows were in its own decimals: a backtest of two
// symbols whose ETH rows hold a tenth of what it traded. Opening it migrates it: its rows are
// marked as not built, and the first read rebuilds them from the log, in each symbol's decimals.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-two-rows-migration-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ethBuy = (db: RunStore['db'], runId: string): unknown =>
  db.prepare("SELECT qty, filled_qty FROM orders WHERE run_id = ? AND client_order_id = 'eth-buy'").get(runId);

describe('migration 16', () => {
  it('rebuilds the rows of an ended backtest of several symbols from its log; a run of one is left alone', () => {
    const file = path.join(dir, 'old.db');
    let store = new RunStore(openDatabase(file));
    const two = runScenario(loadScenarioFile('scenarios/two-symbols.yaml'), { store });
    const one = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store });
    projectRun(store.db, two.runId);
    projectRun(store.db, one.runId);
    // As an older version left it: ETH's rows a tenth, built, and the migration not yet applied.
    store.db
      .prepare("UPDATE orders SET qty = '1', filled_qty = '1' WHERE run_id = ? AND client_order_id = 'eth-buy'")
      .run(two.runId);
    store.db.prepare('UPDATE runs SET projected_seq = NULL').run();
    store.db.prepare('DELETE FROM schema_migrations WHERE version = 16').run();
    store.db.close();

    store = new RunStore(openDatabase(file));
    try {
      const projected = (id: string): unknown =>
        store.db.prepare('SELECT projected_seq FROM runs WHERE id = ?').pluck().get(id);
      expect(projected(two.runId)).toBe(0);
      expect(projected(one.runId)).toBeNull();
      projectRun(store.db, two.runId);
      expect(ethBuy(store.db, two.runId)).toEqual({ qty: '10', filled_qty: '10' });
    } finally {
      store.db.close();
    }
  });
});
