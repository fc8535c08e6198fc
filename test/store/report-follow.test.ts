// The run report reads its orders from the running process's ledger (RunReportFold.follow)
// instead of folding every entry a second time. These tests hold that shortcut to the fold it
// replaces: for every bundled scenario and every adversarial case (restarts, lost fills, kill
// switches, outages), the report of the run is exactly the report folded afresh from the stored
// log, and for a range of seeds of the restart scenarios as well; a ledger that has not applied
// what the fold was handed is refused, not read.
import { scenarioInstruments } from '../../src/scenario/scenario-requests.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { OrderLedger } from '../../src/core/order/order-ledger.ts';
import { RunReportFold, type LogSummary } from '../../src/core/report/run-report.ts';
import { runScenario, type RunReport } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile, parseScenario, type LoadedScenario } from '../../src/scenario/load-scenario.ts';
import { openDatabase } from '../../src/store/open-database.ts';
import { RunStore } from '../../src/store/run-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'execsim-report-follow-'));
const store = new RunStore(openDatabase(join(dir, 'runs.db')));
afterAll(() => {
  store.db.close();
  rmSync(dir, { recursive: true, force: true });
});

const FILES = [
  ...readdirSync('scenarios')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join('scenarios', f)),
  ...readdirSync('test/fixtures/adversarial')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join('test/fixtures/adversarial', f)),
];

/** The report's figures that come from the fold. */
function folded(r: RunReport | LogSummary) {
  const { parents, fills, discrepancies, duplicateOrders, fillDetection, signals, rejectedParents } = r;
  const { reconciliation, faults, replay, modelWarnings } = r;
  return {
    // A parent's costs read the market samples and the book at the run's end besides the log's
    // entries; a fold of the stored entries alone has neither, so of the costs only what the
    // entries give is compared: the decision and arrival, the fees, the slippage and participation.
    parents: parents.map(({ costs, ...p }) => ({
      ...p,
      costs: {
        decisionAt: costs.decisionAt,
        arrivalPrice: costs.arrivalPrice,
        fees: costs.quote?.fees ?? null,
        slippage: costs.slippage,
        participationRate: costs.participationRate,
      },
    })),
    fills,
    discrepancies,
    duplicateOrders,
    fillDetection,
    signals,
    rejectedParents,
    reconciliation,
    faults,
    replay,
    modelWarnings,
  };
}

let runs = 0;
/** The run's report, and the report folded afresh (own ledger) from the log it stored. */
function bothReports(loaded: LoadedScenario, seed?: number) {
  const runId = `r${++runs}`;
  const report = runScenario(loaded, { store, runId, ...(seed === undefined ? {} : { seed }) });
  const inst = makeInstrument(loaded.scenario.instrument);
  const fold = new RunReportFold(inst, scenarioInstruments(loaded.scenario, inst).all.slice(1));
  let stored = 0;
  for (const entry of store.entries(runId)) {
    fold.add(entry);
    stored++;
  }
  expect(stored).toBe(report.events);
  return { report, refolded: fold.summary() };
}

describe('the run report read from the process ledger', () => {
  it('covers the restart and adversarial cases', () => {
    // The bundled set must keep exercising the shortcut across restarts.
    const withRestarts = FILES.filter((f) => loadScenarioFile(f).scenario.restarts.length > 0);
    expect(withRestarts.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of FILES) {
    it(`${file}: the run's report is the report folded afresh from its stored log`, () => {
      const { report, refolded } = bothReports(loadScenarioFile(file));
      expect(folded(report)).toEqual(folded(refolded));
    });
  }

  it('folds each entry once: the report applies none itself', () => {
    const loaded = loadScenarioFile('scenarios/twap-calm.yaml');
    const apply = vi.spyOn(OrderLedger.prototype, 'apply');
    try {
      const report = runScenario(loaded);
      // The process's ledger applies every entry; an own-ledger report would double that.
      expect(apply).toHaveBeenCalledTimes(report.events);
    } finally {
      apply.mockRestore();
    }
  });

  const calm = readFileSync('scenarios/twap-calm.yaml', 'utf8').replace(/^expect:[\s\S]*$/m, '');
  for (const [label, restarts] of [
    ['a crash at the first instant', '[{ at: PT0S, downtime: PT10S }]'],
    ['a downtime past the run’s end', '[{ at: PT5M, downtime: PT20M }]'],
    ['two crashes a minute apart', '[{ at: PT1M, downtime: PT5S }, { at: PT2M, downtime: PT5S }]'],
  ] as const) {
    it(`${label}: the same report either way`, () => {
      const loaded = parseScenario(`${calm}\nrestarts: ${restarts}\n`, 'inline.yaml');
      const { report, refolded } = bothReports(loaded);
      expect(folded(report)).toEqual(folded(refolded));
    });
  }

  it('restart scenarios, any seed: the same report either way', () => {
    const files = FILES.filter((f) => loadScenarioFile(f).scenario.restarts.length > 0);
    const loaded = files.map((f) => loadScenarioFile(f));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: loaded.length - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (i, seed) => {
          const { report, refolded } = bothReports(loaded[i] as LoadedScenario, seed);
          expect(folded(report)).toEqual(folded(refolded));
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('RunReportFold.follow', () => {
  const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });
  const started: LogEntry = {
    seq: 1,
    time: 0,
    event: { kind: 'RunStarted', scenario: 's', symbol: 'BTCUSDT', startTime: 0 },
  };
  const parent: LogEntry = {
    seq: 2,
    time: 0,
    event: {
      kind: 'ParentOrderCreated',
      parentId: 'p',
      symbol: 'BTCUSDT',
      side: 'buy',
      qty: 100,
      type: 'market',
      tif: 'IOC',
      limitPrice: null,
      route: 'single',
      totalSlices: 1,
      arrivalBid: 100,
      arrivalAsk: 102,
      source: 'scenario-order',
    },
  } as LogEntry;

  it('refuses a ledger that has not applied what the fold was handed', () => {
    const fold = new RunReportFold(inst);
    fold.add(started);
    expect(() => fold.follow(new OrderLedger())).toThrow(/ledger at entry 0 cannot be followed from entry 1/);
  });

  it('counts on the followed ledger only once it applied the entry, and says so when it did not', () => {
    const ledger = new OrderLedger();
    const fold = new RunReportFold(inst);
    fold.follow(ledger);
    fold.add(started);
    ledger.apply(started);
    fold.add(parent);
    ledger.apply(parent);
    expect(fold.summary().parents.map((p) => p.id)).toEqual(['p']);
    const next: LogEntry = {
      seq: 3,
      time: 1,
      event: { kind: 'ParentOrderCompleted', parentId: 'p', status: 'unfilled', filledQty: 0 },
    } as LogEntry;
    fold.add(next);
    // The ledger skipped entry 3.
    expect(() => fold.summary()).toThrow(/has not applied entry 3 \(at 2\)/);
  });
});
