// A user's execution algorithm module in paper runs, against each local gateway over loopback
// through the real SDKs: the module (test/fixtures/algorithms/step-buyer.ts) is loaded in the live
// process as in a backtest, decides its children on the wall clock, and the node sends them with
// ids it derives. The venue, read through its own client, holds exactly the children the run
// stored, each filled once, and the parent's quantity; the plan names the module, and its
// children are the module's chunks (six, as the same file run as a backtest sends). Every wait is
// a bounded condition.
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { alpacaEndpoints, makeAlpacaClient } from '../../src/live/alpaca/alpaca-sdk.ts';
import { runPaper } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, binanceGateway, ccxtClient } from '../support/binance-gateway-harness.ts';
import { alpacaPaperGateway, binancePaperOptions, paperOptions, scratchStores } from '../support/paper-options.ts';

const KEY = 'paper-algo-module-key';
const SECRET = 'paper-algo-module-secret';
const { store } = scratchStores('execsim-paper-algo-module-');

const of = <K extends ExecEvent['kind']>(entries: readonly LogEntry[], kind: K) =>
  entries.filter((e) => e.event.kind === kind).map((e) => e.event as Extract<ExecEvent, { kind: K }>);

/** What the run stored of its module parent: the plan and the children it sent. */
function stored(s: RunStore, runId: string) {
  const entries = [...s.entries(runId)];
  const plan = of(entries, 'AlgoPlanned');
  const children = of(entries, 'OrderCreated').filter((e) => e.parentId === 'algo-buy');
  const sent = new Set(of(entries, 'SubmitOrder').map((e) => e.clientOrderId));
  return { plan, children, sent };
}

describe("a user's execution algorithm module in a paper run", () => {
  it('Alpaca: the module decides on the wall clock, the venue holds exactly its children, each filled once', async () => {
    const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', { id: KEY, secret: SECRET });
    const s = store();
    const file = 'test/fixtures/paper/module-aapl.yaml';
    const CHUNK = 10;
    const report = await runPaper(loadScenarioFile(file), paperOptions(gw.url, s, { id: KEY, secret: SECRET }));
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(report.duplicateOrders).toEqual([]);
    expect(report.parents[0]).toMatchObject({ status: 'filled', filledQty: '60' });

    const { plan, children, sent } = stored(s, report.runId);
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatchObject({ algo: 'module', module: '../algorithms/step-buyer.ts' });
    expect(children.map((c) => c.qty)).toEqual(Array(6).fill(CHUNK));

    const sdk = makeAlpacaClient({
      keyId: KEY,
      secret: SECRET,
      endpoints: alpacaEndpoints(gw.url),
      requestTimeoutMs: 5_000,
    });
    const orders = (await sdk.trading.orders.getAllOrders({
      status: 'all',
      limit: 500,
      symbols: 'AAPL',
    })) as unknown as Array<Record<string, unknown>>;
    expect(orders).toHaveLength(children.length);
    for (const o of orders) {
      expect(o['status']).toBe('filled');
      expect(Number(o['filled_qty'] ?? o['filledQty'])).toBe(10);
    }
    expect(sent.size).toBe(children.length);
  });

  it('Binance: the module decides on the wall clock, ccxt sees exactly its children, each filled once', async () => {
    const gw = await binanceGateway();
    const s = store();
    const file = 'test/fixtures/paper/module-btcusdt.yaml';
    const CHUNK = 1000;
    const options = binancePaperOptions(gw.url, s, { apiKey: API_KEY, secret: API_SECRET });
    const report = await runPaper(loadScenarioFile(file), options);
    expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
    expect(report.duplicateOrders).toEqual([]);
    expect(report.parents[0]).toMatchObject({ status: 'filled', filledQty: '0.06' });

    const { plan, children, sent } = stored(s, report.runId);
    expect(plan[0]).toMatchObject({ algo: 'module', module: '../algorithms/step-buyer.ts' });
    expect(children.map((c) => c.qty)).toEqual(Array(6).fill(CHUNK));

    const ex = await ccxtClient(gw);
    const orders = await ex.fetchOrders('BTC/USDT');
    expect(orders).toHaveLength(children.length);
    for (const o of orders) {
      expect(o.status).toBe('closed');
      expect(o.filled).toBeCloseTo(0.01, 8);
    }
    expect(sent.size).toBe(children.length);
  });
});
