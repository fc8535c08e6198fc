// A GTC limit in a backtest with fill detection's defaults: it rests (no deadline cancels it after
// 30 s), its watch polls all along, and a fill 10 minutes later, whose report the venue loses, is
// found by a poll. The same order as IOC is watched to the deadline; a file that gives timeoutMs
// keeps it for the resting order too.
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { runLogged } from '../support/logged-run.ts';

// A synthetic market that stands still, then drops 1% at 10 minutes, through our bid; every
// report is lost from 5 minutes on and reconciliation is off: only the watch's polls can find the
// fill.
const SCENARIO = `name: resting-gtc
seed: 1
venue: { name: binance-spot, latency: { orderEntry: 10, ack: 5, fillReport: 5 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT15M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0
  stepMs: 1000
  depth: ["1.0"]
  trades: { ratePerSec: 1, meanQty: "0.02" }
faults:
  - { kind: price_jump, at: PT10M, bps: -100 }
  - { kind: lost_reports, from: PT5M, until: PT15M, probability: 1 }
reconciliation: { periodMs: null }
orders:
  - { id: rest-bid, at: PT1S, side: buy, qty: "0.01", type: limit, limitPrice: "60900.00", route: single }
`;

const run = (edit: (s: string) => string = (s) => s) => runLogged(parseScenario(edit(SCENARIO), 'resting.yaml'));

describe('a resting GTC limit in a backtest', () => {
  it('rests 10 minutes, watched and never cancelled, and its fill then is found by a poll', () => {
    const { report, of } = run();
    expect(of('FillMonitorStarted').map((e) => [e.event.timeoutMs, e.event.partialFillPolicy])).toEqual([
      [null, 'wait'],
    ]);
    expect(of('FillDeadlineReached')).toEqual([]);
    expect(of('CancelOrder')).toEqual([]);
    const parent = report.parents.find((p) => p.id === 'rest-bid')!;
    expect(parent).toMatchObject({ status: 'filled', filledQty: '0.01' });
    const ended = of('FillMonitorEnded')[0]!;
    expect(ended.event).toMatchObject({ result: 'filled', detectedBy: 'poll' });
    const start = Date.parse('2024-08-09T00:00:00Z');
    expect(ended.time).toBeGreaterThan(start + 10 * 60_000);
    expect(ended.time).toBeLessThan(start + 10 * 60_000 + 5_100); // within one poll (pollMaxMs, 5 s)
    expect(report.fillDetection).toMatchObject({ ordersStillWatched: 0, timeoutRate: 0 });
  });

  it('as IOC it is watched to the 30 s deadline (the venue ends it first); with a timeoutMs in the file the GTC order meets it', () => {
    const ioc = run((s) => s.replace('type: limit,', 'type: limit, tif: IOC,'));
    expect(ioc.of('FillMonitorStarted').map((e) => e.event.timeoutMs)).toEqual([30_000]);
    expect(ioc.of('FillMonitorEnded').map((e) => e.event.result)).toEqual(['unfilled']);
    const given = run((s) => s.replace('orders:\n', 'fillDetection: { timeoutMs: 30000 }\norders:\n'));
    expect(given.of('FillDeadlineReached')).toHaveLength(1);
    expect(given.of('CancelOrder').map((e) => e.event.reason)).toEqual(['fill detection deadline']);
    expect(given.report.parents.find((p) => p.id === 'rest-bid')).toMatchObject({ filledQty: '0' });
  });
});
