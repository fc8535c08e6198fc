// A stored run of several symbols is found under each of them: the run list filtered by a symbol
// lists every run that traded it (the run's first symbol or a further one), a run's summary names
// all its symbols, each parent's figures name its own symbol, and deleting the run deletes its
// symbols. A database stored before (schema 16) is brought forward from its stored scenarios and
// reports.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runShortfallBps } from '../../src/cli/run-table.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { ReadModel } from '../../src/store/read-model.ts';
import { RunStore } from '../../src/store/run-store.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-run-symbols-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A database with a backtest of BTCUSDT and ETHUSDT and one of BTCUSDT alone. */
function stored(file: string): { two: string; one: string; twoShortfallBps: number | null } {
  const store = new RunStore(openDatabase(file));
  try {
    const twoRun = runScenario(loadScenarioFile('scenarios/two-symbols.yaml'), { store });
    const one = runScenario(loadScenarioFile('scenarios/twap-calm.yaml'), { store }).runId;
    return { two: twoRun.runId, one, twoShortfallBps: runShortfallBps(twoRun.parents) };
  } finally {
    store.db.close();
  }
}

/** What the reader of `file` says of the two runs. */
function read(file: string, runs: { two: string; one: string }) {
  const reader = ReadModel.open(file);
  try {
    const ids = (symbol: string) =>
      reader
        .listRuns({ symbol, limit: 100 })
        .items.map((r) => r.id)
        .sort();
    return {
      btc: ids('BTCUSDT'),
      eth: ids('ETHUSDT'),
      sol: ids('SOLUSDT'),
      symbols: Object.fromEntries(reader.listRuns({ limit: 100 }).items.map((r) => [r.id, r.symbols])),
      parents: reader.getRun(runs.two)?.parents.map((p) => [p.parentOrderId, p.symbol]),
      shortfallBps: reader.listRuns({ limit: 100 }).items.find((r) => r.id === runs.two)?.shortfallBps,
    };
  } finally {
    reader.close();
  }
}

// The scenario's parents: a BTCUSDT TWAP, an ETHUSDT order, and the ETHUSDT signal accepted.
const EXPECTED_PARENTS = [
  ['btc-twap', 'BTCUSDT'],
  ['eth-buy', 'ETHUSDT'],
  [expect.stringMatching(/^sig-/), 'ETHUSDT'],
];

describe('a stored run of several symbols', () => {
  it('is listed under each of its symbols, names them all, and each parent names its own', () => {
    const file = path.join(dir, 'now.db');
    const runs = stored(file);
    const got = read(file, runs);
    expect(got.btc).toEqual([runs.one, runs.two].sort());
    expect(got.eth).toEqual([runs.two]);
    expect(got.sol).toEqual([]);
    expect(got.symbols).toEqual({ [runs.two]: ['BTCUSDT', 'ETHUSDT'], [runs.one]: ['BTCUSDT'] });
    expect(got.parents).toEqual(EXPECTED_PARENTS);
    // Its shortfall weighs each parent by what it filled at arrival, as the CLI's table does: a
    // weighting by quantity would count an ETH as much as a BTC.
    expect(runs.twoShortfallBps).not.toBeNull();
    expect(got.shortfallBps).toBeCloseTo(runs.twoShortfallBps as number, 9);
  });

  it('leaves none of its symbols behind when deleted', () => {
    const file = path.join(dir, 'delete.db');
    const runs = stored(file);
    const store = new RunStore(openDatabase(file));
    try {
      store.deleteRun(runs.two);
      expect(store.db.prepare('SELECT COUNT(*) FROM run_symbols').pluck().get()).toBe(0);
    } finally {
      store.db.close();
    }
    expect(read(file, runs).eth).toEqual([]);
  });

  it('stored before (schema 16): its symbols and its parents’ are brought forward from its scenario and report', () => {
    const file = path.join(dir, 'old.db');
    const runs = stored(file);
    const now = read(file, runs);
    // As schema 16 left it: no table of further symbols, every parent under the run's symbol.
    const db = openDatabase(file);
    db.exec(`DROP TABLE run_symbols; DELETE FROM schema_migrations WHERE version = 17;
      UPDATE parent_metrics SET symbol = (SELECT symbol FROM runs WHERE runs.id = parent_metrics.run_id);`);
    expect(db.prepare("SELECT COUNT(*) FROM parent_metrics WHERE symbol = 'ETHUSDT'").pluck().get()).toBe(0);
    db.close();
    // Opening it migrates it.
    openDatabase(file).close();
    expect(read(file, runs)).toEqual(now);
  });
  it('stored before (schema 17): its shortfall, weighted by quantity then, is weighted by value', () => {
    const file = path.join(dir, 'old-shortfall.db');
    const runs = stored(file);
    const db = openDatabase(file);
    db.exec(`DELETE FROM schema_migrations WHERE version = 18;
      UPDATE runs SET shortfall_bps = (SELECT SUM(m.shortfall_bps * CAST(m.filled_qty AS REAL)) / SUM(CAST(m.filled_qty AS REAL))
        FROM parent_metrics m WHERE m.run_id = runs.id AND m.shortfall_bps IS NOT NULL AND CAST(m.filled_qty AS REAL) > 0);`);
    const before = db.prepare('SELECT shortfall_bps FROM runs WHERE id = ?').pluck().get(runs.two) as number;
    db.close();
    expect(Math.abs(before - (runs.twoShortfallBps as number))).toBeGreaterThan(0.01);
    openDatabase(file).close();
    expect(read(file, runs).shortfallBps).toBeCloseTo(runs.twoShortfallBps as number, 9);
  });
});
