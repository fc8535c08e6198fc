// The backtest advances its clock in chunks (between which it heartbeats, reports progress and,
// in runScenarioAsync, lets the event loop run): chunking changes nothing in the run (the same
// digest and report as one advance), progress is reported in order up to the horizon, and an
// aborted runScenarioAsync stores its run as interrupted with the committed log intact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunInterrupted, runScenario, runScenarioAsync, type RunProgress } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';
import { verifyRun } from '../../src/store/verify-run.ts';

const SCENARIOS = ['static-book-sweep', 'twap-calm', 'restart-mid-twap', 'fill-detection-faults'];

let dir: string;
let store: RunStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'execsim-progress-'));
  store = new RunStore(openDatabase(path.join(dir, 'x.db')));
});
afterEach(() => {
  store.db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('chunked clock advance', () => {
  it.each(SCENARIOS)(
    '%s: runScenarioAsync gives the digest and report of runScenario, with progress in order',
    async (name) => {
      const loaded = loadScenarioFile(`scenarios/${name}.yaml`);
      const sync = runScenario(loaded);
      const progress: RunProgress[] = [];
      const async = await runScenarioAsync(loaded, { store, onProgress: (p) => progress.push(p), progressEveryMs: 0 });
      expect(async.digest).toBe(sync.digest);
      expect({ ...async, runId: '', wallMs: 0, eventsPerSec: 0 }).toEqual({
        ...sync,
        runId: '',
        wallMs: 0,
        eventsPerSec: 0,
      });
      expect(progress.length).toBeGreaterThan(0);
      for (const [k, p] of progress.entries()) {
        expect(p.runId).toBe(async.runId);
        expect(p.totalMs).toBe(sync.simulatedMs);
        expect(p.simulatedMs).toBeGreaterThan(k === 0 ? 0 : (progress[k - 1] as RunProgress).simulatedMs);
        expect(p.simulatedMs).toBeLessThan(p.totalMs);
        expect(p.events).toBeLessThanOrEqual(sync.events);
      }
      expect(store.getRun(async.runId)).toMatchObject({ status: 'finished', passed: 1 });
    },
  );

  it('an aborted run stops at the next chunk, is stored interrupted with the reason, and its log is a consistent prefix', async () => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const stop = new AbortController();
    // Stopped part-way, after the TWAP (at 30 s) has committed its first slices.
    let stoppedAt = 0;
    const onProgress = (p: RunProgress) => {
      if (p.simulatedMs < 150_000 || stop.signal.aborted) return;
      stoppedAt = p.simulatedMs;
      stop.abort('SIGTERM');
    };
    const err = await runScenarioAsync(loaded, { store, signal: stop.signal, onProgress, progressEveryMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(stoppedAt).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(RunInterrupted);
    const { runId, reason } = err as RunInterrupted;
    expect(reason).toBe('SIGTERM');
    expect(store.getRun(runId)).toMatchObject({ status: 'interrupted', error: 'SIGTERM', digest: null, passed: null });
    const v = verifyRun(store, runId);
    expect(v.events).toBeGreaterThan(0);
    expect(v.problems).toEqual([]);
  });

  it('a run stopped long after its last order keeps its log up to the stop, not up to that order', async () => {
    // The TWAP's last slice leaves at 5 min; the market goes on for two days. A run without
    // restarts commits its log as an order leaves; between chunks it marks whole units too.
    const loaded = parseScenario(
      `name: long-after-the-orders
seed: 1
venue: { name: binance-spot }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: P2D
market: { model: synthetic, initialPrice: "61000.00", volatility: 1.0, depth: ["0.5", "1.0"], trades: { ratePerSec: 0.2, meanQty: "0.02" } }
safety: { preTrade: { largeOrderNotional: "100000", hardLimitNotional: "200000", maxOrderNotional: "500000" } }
orders:
  - { id: buy, at: PT30S, side: buy, qty: "1", type: market, twap: { duration: PT5M, slices: 10 } }
`,
      'long-after-the-orders.yaml',
    );
    const stop = new AbortController();
    const day = 86_400_000;
    let stoppedAt = 0;
    const onProgress = (p: RunProgress) => {
      if (p.simulatedMs < day || stop.signal.aborted) return;
      stoppedAt = p.simulatedMs;
      stop.abort('SIGINT');
    };
    const err = await runScenarioAsync(loaded, { store, signal: stop.signal, onProgress, progressEveryMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RunInterrupted);
    const { runId } = err as RunInterrupted;
    const start = Date.parse('2024-08-09T00:00:00Z');
    let last = 0;
    for (const e of store.entries(runId)) last = e.time;
    // Up to the chunk the stop came after (the log's last entry may precede it by the market's
    // quiet spell), a day past the last order.
    expect(last - start).toBeGreaterThan(day - 3_600_000);
    expect(last - start).toBeLessThanOrEqual(stoppedAt);
    expect(verifyRun(store, runId).problems).toEqual([]);
  });
});
