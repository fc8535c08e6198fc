// Reconciliation properties: runs where the venue's pushes are lost at
// random (and fill detection is off, so nothing else repairs the store), with random orders.
// After the run, one reconciliation pass brings the store to the venue's truth (orders, fills,
// position), and a second pass right after finds nothing: applying the corrections is complete.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/clock/rng.ts';
import { VirtualClock } from '../../src/core/clock/virtual-clock.ts';
import { EventLog } from '../../src/core/log/event-log.ts';
import type { LogEntry } from '../../src/core/model/events.ts';
import { makeInstrument } from '../../src/core/model/instrument.ts';
import { prepareRun } from '../../src/host/backtest-world.ts';
import { parseScenario } from '../../src/scenario/load-scenario.ts';
import { parseDurationMs, parseUtcInstant } from '../../src/core/model/time-fields.ts';

const orderArb = fc
  .tuple(
    fc.integer({ min: 1, max: 200 }),
    fc.constantFrom('buy', 'sell'),
    fc.integer({ min: 1, max: 30 }),
    fc.integer({ min: -20, max: 20 }),
    fc.boolean(),
  )
  .map(([at, side, centi, offset, market]) =>
    market
      ? `{ at: PT${at}S, side: ${side}, qty: "${(centi / 100).toFixed(2)}", type: market, route: single }`
      : `{ at: PT${at}S, side: ${side}, qty: "${(centi / 100).toFixed(2)}", type: limit, limitPrice: "${(61000 + offset).toFixed(2)}", route: single }`,
  );

const caseArb = fc.record({
  seed: fc.nat({ max: 100_000 }),
  lost: fc.constantFrom(0.3, 0.7, 1),
  orders: fc.array(orderArb, { minLength: 1, maxLength: 6 }),
});

function yaml(c: { seed: number; lost: number; orders: string[] }): string {
  return `
name: recon-property
seed: ${c.seed}
venue: { name: binance-spot, latency: { orderEntry: { ms: 10, jitterMs: 10 }, ack: 10, fillReport: 5, marketData: 2 } }
instrument: { symbol: BTCUSDT, tickSize: "0.01", lotSize: "0.00001", minNotional: "5" }
start: 2024-08-09T00:00:00Z
duration: PT5M
market: { model: synthetic, initialPrice: "61000.00", volatility: 0.5, stepMs: 200, spreadTicks: 2, depth: ["0.5", "0.8", "1.0"], trades: { ratePerSec: 3, meanQty: "0.05" } }
fillDetection: { enabled: false }
reconciliation: { periodMs: null }
safety: { preTrade: { largeOrderNotional: "1000000", hardLimitNotional: "2000000", maxOrderNotional: "5000000" } }
faults: [{ kind: lost_reports, from: PT0S, until: PT5M, probability: ${c.lost} }]
orders:
${c.orders.map((o, i) => `  - { id: o${i}, ${o.slice(2)}`).join('\n')}
`;
}

describe('reconciliation', () => {
  it('brings the store to the venue truth in one pass; a second pass finds nothing', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { scenario: s } = parseScenario(yaml(c), 'recon-property.yaml');
        const inst = makeInstrument(s.instrument);
        const start = parseUtcInstant(s.start);
        const clock = new VirtualClock(start);
        const entries: LogEntry[] = [];
        const run = prepareRun({
          scenario: s,
          file: 'x.yaml',
          clock,
          rng: new Rng(s.seed),
          log: new EventLog(clock),
          instrument: inst,
          start,
          sinks: [{ write: (e) => entries.push(e) }],
        });
        const end = start + parseDurationMs(s.duration);
        clock.advanceTo(end);
        const completed = () =>
          entries
            .filter((e) => e.event.kind === 'ReconciliationCompleted')
            .map((e) => e.event as { mismatches: number });
        run.reconciler.run('periodic');
        clock.advanceTo(end + 10_000);
        expect(completed()).toHaveLength(1);
        // The store now agrees with the venue on every order and on the position.
        for (const o of run.ledger.orders.values()) {
          const v = run.venue.exchange.order(o.request.clientOrderId);
          expect(o.filledQty, `${o.request.clientOrderId} fills`).toBe(v?.filled ?? 0);
        }
        expect(run.ledger.position).toBe(run.venue.exchange.position);
        run.reconciler.run('periodic');
        clock.advanceTo(end + 20_000);
        expect(completed().map((x) => x.mismatches)).toEqual([completed()[0]?.mismatches, 0]);
      }),
      { numRuns: 80 },
    );
  });
});
