// Crash and restart properties: a TWAP run crashed at random moments (by
// time, or right after an order leaves and before its status is stored), one to three times,
// with venue faults mixed in. After the run, from the venue's own records and the restarted
// process's state: no client order id ever became two orders at the venue; the venue's and our
// orders, fills and position agree; the parent is never over-filled; every slice ended filled,
// cancelled, expired or failed (never left pending, never lost); every fill-detection watch ends.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import { parentOrderId } from '../../src/core/model/ids.ts';
import { makeInstrument, qtyToLots } from '../../src/core/model/instrument.ts';
import { isTerminal } from '../../src/core/model/order-status.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { prepareRun } from '../../src/host/backtest-world.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';

interface Case {
  seed: number;
  childType: 'market' | 'limit';
  slices: number;
  restarts: string[];
  faults: string[];
}

function yaml(c: Case): string {
  return `
name: restart-property
seed: ${c.seed}
venue: { name: binance-spot, latency: { orderEntry: { ms: 15, jitterMs: 20 }, ack: { ms: 10, jitterMs: 10 }, fillReport: { ms: 5, jitterMs: 10 }, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT16M
market:
  model: synthetic
  initialPrice: "61000.00"
  volatility: 0.5
  stepMs: 500
  spreadTicks: 2
  depth: ["0.05", "0.08", "0.1", "0.2"]
  levelSpacingTicks: 3
  trades: { ratePerSec: 3, meanQty: "0.02" }
fillDetection: { timeoutMs: 60000 }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
reconciliation: { periodMs: 120000 }
restarts: [${c.restarts.join(', ')}]
faults: [${c.faults.join(', ')}]
orders:
  - id: p
    at: PT5S
    side: buy
    qty: "0.5"
    type: ${c.childType}
    twap: { duration: PT4M, slices: ${c.slices}${c.childType === 'limit' ? ', limitOffsetTicks: 0' : ''}, maxSpread: 0.5, maxPriceDeviation: 0.5 }
`;
}

const restartArb = fc.oneof(
  fc
    .tuple(fc.integer({ min: 6, max: 280 }), fc.integer({ min: 1, max: 120 }))
    .map(([at, down]) => `{ at: PT${at}S, downtime: PT${down}S }`),
  fc
    .tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 90 }))
    .map(([n, down]) => `{ afterSubmit: ${n}, downtime: PT${down}S }`),
);
const window = (kind: string, extra = '') =>
  fc
    .tuple(fc.integer({ min: 0, max: 250 }), fc.integer({ min: 5, max: 60 }))
    .map(([from, len]) => `{ kind: ${kind}, from: PT${from}S, until: PT${from + len}S${extra} }`);
const faultArb = fc.oneof(
  window('outage', ', mode: mixed, timeoutMs: 2000'),
  window('lost_reports', ', probability: 0.5'),
  window('delayed_reports', ', delayMs: 3000'),
  window('http_5xx', ', probability: 0.3'),
);
const caseArb: fc.Arbitrary<Case> = fc.record({
  seed: fc.nat({ max: 1_000_000 }),
  childType: fc.constantFrom('market' as const, 'limit' as const),
  slices: fc.integer({ min: 2, max: 10 }),
  restarts: fc.array(restartArb, { minLength: 1, maxLength: 3 }),
  faults: fc.array(faultArb, { maxLength: 2 }),
});

function simulate(c: Case) {
  const { scenario: s } = parseScenario(yaml(c), 'restart-property.yaml');
  const inst = makeInstrument(s.instrument);
  const start = parseUtcInstant(s.start);
  const clock = new VirtualClock(start);
  const all: LogEntry[] = [];
  const log = new EventLog(clock);
  const run = prepareRun({
    scenario: s,
    file: 'restart-property.yaml',
    clock,
    rng: new Rng(s.seed),
    log,
    instrument: inst,
    start,
    sinks: [{ write: (e) => all.push(e) }],
  });
  // The venue's own count of orders created per client order id (a reused id makes a second one).
  const created = new Map<string, number>();
  const submit = run.venue.exchange.submit.bind(run.venue.exchange);
  run.venue.exchange.submit = (req, postOnly, parked) => {
    const r = submit(req, postOnly, parked);
    if (typeof r !== 'string') created.set(req.clientOrderId, (created.get(req.clientOrderId) ?? 0) + 1);
    return r;
  };
  clock.advanceTo(start + parseDurationMs(s.duration));
  return { run, created, qty: qtyToLots(inst, '0.5'), all };
}

describe('crash and restart', () => {
  it('never makes two orders of one client id, never over-fills, ends every slice, and agrees with the venue', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { run, created, qty, all } = simulate(c);
        expect(
          all.some((e) => e.event.kind === 'ProcessRestarted') || c.restarts.every((r) => r.includes('afterSubmit')),
        ).toBe(true);
        for (const [id, n] of created) expect(n, `client order id ${id} created ${n} orders`).toBe(1);
        const { ledger, venue } = run;
        const children = ledger.childrenOf(parentOrderId('p'));
        let venueFilled = 0;
        for (const child of children) {
          const id = child.request.clientOrderId;
          const atVenue = venue.exchange.order(id);
          expect(isTerminal(child.status), `slice ${child.request.sliceNum} ended ${child.status}`).toBe(true);
          expect(child.filledQty, `slice ${child.request.sliceNum} fills`).toBe(atVenue?.filled ?? 0);
          venueFilled += atVenue?.filled ?? 0;
        }
        expect(venueFilled).toBeLessThanOrEqual(qty);
        expect(ledger.position).toBe(venue.exchange.position);
        const parent = ledger.parents.get(parentOrderId('p'));
        expect(parent?.completed, 'the parent completed').toBeTruthy();
        // Fill detection resumed across every restart: each watch that started also ended.
        const open = new Set<string>();
        for (const { event: e } of run.durable) {
          if (e.kind === 'FillMonitorStarted') open.add(e.clientOrderId);
          else if (e.kind === 'FillMonitorEnded') open.delete(e.clientOrderId);
        }
        expect([...open], 'watches never ended').toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
