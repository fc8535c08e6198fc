// A backtest of two symbols on one account (scenarios/two-symbols.yaml: BTCUSDT and ETHUSDT) stored
// the way `execsim run` stores it: each symbol's orders, parents and fills are in that symbol's own
// decimals (ETH's lot is 0.0001, ten times BTC's 0.00001), the rows agree with the report, and the
// run verifies against its log.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { projectRun } from '../../src/store/deferred-projection.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { verifyRun } from '../../src/store/verify-run.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-two-rows-'));
const store = new RunStore(openDatabase(path.join(dir, 'runs.db')));
afterAll(() => {
  store.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('a stored backtest of two symbols', () => {
  it("holds each symbol's orders, parents and fills in its own decimals", () => {
    const report = runScenario(loadScenarioFile('scenarios/two-symbols.yaml'), { store });
    projectRun(store.db, report.runId);
    type Row = {
      client_order_id: string;
      parent_order_id: string | null;
      symbol: string;
      qty: string;
      filled_qty: string;
    };
    const rows = store.db
      .prepare('SELECT client_order_id, parent_order_id, symbol, qty, filled_qty FROM orders WHERE run_id = ?')
      .all(report.runId) as Row[];
    const parent = (id: string): Row | undefined => rows.find((r) => r.client_order_id === id);
    // 10 ETH bought at once, and the reduce-only sale of 4: in ETH, not a tenth of it.
    expect(parent('eth-buy')).toMatchObject({ symbol: 'ETHUSDT', qty: '10', filled_qty: '10' });
    const ethChildren = rows.filter((r) => r.parent_order_id === 'eth-buy');
    expect(ethChildren.map((r) => [r.symbol, r.qty, r.filled_qty])).toEqual([['ETHUSDT', '10', '10']]);
    // 2 BTC in ten TWAP slices, in BTC.
    expect(parent('btc-twap')).toMatchObject({ symbol: 'BTCUSDT', qty: '2', filled_qty: '2' });
    const btcSlices = rows.filter((r) => r.parent_order_id === 'btc-twap');
    expect(btcSlices).toHaveLength(10);
    expect(btcSlices.reduce((n, r) => n + Number(r.filled_qty), 0)).toBeCloseTo(2, 9);
    // Each symbol's fills sum to its parents' filled quantities.
    const fills = store.db
      .prepare(
        'SELECT o.symbol AS symbol, f.qty AS qty FROM fills f JOIN orders o ON o.run_id = f.run_id AND o.client_order_id = f.client_order_id WHERE f.run_id = ?',
      )
      .all(report.runId) as Array<{ symbol: string; qty: string }>;
    const filled = (symbol: string): number =>
      fills.filter((f) => f.symbol === symbol).reduce((n, f) => n + Number(f.qty), 0);
    const reported = (symbol: string): number =>
      report.parents.filter((p) => p.symbol === symbol).reduce((n, p) => n + Number(p.filledQty), 0);
    for (const symbol of ['BTCUSDT', 'ETHUSDT']) expect(filled(symbol), symbol).toBeCloseTo(reported(symbol), 9);
    expect(filled('ETHUSDT')).toBeCloseTo(14, 9);
    // And the tables agree with the log they were folded from.
    expect(verifyRun(store, report.runId).problems).toEqual([]);
  });
});
