// What a run counts as a discrepancy, and what fails a run whatever it expects. A discrepancy is
// every way our record disagreed with the venue: a report the fold refused, a position
// reconciliation had to correct (the venue held what our fills do not explain), and at the end of
// a simulated run orders whose fills differ from the venue's, a position off the venue's, orders
// open at the venue that we hold as ended. A parent filled past its quantity, or an order left
// open at the venue behind our back, fails the run even when it expects nothing.
import { describe, expect, it } from 'vitest';
import type { ExecEvent, LogEntry } from '../../src/core/model/events.ts';
import { clientOrderId, parentOrderId, symbol, tradeId, venueOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { brokenInvariants, checkExpectations } from '../../src/core/report/expectations.ts';
import { RunReportFold } from '../../src/core/report/run-report.ts';
import { runScenario } from '../../src/runtime/backtest-run.ts';
import { loadScenarioFile } from '../../src/scenario/load-scenario.ts';

const inst = makeInstrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001', minNotional: '5' });

function fold(events: readonly ExecEvent[]) {
  const f = new RunReportFold(inst);
  events.forEach((event, i) => f.add({ seq: i + 1, time: 1_000 + i, event } as LogEntry));
  return f.summary();
}

const parent = (qty: number, totalSlices: number): ExecEvent => ({
  kind: 'ParentOrderCreated',
  parentId: parentOrderId('p'),
  symbol: 'BTCUSDT',
  side: 'buy',
  qty,
  type: 'market',
  tif: 'IOC',
  limitPrice: null,
  totalSlices,
  route: 'twap',
  arrivalBid: 100,
  arrivalAsk: 102,
  source: 'test',
});

/** A child created, sent and filled whole. */
const filledChild = (n: number, qty: number): ExecEvent[] => {
  const id = clientOrderId(`c${n}`);
  return [
    {
      kind: 'OrderCreated',
      clientOrderId: id,
      parentId: parentOrderId('p'),
      sliceNum: n,
      totalSlices: 2,
      scheduledTime: 0,
      symbol: symbol('BTCUSDT'),
      side: 'buy',
      type: 'market',
      tif: 'IOC',
      qty,
      limitPrice: null,
      stopPrice: null,
    },
    { kind: 'SubmitOrder', clientOrderId: id },
    {
      kind: 'FillReport',
      clientOrderId: id,
      venueOrderId: venueOrderId(`v${n}`),
      tradeId: tradeId(`t${n}`),
      qty,
      price: 101,
      fee: 0,
      liquidity: 'taker',
      venueTime: 0,
    },
  ];
};

const audit = (over: Partial<Extract<ExecEvent, { kind: 'FillAudit' }>> = {}): ExecEvent => ({
  kind: 'FillAudit',
  venueFilled: 0,
  detected: 0,
  falsePositives: 0,
  ledgerMismatches: 0,
  expectedPosition: 0,
  venuePosition: 0,
  openAtVenue: 0,
  hiddenOpen: 0,
  ...over,
});

describe('discrepancies', () => {
  it('a clean run has none and breaks nothing', () => {
    const s = fold([
      parent(10, 2),
      ...filledChild(1, 5),
      ...filledChild(2, 5),
      audit({ expectedPosition: 10, venuePosition: 10 }),
    ]);
    expect(s.discrepancies).toBe(0);
    expect(s.discrepancyNotes).toEqual([]);
    expect(brokenInvariants(s)).toEqual([]);
  });

  it('a position correction is a discrepancy, named, and fails noDiscrepancies', () => {
    const s = fold([
      parent(10, 2),
      ...filledChild(1, 5),
      { kind: 'PositionCorrected', ours: 5, venue: 10, adjustment: 5 },
    ]);
    expect(s.discrepancies).toBe(1);
    expect(s.discrepancyNotes).toEqual(['position corrected 1 time: the venue held what our fills do not explain']);
    expect(checkExpectations([{ noDiscrepancies: true }], s)[0]?.pass).toBe(false);
  });

  it("the end-of-run audit's mismatches count: fills, position and orders open behind our back", () => {
    const s = fold([
      parent(10, 2),
      ...filledChild(1, 5),
      audit({ ledgerMismatches: 2, expectedPosition: 5, venuePosition: 10, openAtVenue: 3, hiddenOpen: 1 }),
    ]);
    expect(s.discrepancies).toBe(2 + 1 + 1);
    expect(s.discrepancyNotes).toEqual([
      "2 orders with fills other than the venue's at the end",
      "position at the end: ours 5 lots, the venue's 10",
      '1 order open at the venue at the end that we hold as ended',
    ]);
    expect(s.openAtVenue).toEqual({ open: 3, hidden: 1 });
    expect(brokenInvariants(s).map((b) => b.name)).toEqual(['noHiddenOpenOrders']);
  });

  it('a refused report is counted by its reason', () => {
    const s = fold([
      parent(10, 2),
      ...filledChild(1, 5),
      {
        kind: 'DiscrepancyRecorded',
        clientOrderId: clientOrderId('c1'),
        reason: 'transition_not_allowed',
        detail: 'x',
        cause: 3,
      } as ExecEvent,
    ]);
    expect(s.discrepancies).toBe(1);
    expect(s.discrepancyNotes).toEqual(['1 report refused as transition not allowed']);
  });

  it('a parent filled past its quantity breaks an invariant, whatever the run expects', () => {
    const s = fold([parent(8, 2), ...filledChild(1, 5), ...filledChild(2, 5)]);
    expect(s.overfilledParents).toEqual(['p: 0.0001 of 0.00008']);
    expect(brokenInvariants(s)).toEqual([
      { name: 'parentNotOverfilled', expected: 'filled <= quantity', observed: 'p: 0.0001 of 0.00008', pass: false },
    ]);
  });

  it('every simulated run ends with the audit, with or without fill detection', () => {
    const loaded = loadScenarioFile('scenarios/twap-kill-switch.yaml');
    const entries: LogEntry[] = [];
    const report = runScenario(loaded, { onEntry: (e) => entries.push(e) });
    expect(entries.at(-1)?.event.kind).toBe('FillAudit');
    expect(report.openAtVenue).not.toBeNull();
    expect(report.discrepancies).toBe(0);
  });
});
