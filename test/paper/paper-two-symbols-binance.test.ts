// A paper run of two symbols on one Binance account, end to end: the Binance adapter on ccxt
// trading BTCUSDT and ETHUSDT against the local gateway serving both over loopback (REST, the
// user data stream and each symbol's market streams). Each symbol's orders go out on its own
// grid, the baseline and the reduce-only check are per symbol, reconciliation (each symbol's
// listing read and merged) finds nothing amiss, and the report's positions and P&L are each
// symbol's and match the account's balances.
import { describe, expect, it } from 'vitest';
import type { ExecEvent } from '../../src/core/model/events.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import { API_KEY, API_SECRET, binanceGateway, ccxtClient } from '../support/binance-gateway-harness.ts';
import { binancePaperOptions, scratchStores } from '../support/paper-options.ts';

const FILE = 'test/fixtures/paper/two-symbols-btc-eth.yaml';
const scratch = scratchStores('execsim-paper-two-binance-');

describe('a paper run of two symbols on the local Binance gateway', () => {
  it("trades both on one account, each symbol's baseline, reduce-only, position and P&L its own", async () => {
    const gw = await binanceGateway('scenarios/gateway/btc-eth.yaml');
    const store = scratch.store();
    const options = binancePaperOptions(gw.url, store, { apiKey: API_KEY, secret: API_SECRET });
    const report = await runPaper(loadScenarioFile(FILE), options);

    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(report.passed).toBe(true);
    const events = [...store.entries(report.runId)].map((e) => e.event);
    const of = <K extends ExecEvent['kind']>(kind: K) =>
      events.filter((e): e is Extract<ExecEvent, { kind: K }> => e.kind === kind);
    // The account's one answer gave each symbol its baseline: no BTC, the 2 ETH held (lots of 0.0001).
    expect(of('AccountBaseline').map((b) => [b.symbol, b.position])).toEqual([
      ['BTCUSDT', 0],
      ['ETHUSDT', 20_000],
    ]);
    // Each order went out for its own symbol, on its own grid (ETH's limit at 2500.00).
    expect(of('OrderCreated').find((o) => o.type === 'limit')).toMatchObject({
      symbol: 'ETHUSDT',
      limitPrice: 250_000,
    });
    expect(report.duplicateOrders).toEqual([]);
    expect(report.discrepancies).toBe(0);
    expect(of('ReconciliationCompleted').length).toBeGreaterThan(1);
    const parents = report.parents.map((p) => [
      p.id.startsWith('sig-') ? 'signal' : p.id,
      p.symbol,
      p.status,
      p.filledQty,
    ]);
    expect(parents).toEqual([
      ['btc-twap', 'BTCUSDT', 'filled', '0.15'],
      ['eth-buy', 'ETHUSDT', 'filled', '3'],
      ['eth-rest', 'ETHUSDT', 'unfilled', '0'],
      ['signal', 'ETHUSDT', 'filled', '1'],
    ]);
    // Each symbol's position and P&L in the report, marked at its own book as the run ended, and
    // the account's balances: 0.15 BTC; 2 + 3 - 1 ETH.
    expect(report.pnl.symbols.map((p) => [p.symbol, p.baseline, p.position, p.markSource])).toEqual([
      ['BTCUSDT', '0', '0.15', 'end'],
      ['ETHUSDT', '2', '4', 'end'],
    ]);
    const balance = await (await ccxtClient(gw)).fetchBalance();
    expect((balance['BTC'] as { total?: number }).total).toBeCloseTo(0.15, 8);
    expect((balance['ETH'] as { total?: number }).total).toBeCloseTo(4, 8);
  });
});
