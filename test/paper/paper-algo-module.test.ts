// A user's execution algorithm module in paper runs, against each local gateway over loopback
// through the real SDKs: the module (test/fixtures/algorithms/step-buyer.ts) is loaded in the live
// process as in a backtest, decides its children on the wall clock, and the node sends them with
// ids it derives. The venue, read through its own client, holds exactly the children the run
// stored, each filled once, and the parent's quantity; the plan names the module, and its
// children are the module's chunks (six, as the same file run as a backtest sends). A run whose
// module's code changed after it stopped is not resumed: `execsim resume` names the field and
// both code hashes, exits 2 and writes nothing; with the module restored it resumes and fills the
// parent. Every wait is a bounded condition.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scoped } from '../support/gateway-harness.ts';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { alpacaEndpoints, makeAlpacaClient } from '../../src/live/alpaca/alpaca-sdk.ts';
import { resumePaper, runPaper } from '../../src/runtime/paper-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';
import type { RunStore } from '../../src/store/run-store.ts';
import { API_KEY, API_SECRET, binanceGateway, ccxtClient } from '../support/binance-gateway-harness.ts';
import { execsimInProcess } from '../support/cli-in-process.ts';
import {
  alpacaPaperGateway,
  binancePaperOptions,
  interruptedPaperRun,
  paperOptions,
  scratchStores,
} from '../support/paper-options.ts';

const KEY = 'paper-algo-module-key';
const SECRET = 'paper-algo-module-secret';
const { dir, store } = scratchStores('execsim-paper-algo-module-');

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

describe.concurrent("a user's execution algorithm module in a paper run", () => {
  it(
    'Alpaca: the module decides on the wall clock, the venue holds exactly its children, each filled once',
    scoped(async () => {
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
    }),
  );

  it(
    'Binance: the module decides on the wall clock, ccxt sees exactly its children, each filled once',
    scoped(async () => {
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
    }),
  );
});

describe('a paper run resumed after its algorithm module changed', () => {
  it(
    'is refused naming algorithms.NAME.path and both code hashes, exit 2, nothing written; restored, it resumes',
    scoped(async () => {
      const gw = await alpacaPaperGateway('test/fixtures/gateway/alpaca-aapl.yaml', { id: KEY, secret: SECRET });
      const keys = { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET };
      const s = store();
      // The module and a file declaring it as `stepper`, written where the test can change them.
      const module = path.join(dir, 'stepper.ts');
      copyFileSync('test/fixtures/algorithms/step-buyer.ts', module);
      // Its horizon a minute, past the stop and the resumes: the module, not the end, fills it.
      const file = path.join(dir, 'module-changed.yaml');
      writeFileSync(
        file,
        readFileSync('test/fixtures/paper/module-aapl.yaml', 'utf8')
          .replace('twap: { duration: PT3S, interval: PT0.5S }', 'twap: { duration: PT1M, interval: PT0.5S }')
          .replace(
            'algo: { kind: module, path: ../algorithms/step-buyer.ts, params: { chunk: 10, everyMs: 400 } }',
            'algo: { kind: module, name: stepper }\nalgorithms:\n  stepper: { path: ./stepper.ts, params: { chunk: 10, everyMs: 400 } }',
          ),
      );
      const loaded = loadScenarioFile(file);
      const before = loaded.algorithms.get('stepper')!.codeHash;
      const runId = await interruptedPaperRun(
        loaded,
        paperOptions(gw.url, s, { id: KEY, secret: SECRET }),
        (e) => e.event.kind === 'SubmitOrder',
      );

      // Another version of the module's code: the resume is refused before anything connects.
      const code = readFileSync(module, 'utf8');
      writeFileSync(module, code.replace('wakeAt: ctx.now + p.everyMs', 'wakeAt: ctx.now + p.everyMs + 1'));
      const after = loadScenarioFile(file).algorithms.get('stepper')!.codeHash;
      expect(after).not.toBe(before);
      const row = s.getRun(runId);
      const events = [...s.entries(runId)].length;
      const venueOrders = gw.orders.desk.orders().length;
      const resume = ['resume', runId, '--db', s.db.name, '--venue-url', gw.url, '--market-hours', 'always'];
      const refused = await execsimInProcess(resume, keys);
      expect(refused.code).toBe(2);
      // One message after the line saying which run it resumes.
      expect(refused.err.filter((l) => l !== '')).toEqual([
        `execsim: resuming ${runId} on ${gw.url}`,
        `execsim: run ${runId}: algorithms.stepper.path: ${module} has changed since the run started ` +
          `(code ${before} then, ${after} now): restore it to resume the run, or start a new run`,
      ]);
      expect(s.getRun(runId)).toEqual(row);
      expect([...s.entries(runId)]).toHaveLength(events);
      expect(gw.orders.desk.orders()).toHaveLength(venueOrders);

      // The code it started with again: the resume runs the module's parent to its end.
      writeFileSync(module, code);
      const report = await resumePaper(runId, paperOptions(gw.url, s, { id: KEY, secret: SECRET }));
      expect(report.expectations.filter((e) => !e.pass)).toEqual([]);
      expect(report.duplicateOrders).toEqual([]);
      expect(report.parents[0]).toMatchObject({ status: 'filled', filledQty: '60' });
    }),
  );
});
