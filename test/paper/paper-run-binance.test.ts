// A paper run on Binance spot against the local Binance gateway over loopback: the ccxt adapter,
// the serial inbox, the store. It finishes with every slice filled once; what the store holds is
// what Binance (read through ccxt, as any bot would) says it filled; two runs of the scenario on
// one account keep their orders apart; and neither key nor a signature reaches anything stored.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, binanceGateway, ccxtClient } from '../support/binance-gateway-harness.ts';
import { onCleanup } from '../support/gateway-harness.ts';
import { binancePaperOptions } from '../support/paper-options.ts';
import { storedRows } from '../support/stored-log.ts';

const TWAP = 'test/fixtures/paper/paper-binance-twap.yaml';
const dir = mkdtempSync(path.join(tmpdir(), 'execsim-paper-binance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const options = (url: string, store: RunStore) =>
  binancePaperOptions(url, store, { apiKey: API_KEY, secret: API_SECRET });

describe('a paper run on the local Binance gateway', () => {
  it('fills the TWAP once per slice, stores what Binance filled, keeps two runs apart and stores no key', async () => {
    const gw = await binanceGateway();
    const file = path.join(dir, 'paper.db');
    const store = new RunStore(openDatabase(file));
    onCleanup(() => void store.db.close());

    const first = await runPaper(loadScenarioFile(TWAP), options(gw.url, store));
    expect(first.passed).toBe(true);
    expect(first.parents[0]).toMatchObject({ status: 'filled', filledQty: '0.06' });
    expect(first.duplicateOrders).toEqual([]);
    expect(store.getRun(first.runId)).toMatchObject({ status: 'finished', mode: 'paper' });

    // Binance's own account of it, through ccxt: six orders of 0.01 BTC, each filled once.
    const ex = await ccxtClient(gw);
    const venueOrders = await ex.fetchOrders('BTC/USDT');
    expect(venueOrders).toHaveLength(6);
    expect(new Set(venueOrders.map((o) => o.clientOrderId)).size).toBe(6);
    for (const o of venueOrders) expect(o).toMatchObject({ status: 'closed', amount: 0.01, filled: 0.01 });
    // The store's fills per order are the venue's (our ids are the venue's less the run's prefix).
    const stored = store.db
      .prepare(
        'SELECT client_order_id AS id, filled_qty AS filled FROM orders WHERE run_id = ? AND slice_num IS NOT NULL',
      )
      .all(first.runId) as Array<{ id: string; filled: string }>;
    expect(stored).toHaveLength(6);
    const venueIds = venueOrders.map((o) => String(o.clientOrderId));
    for (const row of stored) {
      const at = venueIds.filter((v) => v.endsWith(row.id));
      expect(at, row.id).toHaveLength(1);
      expect(Number(row.filled)).toBe(0.01);
    }

    // The same scenario again on the same account: its own six orders, none refused as a duplicate.
    const second = await runPaper(loadScenarioFile(TWAP), options(gw.url, store));
    expect(second.passed).toBe(true);
    const all = await ex.fetchOrders('BTC/USDT');
    expect(all).toHaveLength(12);
    expect(new Set(all.map((o) => o.clientOrderId)).size).toBe(12);
    const balance = await ex.fetchBalance();
    expect(balance['BTC']?.total).toBeCloseTo(0.12, 8);

    // Nothing stored holds the key, the secret or a signature.
    const db = new Database(file, { readonly: true });
    onCleanup(() => void db.close());
    const dump = JSON.stringify(storedRows(store.db));
    expect(dump).not.toContain(API_KEY);
    expect(dump).not.toContain(API_SECRET);
    expect(dump).not.toMatch(/signature=/);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
    for (const { name } of tables) {
      const text = JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all());
      expect(text, name).not.toContain(API_SECRET);
      expect(text, name).not.toContain(API_KEY);
    }
  });
});
